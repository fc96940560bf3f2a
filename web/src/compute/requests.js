// The compute folder's entry: from the playground state and the user's
// inputs to one request, for every input mode. No engine and no DOM here: a
// request is plain data (tokens, typed arrays, numbers), so the same request
// runs on the page, in the worker or on the pool (transport.js decides
// where; run.js runs it).
//
// The data's walk, and the file of each step:
//   text      -> tokens       wasm/tokenize.js (the page and the element cut them: model.js truncateTokens)
//   tokens    -> request      this file: buildRequest (text, matrix, cross) or buildLongRequest (long input)
//   request   -> embeddings, Q, K, V   run.js (engine.embedText: token embeddings and their projections, core/)
//   Q, K, V   -> kernel -> weights      run.js (engine.attention), long.js (rows in blocks), the pool (wasm/pool.js)
//   weights   -> view         ../views/registry.js (the view's presenter in ../views/present.js, then its draw-only view)
//
// Legend: H heads, NQ queries, NK keys, D query/key width, DV value width.
//   text    Q, K, V = embedText(tokens)             [H, N, D]; NQ = NK = N, D = DV = DIM
//   matrix  Q [NQ, D], K [NK, D], V [NK, DV]        H = 1; seeded random or edited
//   cross   Q = embedText(target).query  [H, NT, D]; K, V from the source [H, NS, D]
//   long    text of up to LONG_MAX_TOKENS tokens, one head at a time, as an overview or a zoomed region
//
// A request is { mode, key, heads, queries, keys, dim, valueDim, variant,
// causal, window, temperature, k, seed, embed, matrices, mask?, keyPadding?,
// compare, rowTokens, colTokens } (long: also head, plan, region); key is a
// string of everything its result depends on, so equal keys share a result.
import { seededQkv } from '../inputs/random.js';
import { overviewGrid, ZOOM_MAX } from './long.js';
import { DIM, truncateTokens } from './model.js';
import { LOCAL_MODEL } from '../state/table.js';

/** Cross-attention computes on the page: each text is cut to its first CROSS_MAX_TOKENS tokens. */
export const CROSS_MAX_TOKENS = 256;

/** What the page and the element say (and a text request throws) when the text has no tokens. */
export const EMPTY_TEXT_MESSAGE = 'Type some text to see its attention weights';

/** What model mode says when the link names a model from disk and none is open (its files cannot be in a link). */
export const NO_LOCAL_MODEL_MESSAGE = 'This link was made with a model from someone\'s disk: a local model cannot travel in a link. Open its files with "Open a model…", or choose the bundled model.';

/** What long input says when it has no tokens. */
export const EMPTY_LONG_MESSAGE = 'Paste some text, or empty the box to generate a sequence';

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

/** The attention options every mode takes from the state. */
function optionsOf(state) {
  return { variant: state.variant, causal: state.causal, window: state.window, temperature: state.temperature, seed: state.seed };
}

/**
 * The request of the state's inputs (see the legend): inputs is { tokens }
 * (text), { matrices } (matrix) or { sourceTokens, targetTokens } (cross),
 * with version, the caller's count of edits to matrices and mask (they are
 * not in the state); mask is the edited { mask [NQ, NK], keyPadding [NK] },
 * applied when state.mask is on. Throws a readable message when the inputs
 * cannot be computed.
 */
export function buildRequest(state, inputs, mask = null) {
  const shape = inputShape(state, inputs);
  const { queries, keys } = shape;
  const masking = maskOf(state, mask, queries, keys);
  const request = {
    mode: state.input,
    ...optionsOf(state),
    k: Math.min(state.k, keys),
    heads: state.heads,
    queries,
    keys,
    dim: DIM,
    valueDim: DIM,
    embed: null,
    matrices: null,
    ...masking,
    compare: state.compare !== undefined && state.compare !== 'none' ? state.compare : null,
    rowTokens: shape.rowTokens,
    colTokens: shape.colTokens,
  };
  if (state.input === 'matrix') {
    checkMatrices(inputs.matrices);
    const { query, key, value } = inputs.matrices;
    Object.assign(request, { heads: 1, dim: query.cols, valueDim: value.cols, matrices: { query: query.data, key: key.data, value: value.data } });
  } else if (state.input === 'cross') {
    if (keys === 0) throw new Error('The source text has no tokens: type some words into it');
    if (queries === 0) throw new Error('The target text has no tokens: type some words into it');
    request.embed = { queryTokens: inputs.targetTokens, keyTokens: inputs.sourceTokens };
  } else {
    if (queries === 0) throw new Error(EMPTY_TEXT_MESSAGE);
    request.mode = 'text';
    request.embed = { queryTokens: inputs.tokens, keyTokens: inputs.tokens };
  }
  const edits = state.input === 'matrix' || masking.mask ? (inputs.version ?? 0) : null;
  const sizes = state.input === 'matrix' ? [state.nq, state.nk, state.d, state.dv] : null;
  request.key = JSON.stringify([
    request.mode, request.embed, sizes, edits, request.heads, request.seed, request.variant, request.causal,
    request.window, request.temperature, request.k, Boolean(masking.mask),
  ]);
  return request;
}

/**
 * The request of model mode: the state's text (and text2, whose sentence
 * embedding is compared with the text's) through the bundled model
 * state.model, or, when state.model is LOCAL_MODEL, the model opened from
 * disk: local is { id, name, files } (files by name, File or Blob each; id
 * counts the models opened, so each is loaded once). Every layer is computed
 * at once, so the key leaves out the shown layer and head: switching them
 * costs nothing.
 */
export function buildModelRequest(state, local = null) {
  if (state.text.trim() === '') throw new Error(EMPTY_TEXT_MESSAGE);
  const compareText = state.text2.trim() === '' ? null : state.text2;
  const isLocal = state.model === LOCAL_MODEL;
  if (isLocal && !local) throw new Error(NO_LOCAL_MODEL_MESSAGE);
  const source = isLocal ? { id: local.id, name: local.name, files: local.files } : null;
  return {
    mode: 'model',
    model: state.model,
    name: isLocal ? local.name : state.model,
    source,
    text: state.text,
    compareText,
    key: JSON.stringify(['model', isLocal ? `local:${local.id}` : state.model, state.text, compareText]),
  };
}

/**
 * The request of long input: tokens (at most LONG_MAX_TOKENS) under the
 * state's options, one head (state.head) at a time: the overview of all
 * weights, or the exact weights of the zoomed region when state.zq or
 * state.zk is set (region { q0, k0, size }, moved inside the tokens).
 */
export function buildLongRequest(state, tokens) {
  const n = tokens.length;
  if (n === 0) throw new Error(EMPTY_LONG_MESSAGE);
  const head = Math.min(state.head, state.heads) - 1;
  const zoomed = state.zq !== null || state.zk !== null;
  const size = Math.min(n, ZOOM_MAX);
  const region = zoomed ? { q0: Math.min(state.zq ?? 0, n - size), k0: Math.min(state.zk ?? 0, n - size), size } : null;
  const request = {
    mode: 'long',
    ...optionsOf(state),
    k: Math.min(state.k, n),
    heads: state.heads,
    queries: n,
    keys: n,
    dim: DIM,
    valueDim: DIM,
    embed: { queryTokens: tokens, keyTokens: tokens },
    matrices: null,
    compare: null,
    rowTokens: tokens,
    colTokens: tokens,
    head,
    plan: zoomed ? 'zoom' : 'overview',
    region,
    grid: overviewGrid(n),
  };
  request.key = JSON.stringify([
    'long', tokens, request.heads, request.seed, request.variant, request.causal, request.window, request.temperature,
    request.k, head, region,
  ]);
  return request;
}
