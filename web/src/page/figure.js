// The page's figure: what index.html shows of a frame of the controller
// (playground/controller.js). The views come from the one registry
// (views/registry.js) with their DOM parts found in index.html; around them
// the pipeline strip, the tabs, the weights table, the variant comparison, long input's picture,
// the status, perf, progress and link-note lines, and what the export
// toolbar saves. Everything here draws; the words come from status.js.
import { EMPTY_TEXT_MESSAGE } from '../compute/requests.js';
import { describeHashChanges, mergeAdjustments } from '../state/table.js';
import { createLongView } from '../views/long.js';
import * as present from '../views/present.js';
import { createPipelineStrip } from '../views/pipeline.js';
import { createViews, traceOf, VIEW_REGISTRY } from '../views/registry.js';
import { createWeightsTable } from '../views/weights-table.js';
import { setHidden, setText } from '../views/dom.js';
import { longPerfOf, longStatusOf, maskedRowsNote, modelPerfOf, progressOf, similarityOf, statusOf } from './status.js';
import { MAX_TOKENS } from '../compute/model.js';
import { modelTokenLabel } from '../compute/run.js';

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

/** One of GPT-2's next tokens as a list item: the token (as text, never HTML) and its probability. */
function nextTokenItem({ token, p }) {
  const item = document.createElement('li');
  const piece = document.createElement('code');
  piece.textContent = modelTokenLabel(token, 'gpt2');
  item.append(piece, ` ${(100 * p).toFixed(1)}%`);
  return item;
}

/** The rows of the shown head whose every weight is 0: queries that may attend no key. */
function blankRows(result, head) {
  const { queries, keys, weights } = result;
  const base = (head - 1) * queries * keys;
  let blank = 0;
  for (let i = 0; i < queries; i++) {
    let any = false;
    for (let j = 0; j < keys && !any; j++) any = weights[base + i * keys + j] !== 0;
    if (!any) blank++;
  }
  return blank;
}

/** Each view's DOM parts in index.html, by the registry's kinds. */
const PAGE_PARTS = {
  heatmap: () => ({ canvas: byTestId('heatmap'), tooltip: byTestId('tooltip'), legend: byTestId('legend') }),
  lines: () => ({ canvas: byTestId('lines'), legend: byTestId('lines-legend') }),
  heads: () => ({ root: byTestId('heads-grid') }),
  steps: () => ({ root: byTestId('steps') }),
  breakdown: () => ({ root: byTestId('breakdown') }),
  output: () => ({ canvas: byTestId('output-map'), tooltip: byTestId('output-tooltip'), legend: byTestId('output-legend') }),
  stats: () => ({ root: byTestId('stats') }),
  layers: () => ({ root: byTestId('layers-grid') }),
};

/**
 * hooks: the views' { announcer, onHover, onSelect, onSelectHead } and
 * onOpenView(view), when the pipeline strip's stage asks for its view;
 * comparison (views/compare.js) and inputs (inputs-panel.js); engine for the
 * steps and breakdown views' traces; chips the token chips; poolThreads()
 * the pool's thread count; syncControls(state) shows a computed state (its
 * selection clamped) in the controls; publish(published, state) after each
 * frame.
 * Returns { draw(frame), fail(message, frame), progress(request, stage),
 * highlight(row, col), resize(), noteLink(read), shown() }.
 */
export function createFigure({ hooks, comparison, inputs, engine, chips, poolThreads, syncControls, publish }) {
  const views = createViews({ hooks, partsOf: (name) => PAGE_PARTS[name]() });
  // The heatmap is drawn under every view (the export and the legend use it): made first.
  const heatmap = views.get('heatmap');
  for (const name of Object.keys(VIEW_REGISTRY)) views.get(name);
  // The whole pipeline for the selected query, above the tabs; a stage's button opens its view.
  const pipeline = createPipelineStrip({ root: byTestId('pipeline'), onOpen: (view) => hooks.onOpenView(view) });
  const weightsTable = createWeightsTable({ root: byTestId('weights-table-area'), onSelect: (row) => hooks.onSelect(row, null) });
  const longView = createLongView({ heatmap, elements: { note: byTestId('long-note'), back: byTestId('long-back') } });
  let shown = null; // { result, tokens, head, state } of the drawn view: what the export toolbar saves
  let linkChanges = null; // adjustments made to the last link, until its first render

  const showStatus = (message) => setText(byTestId('status'), message);
  function showError(message) {
    setText(byTestId('error'), message);
    setHidden(byTestId('error'), message === '');
  }
  /** The time and GFLOP/s of the drawn result (present.perfLine); '' hides the line. */
  function showPerf(message) {
    setText(byTestId('perf'), message);
    setHidden(byTestId('perf'), message === '');
  }
  function showNote(message) {
    const note = byTestId('hash-note');
    note.textContent = message;
    note.hidden = message === '';
  }

  /** Says that a comparison is drawn, and where: it sits under the view box, often below the fold. */
  function showCompareNote(state, on) {
    const note = byTestId('compare-note');
    setHidden(note, !on);
    if (!on) return;
    const link = document.createElement('a');
    link.href = '#compare';
    link.textContent = 'the three maps are under the view';
    link.addEventListener('click', (event) => {
      event.preventDefault(); // the hash holds the state; do not replace it
      const section = byTestId('compare');
      section.scrollIntoView({ block: 'start' });
      section.focus({ preventScroll: true });
    });
    note.replaceChildren(`Comparing ${state.variant} (a) with ${state.compare} (b): `, link, '.');
  }

  function showTabs(state) {
    // Long mode has only the heatmap (an overview or a zoomed region).
    const view = state.input === 'long' ? 'heatmap' : state.view;
    for (const tab of document.querySelectorAll('[role="tab"]')) {
      const on = tab.dataset.view === view;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      tab.disabled = state.input === 'long' && !on;
      tab.title = tab.disabled ? 'A long input is shown only as a heatmap' : '';
    }
    setHidden(byTestId('long-tabs-note'), state.input !== 'long');
    for (const panel of document.querySelectorAll('[data-view-panel]')) setHidden(panel, panel.dataset.viewPanel !== view);
    byTestId('legend').classList.toggle('is-off', view !== 'heatmap' && view !== 'heads');
  }

  function clearViews() {
    views.clear('heatmap');
    views.clear('output');
    comparison.hide();
    pipeline.hide();
    showCompareNote(null, false);
    shown = null;
    showPerf('');
    byTestId('weights-table-area').hidden = true;
    for (const id of ['steps', 'breakdown', 'heads-grid', 'layers-grid']) byTestId(id).replaceChildren();
    setText(byTestId('model-similarity'), '');
    showNext(null);
    setHidden(byTestId('masked-rows-note'), true);
  }

  /** The link's note once its first frame is computed, with the selection clamped to the tokens. */
  function settleNote(frame) {
    if (!linkChanges || frame.pending) return;
    showNote(describeHashChanges({ ...linkChanges, adjustments: mergeAdjustments(linkChanges.adjustments, frame.adjustments ?? []) }));
    linkChanges = null;
  }

  function drawResult(frame, published) {
    const { state, result, computedIn } = frame;
    const tokens = result.rowTokens;
    byTestId('query').max = String(result.queries);
    byTestId('key').max = String(result.keys);
    syncControls(state);
    const head = Math.min(state.head, result.heads);
    const view = { state, result, tokens, head, engine };
    views.draw('heatmap', view);
    setHidden(byTestId('weights-table-area'), !state.table);
    for (const id of ['max-tokens', 'max-tokens-again']) setText(byTestId(id), String(MAX_TOKENS));
    if (state.table) weightsTable.draw(present.tableData(result, tokens, head));
    if (state.view !== 'heatmap') views.draw(state.view, view);
    pipeline.draw(present.pipelineData(state, result, tokens, head, pipelineTrace(view)), state.view);
    shown = { result, tokens, head, state };
    published.comparison = comparison.draw(state, result, tokens, head);
    showCompareNote(state, published.comparison !== null);
    Object.assign(published, { lastResult: result, tokens, colTokens: result.colTokens, computedIn, head, state });
    showStatus(statusOf(state, result, frame.total > frame.tokens.length ? frame.total : 0, head));
    showPerf(result.model ? modelPerfOf(result, computedIn) : present.perfLine(state, result, computedIn));
    const masked = blankRows(result, head);
    setText(byTestId('masked-rows-note'), masked ? maskedRowsNote(masked, result.queries) : '');
    setHidden(byTestId('masked-rows-note'), masked === 0);
    setText(byTestId('model-similarity'), result.model ? similarityOf(result.model) : '');
    showNext(result.model?.next ?? null);
  }

  /**
   * The core's trace of the selected query's row for the pipeline strip,
   * kept while the result, head and query stay (a new key or view needs no
   * new trace). A result without its request has none: the strip then shows
   * the stages without the scores.
   */
  let traced = { result: null, head: 0, query: -1, trace: undefined };
  function pipelineTrace(view) {
    const { result, head, state } = view;
    if (traced.result !== result || traced.head !== head || traced.query !== state.query) {
      traced = { result, head, query: state.query, trace: result.request ? traceOf(view) : undefined };
    }
    return traced.trace;
  }

  /** GPT-2's most likely next tokens after the text, or nothing. */
  function showNext(next) {
    const box = byTestId('model-next');
    setHidden(box, next === null);
    byTestId('model-next-list').replaceChildren(...(next ?? []).map(nextTokenItem));
  }

  function drawLong(frame, published) {
    const { state, request, result } = frame;
    inputs.idle(state);
    comparison.hide();
    pipeline.hide();
    showCompareNote(null, false);
    shown = null;
    byTestId('weights-table-area').hidden = true;
    const long = {
      n: request.queries, total: frame.long.total, tokens: request.rowTokens, head: request.head, heads: state.heads,
      seed: state.seed, grid: request.grid, zoom: request.region, pending: frame.pending,
    };
    Object.assign(published, { long, pending: frame.pending, tokens: long.tokens, head: long.head + 1 });
    if (frame.pending) {
      longView.waiting(request);
      showStatus(`Computing ${long.n} tokens in the background…`);
      return;
    }
    long.ms = result.ms;
    longView.draw(state, request, result);
    showStatus(longStatusOf(state, request, long.total));
    showPerf(longPerfOf(request, result, frame.computedIn, poolThreads()));
  }

  /** Draws a frame; returns what the page publishes for tests and the console (window.__attentionPlayground). */
  function draw(frame) {
    const { state } = frame;
    document.documentElement.dataset.theme = state.theme;
    showTabs(state);
    const published = { lastResult: null, tokens: frame.tokens, state, head: state.head, pending: false };
    if (frame.fresh) chips.draw(frame.tokens, frame.total);
    if (state.input === 'long') {
      drawLong(frame, published);
    } else if (frame.empty) {
      clearViews();
      inputs.idle(state);
      showStatus(frame.emptyMessage ?? EMPTY_TEXT_MESSAGE);
    } else if (frame.pending) {
      published.pending = true;
      showStatus(`Computing ${frame.tokens.length} tokens in the background…`);
    } else {
      drawResult(frame, published);
    }
    if (!frame.pending) showError('');
    settleNote(frame);
    publish(published, frame.state);
  }

  function fail(message, frame) {
    if (frame.fresh) chips.draw(frame.tokens, frame.total);
    document.documentElement.dataset.theme = frame.state.theme;
    showTabs(frame.state);
    clearViews();
    showStatus('');
    showError(message);
    settleNote(frame);
    publish({ lastResult: null, tokens: frame.tokens ?? [], state: frame.state, head: frame.state.head, pending: false }, frame.state);
  }

  /** The progress of the request computed in the background (stage word or fraction; null: idle). */
  function progress(request, stage) {
    const box = byTestId('progress');
    box.hidden = stage === null;
    const long = request?.mode === 'long';
    if (!long) byTestId('view-area').classList.toggle('is-busy', stage !== null);
    if (stage === null) return;
    const { max, value, text } = progressOf(request, stage);
    byTestId('progress-bar').max = max;
    byTestId('progress-bar').value = value;
    byTestId('progress-text').textContent = text;
  }

  function highlight(row, col) {
    views.highlight(row, col);
    weightsTable.highlight(row);
    comparison.highlight(row, col);
  }

  return {
    draw,
    fail,
    progress,
    highlight,
    resize(state) {
      views.render(state.view);
      comparison.render();
    },
    /** A link's readHash answer: its note is shown with the first frame computed from it. */
    noteLink(read) {
      linkChanges = read;
    },
    shown: () => shown,
  };
}
