// engine.attentionTrace exposes one row's intermediates as the core computed them.
import { describe, expect, it } from 'vitest';
import { loadAttention } from '../../wasm/index.js';
import { randomFloats } from './support.js';

const engine = await loadAttention();

const request = {
  heads: 2, queries: 4, keys: 5, dim: 3, valueDim: 2, causal: true, temperature: 0.5,
  query: randomFloats(24, 11), key: randomFloats(30, 12), value: randomFloats(20, 13),
};

describe('attentionTrace', () => {
  it('returns the same weights and output as attention() for that row, bit for bit', () => {
    const full = engine.attention(request);
    for (const variant of ['scaled_dot', 'dot', 'hard']) {
      const all = engine.attention({ ...request, variant });
      const trace = engine.attentionTrace({ ...request, variant, head: 1, row: 2 });
      const row = (1 * 4 + 2);
      expect(Array.from(trace.weights)).toEqual(Array.from(all.weights.subarray(row * 5, row * 5 + 5)));
      expect(Array.from(trace.output)).toEqual(Array.from(all.output.subarray(row * 2, row * 2 + 2)));
    }
    expect(full.weights.length).toBe(40);
  });

  it('shows q·k, the scale 1/√d, the temperature, the causal mask and the max-subtracted exponentials', () => {
    const trace = engine.attentionTrace({ ...request, head: 0, row: 1 });
    const q = request.query.subarray(3, 6);
    for (let j = 0; j < 5; j++) {
      const k = request.key.subarray(j * 3, j * 3 + 3);
      const dot = q[0] * k[0] + q[1] * k[1] + q[2] * k[2];
      expect(trace.scores[j]).toBeCloseTo(dot, 5);
      expect(trace.logits[j]).toBeCloseTo(dot / Math.sqrt(3) / 0.5, 5);
    }
    expect(trace.scale).toBeCloseTo(1 / Math.sqrt(3), 6);
    expect(trace.temperature).toBe(0.5);
    expect(Array.from(trace.allowed)).toEqual([1, 1, 0, 0, 0]);
    expect(trace.max).toBe(Math.max(trace.logits[0], trace.logits[1]));
    expect(trace.exps[2]).toBe(0);
    expect(trace.sum).toBeCloseTo(trace.exps[0] + trace.exps[1], 6);
    expect(trace.weights[0]).toBeCloseTo(trace.exps[0] / trace.sum, 6);
  });

  it('refuses a head or row out of range, naming it', () => {
    expect(() => engine.attentionTrace({ ...request, head: 2, row: 0 })).toThrow(/^head: expected an integer from 0 to 1, got 2/);
    expect(() => engine.attentionTrace({ ...request, head: 0, row: -1 })).toThrow(/^row: expected an integer from 0 to 3, got -1/);
  });
});
