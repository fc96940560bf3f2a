// What each view is given: pure functions from (state, result, tokens) to a
// view's data. No DOM here; main.js passes these to the draw-only views.
//
// result is model.js's { query, key, value, params, output, weights, heads, n };
// head is 1-based (as in the state), h = head − 1.
import { scoreTerms } from './scoreterms.js';
import { DIM, digestOf, headSlice, headWeights, maxOf, rowOf } from './model.js';
import { averageHeads, distanceProfile, maxAbs, rowStats } from './stats.js';

/** The header of the score column of each variant. */
const SCORE_NAMES = {
  scaled_dot: 'q·k',
  dot: 'q·k',
  hard: 'q·k',
  top_k: 'q·k',
  general: 'qᵀ W k',
  additive: 'vᵀ tanh(Wq q + Wk k)',
};

// Derived arrays are remembered per result (a new result is a new object).
const memo = new WeakMap();
function remembered(result, key, make) {
  let entry = memo.get(result);
  if (!entry) memo.set(result, (entry = new Map()));
  if (!entry.has(key)) entry.set(key, make());
  return entry.get(key);
}

export function selectionOf(state) {
  return { row: state.query, col: state.key };
}

export function heatmapData(state, result, tokens, head) {
  const weights = headWeights(result, head - 1);
  return {
    weights,
    rows: result.n,
    cols: result.n,
    rowLabels: tokens,
    colLabels: tokens,
    max: maxOf(weights),
    digest: digestOf(weights),
    title: `head ${head} of ${result.heads}`,
    scale: state.scale,
    palette: state.palette,
    selected: selectionOf(state),
  };
}

export function linesData(state, result, tokens, head) {
  return {
    weights: result.weights,
    heads: result.heads,
    n: result.n,
    tokens,
    head: head - 1,
    allHeads: state.allheads,
    layout: state.layout,
    selected: selectionOf(state),
  };
}

export function headsData(state, result, head) {
  return {
    weights: result.weights,
    average: remembered(result, 'average', () => averageHeads(result.weights, result.heads, result.n, result.n)),
    heads: result.heads,
    n: result.n,
    head: head - 1,
    scale: state.scale,
    palette: state.palette,
    max: remembered(result, 'max', () => maxOf(result.weights)),
  };
}

/** The steps view's data; trace is engine.attentionTrace's answer for (head − 1, state.query). */
export function stepsData(state, result, tokens, head, trace) {
  const h = head - 1;
  const row = state.query;
  return {
    tokens,
    row,
    head,
    heads: result.heads,
    selectedKey: state.key,
    variant: state.variant,
    scoreName: SCORE_NAMES[state.variant] ?? 'score',
    q: rowOf(result.query, result.n, DIM, h, row),
    keys: headSlice(result.key, result.n, DIM, h),
    values: headSlice(result.value, result.n, DIM, h),
    dim: DIM,
    trace,
  };
}

/** The breakdown of the selected pair's score; coreScore is the score the core computed (trace.scores[key]). */
export function breakdownData(state, result, tokens, head, coreScore) {
  const h = head - 1;
  const { query: row, key: col } = state;
  const q = rowOf(result.query, result.n, DIM, h, row);
  const k = rowOf(result.key, result.n, DIM, h, col);
  const { terms, total, term, score } = scoreTerms(state.variant, q, k, result.params);
  return {
    terms,
    total,
    term,
    score,
    coreScore,
    row,
    col,
    head,
    queryToken: tokens[row],
    keyToken: tokens[col],
    dimName: state.variant === 'additive' ? 'a' : 'd',
  };
}

export function outputData(state, result, tokens, head) {
  const values = headSlice(result.output, result.n, DIM, head - 1);
  const m = maxAbs(values);
  return {
    values,
    rows: result.n,
    cols: DIM,
    rowLabels: tokens,
    colLabels: Array.from({ length: DIM }, (_, d) => String(d)),
    min: -m,
    max: m,
    palette: 'diverging',
    square: false,
    digest: digestOf(values),
    title: `output of head ${head}`,
    selected: null,
  };
}

export function statsData(state, result, tokens, head) {
  const key = `stats:${head}`;
  const { stats, profile } = remembered(result, key, () => {
    const weights = headWeights(result, head - 1);
    return { stats: rowStats(weights, result.n, result.n), profile: distanceProfile(weights, result.n, result.n) };
  });
  return { stats, profile, tokens, head, n: result.n, selectedRow: state.query };
}

/** The weights table's data: the shown head's [N, N] weights with token headers. */
export function tableData(result, tokens, head) {
  return { weights: headWeights(result, head - 1), n: result.n, tokens, head };
}
