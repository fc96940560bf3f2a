// The weights of the shown head as a data table, draw-only: the accessible
// alternative to the heatmap ("Show as table"), paged for large N.
import { formatWeight } from '../format.js';
import { createPagedTable } from './table.js';

export function createWeightsTable({ root, onSelect = () => {} }) {
  const table = createPagedTable({ root, name: 'weights', rowNoun: 'queries', colNoun: 'keys', onSelect: (i) => onSelect(i, null) });

  /** data: present.tableData(...): { weights [n, n], n, tokens, head }. */
  function draw({ weights, n, tokens, head }) {
    table.draw({
      rowCount: n,
      colCount: n,
      rowPage: 32,
      colPage: 16,
      rowHeading: 'query \\ key',
      rowHeader: (i) => `#${i + 1} ${tokens[i]}`,
      colHeader: (j) => `#${j + 1} ${tokens[j]}`,
      cell: (i, j) => formatWeight(weights[i * n + j]),
      caption: `Attention weights of head ${head}: row = query, column = key`,
    });
  }

  return { draw, highlight: (row) => table.highlight(row) };
}
