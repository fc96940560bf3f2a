// Wiring: edits go into the state, the state goes through the model, results
// go to the views, and the state is mirrored in the URL hash. This is the only
// module that knows the DOM, the state and the engine together.
//
// One selection is shared by every view: the selected query and key are state
// (query, key: they are in the URL), the shown head is state (head), and the
// hovered cell is passed from the view under the pointer to all the others
// through hover(row, col).
//
// The inputs panel (wire-inputs.js), the variant comparison (wire-compare.js)
// and the export toolbar (wire-export.js) are wired in their own modules.
import { createComputer } from '../compute/transport.js';
import { applyBounds, fillOptions, readControl, writeControls } from '../playground/controls.js';
import { setHidden, setText } from '../views/dom.js';
import { MAX_TOKENS, shapeOf, traceRow, truncateTokens, VARIANT_LABELS } from '../compute/model.js';
import * as present from '../views/present.js';
import { createShareButton } from './share.js';
import {
  clampSelection, describeHashChanges, mergeAdjustments, pageTable, readHash, toHash, VIEWS, withEdit, withValues,
} from '../state/table.js';
import { createTokenChips } from '../views/tokens.js';
import { urlMirror } from '../state/url-mirror.js';
import { createBreakdownView } from '../views/breakdown.js';
import { createHeadsGrid } from '../views/heads.js';
import { createHeatmap } from '../views/heatmap.js';
import { createLinesView } from '../views/lines.js';
import { createStatsView } from '../views/stats.js';
import { createStepsView } from '../views/steps.js';
import { createWeightsTable } from '../views/weights-table.js';
import { createComparison } from '../views/compare.js';
import { createExport } from '../export/page-export.js';
import { createInputs } from './inputs-panel.js';
import { createLongMode } from './long-mode.js';

const EMPTY_MESSAGE = 'Type some text to see its attention weights';
const STAGES = { queued: 0, loading: 1, embedding: 2, attention: 3 };

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

const status = byTestId('status');
const errorBox = byTestId('error');

function showStatus(message) {
  setText(status, message);
}

function showError(message) {
  setText(errorBox, message);
  setHidden(errorBox, message === '');
}

/** The time and GFLOP/s of the drawn result (present.perfLine); '' hides the line. */
function showPerf(message) {
  const line = byTestId('perf');
  setText(line, message);
  setHidden(line, message === '');
}

function showNote(message) {
  const note = byTestId('hash-note');
  note.textContent = message;
  note.hidden = message === '';
}

async function start() {
  showStatus('Loading the WebAssembly core…');
  let api;
  let engine;
  try {
    // A dynamic import, so a missing or broken core is a message, not a dead page.
    api = await import('../../../wasm/index.js');
    engine = await api.loadAttention();
  } catch (error) {
    showStatus('');
    showError(`The WebAssembly core failed to load: ${messageOf(error)}`);
    return;
  }

  const root = document.querySelector('main');
  const table = pageTable([...api.variants]);
  const variantItems = api.variants.map((name) => ({ value: name, label: VARIANT_LABELS[name] ?? name }));
  fillOptions(byTestId('variant'), variantItems);
  fillOptions(byTestId('compare-select'), [{ value: 'none', label: 'nothing (one variant)' }, ...variantItems]);
  applyBounds(root, table);

  const announcer = byTestId('announcer');
  const chips = createTokenChips(byTestId('tokens'));
  const heatmap = createHeatmap({
    canvas: byTestId('heatmap'),
    tooltip: byTestId('tooltip'),
    legend: byTestId('legend'),
    announcer,
    onHover: (row, col) => hover(row, col),
    onSelect: (row, col) => select(row, col),
  });
  const views = {
    heatmap,
    lines: createLinesView({
      canvas: byTestId('lines'),
      legend: byTestId('lines-legend'),
      announcer,
      onHover: (row, col) => hover(row, col),
      onSelect: (row, col) => select(row, col),
    }),
    heads: createHeadsGrid({
      root: byTestId('heads-grid'),
      onHover: (row, col) => hover(row, col),
      onSelectHead: (h) => commit(withValues(table, state, { head: h + 1 })),
    }),
    steps: createStepsView({ root: byTestId('steps'), onSelect: (row, col) => select(row, col) }),
    breakdown: createBreakdownView({ root: byTestId('breakdown') }),
    output: createHeatmap({
      canvas: byTestId('output-map'),
      tooltip: byTestId('output-tooltip'),
      legend: byTestId('output-legend'),
      announcer,
      names: { title: 'map', row: 'query', col: 'dim', value: 'value' },
      // A column of the output is a dimension, not a key: share only the query.
      onHover: (row) => hover(row, null),
      onSelect: (row) => select(row, null),
    }),
    stats: createStatsView({ root: byTestId('stats'), onSelect: (row, col) => select(row, col) }),
  };
  const weightsTable = createWeightsTable({ root: byTestId('weights-table-area'), onSelect: (row) => select(row, null) });

  const inputs = createInputs({
    engine,
    tokenize: api.tokenize,
    elements: {
      editors: byTestId('matrix-editors'),
      maskArea: byTestId('mask-area'),
      origin: byTestId('matrix-origin'),
      reseed: byTestId('matrix-reseed'),
    },
    onSizes: (sizes) => commit(withValues(table, state, sizes)),
    refresh: () => schedule(),
  });
  const comparison = createComparison({ root: byTestId('compare'), engine, announcer, onHover: (row, col) => hover(row, col) });
  let shown = null; // { result, tokens, head, state } of the drawn view: what the export toolbar saves
  createExport({ container: byTestId('export-toolbar'), current: () => shown });

  let pending = null; // { n, heads } while the worker computes
  const makeWorker = () => new Worker(new URL('../compute/worker.js', import.meta.url), { type: 'module' });
  const computer = createComputer({
    engine,
    makeWorker,
    onResult: () => schedule(),
    onProgress: showProgress,
  });

  const longMode = createLongMode({
    makeWorker,
    tokenize: api.tokenize,
    heatmap,
    elements: {
      note: byTestId('long-note'),
      back: byTestId('long-back'),
      progress: byTestId('progress'),
      bar: byTestId('progress-bar'),
      text: byTestId('progress-text'),
    },
    refresh: () => schedule(),
  });
  byTestId('long-back').addEventListener('click', () => commit(withValues(table, state, { zq: null, zk: null })));

  const urlWriter = urlMirror({ write: (hash) => window.history.replaceState(null, '', hash) });
  const first = readHash(table, window.location.hash);
  let state = first.state;
  let linkChanges = first; // adjustments made to the last link, until its first render
  let frame = 0;
  let tokenized = { text: null }; // the last text's tokens, so views can switch without re-tokenizing

  function tokensOf(text) {
    const fresh = tokenized.text !== text;
    if (fresh) tokenized = { text, ...truncateTokens(api.tokenize(text)) };
    return { ...tokenized, fresh };
  }

  function hover(row, col) {
    // Long mode draws only the heatmap, whose rows are cells or a region, not tokens.
    if (state.input === 'long') return;
    chips.highlight(row, col);
    for (const view of Object.values(views)) view.highlight(row, col);
    weightsTable.highlight(row);
    comparison.highlight(row, col);
  }

  function select(row, col) {
    if (state.input === 'long') {
      const values = row !== null && col !== null ? longMode.clickValues(state, row, col) : null;
      if (values) commit(withValues(table, state, values));
      return;
    }
    commit(withValues(table, state, { ...(row !== null && { query: row }), ...(col !== null && { key: col }) }));
  }

  function commit(next) {
    state = next;
    writeControls(root, state);
    schedule();
  }

  function showProgress(stage) {
    const box = byTestId('progress');
    box.hidden = stage === null;
    byTestId('view-area').classList.toggle('is-busy', stage !== null);
    if (stage === null || !pending) return;
    byTestId('progress-bar').max = 3;
    byTestId('progress-bar').value = STAGES[stage] ?? 0;
    const what = { queued: 'waiting', loading: 'starting the worker', embedding: 'embedding', attention: 'attention' }[stage] ?? stage;
    byTestId('progress-text').textContent = `Computing ${pending.n} tokens × ${pending.heads} heads in the background: ${what}…`;
  }

  function showTabs() {
    // Long mode has only the heatmap (an overview or a zoomed region).
    const view = state.input === 'long' ? 'heatmap' : state.view;
    for (const tab of document.querySelectorAll('[role="tab"]')) {
      const on = tab.dataset.view === view;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    for (const panel of document.querySelectorAll('[data-view-panel]')) {
      setHidden(panel, panel.dataset.viewPanel !== view);
    }
    byTestId('legend').classList.toggle('is-off', view !== 'heatmap' && view !== 'heads');
  }

  function traceOf(result, head) {
    if (typeof engine.attentionTrace !== 'function') return undefined;
    return traceRow(engine, state, result, head - 1, state.query);
  }

  function drawViews(result, tokens, head) {
    heatmap.draw(present.heatmapData(state, result, tokens, head));
    const tableArea = byTestId('weights-table-area');
    setHidden(tableArea, !state.table);
    if (state.table) weightsTable.draw(present.tableData(result, tokens, head));
    switch (state.view) {
      case 'lines':
        return views.lines.draw(present.linesData(state, result, tokens, head));
      case 'heads':
        return views.heads.draw(present.headsData(state, result, head));
      case 'steps':
        return views.steps.draw(present.stepsData(state, result, tokens, head, traceOf(result, head)));
      case 'breakdown':
        return views.breakdown.draw(present.breakdownData(state, result, tokens, head, traceOf(result, head)?.scores[state.key]));
      case 'output':
        return views.output.draw(present.outputData(state, result, tokens, head));
      case 'stats':
        return views.stats.draw(present.statsData(state, result, tokens, head));
      default:
        return undefined;
    }
  }

  function clearViews() {
    heatmap.clear();
    views.output.clear();
    comparison.hide();
    shown = null;
    showPerf('');
    byTestId('weights-table-area').hidden = true;
    for (const id of ['steps', 'breakdown', 'heads-grid']) byTestId(id).replaceChildren();
  }

  function render() {
    frame = 0;
    document.documentElement.dataset.theme = state.theme;
    showTabs();
    const published = { lastResult: null, tokens: [], state, head: state.head, pending: false };
    try {
      const { tokens, total, fresh } = tokensOf(state.text);
      published.tokens = tokens;
      if (fresh) chips.draw(tokens, total);
      if (state.input === 'long') {
        renderLong(published);
      } else if (state.input === 'text' && tokens.length === 0) {
        clearViews();
        inputs.idle(state);
        showStatus(EMPTY_MESSAGE);
        showError('');
      } else {
        pending = { n: tokens.length, heads: state.heads };
        const onPage = inputs.usesPage(state);
        if (!onPage) inputs.idle(state);
        const answer = onPage ? inputs.compute(state, tokens) : computer.get(state, tokens);
        if (answer.pending) {
          published.pending = true;
          showStatus(`Computing ${tokens.length} tokens in the background…`);
        } else {
          pending = null;
          const result = answer.result;
          const rowTokens = result.rowTokens ?? tokens;
          const { queries, keys } = shapeOf(result);
          const clamped = clampSelection(state, queries, keys);
          state = clamped.state;
          if (linkChanges) linkChanges = { ...linkChanges, adjustments: mergeAdjustments(linkChanges.adjustments, clamped.adjustments) };
          byTestId('query').max = String(queries);
          byTestId('key').max = String(keys);
          writeControls(root, state, document.activeElement);
          const head = Math.min(state.head, result.heads);
          drawViews(result, rowTokens, head);
          shown = { result, tokens: rowTokens, head, state };
          published.comparison = comparison.draw(state, result, rowTokens, head);
          Object.assign(published, { lastResult: result, tokens: rowTokens, colTokens: result.colTokens ?? rowTokens, computedIn: answer.computedIn, head, state });
          showStatus(statusOf(state, result, total > tokens.length ? total : 0, head));
          showPerf(present.perfLine(state, result, answer.computedIn));
          showError('');
        }
      }
    } catch (error) {
      clearViews();
      showStatus('');
      showError(messageOf(error));
    }
    if (linkChanges && !published.pending) {
      showNote(describeHashChanges(linkChanges));
      linkChanges = null;
    }
    window.__attentionPlayground = published;
    urlWriter.update(toHash(table, state));
  }

  /** Long mode (wire-long.js): the overview or the zoomed region, computed in the worker. */
  function renderLong(published) {
    inputs.idle(state);
    comparison.hide();
    shown = null;
    byTestId('weights-table-area').hidden = true;
    const long = longMode.render(state);
    Object.assign(published, { long, pending: long.pending, tokens: long.tokens, head: long.head + 1 });
    if (long.pending) {
      showStatus(`Computing ${long.n} tokens in the background…`);
      return;
    }
    const cut = long.total > long.n ? ` (the first ${long.n} of ${long.total})` : '';
    showStatus(`${long.n} tokens${cut} · ${state.variant} · head ${long.head + 1} of ${state.heads} · ${long.zoom ? 'zoomed' : 'overview'}`);
    showPerf(`${long.zoom ? 'Zoomed region' : 'Overview and output'}: ${long.ms.toFixed(0)} ms in the worker`);
    showError('');
  }

  function statusOf(current, result, cutFrom, head) {
    const { queries, keys } = shapeOf(result);
    if (current.input === 'matrix') return `Q ${queries} × ${result.dim}, K ${keys} × ${result.dim}, V ${keys} × ${result.valueDim} · ${current.variant}`;
    if (current.input === 'cross') return `${queries} target × ${keys} source tokens · ${current.variant} · head ${head} of ${result.heads}`;
    if (cutFrom) return `Showing the first ${MAX_TOKENS} of ${cutFrom} tokens`;
    return `${queries} token${queries === 1 ? '' : 's'} · ${current.variant} · head ${head} of ${result.heads}`;
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
    urlWriter.cancel();  // the address now says what to show: a pending write of the old state must not land
    const read = readHash(table, window.location.hash);
    state = read.state;
    linkChanges = read;
    writeControls(root, state);
    schedule();
  });

  const tabs = [...document.querySelectorAll('[role="tab"]')];
  byTestId('view-tabs').addEventListener('click', (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) commit(withEdit(table, state, 'view', tab.dataset.view));
  });
  byTestId('view-tabs').addEventListener('keydown', (event) => {
    const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -VIEWS.length, End: VIEWS.length };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const at = VIEWS.indexOf(state.view);
    const next = Math.min(VIEWS.length - 1, Math.max(0, at + moves[event.key]));
    commit(withEdit(table, state, 'view', VIEWS[next]));
    tabs[next].focus();
  });
  window.addEventListener('resize', () => {
    views[state.view].render?.();
    comparison.render();
  });

  createShareButton({
    button: byTestId('share'),
    status: byTestId('share-status'),
    field: byTestId('share-url'),
    url: () => `${window.location.href.split('#')[0]}${toHash(table, state)}`,
  });

  writeControls(root, state);
  byTestId('controls').disabled = false;
  byTestId('view-options').disabled = false;
  byTestId('text-input').disabled = false;
  byTestId('input-controls').disabled = false;
  // For tests and the console: the engine the page computes with.
  window.__attentionEngine = engine;
  render();
}

start();
