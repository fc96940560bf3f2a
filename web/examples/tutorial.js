// The tutorial page's script, served as written: it uses the built module the
// way a reader's page would. Nothing here writes HTML from strings.
import { loadAttention } from '../attention-playground.js';

// Step 2: changing an attribute at run time recomputes the element.
const softmaxDemo = document.getElementById('softmax-demo');
const temperatureButtons = document.querySelectorAll('[data-temperature]');
for (const button of temperatureButtons) {
  button.addEventListener('click', () => {
    softmaxDemo.setAttribute('temperature', button.dataset.temperature);
    for (const other of temperatureButtons) other.setAttribute('aria-pressed', String(other === button));
  });
}

// Step 3: the attention-change event carries tokens and weights [heads, queries, keys].
const causalDemo = document.getElementById('causal-demo');
const argmaxList = document.querySelector('[data-testid="argmax"]');

function showArgmax({ tokens, queries, keys, weights }) {
  const items = [];
  for (let i = 0; i < queries; i++) {
    const row = weights.subarray(i * keys, (i + 1) * keys); // head 0
    let best = 0;
    for (let j = 1; j < keys; j++) if (row[j] > row[best]) best = j;
    const item = document.createElement('li');
    item.textContent = `${tokens[i]} → ${tokens[best]} (${row[best].toFixed(2)})`;
    items.push(item);
  }
  argmaxList.replaceChildren(...items);
}

causalDemo.addEventListener('attention-change', (event) => showArgmax(event.detail));
if (causalDemo.attention) showArgmax(causalDemo.attention);

// Step 5: the JS API on a worked example, one query and three keys in d = 2.
const keyNames = ['cat', 'sat', 'mat'];
const query = new Float32Array([2, 0.5]);
const key = new Float32Array([1, 0, 0, 1, 1, 1]);
const value = new Float32Array([1, 0, 0, 1, 0.5, 0.5]);
const apiOutput = document.querySelector('[data-testid="api-output"]');

function cell(tag, text) {
  const el = document.createElement(tag);
  el.textContent = text;
  return el;
}

try {
  const engine = await loadAttention();
  const { weights, output } = engine.attention({ query, key, value, queries: 1, keys: 3, dim: 2 });
  const rows = keyNames.map((name, j) => {
    const k = key.subarray(2 * j, 2 * j + 2);
    const score = (query[0] * k[0] + query[1] * k[1]) / Math.SQRT2;
    const row = document.createElement('tr');
    row.dataset.weight = String(weights[j]);
    row.append(cell('th', name), cell('td', `(${k[0]}, ${k[1]})`), cell('td', score.toFixed(3)), cell('td', weights[j].toFixed(3)));
    row.firstChild.scope = 'row';
    return row;
  });
  document.querySelector('[data-testid="api-table"] tbody').replaceChildren(...rows);
  apiOutput.textContent = `Output = Σ weight · value = (${output[0].toFixed(3)}, ${output[1].toFixed(3)}); the weights sum to ${(weights[0] + weights[1] + weights[2]).toFixed(3)}.`;
} catch (error) {
  apiOutput.textContent = `The WebAssembly core failed to load: ${error.message}`;
}
