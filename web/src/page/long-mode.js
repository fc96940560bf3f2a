// Wiring of long-input mode (long.js): the tokens of the state (a pasted
// article, or gen words generated from the seed), the worker requests for the
// overview and the zoomed region, and their drawing into the heatmap. Only
// the newest request matters: while the worker is busy, later requests wait
// and only the last is sent.
import { generateTokens, LONG_MAX_TOKENS, overviewGrid, ZOOM_MAX, zoomAround } from '../compute/long.js';
import { digestOf, maxOf } from '../compute/model.js';
import { createWorkerChannel } from '../compute/worker-channel.js';

/**
 * elements: { note, back, progress, bar, text } (see index.html).
 * refresh() when a worker answer arrives.
 */
export function createLongMode({ makeWorker, tokenize, heatmap, elements, refresh }) {
  let tokens = { key: null, list: [], total: 0 };
  // the last overview and the last zoom are kept
  const channel = createWorkerChannel({
    makeWorker,
    keep: 2,
    onAnswer: () => refresh(),
    onFailure: () => refresh(),
    onProgress: showProgress,
    onSend: (task) => showProgress(task, 0),
  });

  function tokensOf(state) {
    const text = state.longtext.trim();
    const key = text ? `text:${text}` : `gen:${state.gen}:${state.seed}`;
    if (tokens.key !== key) {
      const all = text ? tokenize(text) : generateTokens(state.gen, state.seed);
      tokens = { key, list: all.slice(0, LONG_MAX_TOKENS), total: all.length };
    }
    return tokens;
  }

  // task: the channel's task (its message is the request posted), or null when idle
  function showProgress(task, done) {
    elements.progress.hidden = task === null;
    if (task === null) return;
    const { long: kind, tokens: list } = task.message;
    elements.bar.max = 1;
    const what = kind === 'overview' ? `the overview of ${list.length} tokens` : `the zoomed region of ${list.length} tokens`;
    if (typeof done === 'number') {
      elements.bar.value = done;
      elements.text.textContent = `Computing ${what} in the background: ${Math.round(done * 100)}%…`;
    } else {
      elements.bar.value = 0;
      elements.text.textContent = `Computing ${what} in the background: ${done}…`;
    }
  }

  /** The answer of request, or null after asking the worker for it. */
  function answerOf({ key, kind, state, tokens: list, head, region }) {
    const { answer } = channel.get(key, { long: kind, state, tokens: list, head, region });
    return answer ?? null;
  }

  const settingsOf = (state) => ({
    heads: state.heads, seed: state.seed, variant: state.variant, causal: state.causal,
    window: state.window, temperature: state.temperature, k: state.k,
  });

  /**
   * Draws the state's overview or zoomed region when the worker has it;
   * returns what the page publishes: { tokens, total, head, grid, zoom,
   * pending, ms }.
   */
  function render(state) {
    const { list, total } = tokensOf(state);
    const n = list.length;
    if (n === 0) throw new Error('Paste some text, or empty the box to generate a sequence');
    const head = Math.min(state.head, state.heads) - 1;
    const settings = settingsOf(state);
    const grid = overviewGrid(n);
    const zoomed = state.zq !== null || state.zk !== null;
    const size = Math.min(n, ZOOM_MAX);
    const region = zoomed ? { q0: Math.min(state.zq ?? 0, n - size), k0: Math.min(state.zk ?? 0, n - size), size } : null;
    const base = JSON.stringify([tokens.key, settings, head]);
    const request = zoomed
      ? { kind: 'zoom', key: JSON.stringify([base, region]), state: settings, tokens: list, head, region }
      : { kind: 'overview', key: base, state: settings, tokens: list, head };
    const published = { n, total, tokens: list, head, heads: state.heads, seed: state.seed, grid, zoom: region, pending: false };
    const answer = answerOf(request);
    elements.back.hidden = !zoomed;
    if (!answer) {
      published.pending = true;
      return published;
    }
    published.ms = answer.ms;
    const common = { max: maxOf(answer.values), digest: digestOf(answer.values), scale: state.scale, palette: state.palette };
    if (zoomed) {
      const { q0, k0 } = answer;
      heatmap.draw({
        ...common,
        values: answer.values,
        rows: size,
        cols: size,
        rowLabels: list.slice(q0, q0 + size),
        colLabels: list.slice(k0, k0 + size),
        rowIndex: (i) => `#${q0 + i + 1}`,
        colIndex: (j) => `#${k0 + j + 1}`,
        title: `head ${head + 1}, exact: queries ${q0 + 1}–${q0 + size}, keys ${k0 + 1}–${k0 + size}`,
      });
      elements.note.textContent = `zoomed: the exact weights of queries ${q0 + 1}–${q0 + size} and keys ${k0 + 1}–${k0 + size} of ${n} tokens, at full resolution. Click “Back to the overview” to see all of them.`;
    } else {
      const span = (i, per) => `#${i * per + 1}–${Math.min(n, (i + 1) * per)}`;
      heatmap.draw({
        ...common,
        values: answer.values,
        rows: grid.rows,
        cols: grid.cols,
        rowLabels: Array.from({ length: grid.rows }, (_, i) => span(i, grid.b)),
        colLabels: Array.from({ length: grid.cols }, (_, j) => span(j, grid.c)),
        rowIndex: () => '',
        colIndex: () => '',
        valueName: 'mean weight',
        title: `head ${head + 1}, overview of ${n} tokens`,
      });
      elements.note.textContent = `overview: each cell is the mean of a ${grid.b}×${grid.c} block of weights (queries × keys). Click a cell to zoom to the exact weights around it.`;
    }
    return published;
  }

  /** The state values a click on cell (row, col) sets: on the overview, zoom around it. */
  function clickValues(state, row, col) {
    if (state.zq !== null || state.zk !== null) return null;
    const { list } = tokensOf(state);
    const { q0, k0 } = zoomAround(list.length, overviewGrid(list.length), row, col);
    return { zq: q0, zk: k0 };
  }

  return { render, clickValues };
}
