// What each view is given: pure functions from (state, result, tokens) to a
// view's data. No DOM here; the view registry (registry.js) passes these to
// the draw-only views.
//
// result is the one result type of compute/run.js: { query, key, value,
// params, output, weights, heads, n, queries NQ, keys NK, dim D, valueDim DV,
// rowTokens, colTokens (key labels), request, perf }; tokens are the query
// labels. head is 1-based (as in the state), h = head − 1.
import { formatGflops, formatMs, formatWeight } from './format.js';
import { scoreTerms } from './scoreterms.js';
import { digestOf, headSlice, headWeights, maxOf, rowOf, shapeOf } from '../compute/model.js';
import { averageHeads, distanceProfile, maxAbs, rowStats } from './row-stats.js';
import { allowedMask } from '../inputs/mask.js';

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

/** The key labels: the result's own (cross-attention, matrices) or the query tokens (self-attention). */
function keyTokensOf(result, tokens) {
  return result.colTokens ?? tokens;
}

/**
 * Which keys each query may attend under the request's causal flag, window
 * and edited mask, or null when every key is allowed (or the result has no
 * such request: a model's own masking is its own).
 */
export function allowedOf(result) {
  return remembered(result, 'allowed', () => {
    const request = result.request;
    if (!request || (!request.causal && request.window == null && !request.mask)) return null;
    const { queries, keys } = shapeOf(result);
    const allowed = allowedMask(queries, keys, request);
    return allowed.every((x) => x !== 0) ? null : allowed;
  });
}

export function heatmapData(state, result, tokens, head) {
  const weights = headWeights(result, head - 1);
  const { queries, keys } = shapeOf(result);
  return {
    weights,
    allowed: allowedOf(result),
    rows: queries,
    cols: keys,
    rowLabels: tokens,
    colLabels: keyTokensOf(result, tokens),
    max: maxOf(weights),
    digest: digestOf(weights),
    title: `head ${head} of ${result.heads}`,
    scale: state.scale,
    palette: state.palette,
    selected: selectionOf(state),
  };
}

/** All heads' weights with their shape and labels, as the lines view and the exports take them. */
export function allWeightsOf(result, tokens) {
  const { queries, keys } = shapeOf(result);
  return {
    weights: result.weights,
    heads: result.heads,
    queries,
    keys,
    rowTokens: tokens,
    colTokens: keyTokensOf(result, tokens),
  };
}

export function linesData(state, result, tokens, head) {
  return {
    ...allWeightsOf(result, tokens),
    head: head - 1,
    allHeads: state.allheads,
    layout: state.layout,
    selected: selectionOf(state),
  };
}

export function headsData(state, result, head) {
  const { queries, keys } = shapeOf(result);
  return {
    weights: result.weights,
    average: remembered(result, 'average', () => averageHeads(result.weights, result.heads, queries, keys)),
    heads: result.heads,
    rows: queries,
    cols: keys,
    head: head - 1,
    scale: state.scale,
    palette: state.palette,
    max: remembered(result, 'max', () => maxOf(result.weights)),
  };
}

/**
 * The layers × heads view's data: every layer of the model result's model
 * (result.model), each as headsData gives one; without a model, a message.
 */
export function layersData(state, result, head) {
  const m = result.model;
  if (!m) return { layers: [], message: 'Layers × heads shows a pretrained model: choose "a pretrained model" under Inputs.' };
  const T = m.tokens.length;
  const layers = m.attentions.map((weights, l) => {
    const heads = m.layers[l].heads;
    return {
      weights,
      average: remembered(m, `average${l}`, () => averageHeads(weights, heads, T, T)),
      heads,
      rows: T,
      cols: T,
      max: remembered(m, `max${l}`, () => maxOf(weights)),
    };
  });
  return { layers, layer: result.layer, head: head - 1, scale: state.scale, palette: state.palette };
}

/** The steps view's data; trace is engine.attentionTrace's answer for (head − 1, state.query). */
export function stepsData(state, result, tokens, head, trace) {
  const h = head - 1;
  const row = state.query;
  const { queries, keys, dim, valueDim } = shapeOf(result);
  return {
    tokens,
    keyTokens: keyTokensOf(result, tokens),
    row,
    head,
    heads: result.heads,
    selectedKey: state.key,
    variant: state.variant,
    scoreName: SCORE_NAMES[state.variant] ?? 'score',
    q: rowOf(result.query, queries, dim, h, row),
    keys: headSlice(result.key, keys, dim, h),
    values: headSlice(result.value, keys, valueDim, h),
    dim,
    valueDim,
    trace,
  };
}

/** The breakdown of the selected pair's score; coreScore is the score the core computed (trace.scores[key]). */
export function breakdownData(state, result, tokens, head, coreScore) {
  const h = head - 1;
  const { query: row, key: col } = state;
  const { queries, keys, dim } = shapeOf(result);
  const q = rowOf(result.query, queries, dim, h, row);
  const k = rowOf(result.key, keys, dim, h, col);
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
    keyToken: keyTokensOf(result, tokens)[col],
    dimName: state.variant === 'additive' ? 'a' : 'd',
  };
}

export function outputData(state, result, tokens, head) {
  const { queries, valueDim } = shapeOf(result);
  const values = headSlice(result.output, queries, valueDim, head - 1);
  const m = maxAbs(values);
  return {
    values,
    rows: queries,
    cols: valueDim,
    rowLabels: tokens,
    colLabels: Array.from({ length: valueDim }, (_, d) => String(d)),
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
  const { queries, keys } = shapeOf(result);
  const { stats, profile } = remembered(result, key, () => {
    const weights = headWeights(result, head - 1);
    return { stats: rowStats(weights, queries, keys), profile: distanceProfile(weights, queries, keys) };
  });
  return { stats, profile, tokens, keyTokens: keyTokensOf(result, tokens), head, n: queries, keys, selectedRow: state.query };
}

/** The weights table's data: the shown head's [NQ, NK] weights with token headers. */
export function tableData(result, tokens, head) {
  const { queries, keys } = shapeOf(result);
  return { weights: headWeights(result, head - 1), n: queries, rows: queries, cols: keys, tokens, keyTokens: keyTokensOf(result, tokens), head };
}

/**
 * One line on how long the result took: the attention call's time and its
 * rate over model.attentionFlops (named by its formula for this shape), the
 * embedding's time (text: null when Q/K/V were reused), and where it ran
 * (computedIn 'page' | 'worker'; a worker answer's round trip). result.perf
 * is { attentionMs, embedMs, flops, withEmbedding?, roundTripMs? }; '' without it.
 */
export function perfLine(state, result, computedIn) {
  const perf = result.perf;
  if (!perf) return '';
  const { queries, keys, dim, valueDim } = shapeOf(result);
  const rule = dim !== valueDim ? '2·NQ·NK·(d + dv)·heads' : queries === keys ? '4·N²·d·heads' : '4·NQ·NK·d·heads';
  const what = perf.withEmbedding ? 'attention with embedding' : 'attention';
  // performance.now() is coarsened (to 0.1 ms in a page that is not cross-origin isolated).
  const parts = perf.attentionMs > 0
    ? [`${what}: ${formatMs(perf.attentionMs)} ms`, `${formatGflops(perf.flops / (perf.attentionMs * 1e6))} GFLOP/s (${rule} flops)`]
    : [`${what}: under the timer's resolution`, `GFLOP/s not measurable (${rule} flops)`];
  if (state.input === 'text') parts.push(perf.embedMs === null ? 'embedding reused' : `embedding: ${formatMs(perf.embedMs)} ms`);
  parts.push(computedIn === 'worker' && perf.roundTripMs !== undefined ? `in worker, round trip ${formatMs(perf.roundTripMs)} ms` : `on the page`);
  return parts.join(' · ');
}

/** How each variant departs from scaled dot-product attention, by the stage it changes. */
const PIPELINE_DIFFERENCES = {
  scaled_dot: {},
  dot: { scale: 'dot does not divide by √d: the raw scores go to the softmax' },
  general: {
    score: 'general scores a key with qᵀ W k, a matrix W between query and key, instead of q·k',
    scale: 'and does not divide by √d',
  },
  additive: {
    score: 'additive scores a key with vᵀ tanh(Wq q + Wk k), a small network, instead of q·k',
    scale: 'and does not divide by √d',
  },
  hard: { softmax: 'hard gives the best key weight 1 and every other key 0 instead of a softmax' },
  top_k: { softmax: 'top_k keeps only the k best keys and takes the softmax over them' },
};

/** A number for the strip: three significant digits (the steps view has every digit). */
const brief = (v) => (v === 0 ? '0' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(2));

/** The scale stage's name for the core's scale: ÷√d when it is 1/√d, else × scale (and ÷ T when T ≠ 1). */
function scaleName(scale, temperature, dim) {
  const root = Math.sqrt(dim);
  const base = Math.abs(scale * root - 1) < 1e-6 ? `÷√${dim}` : `× ${formatWeight(scale)}`;
  return temperature === 1 ? base : `${base} ÷ ${formatWeight(temperature)}`;
}

/**
 * The pipeline strip's data (views/pipeline.js): the stages from the
 * selected query's token to its output, x → q, k, v → score → scale →
 * softmax → Σ w·v, each with the numbers of that query the core computed
 * (trace: engine.attentionTrace's row; without one, the stages alone), the
 * view that shows the stage, and whether the variant changes it. No DOM here.
 * Stage: { id, name, detail, values (a vector for a mini bar chart, or
 * null), mark (an index of values to mark, or null), view, differs }.
 */
export function pipelineData(state, result, tokens, head, trace) {
  const row = state.query;
  const h = head - 1;
  const { queries, keys, dim, valueDim } = shapeOf(result);
  const keyTokens = keyTokensOf(result, tokens);
  const key = Math.min(state.key, keys - 1);
  // A model's layer is the model's own scaled dot-product attention, whatever the variant setting.
  const variant = result.model ? 'scaled_dot' : (result.request?.variant ?? state.variant);
  const differs = PIPELINE_DIFFERENCES[variant] ?? {};
  const q = rowOf(result.query, queries, dim, h, row);
  const output = trace ? trace.output : rowOf(result.output, queries, valueDim, h, row);
  const weights = trace ? trace.weights : rowOf(result.weights, queries, keys, h, row);
  const token = tokens[row];
  const keyToken = keyTokens[key];
  const fromText = state.input !== 'matrix';
  const softmaxName = variant === 'hard' ? 'argmax' : variant === 'top_k' ? `softmax of top ${Math.min(state.k, keys)}` : 'softmax';
  const stages = [
    {
      id: 'x', name: 'x',
      detail: fromText ? `“${token}” #${row + 1}` : `q${row + 1}`,
      values: null, mark: null, view: 'steps', differs: false,
    },
    {
      id: 'qkv', name: 'q, k, v',
      detail: `d ${dim}, ${keys} keys`,
      values: q, mark: null, view: 'steps', differs: false,
    },
    {
      id: 'score', name: SCORE_NAMES[variant] ?? 'score',
      detail: trace ? `“${keyToken}”: ${brief(trace.scores[key])}` : '',
      values: trace ? trace.scores : null, mark: key, view: 'breakdown', differs: 'score' in differs,
    },
    {
      id: 'scale', name: trace ? scaleName(trace.scale, trace.temperature, dim) : '÷√d',
      detail: trace ? `“${keyToken}”: ${brief(trace.logits[key])}` : '',
      values: trace ? trace.logits : null, mark: key, view: 'steps', differs: 'scale' in differs,
    },
    {
      id: 'softmax', name: softmaxName,
      detail: `“${keyToken}”: ${brief(weights[key])}`,
      values: weights, mark: key, view: 'heatmap', differs: 'softmax' in differs,
    },
    {
      id: 'output', name: 'Σ w·v',
      detail: `d ${valueDim}`,
      values: output, mark: null, view: 'output', differs: false,
    },
  ];
  const changed = stages.filter((s) => s.differs);
  const note = changed.length === 0
    ? `Scaled dot-product attention for query “${token}”, head ${head}; the marked bar is key “${keyToken}”.`
    : `${changed.map((s) => differs[s.id]).join(' ')} (the marked stage${changed.length > 1 ? 's' : ''}: ${changed.map((s) => s.name).join(', ')}).`;
  return { row, key, head, token, keyToken, variant, stages, note };
}
