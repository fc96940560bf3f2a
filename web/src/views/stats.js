// Row statistics, draw-only: entropy, max weight, argmax key and row sum of
// every query in a paged table, and the mean weight by relative distance
// i − j as a bar chart (a peak at 0 shows locality). stats.js computes them.
import { formatWeight } from './format.js';
import { drawBars } from './bars.js';
import { createPagedTable } from './table.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const fixed = (v) => String(Number(v.toPrecision(4)));

/** elements: { root }; onSelect(row, null) when a query's row header is clicked. */
export function createStatsView({ root, onSelect = () => {} }) {
  const chartTitle = document.createElement('h3');
  chartTitle.className = 'view-heading';
  chartTitle.textContent = 'Mean weight by distance i − j (query index minus key index)';
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.classList.add('bar-chart');
  svg.dataset.testid = 'distance-chart';
  const tableTitle = document.createElement('h3');
  tableTitle.className = 'view-heading';
  tableTitle.textContent = 'Per query';
  const tableRoot = document.createElement('div');
  const table = createPagedTable({ root: tableRoot, name: 'stats', rowNoun: 'queries', onSelect: (i) => onSelect(i, null) });
  root.replaceChildren(chartTitle, svg, tableTitle, tableRoot);
  let selectedRow = 0;

  /** data: present.statsData(...). */
  function draw({ stats, profile, tokens, keyTokens = tokens, head, n, keys = n, selectedRow: selected }) {
    selectedRow = selected;
    root.dataset.head = String(head);
    drawBars(svg, {
      values: Array.from(profile.mean),
      labels: Array.from(profile.offsets, String),
      label: `Mean weight of head ${head} by distance i − j, from ${profile.offsets[0]} to ${profile.offsets[profile.offsets.length - 1]}`,
      marked: keys - 1,
    });
    const columns = [
      ['entropy (bits)', (i) => fixed(stats.entropy[i])],
      ['max weight', (i) => formatWeight(Math.fround(stats.max[i]))],
      ['argmax key', (i) => (stats.argmax[i] < 0 ? '— (no allowed key)' : `#${stats.argmax[i] + 1} ${keyTokens[stats.argmax[i]]}`)],
      ['row sum', (i) => fixed(stats.sum[i])],
    ];
    table.draw({
      rowCount: n,
      colCount: columns.length,
      rowPage: 64,
      colPage: columns.length,
      rowHeading: 'query i',
      rowHeader: (i) => `#${i + 1} ${tokens[i]}`,
      colHeader: (c) => columns[c][0],
      cell: (i, c) => columns[c][1](i),
      caption: `Row statistics of head ${head}`,
    });
    table.showRow(Math.min(selected, n - 1));
  }

  function highlight(row) {
    table.highlight(row ?? selectedRow);
  }

  return { draw, render() {}, highlight };
}
