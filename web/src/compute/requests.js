// From the state to the engine.attention request and its result, for every
// input mode, with the edited mask applied; and the variant comparison of
// the same request. No DOM here.
//
// Legend: H heads, NQ queries, NK keys, D query/key width, DV value width.
//   text    Q, K, V = embedText(tokens)             [H, N, D]; NQ = NK = N, D = DV = DIM
//   matrix  Q [NQ, D], K [NK, D], V [NK, DV]        H = 1; seeded random or edited
//   cross   Q = embedText(target).query  [H, NT, D]; K, V from the source [H, NS, D]
// A result is { query, key, value, params, output, weights [H, NQ, NK],
// heads, n: NQ, queries, keys, dim, valueDim, colTokens, request }: what
// present.js draws and what the export toolbar writes out.
import { compareVariants } from './compare.js';
import { crossAttention } from './cross.js';
import { seededQkv } from '../inputs/random.js';
import { attentionFlops, DIM, headSlice, paramsFor, timed, truncateTokens } from './model.js';
import { maxAbs } from '../views/row-stats.js';

/** Cross-attention computes on the page: each text is cut to its first CROSS_MAX_TOKENS tokens. */
export const CROSS_MAX_TOKENS = 256;

/** What decides a result besides the inputs themselves. */
const COMPUTE_PROPS = ['input', 'heads', 'seed', 'variant', 'causal', 'window', 'temperature', 'k', 'nq', 'nk', 'd', 'dv', 'mask', 'compare'];

/** 'q1', 'q2', … : the row or column labels of matrix inputs. */
export function matrixLabels(count, prefix) {
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}

/** The seeded random Q, K and V ({ rows, cols, data } each) of the state's sizes and seed. */
export function seededMatrices(state) {
  return seededQkv({ queries: state.nq, keys: state.nk, dim: state.d, valueDim: state.dv, seed: state.seed });
}

/** The two texts' tokens, each cut to CROSS_MAX_TOKENS; totals before cutting. */
export function crossTokens(tokenize, state) {
  const source = truncateTokens(tokenize(state.source));
  const target = truncateTokens(tokenize(state.target));
  const cut = (tokens) => tokens.slice(0, CROSS_MAX_TOKENS);
  return {
    sourceTokens: cut(source.tokens),
    targetTokens: cut(target.tokens),
    sourceTotal: source.total,
    targetTotal: target.total,
  };
}

/**
 * The query and key labels and NQ × NK of the inputs, known before computing
 * (the mask editor needs them): inputs is { tokens } (text), { matrices }
 * (matrix) or { sourceTokens, targetTokens } (cross).
 */
export function inputShape(state, inputs) {
  if (state.input === 'matrix') {
    const { query, key } = inputs.matrices;
    return { queries: query.rows, keys: key.rows, rowTokens: matrixLabels(query.rows, 'q'), colTokens: matrixLabels(key.rows, 'k') };
  }
  if (state.input === 'cross') {
    return { queries: inputs.targetTokens.length, keys: inputs.sourceTokens.length, rowTokens: inputs.targetTokens, colTokens: inputs.sourceTokens };
  }
  return { queries: inputs.tokens.length, keys: inputs.tokens.length, rowTokens: inputs.tokens, colTokens: inputs.tokens };
}

/** Q/K/V widths must agree: a readable message when edited matrices do not. */
function checkMatrices({ query, key, value }) {
  if (query.cols !== key.cols) {
    throw new RangeError(`Q has ${query.cols} columns and K has ${key.cols}: queries and keys need the same width D`);
  }
  if (key.rows !== value.rows) {
    throw new RangeError(`K has ${key.rows} rows and V has ${value.rows}: every key needs one value row`);
  }
}

/** { mask, keyPadding } when the state applies the edited mask and it fits NQ × NK. */
function maskOf(state, mask, queries, keys) {
  if (!state.mask || !mask) return {};
  if (mask.mask.length !== queries * keys || mask.keyPadding.length !== keys) return {};
  return { mask: mask.mask, keyPadding: mask.keyPadding };
}

/**
 * The result of the state's inputs (see the legend) under the state's
 * variant and options, and the edited mask { mask [NQ, NK], keyPadding [NK] }
 * when state.mask is on.
 */
export function computeInputs(engine, state, inputs, mask = null) {
  const shape = inputShape(state, inputs);
  const { queries, keys } = shape;
  const masking = maskOf(state, mask, queries, keys);
  if (state.input === 'cross') {
    // crossAttention embeds both texts and attends in one call: its time includes the embedding.
    const { value: run, ms } = timed(() => crossAttention(engine, {
      source: inputs.sourceTokens, target: inputs.targetTokens, heads: state.heads, seed: state.seed, dim: DIM,
      variant: state.variant, causal: state.causal, window: state.window, temperature: state.temperature, k: state.k,
      maxTokens: CROSS_MAX_TOKENS, ...masking,
    }));
    return resultOf(run.request, run, shape, { attentionMs: ms, embedMs: null, withEmbedding: true });
  }
  let qkv;
  let embedMs = null;
  let heads = state.heads;
  let dim = DIM;
  let valueDim = DIM;
  if (state.input === 'matrix') {
    checkMatrices(inputs.matrices);
    const { query, key, value } = inputs.matrices;
    qkv = { query: query.data, key: key.data, value: value.data };
    heads = 1;
    dim = query.cols;
    valueDim = value.cols;
  } else {
    if (queries === 0) throw new Error('Type some text to see its attention weights');
    const embedded = timed(() => engine.embedText({ tokens: inputs.tokens, heads, dim: DIM, seed: state.seed }));
    qkv = embedded.value;
    embedMs = embedded.ms;
  }
  const request = {
    query: qkv.query, key: qkv.key, value: qkv.value,
    heads, queries, keys, dim, valueDim,
    variant: state.variant, causal: state.causal, window: state.window, temperature: state.temperature,
    params: paramsFor(engine, state, keys, dim),
    ...masking,
  };
  const run = timed(() => engine.attention(request));
  return resultOf(request, run.value, shape, { attentionMs: run.ms, embedMs });
}

/** The result of request; times are model.js's perf without flops ({ attentionMs, embedMs, withEmbedding? }). */
function resultOf(request, { weights, output }, shape, times) {
  return {
    query: request.query,
    key: request.key,
    value: request.value,
    params: request.params,
    output,
    weights,
    heads: request.heads,
    n: request.queries,
    queries: request.queries,
    keys: request.keys,
    dim: request.dim,
    valueDim: request.valueDim ?? request.dim,
    rowTokens: shape.rowTokens,
    colTokens: shape.colTokens,
    request,
    perf: { ...times, flops: attentionFlops(request) },
  };
}

/**
 * The result's request under state.variant (a) and state.compare (b):
 * compareVariants' { a, b, diff [H, NQ, NK], maxAbsDiff, at }, and for the
 * shown head (1-based) its diff [NQ, NK] and largest |a − b|.
 */
export function comparisonOf(engine, state, result, head) {
  const run = compareVariants(engine, {
    request: result.request,
    a: state.variant,
    b: state.compare,
    params: result.params === undefined ? {} : { [state.variant]: result.params },
    seed: state.seed,
    k: state.k,
  });
  const headDiff = headSlice(run.diff, result.queries, result.keys, head - 1);
  return { ...run, head, headDiff, headMaxAbsDiff: maxAbs(headDiff) };
}

/**
 * compute(state, inputs, mask) → result, remembering the last one while
 * nothing it depends on changes. version is the caller's count of edits to
 * matrices and mask (they are not in the state).
 */
export function createInputsModel(engine) {
  let lastKey = null;
  let last = null;
  return function compute(state, inputs, mask, version) {
    const key = JSON.stringify([
      COMPUTE_PROPS.map((name) => state[name]),
      state.input === 'text' ? inputs.tokens : null,
      state.input === 'cross' ? [inputs.sourceTokens, inputs.targetTokens] : null,
      version,
    ]);
    if (key !== lastKey) {
      lastKey = null;
      last = computeInputs(engine, state, inputs, mask);
      lastKey = key;
    }
    return last;
  };
}
