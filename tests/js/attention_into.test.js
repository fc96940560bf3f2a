// engine.attentionInto: attention() written into the caller's arrays. Same
// bits as attention(), only the given range written, and a refused request
// writes nothing.
import { describe, expect, it } from 'vitest';
import { loadAttention } from '../../wasm/index.js';
import { expectSameBits, randomFloats } from './support.js';

const engine = await loadAttention();

const request = (rest = {}) => ({
  heads: 2, queries: 5, keys: 7, dim: 3, valueDim: 4,
  query: randomFloats(2 * 5 * 3, 1), key: randomFloats(2 * 7 * 3, 2), value: randomFloats(2 * 7 * 4, 3), ...rest,
});


describe('attentionInto', () => {
  it('writes the bits of attention() into the given arrays and returns them', () => {
    for (const extra of [{}, { causal: true, variant: 'dot' }, { variant: 'additive', params: { Wq: randomFloats(6, 4), Wk: randomFloats(6, 5), v: randomFloats(2, 6) } }]) {
      const want = engine.attention(request(extra));
      const into = { output: new Float32Array(2 * 5 * 4), weights: new Float32Array(2 * 5 * 7) };
      const got = engine.attentionInto(request(extra), into);
      expect(got.output).toBe(into.output);
      expect(got.weights).toBe(into.weights);
      expectSameBits(got.output, want.output, 'output');
      expectSameBits(got.weights, want.weights, 'weights');
    }
  });

  it('writes rows of a bigger result through subarray, leaving the rest as it was', () => {
    const whole = engine.attention(request({ needWeights: false })).output;
    const target = new Float32Array(2 + whole.length).fill(-7);
    // rows 1 .. 3 of both heads: [2, 2, 4] = 16 floats
    const got = engine.attentionInto(request({ needWeights: false, rows: { begin: 1, end: 3 } }), { output: target.subarray(2, 18) });
    expect(got.weights).toBeNull();
    for (let h = 0; h < 2; h++) {
      expectSameBits(target.subarray(2 + h * 8, 2 + (h + 1) * 8), whole.subarray((h * 5 + 1) * 4, (h * 5 + 3) * 4), `head ${h}`);
    }
    expect([...target.subarray(0, 2), ...target.subarray(18)].every((x) => x === -7)).toBe(true);
  });

  it('refuses targets of the wrong kind or length, overlapping ones and weights nobody asked for, naming them', () => {
    const output = new Float32Array(40), weights = new Float32Array(70);
    expect(() => engine.attentionInto(request(), null)).toThrow(/^into: /);
    expect(() => engine.attentionInto(request(), { output: new Float64Array(40), weights })).toThrow(/^into\.output: expected a Float32Array/);
    expect(() => engine.attentionInto(request(), { output: new Float32Array(39), weights }))
      .toThrow('into.output: expected 2·5·4 = 40 floats ([heads·rows·valueDim]), got 39');
    expect(() => engine.attentionInto(request(), { output })).toThrow(/^into\.weights: expected a Float32Array, got undefined/);
    const shared = new Float32Array(100);
    expect(() => engine.attentionInto(request(), { output: shared.subarray(0, 40), weights: shared.subarray(30, 100) }))
      .toThrow('into: output and weights overlap; expected separate arrays');
    expect(() => engine.attentionInto(request({ needWeights: false }), { output, weights }))
      .toThrow(/^into\.weights: needWeights is false/);
  });

  it('writes nothing when the request is refused, and the engine keeps working', () => {
    const query = randomFloats(2 * 5 * 3, 1);
    query[4] = NaN;
    const into = { output: new Float32Array(40).fill(3), weights: new Float32Array(70).fill(3) };
    expect(() => engine.attentionInto(request({ query }), into)).toThrow('query: element 4 is NaN; expected finite numbers only');
    expect(into.output.every((x) => x === 3) && into.weights.every((x) => x === 3)).toBe(true);
    expectSameBits(engine.attentionInto(request(), into).output, engine.attention(request()).output, 'after the refusal');
  });
});
