// The page folder's entry: wires index.html's DOM to the one controller
// (playground/controller.js), which walks the state to a picture (text ->
// tokens -> request -> Q, K, V -> kernel -> weights; see
// compute/requests.js) and hands each frame to the page's figure
// (figure.js: the views of views/registry.js and the lines around them).
// This file only connects: controls and tabs to the state, the state to the
// URL hash, and the engine, the worker and the pool to the controller.
//
// One selection is shared by every view: the selected query and key are state
// (query, key: they are in the URL), the shown head is state (head), and the
// hovered cell is passed from the view under the pointer to all the others.
import { zoomAround } from '../compute/long.js';
import { comparisonOf } from '../compute/compare.js';
import { MAX_TOKENS, VARIANT_LABELS } from '../compute/model.js';
import { createTransport, poolUsable } from '../compute/transport.js';
import { createExport } from '../export/page-export.js';
import { createController } from '../playground/controller.js';
import { applyBounds, fillOptions, readControl, writeControls } from '../playground/controls.js';
import { pageTable, readHash, toHash } from '../state/table.js';
import { urlMirror } from '../state/url-mirror.js';
import { createComparison } from '../views/compare.js';
import { setText, setHidden } from '../views/dom.js';
import { createTokenChips } from '../views/tokens.js';
import { createFigure } from './figure.js';
import { createInputs } from './inputs-panel.js';
import { createModelOpener } from './open-model.js';
import { createShareButton } from './share.js';
import { createTrainPanel } from './train-panel.js';

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/** The engine API, or null after saying on the page why the core did not load. */
async function loadCore() {
  setText(byTestId('status'), 'Loading the WebAssembly core…');
  try {
    // A dynamic import, so a missing or broken core is a message, not a dead page.
    const api = await import('../../../wasm/index.js');
    return { api, engine: await api.loadAttention() };
  } catch (error) {
    setText(byTestId('status'), '');
    setText(byTestId('error'), `The WebAssembly core failed to load: ${messageOf(error)}`);
    setHidden(byTestId('error'), false);
    return null;
  }
}

async function start() {
  const core = await loadCore();
  if (!core) return;
  const { api, engine } = core;
  const root = document.querySelector('main');
  const table = pageTable([...api.variants]);
  const variantItems = api.variants.map((name) => ({ value: name, label: VARIANT_LABELS[name] ?? name }));
  fillOptions(byTestId('variant'), variantItems);
  fillOptions(byTestId('compare-select'), [{ value: 'none', label: 'nothing (one variant)' }, ...variantItems]);
  applyBounds(root, table);

  const announcer = byTestId('announcer');
  const chips = createTokenChips(byTestId('tokens'));
  const hooks = {
    announcer,
    onHover: (row, col) => hover(row, col),
    onSelect: (row, col) => select(row, col),
    onSelectHead: (head) => controller.set({ head }),
    onSelectLayerHead: (layer, head) => commit({ layer, head }),
    onOpenView: (view) => commit({ view }),
  };
  const inputs = createInputs({
    tokenize: api.tokenize,
    elements: {
      editors: byTestId('matrix-editors'),
      maskArea: byTestId('mask-area'),
      origin: byTestId('matrix-origin'),
      reseed: byTestId('matrix-reseed'),
    },
    onSizes: (sizes) => commit(sizes),
    refresh: () => controller.schedule(),
  });
  const comparison = createComparison({
    root: byTestId('compare'), compare: (state, result, head) => comparisonOf(engine, state, result, head), announcer, onHover: hooks.onHover,
  });

  // Where requests run (compute/transport.js): the page, the worker, and for long input the pool when it can be had.
  const transport = createTransport({
    engine,
    makeWorker: () => new Worker(new URL('../compute/worker.js', import.meta.url), { type: 'module' }),
    loadPool: poolUsable() ? () => import('../../../wasm/pool.js').then(({ loadAttentionPool }) => loadAttentionPool()) : null,
    onResult: () => controller.schedule(),
    onProgress: (request, stage) => figure.progress(request, stage),
  });

  const urlWriter = urlMirror({ write: (hash) => window.history.replaceState(null, '', hash) });
  const figure = createFigure({
    hooks, comparison, inputs, engine, chips,
    poolThreads: transport.poolThreads,
    syncControls: (state) => writeControls(root, state, document.activeElement),
    publish(published, state) {
      window.__attentionPlayground = published;
      urlWriter.update(toHash(table, state));
    },
  });
  createExport({ container: byTestId('export-toolbar'), current: () => figure.shown() });

  // Model mode's model from disk ("Open a model…"): its candidate's failure goes back to the model shown before.
  const opener = createModelOpener({
    elements: {
      open: byTestId('open-model'),
      openFolder: byTestId('open-model-folder'),
      files: byTestId('model-files'),
      folder: byTestId('model-folder'),
      drop: byTestId('model-drop'),
      info: byTestId('model-info'),
      error: byTestId('model-error'),
      note: byTestId('local-model-note'),
      bundledHint: byTestId('bundled-model-hint'),
      mobyDickHint: byTestId('moby-dick-model-hint'),
      localHint: byTestId('local-model-hint'),
    },
    commit: (values) => commit(values),
    state: () => controller.state,
  });

  // Train mode (input=train): its own worker trains; the panel shows what it says.
  const trainPanel = createTrainPanel({
    byTestId,
    root,
    makeWorker: () => new Worker(new URL('../compute/train-worker.js', import.meta.url), { type: 'module' }),
    shareUrl: () => `${window.location.href.split('#')[0]}${toHash(table, controller.state)}`,
  });

  const first = readHash(table, window.location.hash);
  figure.noteLink(first);
  const controller = createController({
    table, state: first.state, transport, tokenize: api.tokenize, inputsOf: inputs.inputsOf, localModel: opener.localModel,
    draw(frame) {
      opener.drawn(frame);
      opener.update(frame.state);
      figure.draw(frame);
      trainPanel.update(frame.state);
    },
    fail(message, frame) {
      opener.update(frame.state);
      trainPanel.update(frame.state);
      if (!opener.failed(message, frame)) figure.fail(message, frame);
    },
  });

  function hover(row, col) {
    // Long mode draws only the heatmap, whose rows are cells or a region, not tokens.
    if (controller.state.input === 'long') return;
    chips.highlight(row, col);
    figure.highlight(row, col);
  }

  function select(row, col) {
    const { state } = controller;
    if (state.input === 'long') {
      // A click on the overview zooms around its cell.
      const { request } = controller.frame;
      if (row === null || col === null || state.zq !== null || state.zk !== null || request?.mode !== 'long') return;
      const { q0, k0 } = zoomAround(request.queries, request.grid, row, col);
      commit({ zq: q0, zk: k0 });
      return;
    }
    commit({ ...(row !== null && { query: row }), ...(col !== null && { key: col }) });
  }

  function commit(values) {
    writeControls(root, controller.set(values));
  }

  root.addEventListener('input', (event) => {
    const el = event.target.closest('[data-prop]');
    if (el) writeControls(root, controller.edit(el.dataset.prop, readControl(el)), el);
  });
  // When an edit is committed, show its parsed, clamped value.
  root.addEventListener('change', (event) => {
    const el = event.target.closest('input[type="number"][data-prop]');
    const typed = el?.value.trim() ?? '';
    writeControls(root, controller.state);
    // A number clamped to its bounds is said, as a link's adjustments are, rather than changed silently.
    if (el && typed !== '' && el.value !== typed && Number(el.value) !== Number(typed)) {
      const name = el.labels?.[0]?.firstChild?.textContent.trim() || el.dataset.prop;
      const note = byTestId('hash-note');
      note.textContent = `${name}: ${typed} is outside ${el.min}–${el.max}; using ${el.value === '' ? 'none' : el.value}.`;
      note.hidden = false;
    }
  });
  window.addEventListener('hashchange', () => {
    urlWriter.cancel(); // the address now says what to show: a pending write of the old state must not land
    const read = readHash(table, window.location.hash);
    figure.noteLink(read);
    controller.replace(read.state);
    writeControls(root, read.state);
  });
  byTestId('long-back').addEventListener('click', () => commit({ zq: null, zk: null }));

  const tabs = [...document.querySelectorAll('[role="tab"]')];
  byTestId('view-tabs').addEventListener('click', (event) => {
    const tab = event.target.closest('[role="tab"]');
    // Long input has only the heatmap: its other tabs are disabled and keep the link as it is.
    if (tab && !tab.disabled) commit({ view: tab.dataset.view });
  });
  byTestId('view-tabs').addEventListener('keydown', (event) => {
    // Between the tabs the input mode shows (Layers × heads is model mode's).
    const shown = tabs.filter((tab) => !tab.hidden);
    const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -shown.length, End: shown.length };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const at = shown.findIndex((tab) => tab.dataset.view === controller.state.view);
    const next = shown[Math.min(shown.length - 1, Math.max(0, at + moves[event.key]))];
    commit({ view: next.dataset.view });
    next.focus();
  });
  window.addEventListener('resize', () => figure.resize(controller.state));

  createShareButton({
    button: byTestId('share'),
    status: byTestId('share-status'),
    field: byTestId('share-url'),
    url: () => `${window.location.href.split('#')[0]}${toHash(table, controller.state)}`,
  });

  // The explanation states the page's own cut, so the two cannot drift apart.
  for (const span of document.querySelectorAll('[data-testid="max-tokens"]')) span.textContent = String(MAX_TOKENS);
  writeControls(root, controller.state);
  for (const id of ['controls', 'view-options', 'text-input', 'input-controls']) byTestId(id).disabled = false;
  // For tests and the console: the engine the page computes with.
  window.__attentionEngine = engine;
  controller.render();
}

start();
