// Model helpers: from the playground state to attention weights through the
// engine, and the small pure summaries the views need. No DOM here.
//
// Shapes (legend of core/include/attention/attention.h): H heads, N tokens
// (queries = keys = N), D = DIM. weights is [H, N, N], row-major.

export const DIM = 16;

/** Longer texts are cut to their first MAX_TOKENS tokens before computing. */
export const MAX_TOKENS = 1024;

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

/** The tokens to compute on (at most MAX_TOKENS) and how many there were. */
export function truncateTokens(allTokens) {
  const tokens = allTokens.length > MAX_TOKENS ? allTokens.slice(0, MAX_TOKENS) : allTokens;
  return { tokens, total: allTokens.length };
}

/**
 * Returns compute(state, tokens) -> { output, weights, heads, n }.
 * Q/K/V are remembered across calls while tokens, heads and seed stay the
 * same, and the result while nothing it depends on changes, so switching the
 * displayed head or retyping the same text costs nothing.
 */
export function createAttentionModel(engine) {
  let qkvKey = null;
  let qkv = null;
  let resultKey = null;
  let result = null;

  return function compute(state, tokens) {
    const n = tokens.length;
    const nextQkvKey = JSON.stringify([tokens, state.heads, state.seed]);
    if (nextQkvKey !== qkvKey) {
      qkvKey = null;
      qkv = engine.embedText({ tokens, heads: state.heads, dim: DIM, seed: state.seed });
      qkvKey = nextQkvKey;
      resultKey = null;
    }
    const k = Math.min(state.k, n);
    const nextResultKey = JSON.stringify([state.variant, state.causal, state.window, state.temperature, k]);
    if (nextResultKey !== resultKey) {
      resultKey = null;
      const params = SEEDED_VARIANTS.has(state.variant)
        ? engine.seededParams({ variant: state.variant, dim: DIM, seed: state.seed, k })
        : undefined;
      const { output, weights } = engine.attention({
        query: qkv.query,
        key: qkv.key,
        value: qkv.value,
        heads: state.heads,
        queries: n,
        keys: n,
        dim: DIM,
        variant: state.variant,
        causal: state.causal,
        window: state.window,
        temperature: state.temperature,
        params,
      });
      result = { output, weights, heads: state.heads, n };
      resultKey = nextResultKey;
    }
    return result;
  };
}

/** The [N, N] weights of head h (0-based), as a view into weights [H, N, N]. */
export function headWeights(result, h) {
  const size = result.n * result.n;
  return result.weights.subarray(h * size, (h + 1) * size);
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
