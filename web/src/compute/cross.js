// Cross-attention between two texts, as in translation: the target sequence
// asks (queries), the source sequence answers (keys and values). No DOM here.
//
// Legend: H heads, NT target tokens (queries), NS source tokens (keys), D width.
//   Q = embedText(target).query   [H, NT, D]
//   K = embedText(source).key     [H, NS, D]
//   V = embedText(source).value   [H, NS, D]
//   weights [H, NT, NS], output [H, NT, D]
// Both texts use the same seed, heads and width, so a token has the same
// projections in either role; each text's positions start at 0.
import { tokenize as defaultTokenize } from '../../../wasm/tokenize.js';
import { paramsFor } from './model.js';

/** Longer texts are cut to their first MAX_TOKENS tokens (as the page does). */
export const MAX_CROSS_TOKENS = 1024;

/** tokens of text (a string, or already an array of tokens), at most max of them. */
function tokensOf(text, name, tokenize, max) {
  const tokens = Array.isArray(text) ? text : tokenize(String(text ?? ''));
  if (tokens.length === 0) throw new Error(`The ${name} text has no tokens: type some words into it`);
  return tokens.length > max ? tokens.slice(0, max) : tokens;
}

/**
 * Cross-attention of target over source.
 * options: source, target (strings or token arrays), heads (1), seed (0),
 * dim (16), variant ('scaled_dot'), causal, window, temperature, scale, k
 * (top_k, default 2, at most NS), mask [NT, NS], keyPadding [NS], params
 * (default: engine.seededParams from the seed), tokenize, maxTokens.
 * Returns { sourceTokens, targetTokens, heads, queries: NT, keys: NS, dim,
 * query, key, value, params, weights [H, NT, NS], output [H, NT, D], request },
 * request being the engine.attention request that made them.
 */
export function crossAttention(engine, options) {
  const {
    source, target, heads = 1, seed = 0, dim = 16, variant = 'scaled_dot',
    causal = false, window = null, temperature = 1, scale, k = 2, mask, keyPadding,
    tokenize = defaultTokenize, maxTokens = MAX_CROSS_TOKENS,
  } = options;
  const sourceTokens = tokensOf(source, 'source', tokenize, maxTokens);
  const targetTokens = tokensOf(target, 'target', tokenize, maxTokens);
  const fromTarget = engine.embedText({ tokens: targetTokens, heads, dim, seed });
  const fromSource = engine.embedText({ tokens: sourceTokens, heads, dim, seed });
  const params = options.params ?? paramsFor(engine, { variant, seed, k }, sourceTokens.length, dim);
  const request = {
    query: fromTarget.query,
    key: fromSource.key,
    value: fromSource.value,
    heads,
    queries: targetTokens.length,
    keys: sourceTokens.length,
    dim,
    variant,
    causal,
    window,
    temperature,
    ...(scale === undefined ? {} : { scale }),
    ...(mask === undefined ? {} : { mask }),
    ...(keyPadding === undefined ? {} : { keyPadding }),
    params,
  };
  const { weights, output } = engine.attention(request);
  return {
    sourceTokens,
    targetTokens,
    heads,
    queries: targetTokens.length,
    keys: sourceTokens.length,
    dim,
    query: request.query,
    key: request.key,
    value: request.value,
    params,
    weights,
    output,
    request,
  };
}
