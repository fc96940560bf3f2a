// Step-through of one query's row, draw-only: q, each k, the scores, × scale,
// ÷ temperature, the mask, the max-subtracted exps, the normalised weights and
// Σ weight · v = output, with the numbers the core computed for that row
// (engine.attentionTrace), shown, never recomputed here.
import { formatWeight } from './format.js';
import { createPagedTable } from './table.js';

const num = (v) => formatWeight(v);
const short = (v) => (Math.abs(v) < 5e-3 ? '0' : v.toFixed(2));

function vector(values) {
  return `[${Array.from(values, short).join(', ')}]`;
}

function item(testid, label, value) {
  const li = document.createElement('li');
  const name = document.createElement('span');
  name.className = 'step-name';
  name.textContent = label;
  const code = document.createElement('code');
  code.dataset.testid = testid;
  code.textContent = value;
  li.append(name, ' ', code);
  return li;
}

/** elements: { root }; onSelect(row, col) when a key's row header is clicked. */
export function createStepsView({ root, onSelect = () => {} }) {
  const heading = document.createElement('h3');
  heading.className = 'view-heading';
  heading.dataset.testid = 'steps-heading';
  const list = document.createElement('ol');
  list.className = 'steps-list';
  const missing = document.createElement('p');
  missing.className = 'error';
  missing.hidden = true;
  const tableRoot = document.createElement('div');
  let row = 0;
  let selectedKey = 0;
  const table = createPagedTable({ root: tableRoot, name: 'steps', rowNoun: 'keys', onSelect: (j) => onSelect(row, j) });
  root.replaceChildren(heading, missing, list, tableRoot);

  /** data: present.stepsData(...). */
  function draw(data) {
    const { trace, tokens, keys, values, dim } = data;
    const keyTokens = data.keyTokens ?? tokens;
    const valueDim = data.valueDim ?? dim;
    row = data.row;
    selectedKey = data.selectedKey;
    root.dataset.row = String(data.row);
    root.dataset.head = String(data.head);
    heading.textContent = `Query “${tokens[data.row]}” (#${data.row + 1}), head ${data.head} of ${data.heads}`;
    if (!trace) {
      missing.hidden = false;
      missing.textContent = 'This build of the core has no attentionTrace; rebuild the WebAssembly core (npm run build:wasm).';
      list.replaceChildren();
      tableRoot.hidden = true;
      return;
    }
    missing.hidden = true;
    tableRoot.hidden = false;
    const n = trace.weights.length;
    const allowed = trace.allowed.reduce((a, b) => a + b, 0);
    const kept = trace.kept.reduce((a, b) => a + b, 0);
    list.replaceChildren(
      item('steps-q', `1. The query q (width ${dim}):`, vector(data.q)),
      item('steps-keys', '2. Each key k_j (and its value v_j): a row of the table below,', `${n} keys`),
      item('steps-score', `3. Score each key:`, `score_j = ${data.scoreName}`),
      item('steps-scale', '4. × scale', num(trace.scale)),
      item('steps-temperature', '5. ÷ temperature', num(trace.temperature)),
      item('steps-mask', '6. The mask: keys this query may attend', `${allowed} of ${n}${kept !== allowed ? ` (${kept} kept by ${data.variant})` : ''}`),
      item('steps-max', '7. Subtract the largest logit, then exp: max =', num(trace.max)),
      item('steps-sum', '8. Normalise: weight_j = exp_j / Σ exp, Σ exp =', num(trace.sum)),
      item('steps-output', '9. Σ_j weight_j · v_j = output:', vector(trace.output)),
    );
    const columns = [
      [`score = ${data.scoreName}`, (j) => num(trace.scores[j])],
      ['logit = score × scale ÷ T', (j) => num(trace.logits[j])],
      ['may attend', (j) => (trace.allowed[j] ? (trace.kept[j] ? 'yes' : 'yes, not kept') : 'no (masked)')],
      ['exp(logit − max)', (j) => num(trace.exps[j])],
      ['weight', (j) => num(trace.weights[j])],
      ['k_j', (j) => vector(keys.subarray(j * dim, (j + 1) * dim))],
      ['v_j', (j) => vector(values.subarray(j * valueDim, (j + 1) * valueDim))],
    ];
    table.draw({
      rowCount: n,
      colCount: columns.length,
      rowPage: 64,
      colPage: columns.length,
      rowHeading: 'key j',
      rowHeader: (j) => `#${j + 1} ${keyTokens[j]}`,
      colHeader: (c) => columns[c][0],
      cell: (j, c) => columns[c][1](j),
      caption: `Every step for query #${data.row + 1}, one row per key`,
    });
    table.showRow(Math.min(data.selectedKey, n - 1));
  }

  /** Marks the hovered key's row when the hovered query is this one. */
  function highlight(hoverRow, hoverCol) {
    table.highlight(hoverRow === row && hoverCol !== null ? hoverCol : selectedKey);
  }

  return { draw, render() {}, highlight };
}
