// Constants and small pure helpers of results: sizes, head slices, digests,
// and the variants' seeded parameters (the one engine call here). No DOM; the
// same functions run on the page and in the worker (worker.js).
//
// Shapes (legend of core/include/attention/attention.h): H heads, N tokens
// (queries = keys = N), D = DIM. query, key, value are [H, N, D]; weights is
// [H, N, N] and output [H, N, D], row-major.

export const DIM = 16;

/**
 * The page cuts longer texts to their first MAX_TOKENS tokens before
 * computing. At N = 2048 and the largest heads (8), weights [H, N, N] are
 * 2^25 floats (128 MiB): computed in the worker and transferred, not copied.
 */
export const MAX_TOKENS = 2048;

/** Variants whose parameters come from engine.seededParams. */
const SEEDED_VARIANTS = new Set(['general', 'additive', 'top_k']);

/** How the variant select names each variant. */
export const VARIANT_LABELS = {
  scaled_dot: 'scaled_dot — q·k / √d',
  dot: 'dot — q·k',
  general: 'general — qᵀ W k',
  additive: 'additive — vᵀ tanh(Wq q + Wk k)',
  hard: 'hard — one-hot at the best key',
  top_k: 'top_k — softmax of the k best keys',
};

/** The tokens to compute on (at most max) and how many there were. */
export function truncateTokens(allTokens, max = MAX_TOKENS) {
  const tokens = allTokens.length > max ? allTokens.slice(0, max) : allTokens;
  return { tokens, total: allTokens.length };
}

/**
 * The nominal floating-point operations of attention, as the benchmark
 * counts them: per head, Q Kᵀ is 2·NQ·NK·D and weights · V is 2·NQ·NK·DV,
 * so 4·N²·d·heads for self-attention with D = DV. Softmax and the variant's
 * own projections are not counted.
 */
export function attentionFlops({ heads, queries, keys, dim, valueDim = dim }) {
  return 2 * heads * queries * keys * (dim + valueDim);
}

/** fn()'s value and how long it took in milliseconds (performance.now, in a page or a worker). */
export function timed(fn) {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

/**
 * True when computing takes long enough (over ~100 ms on a slow machine) to
 * belong in the worker: many tokens, or many weights.
 */
export function needsWorker(n, heads) {
  return n > 256 || heads * n * n > 2 ** 20;
}

/** The variant's seeded parameters for `keys` keys of width dim (undefined for variants that need none). */
export function paramsFor(engine, state, keys, dim = DIM) {
  return SEEDED_VARIANTS.has(state.variant)
    ? engine.seededParams({ variant: state.variant, dim, seed: state.seed, k: Math.min(state.k, keys) })
    : undefined;
}

/** The sizes of a result (run.js): queries NQ, keys NK, dim D and valueDim DV. */
export function shapeOf(result) {
  return { queries: result.queries, keys: result.keys, dim: result.dim, valueDim: result.valueDim };
}

/** The engine.attention request that made result. */
export function requestOf(result) {
  return result.request;
}

/**
 * Every intermediate number of one row of the result, from the core
 * (engine.attentionTrace): see AttentionTrace in wasm/index.d.ts.
 * head and row are 0-based.
 */
export function traceRow(engine, result, head, row) {
  return engine.attentionTrace({ ...requestOf(result), head, row });
}

/** The [NQ, NK] weights of head h (0-based), as a view into weights [H, NQ, NK]. */
export function headWeights(result, h) {
  const { queries, keys } = shapeOf(result);
  const size = queries * keys;
  return result.weights.subarray(h * size, (h + 1) * size);
}

/** Row i of head h of a tensor [H, N, width], as a view. */
export function rowOf(tensor, n, width, h, i) {
  const start = (h * n + i) * width;
  return tensor.subarray(start, start + width);
}

/** The [N, width] slice of head h of a tensor [H, N, width], as a view. */
export function headSlice(tensor, n, width, h) {
  return tensor.subarray(h * n * width, (h + 1) * n * width);
}

export function maxOf(values) {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  return max;
}

/** FNV-1a over the float32 bit patterns: a short string that changes with the weights. */
export function digestOf(values) {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  let hash = 0x811c9dc5;
  for (let i = 0; i < bits.length; i++) {
    hash = Math.imul(hash ^ bits[i], 0x01000193) >>> 0;
  }
  return `${values.length}:${hash.toString(16).padStart(8, '0')}`;
}
