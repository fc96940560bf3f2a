// embedText and seededParams against a JS re-implementation of text.h
// (support.js), plus the properties the playground relies on.
import { describe, expect, it } from 'vitest';
import { loadAttention } from '../../wasm/index.js';
import {
  cosine, expectClose, referenceSeededParams, referenceTextQKV, referenceTokenFeatures, row,
} from './support.js';

const engine = await loadAttention();

// The query row of a single token at position 0 (head 0).
const queryOf = (token, options = {}) => engine.embedText({ tokens: [token], ...options }).query;

describe('embedText', () => {
  it('returns query, key and value of shape [heads, tokens, dim] with the sizes echoed', () => {
    const result = engine.embedText({ tokens: ['the', 'cat', 'sat'], heads: 2, dim: 8 });
    expect(result.heads).toBe(2);
    expect(result.tokens).toBe(3);
    expect(result.dim).toBe(8);
    for (const name of ['query', 'key', 'value']) {
      expect(result[name]).toBeInstanceOf(Float32Array);
      expect(result[name], name).toHaveLength(2 * 3 * 8);
      expect(result[name].buffer.byteLength, name).toBe(result[name].byteLength);
    }
  });

  it('defaults to one head and width 16', () => {
    const result = engine.embedText({ tokens: ['a', 'b'] });
    expect([result.heads, result.tokens, result.dim]).toEqual([1, 2, 16]);
    expect(result.query).toHaveLength(32);
  });

  it('is deterministic', () => {
    const request = { tokens: ['attention', 'is', 'all', 'you', 'need'], heads: 2, dim: 12, seed: 7 };
    expect(engine.embedText(request)).toEqual(engine.embedText(request));
  });

  it('gives different projections for a different seed', () => {
    const a = engine.embedText({ tokens: ['cat'], seed: 1 });
    const b = engine.embedText({ tokens: ['cat'], seed: 2 });
    expect(a.query).not.toEqual(b.query);
    expect(a.key).not.toEqual(b.key);
  });

  it('gives each head its own projections', () => {
    const { query } = engine.embedText({ tokens: ['cat'], heads: 2, dim: 8 });
    expect(row(query, 0, 8)).not.toEqual(row(query, 1, 8));
  });

  it('makes query, key and value different projections of the same token', () => {
    const { query, key, value } = engine.embedText({ tokens: ['cat'] });
    expect(query).not.toEqual(key);
    expect(key).not.toEqual(value);
  });

  it('puts "cat" closer to "cats" than to "dog" in query space', () => {
    const cat = queryOf('cat'), cats = queryOf('cats'), dog = queryOf('dog');
    expect(cosine(cat, cats)).toBeGreaterThan(cosine(cat, dog));
  });

  it('is case-insensitive: "Cat" and "CAT" embed exactly as "cat"', () => {
    expect(queryOf('Cat')).toEqual(queryOf('cat'));
    expect(queryOf('CAT')).toEqual(queryOf('cat'));
  });

  it('normalises with NFKC: full-width "ｃａｔ" and composed/decomposed "café" embed alike', () => {
    expect(queryOf('ｃａｔ')).toEqual(queryOf('cat'));
    expect(queryOf('cafe\u0301')).toEqual(queryOf('caf\u00e9'));
  });

  it('with positionWeight 0 gives a repeated token the same vectors at every position', () => {
    const { query } = engine.embedText({ tokens: ['cat', 'cat', 'cat'], positionWeight: 0 });
    expect(row(query, 1, 16)).toEqual(row(query, 0, 16));
    expect(row(query, 2, 16)).toEqual(row(query, 0, 16));
  });

  it('with the default positionWeight tells a repeated token apart by position', () => {
    const { query } = engine.embedText({ tokens: ['cat', 'cat'] });
    expect(row(query, 1, 16)).not.toEqual(row(query, 0, 16));
  });

  it('embeds a token the same way whatever follows it', () => {
    const short = engine.embedText({ tokens: ['the', 'cat'] });
    const long = engine.embedText({ tokens: ['the', 'cat', 'sat', 'on', 'the', 'mat'] });
    expect(Array.from(long.query.subarray(0, 32))).toEqual(Array.from(short.query));
  });

  it('accepts emoji, CJK and punctuation tokens', () => {
    const result = engine.embedText({ tokens: ['👨‍👩‍👧‍👦', '日', '<', 'script', '>'] });
    expect(result.tokens).toBe(5);
    expect(result.query.every(Number.isFinite)).toBe(true);
  });

  it.each([
    [{ tokens: ['the', 'cat', 'sat'] }],
    [{ tokens: ['Attention', 'is', 'ALL', 'you', 'need', '!'], heads: 3, dim: 10, seed: 12345, positionWeight: 0.25 }],
    [{ tokens: ['日', '本', '👍🏽', 'naïve', 'x'], heads: 2, dim: 7, seed: 2 ** 32 - 1, positionWeight: 2 }],
    [{ tokens: ['a'], dim: 1 }],
  ])('matches a JS re-implementation of text.h steps 1-5 for %j', (request) => {
    const got = engine.embedText(request);
    const want = referenceTextQKV(request.tokens, request);
    expectClose(got.query, want.query, { label: 'query' });
    expectClose(got.key, want.key, { label: 'key' });
    expectClose(got.value, want.value, { label: 'value' });
  });

  it('hashes the features text.h lists: "cat" → c, a, t, <c, ca, at, t>, <ca, cat, at>, <cat>', () => {
    // A check of the reference itself against the header's worked description.
    expect(referenceTokenFeatures('cat')).toEqual(['c', 'a', 't', '<c', 'ca', 'at', 't>', '<ca', 'cat', 'at>', '<cat>']);
  });

  it('keeps each token apart even when a token ends in an unpaired surrogate (or refuses it)', () => {
    // The layer joins tokens with "\n"; an unpaired high surrogate right before
    // that separator must not swallow it, or the core sees one token fewer and
    // the last rows come back as whatever was in WASM memory.
    let result;
    try {
      result = engine.embedText({ tokens: ['a\uD800', 'b'], dim: 4 });
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toContain('tokens[0]');
      return;
    }
    const reference = engine.embedText({ tokens: ['x', 'b'], dim: 4 });
    expect(row(result.query, 1, 4)).toEqual(row(reference.query, 1, 4));
  });
});

describe('seededParams', () => {
  it('gives general a W of dim² floats', () => {
    const params = engine.seededParams({ variant: 'general', dim: 5 });
    expect(Object.keys(params)).toEqual(['W']);
    expect(params.W).toBeInstanceOf(Float32Array);
    expect(params.W).toHaveLength(25);
  });

  it('gives additive Wq and Wk of dim² floats and v of dim floats', () => {
    const params = engine.seededParams({ variant: 'additive', dim: 5 });
    expect(Object.keys(params).sort()).toEqual(['Wk', 'Wq', 'v']);
    expect(params.Wq).toHaveLength(25);
    expect(params.Wk).toHaveLength(25);
    expect(params.v).toHaveLength(5);
  });

  it('gives top_k its k, 2 by default', () => {
    expect(engine.seededParams({ variant: 'top_k', dim: 4 })).toEqual({ k: 2 });
    expect(engine.seededParams({ variant: 'top_k', dim: 4, k: 3 })).toEqual({ k: 3 });
  });

  it.each(['scaled_dot', 'dot', 'hard'])('gives %s no params', (variant) => {
    expect(engine.seededParams({ variant, dim: 4 })).toEqual({});
  });

  it('gives the same params for the same seed and different ones for another seed', () => {
    const a = engine.seededParams({ variant: 'additive', dim: 6, seed: 3 });
    expect(engine.seededParams({ variant: 'additive', dim: 6, seed: 3 })).toEqual(a);
    expect(engine.seededParams({ variant: 'additive', dim: 6, seed: 4 }).Wq).not.toEqual(a.Wq);
  });

  it('seed 0 is the default', () => {
    expect(engine.seededParams({ variant: 'general', dim: 3 })).toEqual(engine.seededParams({ variant: 'general', dim: 3, seed: 0 }));
  });

  it.each([[4, 0], [7, 99], [16, 2 ** 32 - 1]])('matches the JS re-implementation of text.h for dim %i, seed %i', (dim, seed) => {
    const general = engine.seededParams({ variant: 'general', dim, seed });
    const additive = engine.seededParams({ variant: 'additive', dim, seed });
    expectClose(general.W, referenceSeededParams('general', dim, seed).W, { label: 'W' });
    const want = referenceSeededParams('additive', dim, seed);
    expectClose(additive.Wq, want.Wq, { label: 'Wq' });
    expectClose(additive.Wk, want.Wk, { label: 'Wk' });
    expectClose(additive.v, want.v, { label: 'v' });
  });

  it('feeds straight into attention', () => {
    const dim = 4;
    const query = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0]);
    const key = new Float32Array([0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
    for (const variant of ['general', 'additive', 'top_k']) {
      const params = engine.seededParams({ variant, dim, seed: 5 });
      const { weights } = engine.attention({ query, key, value: key, queries: 2, keys: 3, dim, variant, params });
      expect(weights.every(Number.isFinite), variant).toBe(true);
    }
  });
});
