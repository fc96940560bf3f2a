// engine.attention against hand-worked cases and the float64 reference of
// support.js (tolerance: 1e-5 absolute + 1e-4 relative, see ABS_TOL/REL_TOL).
import { describe, expect, it } from 'vitest';
import { loadAttention, variants } from '../../wasm/index.js';
import {
  expectClose, expectFinite, quantizedFloats, randomBytes, randomFloats, referenceAttention, row,
} from './support.js';

const engine = await loadAttention();
const f32 = (values) => new Float32Array(values);

// Two orthogonal unit keys e0, e1 with values [1, 2] and [3, 4]; the query is e0.
const orthogonal = {
  query: f32([1, 0]), key: f32([1, 0, 0, 1]), value: f32([1, 2, 3, 4]), queries: 1, keys: 2, dim: 2,
};

// Seeded request of the given shape; params are filled in for variants that need them.
function randomRequest({ heads = 1, queries, keys, dim, valueDim = dim, variant = 'scaled_dot', seed = 1, quantized = false, range = 1.5, ...rest }) {
  const make = quantized ? quantizedFloats : (count, s) => randomFloats(count, s, range);
  const request = {
    heads, queries, keys, dim, valueDim, variant,
    query: make(heads * queries * dim, seed),
    key: make(heads * keys * dim, seed + 1),
    value: make(heads * keys * valueDim, seed + 2),
    ...rest,
  };
  if (variant === 'general') request.params = { W: make(dim * dim, seed + 3) };
  if (variant === 'additive') {
    const da = 3;
    request.params = { Wq: make(da * dim, seed + 3), Wk: make(da * dim, seed + 4), v: make(da, seed + 5) };
  }
  if (variant === 'top_k') request.params = { k: 2, ...rest.params };
  return request;
}

function expectMatchesReference(request) {
  const got = engine.attention(request);
  const want = referenceAttention(request);
  expectClose(got.weights, want.weights, { label: 'weights' });
  expectClose(got.output, want.output, { label: 'output' });
  return got;
}

describe('attention, hand-worked', () => {
  it('a single key gets all the weight and the output is its value', () => {
    const { weights, output } = engine.attention({
      query: f32([0.3, -2]), key: f32([5, 7]), value: f32([9, -1, 4]), queries: 1, keys: 1, dim: 2, valueDim: 3,
    });
    expect(Array.from(weights)).toEqual([1]);
    expect(Array.from(output)).toEqual([9, -1, 4]);
  });

  it('a query along one of two orthogonal unit keys weighs them as softmax of [1/sqrt2, 0]', () => {
    const { weights, output } = engine.attention(orthogonal);
    const w0 = Math.exp(Math.SQRT1_2) / (Math.exp(Math.SQRT1_2) + 1);
    expectClose(weights, [w0, 1 - w0]);
    expectClose(output, [w0 * 1 + (1 - w0) * 3, w0 * 2 + (1 - w0) * 4]);
  });

  it('the dot variant does not scale: softmax of [1, 0]', () => {
    const { weights } = engine.attention({ ...orthogonal, variant: 'dot' });
    expectClose(weights, [Math.E / (Math.E + 1), 1 / (Math.E + 1)]);
  });

  it('equal keys share the weight equally', () => {
    const { weights, output } = engine.attention({
      query: f32([2, 1]), key: f32([1, 1, 1, 1, 1, 1]), value: f32([3, 6, 9]), queries: 1, keys: 3, dim: 2, valueDim: 1,
    });
    expectClose(weights, [1 / 3, 1 / 3, 1 / 3]);
    expectClose(output, [6]);
  });

  it('an explicit scale replaces 1/sqrt(dim): scale 1 gives softmax of [1, 0]', () => {
    const { weights } = engine.attention({ ...orthogonal, scale: 1 });
    expectClose(weights, [Math.E / (Math.E + 1), 1 / (Math.E + 1)]);
  });

  it('a negative scale prefers the key least like the query', () => {
    const { weights } = engine.attention({ ...orthogonal, scale: -10 });
    expect(weights[1]).toBeGreaterThan(0.99);
  });

  it('the dot variant ignores scale', () => {
    const withScale = engine.attention({ ...orthogonal, variant: 'dot', scale: 100 });
    const without = engine.attention({ ...orthogonal, variant: 'dot' });
    expect(withScale.weights).toEqual(without.weights);
  });

  it('temperature 2 halves the scores: softmax of [1/(2 sqrt2), 0]', () => {
    const { weights } = engine.attention({ ...orthogonal, temperature: 2 });
    const w0 = Math.exp(Math.SQRT1_2 / 2) / (Math.exp(Math.SQRT1_2 / 2) + 1);
    expectClose(weights, [w0, 1 - w0]);
  });

  it('a very low temperature approaches the hard choice', () => {
    const { weights } = engine.attention({ ...orthogonal, temperature: 0.01 });
    expect(weights[0]).toBeGreaterThan(0.999999);
  });

  it('hard attention puts weight 1 on the best key', () => {
    const { weights, output } = engine.attention({ ...orthogonal, variant: 'hard' });
    expect(Array.from(weights)).toEqual([1, 0]);
    expect(Array.from(output)).toEqual([1, 2]);
  });

  it('hard attention breaks a tie towards the lower key index', () => {
    const { weights } = engine.attention({
      query: f32([1]), key: f32([1, 2, 2, 2]), value: f32([0, 1, 2, 3]), queries: 1, keys: 4, dim: 1, variant: 'hard',
    });
    expect(Array.from(weights)).toEqual([0, 1, 0, 0]);
  });

  it('top_k with k = 1 equals hard attention', () => {
    const request = randomRequest({ queries: 5, keys: 7, dim: 3, quantized: true });
    const hard = engine.attention({ ...request, variant: 'hard' });
    const top1 = engine.attention({ ...request, variant: 'top_k', params: { k: 1 } });
    expect(top1.weights).toEqual(hard.weights);
  });

  it('top_k with k = 2 is a softmax over the two best keys and zero elsewhere', () => {
    const { weights } = engine.attention({
      query: f32([1]), key: f32([3, 1, 2, 0]), value: f32([0, 0, 0, 0]), queries: 1, keys: 4, dim: 1,
      variant: 'top_k', scale: 1, params: { k: 2 },
    });
    const e = Math.exp(1);
    expectClose(weights, [e / (e + 1), 0, 1 / (e + 1), 0]);
  });

  it('top_k with k at least the number of keys equals scaled_dot', () => {
    const request = randomRequest({ queries: 3, keys: 4, dim: 5 });
    const softmax = engine.attention(request);
    const topAll = engine.attention({ ...request, variant: 'top_k', params: { k: 100 } });
    expectClose(topAll.weights, softmax.weights);
  });

  it('top_k keeps the lower key index among tied scores', () => {
    const { weights } = engine.attention({
      query: f32([1]), key: f32([1, 1, 1, 0]), value: f32([0, 0, 0, 0]), queries: 1, keys: 4, dim: 1,
      variant: 'top_k', params: { k: 2 },
    });
    expectClose(weights, [0.5, 0.5, 0, 0]);
  });

  it('general attention with W = identity equals dot attention', () => {
    const request = randomRequest({ queries: 3, keys: 4, dim: 3 });
    const identity = f32([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const general = engine.attention({ ...request, variant: 'general', params: { W: identity } });
    const dot = engine.attention({ ...request, variant: 'dot' });
    expectClose(general.weights, dot.weights);
  });

  it('general attention reads W row-major: score = q_0 W_01 k_1 for q = e0, k = e1', () => {
    // W = [[0, 2], [0, 0]]: q = e0 against keys e1 (score 2) and e0 (score 0)
    const { weights } = engine.attention({
      query: f32([1, 0]), key: f32([0, 1, 1, 0]), value: f32([0, 0, 0, 0]), queries: 1, keys: 2, dim: 2,
      variant: 'general', params: { W: f32([0, 2, 0, 0]) },
    });
    const e2 = Math.exp(2);
    expectClose(weights, [e2 / (e2 + 1), 1 / (e2 + 1)]);
  });

  it('additive attention with da = 1 scores v·tanh(wq·q + wk·k)', () => {
    // Wq = [1, 0], Wk = [0, 1], v = [2]: key [0, 1] scores 2 tanh(1 + 1), key [0, -1] scores 2 tanh(0)
    const { weights } = engine.attention({
      query: f32([1, 0]), key: f32([0, 1, 0, -1]), value: f32([0, 0, 0, 0]), queries: 1, keys: 2, dim: 2,
      variant: 'additive', params: { Wq: f32([1, 0]), Wk: f32([0, 1]), v: f32([2]) },
    });
    const s0 = 2 * Math.tanh(2), s1 = 0;
    const w0 = Math.exp(s0) / (Math.exp(s0) + Math.exp(s1));
    expectClose(weights, [w0, 1 - w0]);
  });

  it('additive attention ignores scale', () => {
    const request = randomRequest({ queries: 2, keys: 3, dim: 2, variant: 'additive' });
    expect(engine.attention({ ...request, scale: 50 }).weights).toEqual(engine.attention(request).weights);
  });

  it('scores of +1e4 and -1e4 do not overflow the softmax', () => {
    const { weights, output } = engine.attention({
      query: f32([100]), key: f32([100, -100, 99]), value: f32([1, 2, 3]), queries: 1, keys: 3, dim: 1, valueDim: 1,
      variant: 'dot',
    });
    // scores 1e4, -1e4, 9900: the first key wins by 100
    expectFinite(weights, 'weights');
    expectClose(weights, [1, 0, 0]);
    expectClose(output, [1]);
  });

  it('a row of scores all equal to -1e4 is uniform', () => {
    const { weights } = engine.attention({
      query: f32([100]), key: f32([-100, -100]), value: f32([1, 2]), queries: 1, keys: 2, dim: 1, valueDim: 1, variant: 'dot',
    });
    expectClose(weights, [0.5, 0.5]);
  });
});

describe('attention, masking', () => {
  it('a fully masked row gives zero weights and a zero output, not NaN', () => {
    const { weights, output } = engine.attention({ ...orthogonal, mask: new Uint8Array([0, 0]) });
    expect(Array.from(weights)).toEqual([0, 0]);
    expect(Array.from(output)).toEqual([0, 0]);
  });

  it('padding every key gives zero rows for every variant', () => {
    for (const variant of variants) {
      const request = randomRequest({ queries: 2, keys: 3, dim: 2, variant });
      const { weights, output } = engine.attention({ ...request, keyPadding: new Uint8Array([1, 1, 1]) });
      expect(Array.from(weights), variant).toEqual(new Array(6).fill(0));
      expect(Array.from(output), variant).toEqual(new Array(4).fill(0));
    }
  });

  it('causal attention gives the first query only the first key', () => {
    const { weights } = engine.attention({ ...randomRequest({ queries: 3, keys: 3, dim: 2 }), causal: true });
    expect(row(weights, 0, 3)).toEqual([1, 0, 0]);
    expect(weights[5]).toBe(0);
  });

  it('causal attention is top-left aligned when there are more keys than queries', () => {
    const { weights } = engine.attention({ ...randomRequest({ queries: 2, keys: 4, dim: 2 }), causal: true });
    expect(row(weights, 0, 4)).toEqual([1, 0, 0, 0]);
    expect(row(weights, 1, 4).slice(2)).toEqual([0, 0]);
  });

  it('window 0 lets each query attend only the key at its own index', () => {
    const { weights } = engine.attention({ ...randomRequest({ queries: 3, keys: 3, dim: 2 }), window: 0 });
    expect(Array.from(weights)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('window null means unlimited', () => {
    const request = randomRequest({ queries: 3, keys: 3, dim: 2 });
    expect(engine.attention({ ...request, window: null }).weights).toEqual(engine.attention(request).weights);
  });

  it('a mask byte of any nonzero value allows the key', () => {
    const a = engine.attention({ ...orthogonal, mask: new Uint8Array([255, 0]) });
    expect(Array.from(a.weights)).toEqual([1, 0]);
  });

  it('a padded key gets zero weight and the rest renormalise', () => {
    const { weights } = engine.attention({
      query: f32([1]), key: f32([1, 1, 1]), value: f32([0, 0, 0]), queries: 1, keys: 3, dim: 1,
      keyPadding: new Uint8Array([0, 1, 0]),
    });
    expectClose(weights, [0.5, 0, 0.5]);
  });
});

describe('attention against the float64 reference', () => {
  it.each(variants)('the %s variant matches over several heads, NQ != NK and DV != D', (variant) => {
    expectMatchesReference(randomRequest({ heads: 3, queries: 4, keys: 6, dim: 5, valueDim: 3, variant, quantized: variant === 'hard' || variant === 'top_k' }));
  });

  it.each(variants)('the %s variant matches under causal, window, mask, keyPadding, temperature and scale together', (variant) => {
    const queries = 6, keys = 7;
    expectMatchesReference(randomRequest({
      heads: 2, queries, keys, dim: 4, valueDim: 2, variant, quantized: variant === 'hard' || variant === 'top_k',
      causal: true, window: 3, mask: randomBytes(queries * keys, 9, 0.8), keyPadding: new Uint8Array([0, 0, 1, 0, 0, 0, 1]),
      temperature: 0.7, scale: 0.9, params: { k: 3 },
    }));
  });

  it('top_k with k = 3 matches the reference with many exact ties', () => {
    // quantized inputs of one bit make many scores equal
    const request = randomRequest({ queries: 5, keys: 9, dim: 2, variant: 'top_k', params: { k: 3 } });
    request.query = f32(Array.from(request.query, (x) => Math.sign(x)));
    request.key = f32(Array.from(request.key, (x) => Math.sign(x)));
    expectMatchesReference(request);
  });

  it('matches for every dim and key count around the SIMD widths 4 and 8', () => {
    for (const dim of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33]) {
      for (const keys of [1, 3, 4, 5, 8, 9]) {
        expectMatchesReference(randomRequest({ queries: 2, keys, dim, valueDim: dim + 2, seed: dim * 100 + keys }));
      }
    }
  });

  it('matches for a value width that is not a multiple of 4 and larger than dim', () => {
    expectMatchesReference(randomRequest({ heads: 2, queries: 3, keys: 5, dim: 2, valueDim: 13 }));
  });

  it('matches on a request large enough to grow WASM memory (heap views re-read)', async () => {
    // key and value are 16 MiB each, past the 16 MiB initial memory of a fresh engine
    const fresh = await loadAttention();
    const request = randomRequest({ queries: 2, keys: 8192, dim: 512, valueDim: 512, seed: 5, range: 0.1 });
    const got = fresh.attention(request);
    const want = referenceAttention(request);
    expectClose(got.weights, want.weights, { label: 'weights' });
    expectClose(got.output, want.output, { label: 'output' });
  });

  it('reads a Float32Array view from its own byte offset', () => {
    const request = randomRequest({ queries: 2, keys: 3, dim: 4 });
    const backing = new Float32Array(request.query.length + 5);
    backing.set(request.query, 5);
    const view = backing.subarray(5);
    expect(engine.attention({ ...request, query: view }).output).toEqual(engine.attention(request).output);
  });

  it('leaves its inputs unchanged', () => {
    const request = randomRequest({ queries: 2, keys: 3, dim: 4, variant: 'general' });
    const copies = [request.query, request.key, request.value, request.params.W].map((a) => a.slice());
    engine.attention(request);
    expect([request.query, request.key, request.value, request.params.W]).toEqual(copies);
  });

  it('weights rows sum to 1 for every variant', () => {
    for (const variant of variants) {
      const { weights } = engine.attention(randomRequest({ heads: 2, queries: 3, keys: 5, dim: 4, variant }));
      for (let r = 0; r < 6; r++) {
        const sum = row(weights, r, 5).reduce((a, b) => a + b, 0);
        expect(Math.abs(sum - 1), `${variant} row ${r}`).toBeLessThan(1e-5);
      }
    }
  });

  it('ignores params of other variants', () => {
    const request = randomRequest({ queries: 2, keys: 3, dim: 2 });
    const withJunk = { ...request, params: { W: f32([1]), k: -3, v: 'nope' } };
    expect(engine.attention(withJunk).weights).toEqual(engine.attention(request).weights);
  });
});

describe('attention results', () => {
  it('are fresh Float32Arrays that own their buffers', () => {
    const { output, weights } = engine.attention(orthogonal);
    expect(output).toBeInstanceOf(Float32Array);
    expect(weights).toBeInstanceOf(Float32Array);
    expect(output.buffer.byteLength).toBe(output.byteLength);
    expect(weights.buffer.byteLength).toBe(weights.byteLength);
    expect(output.buffer).not.toBe(weights.buffer);
  });

  it('do not share a buffer between two calls', () => {
    const first = engine.attention(orthogonal);
    const second = engine.attention(orthogonal);
    expect(first.output.buffer).not.toBe(second.output.buffer);
    expect(first.weights.buffer).not.toBe(second.weights.buffer);
  });

  it('can be mutated without changing the next call', () => {
    const first = engine.attention(orthogonal);
    const expected = Array.from(first.output);
    first.output.fill(123);
    first.weights.fill(-1);
    expect(Array.from(engine.attention(orthogonal).output)).toEqual(expected);
  });

  it('survive the engine computing something else', () => {
    const first = engine.attention(orthogonal);
    const kept = Array.from(first.weights);
    engine.attention(randomRequest({ queries: 50, keys: 50, dim: 8 }));
    expect(Array.from(first.weights)).toEqual(kept);
  });
});

describe('attention with finite inputs whose scores leave float32', () => {
  // The API accepts any finite float32 input, and the float64 reference is
  // well defined here (a one-hot row). Either a finite result or a RangeError
  // is acceptable; NaN weights are not. The float32 kernel computes q·k = 1e40
  // (or scale / temperature = 7e39) as Infinity, and Infinity - Infinity = NaN
  // in the softmax.
  function expectFiniteOrRangeError(request) {
    let result;
    try {
      result = engine.attention(request);
    } catch (error) {
      expect(error).toBeInstanceOf(RangeError);
      return;
    }
    expectFinite(result.weights, 'weights');
    expectFinite(result.output, 'output');
  }

  it('scores past the float32 range (q·k = 1e40) never give NaN weights', () => {
    expectFiniteOrRangeError({
      query: f32([1e20]), key: f32([1e20, 1e19]), value: f32([1, 2]), queries: 1, keys: 2, dim: 1, valueDim: 1, variant: 'dot',
    });
  });

  it('a tiny but valid temperature (1e-40) never gives NaN weights', () => {
    expectFiniteOrRangeError({ ...orthogonal, temperature: 1e-40 });
  });
});
