// The weights of the shown head as a data table, draw-only: the accessible
// alternative to the heatmap ("Show as table"), paged for large N.
import { formatWeight } from './format.js';
import { createPagedTable } from './table.js';

export function createWeightsTable({ root, onSelect = () => {} }) {
  const table = createPagedTable({ root, name: 'weights', rowNoun: 'queries', colNoun: 'keys', onSelect: (i) => onSelect(i, null) });

  /** data: present.tableData(...): { weights [rows, cols], n, tokens, head, and for non-square rows, cols, keyTokens }. */
  function draw({ weights, n, rows = n, cols = n, tokens, keyTokens = tokens, head }) {
    table.draw({
      rowCount: rows,
      colCount: cols,
      rowPage: 32,
      colPage: 16,
      rowHeading: 'query \\ key',
      rowHeader: (i) => `#${i + 1} ${tokens[i]}`,
      colHeader: (j) => `#${j + 1} ${keyTokens[j]}`,
      cell: (i, j) => formatWeight(weights[i * cols + j]),
      caption: `Attention weights of head ${head}: row = query, column = key`,
    });
  }

  return { draw, highlight: (row) => table.highlight(row) };
}
