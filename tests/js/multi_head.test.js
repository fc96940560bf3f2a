// engine.multiHeadAttention against a float64 reference of
// torch.nn.MultiheadAttention with a batch of one (support.js), tolerance
// 1e-5 absolute + 1e-4 relative.
import { describe, expect, it } from 'vitest';
import { loadAttention } from '../../wasm/index.js';
import { expectClose, randomFloats, referenceMultiHead, row } from './support.js';

const engine = await loadAttention();
const f32 = (values) => new Float32Array(values);

// Shapes: query [NQ, E], key/value [NK, E], inProjWeight [3E, E], outProjWeight [E, E].
function randomRequest({ heads = 1, queries, keys, embedDim, biases = false, seed = 11, ...rest }) {
  const E = embedDim;
  const request = {
    heads, queries, keys, embedDim,
    query: randomFloats(queries * E, seed),
    key: randomFloats(keys * E, seed + 1),
    value: randomFloats(keys * E, seed + 2),
    inProjWeight: randomFloats(3 * E * E, seed + 3, 0.8),
    outProjWeight: randomFloats(E * E, seed + 4, 0.8),
    ...rest,
  };
  if (biases) {
    request.inProjBias = randomFloats(3 * E, seed + 5, 0.5);
    request.outProjBias = randomFloats(E, seed + 6, 0.5);
  }
  return request;
}

function expectMatchesReference(request) {
  const got = engine.multiHeadAttention(request);
  const want = referenceMultiHead(request);
  expectClose(got.weights, want.weights, { label: 'weights' });
  expectClose(got.averageWeights, want.averageWeights, { label: 'averageWeights' });
  expectClose(got.output, want.output, { label: 'output' });
  return got;
}

// I_E stacked three times ([3E, E]) and I_E: multi-head attention reduces to plain attention.
function identities(E) {
  const eye = new Float32Array(E * E);
  for (let i = 0; i < E; i++) eye[i * E + i] = 1;
  const stacked = new Float32Array(3 * E * E);
  for (let r = 0; r < 3; r++) stacked.set(eye, r * E * E);
  return { inProjWeight: stacked, outProjWeight: eye };
}

describe('multiHeadAttention, hand-worked', () => {
  it('with identity projections and one head equals scaled dot-product attention', () => {
    const query = f32([1, 0]), key = f32([1, 0, 0, 1]), value = f32([1, 2, 3, 4]);
    const mha = engine.multiHeadAttention({ query, key, value, queries: 1, keys: 2, ...identities(2) });
    const plain = engine.attention({ query, key, value, queries: 1, keys: 2, dim: 2 });
    expectClose(mha.weights, plain.weights);
    expectClose(mha.output, plain.output);
  });

  it('with identity projections and two heads splits E into column halves with scale 1/sqrt(E/H)', () => {
    // E = 2, H = 2: head 0 sees column 0, head 1 column 1, each with scale 1/sqrt(1)
    const query = f32([1, 2]), key = f32([1, 0, 0, 1]), value = f32([1, 2, 3, 4]);
    const { weights, output } = engine.multiHeadAttention({ query, key, value, queries: 1, keys: 2, heads: 2, ...identities(2) });
    const head0 = [Math.E / (Math.E + 1), 1 / (Math.E + 1)]; // scores [1, 0]
    const head1 = [1 / (1 + Math.exp(2)), Math.exp(2) / (1 + Math.exp(2))]; // scores [0, 2]
    expectClose(weights, [...head0, ...head1]);
    expectClose(output, [head0[0] * 1 + head0[1] * 3, head1[0] * 2 + head1[1] * 4]);
  });

  it('averageWeights is the mean of the heads', () => {
    const { weights, averageWeights } = engine.multiHeadAttention(randomRequest({ heads: 4, queries: 3, keys: 5, embedDim: 8 }));
    for (let x = 0; x < 15; x++) {
      const mean = (weights[x] + weights[15 + x] + weights[30 + x] + weights[45 + x]) / 4;
      expect(Math.abs(averageWeights[x] - mean)).toBeLessThan(1e-6);
    }
  });

  it('the output bias is added to every output row', () => {
    const request = randomRequest({ queries: 2, keys: 3, embedDim: 2 });
    const without = engine.multiHeadAttention(request);
    const withBias = engine.multiHeadAttention({ ...request, outProjBias: f32([10, -20]) });
    expectClose(withBias.output, [without.output[0] + 10, without.output[1] - 20, without.output[2] + 10, without.output[3] - 20]);
  });

  it('omitted biases are zeros', () => {
    const request = randomRequest({ heads: 2, queries: 2, keys: 3, embedDim: 4 });
    const zeros = { ...request, inProjBias: new Float32Array(12), outProjBias: new Float32Array(4) };
    expect(engine.multiHeadAttention(request)).toEqual(engine.multiHeadAttention(zeros));
  });

  it('a query with every key padded gets zero weights and only the output bias', () => {
    const request = randomRequest({ heads: 2, queries: 2, keys: 2, embedDim: 4, biases: true, keyPadding: new Uint8Array([1, 1]) });
    const { weights, averageWeights, output } = engine.multiHeadAttention(request);
    expect(Array.from(weights)).toEqual(new Array(8).fill(0));
    expect(Array.from(averageWeights)).toEqual([0, 0, 0, 0]);
    expectClose(output, [...request.outProjBias, ...request.outProjBias]);
  });

  it('causal masking gives the first query only the first key in every head', () => {
    const { weights } = engine.multiHeadAttention(randomRequest({ heads: 2, queries: 3, keys: 3, embedDim: 4, causal: true }));
    expect(row(weights, 0, 3)).toEqual([1, 0, 0]);
    expect(row(weights, 3, 3)).toEqual([1, 0, 0]);
  });

  it('infers embedDim from query.length / queries when it is omitted', () => {
    const request = randomRequest({ heads: 2, queries: 3, keys: 2, embedDim: 4 });
    delete request.embedDim;
    expect(engine.multiHeadAttention(request).output).toHaveLength(12);
  });
});

describe('multiHeadAttention against the float64 nn.MultiheadAttention reference', () => {
  it('matches with one head', () => {
    expectMatchesReference(randomRequest({ queries: 3, keys: 4, embedDim: 5 }));
  });

  it('matches with four heads and both biases', () => {
    expectMatchesReference(randomRequest({ heads: 4, queries: 5, keys: 3, embedDim: 8, biases: true }));
  });

  it('matches with H = E (one column per head)', () => {
    expectMatchesReference(randomRequest({ heads: 6, queries: 2, keys: 4, embedDim: 6, biases: true }));
  });

  it('matches with causal masking and more keys than queries', () => {
    expectMatchesReference(randomRequest({ heads: 2, queries: 3, keys: 6, embedDim: 6, biases: true, causal: true }));
  });

  it('matches with key padding', () => {
    expectMatchesReference(randomRequest({
      heads: 3, queries: 4, keys: 5, embedDim: 9, biases: true, keyPadding: new Uint8Array([0, 1, 0, 0, 1]),
    }));
  });

  it('matches with causal masking and key padding together', () => {
    expectMatchesReference(randomRequest({
      heads: 2, queries: 4, keys: 4, embedDim: 4, causal: true, keyPadding: new Uint8Array([0, 0, 1, 0]),
    }));
  });

  it('matches at widths around the SIMD widths (E/H = 3, 4, 5, 8, 9)', () => {
    for (const [heads, embedDim] of [[1, 3], [2, 8], [3, 15], [2, 16], [1, 9], [4, 36]]) {
      expectMatchesReference(randomRequest({ heads, queries: 3, keys: 5, embedDim, biases: true, seed: embedDim }));
    }
  });

  it('returns fresh Float32Arrays that own their buffers', () => {
    const result = engine.multiHeadAttention(randomRequest({ heads: 2, queries: 2, keys: 2, embedDim: 4 }));
    for (const name of ['output', 'weights', 'averageWeights']) {
      expect(result[name]).toBeInstanceOf(Float32Array);
      expect(result[name].buffer.byteLength, name).toBe(result[name].byteLength);
    }
  });
});
