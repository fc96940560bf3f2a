// The playground's pure helpers: row statistics and the distance profile
// (web/src/views/row-stats.js), colour scales (web/src/views/colormap.js) and the query–key
// breakdown (web/src/views/scoreterms.js), the last checked against the core.
import { describe, expect, it } from 'vitest';
import { loadAttention, tokenize } from '../../wasm/index.js';
import { createScale, paletteTable, valuesToPixels } from '../../web/src/views/colormap.js';
import { DIM, rowOf } from '../../web/src/compute/model.js';
import { buildRequest } from '../../web/src/compute/requests.js';
import { createRunner } from '../../web/src/compute/run.js';
import { scoreTerms } from '../../web/src/views/scoreterms.js';
import { averageHeads, distanceProfile, downsample, downsampleRect, extent, maxAbs, rowStats } from '../../web/src/views/row-stats.js';

const f32 = (values) => new Float32Array(values);

describe('rowStats', () => {
  it('gives a uniform row log2(n) bits of entropy, max 1/n, the first key as argmax and sum 1', () => {
    const n = 8;
    const { entropy, max, argmax, sum } = rowStats(new Float32Array(n).fill(1 / n), 1, n);
    expect(entropy[0]).toBeCloseTo(3, 6);
    expect(max[0]).toBeCloseTo(1 / n, 7);
    expect(argmax[0]).toBe(0);
    expect(sum[0]).toBeCloseTo(1, 6);
  });

  it('gives a one-hot row zero entropy and the hot key as argmax', () => {
    const { entropy, max, argmax } = rowStats(f32([0, 0, 1, 0]), 1, 4);
    expect([entropy[0], max[0], argmax[0]]).toEqual([0, 1, 2]);
  });

  it('reports a fully masked (all-zero) row with argmax −1 and sum 0', () => {
    const { entropy, argmax, sum } = rowStats(f32([0.5, 0.5, 0, 0]), 2, 2);
    expect([entropy[1], argmax[1], sum[1]]).toEqual([0, -1, 0]);
    expect(entropy[0]).toBeCloseTo(1, 7);
  });

  it('takes the lowest key on ties', () => {
    expect(rowStats(f32([0.1, 0.45, 0.45]), 1, 3).argmax[0]).toBe(1);
  });

  it('computes each row of a matrix on its own', () => {
    const { max, argmax, sum } = rowStats(f32([0.7, 0.3, 0.2, 0.8, 0.5, 0.5]), 3, 2);
    expect(Array.from(argmax)).toEqual([0, 1, 0]);
    expect(Array.from(max, (v) => Math.fround(v))).toEqual([Math.fround(0.7), Math.fround(0.8), 0.5]);
    for (const s of sum) expect(s).toBeCloseTo(1, 6);
  });
});

describe('distanceProfile', () => {
  it('runs offsets i − j from −(cols − 1) to rows − 1 with N − |d| pairs each', () => {
    const n = 4;
    const { offsets, count } = distanceProfile(new Float32Array(n * n), n, n);
    expect(Array.from(offsets)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    expect(Array.from(count)).toEqual([1, 2, 3, 4, 3, 2, 1]);
  });

  it('puts all of an identity matrix at distance 0', () => {
    const n = 5;
    const eye = new Float32Array(n * n);
    for (let i = 0; i < n; i++) eye[i * n + i] = 1;
    const { offsets, mean } = distanceProfile(eye, n, n);
    offsets.forEach((d, k) => expect(mean[k], `d = ${d}`).toBe(d === 0 ? 1 : 0));
  });

  it('shows a previous-token head as a peak at distance 1', () => {
    // Row 0 attends itself, row i > 0 attends i − 1.
    const n = 6;
    const w = new Float32Array(n * n);
    w[0] = 1;
    for (let i = 1; i < n; i++) w[i * n + i - 1] = 1;
    const { offsets, mean } = distanceProfile(w, n, n);
    const at = (d) => mean[Array.from(offsets).indexOf(d)];
    expect(at(1)).toBe(1);
    expect(at(0)).toBeCloseTo(1 / n, 7);
    expect(at(-1)).toBe(0);
  });

  it('averages the pairs at each distance of a rectangular matrix', () => {
    // rows = 2, cols = 3: offsets −2..1.
    const w = f32([1, 2, 3, 4, 5, 6]);
    const { offsets, mean } = distanceProfile(w, 2, 3);
    expect(Array.from(offsets)).toEqual([-2, -1, 0, 1]);
    expect(Array.from(mean)).toEqual([3, (2 + 6) / 2, (1 + 5) / 2, 4]);
  });
});

describe('averageHeads, extent and maxAbs', () => {
  it('averages [heads, rows, cols] over heads', () => {
    expect(Array.from(averageHeads(f32([1, 2, 3, 4, 3, 2, 1, 0]), 2, 2, 2))).toEqual([2, 2, 2, 2]);
  });

  it('finds the extent and the largest magnitude', () => {
    expect(extent(f32([3, -2, 5]))).toEqual({ min: -2, max: 5 });
    expect(extent(f32([]))).toEqual({ min: 0, max: 0 });
    expect(maxAbs(f32([3, -7, 5]))).toBe(7);
  });
});

describe('downsample', () => {
  it('returns a matrix no larger than the size unchanged', () => {
    const values = f32([1, 2, 3, 4]);
    expect(downsample(values, 2, 8)).toEqual({ values, m: 2 });
  });

  it('averages 2 × 2 blocks of a 4 × 4 matrix into 2 × 2', () => {
    const values = f32([1, 3, 0, 0, 5, 7, 0, 4, 1, 1, 2, 2, 1, 1, 2, 2]);
    const { values: pooled, m } = downsample(values, 4, 2);
    expect(m).toBe(2);
    expect(Array.from(pooled)).toEqual([4, 1, 1, 2]);
  });

  it('keeps the mean of a matrix whose size is not a multiple of the target', () => {
    const n = 7;
    const values = Float32Array.from({ length: n * n }, (_, p) => (p % 5) / 4);
    const { values: pooled, m } = downsample(values, n, 3);
    expect(m).toBe(3);
    expect(pooled).toHaveLength(9);
    for (const v of pooled) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });
});

describe('colour scales', () => {
  it('maps a linear scale from min to max onto [0, 1] and clamps outside', () => {
    const s = createScale({ kind: 'linear', min: -2, max: 2 });
    expect([s.t(-2), s.t(0), s.t(2), s.t(9), s.t(-9)]).toEqual([0, 0.5, 1, 1, 0]);
  });

  it('spreads four decades below the maximum on a log scale', () => {
    const s = createScale({ kind: 'log', max: 1 });
    expect(s.t(1)).toBe(1);
    expect(s.t(1e-2)).toBeCloseTo(0.5, 12);
    expect(s.t(1e-4)).toBe(0);
    expect(s.t(0)).toBe(0);
    expect(s.t(1e-9)).toBe(0);
  });

  it('separates small weights that a linear scale paints the same', () => {
    const linear = createScale({ kind: 'linear', max: 1 });
    const log = createScale({ kind: 'log', max: 1 });
    expect(Math.round(linear.t(0.0002) * 255)).toBe(Math.round(linear.t(0.001) * 255));
    expect(Math.round(log.t(0.0002) * 255)).not.toBe(Math.round(log.t(0.001) * 255));
  });

  it('never divides by zero for an all-zero matrix', () => {
    for (const kind of ['linear', 'log']) expect(createScale({ kind, max: 0 }).t(0)).toBe(0);
  });

  it('has viridis and cividis tables from dark to bright', () => {
    for (const name of ['viridis', 'cividis']) {
      const table = paletteTable(name, 256);
      const light = (i) => table[3 * i] + table[3 * i + 1] + table[3 * i + 2];
      expect(light(255), name).toBeGreaterThan(light(0));
    }
    expect(Array.from(paletteTable('cividis', 2))).not.toEqual(Array.from(paletteTable('viridis', 2)));
  });

  it('writes one opaque RGBA pixel per value', () => {
    const table = paletteTable('viridis', 256);
    const pixels = valuesToPixels(f32([0, 1]), 2, createScale({ max: 1 }), table);
    expect(Array.from(pixels)).toEqual([68, 1, 84, 255, 253, 231, 37, 255]);
  });
});

describe('scoreTerms', () => {
  it('splits q·k into q_d · k_d', () => {
    const { terms, total, score } = scoreTerms('dot', f32([1, 2, 3]), f32([4, -5, 6]));
    expect(Array.from(terms)).toEqual([4, -10, 18]);
    expect(total).toBe(12);
    expect(score).toBe('q·k');
  });

  it('splits qᵀ W k into q_d · (W k)_d', () => {
    const W = f32([0, 1, 1, 0]); // swaps the two components of k
    const { terms, total } = scoreTerms('general', f32([1, 2]), f32([3, 4]), { W });
    expect(Array.from(terms)).toEqual([4, 6]);
    expect(total).toBe(10);
  });

  it('splits vᵀ tanh(Wq q + Wk k) into one term per hidden unit', () => {
    const params = { Wq: f32([1, 0, 0, 1, 1, 1]), Wk: f32([0, 0, 1, 0, 0, 1]), v: f32([1, -1, 2]) };
    const { terms } = scoreTerms('additive', f32([0.5, -0.25]), f32([0.1, 0.2]), params);
    expect(terms).toHaveLength(3);
    expect(terms[0]).toBeCloseTo(Math.tanh(0.5), 6);
    expect(terms[1]).toBeCloseTo(-Math.tanh(-0.25 + 0.1), 6);
    expect(terms[2]).toBeCloseTo(2 * Math.tanh(0.25 + 0.2), 6);
  });

  describe('against the core', async () => {
    const engine = await loadAttention();
    const tokens = tokenize('The cat sat on the mat because it was warm');
    for (const variant of ['scaled_dot', 'dot', 'general', 'additive', 'hard', 'top_k']) {
      it(`sums to the score the core traces for ${variant}`, () => {
        const state = { heads: 2, seed: 3, variant, causal: false, window: null, temperature: 1, k: 2 };
        const result = createRunner(engine).compute(buildRequest({ ...state, input: 'text' }, { tokens }));
        const n = tokens.length;
        for (const [h, row, col] of [[0, 1, 4], [1, 6, 2], [1, n - 1, n - 1]]) {
          const trace = engine.attentionTrace({ ...result.request, head: h, row });
          const q = rowOf(result.query, n, DIM, h, row);
          const k = rowOf(result.key, n, DIM, h, col);
          const { total } = scoreTerms(variant, q, k, result.params);
          expect(Math.abs(total - trace.scores[col]), `${variant} head ${h} (${row}, ${col})`).toBeLessThan(1e-4 * (1 + Math.abs(total)));
        }
      });
    }
  });
});

describe('pooling a matrix that is not square', () => {
  it('averages blocks of rows and columns separately, and keeps a small side as it is', () => {
    const values = Float32Array.from({ length: 2 * 6 }, (_, p) => p);
    const pooled = downsampleRect(values, 2, 6, 3);
    expect([pooled.rows, pooled.cols]).toEqual([2, 3]);
    expect(Array.from(pooled.values)).toEqual([0.5, 2.5, 4.5, 6.5, 8.5, 10.5]);
    expect(downsampleRect(values, 2, 6, 8).values).toBe(values);
  });
});
