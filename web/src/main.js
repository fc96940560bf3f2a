// Wiring: edits go into the state, the state goes through the model, results
// go to the views, and the state is mirrored in the URL hash. This is the only
// module that knows the DOM, the state and the engine together.
import { applyBounds, fillOptions, readControl, writeControls } from './controls.js';
import { createHeatmap } from './heatmap.js';
import {
  createAttentionModel,
  digestOf,
  headWeights,
  MAX_TOKENS,
  maxOf,
  truncateTokens,
  VARIANT_LABELS,
} from './model.js';
import { fromHash, stateTable, toHash, withEdit } from './state.js';
import { createTokenChips } from './tokens.js';

const EMPTY_MESSAGE = 'Type some text to see its attention weights';

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

const status = byTestId('status');
const errorBox = byTestId('error');

function showStatus(message) {
  status.textContent = message;
}

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = message === '';
}

async function start() {
  showStatus('Loading the WebAssembly core…');
  let api;
  let engine;
  try {
    // A dynamic import, so a missing or broken core is a message, not a dead page.
    api = await import('../../wasm/index.js');
    engine = await api.loadAttention();
  } catch (error) {
    showStatus('');
    showError(`The WebAssembly core failed to load: ${messageOf(error)}`);
    return;
  }

  const root = document.querySelector('main');
  const table = stateTable([...api.variants]);
  fillOptions(
    byTestId('variant'),
    api.variants.map((name) => ({ value: name, label: VARIANT_LABELS[name] ?? name })),
  );
  applyBounds(root, table);

  const compute = createAttentionModel(engine);
  const chips = createTokenChips(byTestId('tokens'));
  const heatmap = createHeatmap({
    canvas: byTestId('heatmap'),
    tooltip: byTestId('tooltip'),
    legend: byTestId('legend'),
    onHover: (row, col) => chips.highlight(row, col),
  });

  let state = fromHash(table, window.location.hash);
  let frame = 0;

  function render() {
    frame = 0;
    const published = { lastResult: null, tokens: [], state, head: state.head };
    try {
      const { tokens, total } = truncateTokens(api.tokenize(state.text));
      published.tokens = tokens;
      chips.draw(tokens, total);
      if (tokens.length === 0) {
        heatmap.clear();
        showStatus(EMPTY_MESSAGE);
        showError('');
      } else {
        const result = compute(state, tokens);
        const head = Math.min(state.head, result.heads);
        const weights = headWeights(result, head - 1);
        heatmap.draw({
          weights,
          rows: result.n,
          cols: result.n,
          rowLabels: tokens,
          colLabels: tokens,
          max: maxOf(weights),
          digest: digestOf(weights),
          title: `head ${head} of ${result.heads}`,
        });
        published.lastResult = result;
        published.head = head;
        showStatus(
          total > tokens.length
            ? `Showing the first ${MAX_TOKENS} of ${total} tokens`
            : `${tokens.length} token${tokens.length === 1 ? '' : 's'} · ${state.variant} · head ${head} of ${result.heads}`,
        );
        showError('');
      }
    } catch (error) {
      heatmap.clear();
      showStatus('');
      showError(messageOf(error));
    }
    window.__attentionPlayground = published;
    window.history.replaceState(null, '', toHash(table, state));
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(render);
  }

  root.addEventListener('input', (event) => {
    const el = event.target.closest('[data-prop]');
    if (!el) return;
    state = withEdit(table, state, el.dataset.prop, readControl(el));
    writeControls(root, state, el);
    schedule();
  });
  // When an edit is committed, show its parsed, clamped value.
  root.addEventListener('change', () => writeControls(root, state));
  window.addEventListener('hashchange', () => {
    state = fromHash(table, window.location.hash);
    writeControls(root, state);
    schedule();
  });

  writeControls(root, state);
  byTestId('controls').disabled = false;
  byTestId('text-input').disabled = false;
  render();
}

start();
