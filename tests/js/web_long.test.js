// Long-input mode's computing functions (web/src/compute/long.js, run by
// compute/run.js from requests.js buildLongRequest), in Node with the real
// engine: the overview's cells are the means of the exact weights of their
// blocks and its output the bits of attention(), whatever the block size;
// the zoom is the exact slice of the weights; and rows from the worker pool
// give the same bits as rows from one engine.
import { describe, expect, it } from 'vitest';
import { loadAttention } from '../../wasm/index.js';
import { afterAll } from 'vitest';
import { loadAttentionPool } from '../../wasm/pool.js';
import { computeOverview, computeZoom, engineRows, headRequest, overviewGrid } from '../../web/src/compute/long.js';
import { DIM } from '../../web/src/compute/model.js';
import { buildLongRequest } from '../../web/src/compute/requests.js';
import { createRunner } from '../../web/src/compute/run.js';
import { expectClose, expectSameBits, randomFloats } from './support.js';

const engine = await loadAttention();

const state = { heads: 2, variant: 'scaled_dot', causal: true, window: null, temperature: 0.8, seed: 3, k: 2 };
const pool = await loadAttentionPool({ threads: 2 });
afterAll(() => pool.terminate());

/** Rows of head `head` of qkv from this engine (long.js engineRows). */
const rowsOf = (qkv, n, head) => engineRows(engine, headRequest({ ...state, queries: n }, qkv, head, undefined));

function inputs(n) {
  const size = state.heads * n * DIM;
  return { query: randomFloats(size, 1), key: randomFloats(size, 2), value: randomFloats(size, 3) };
}

// attention() of head `head` alone: { output [N, D], weights [N, N] }
function headAttention(qkv, n, head) {
  const slice = (t) => t.subarray(head * n * DIM, (head + 1) * n * DIM);
  return engine.attention({
    query: slice(qkv.query), key: slice(qkv.key), value: slice(qkv.value), heads: 1, queries: n, keys: n, dim: DIM,
    variant: state.variant, causal: state.causal, window: state.window, temperature: state.temperature,
  });
}

describe('long mode', () => {
  it('gives cell means of the exact weights and the output bits of attention()', async () => {
    for (const n of [1100, 3000]) {  // b = 3 and 6, edge cells of fewer rows and keys; 3000: three blocks of queries
      const qkv = inputs(n);
      const fractions = [];
      const overview = await computeOverview(rowsOf(qkv, n, 1), n, (f) => fractions.push(f));
      const want = headAttention(qkv, n, 1);
      expectSameBits(overview.output, want.output, `output, N = ${n}`);
      const grid = overviewGrid(n);
      const means = new Float32Array(grid.rows * grid.cols);
      for (let ci = 0; ci < grid.rows; ci++) {
        for (let cj = 0; cj < grid.cols; cj++) {
          let sum = 0, count = 0;
          for (let i = ci * grid.b; i < Math.min(n, (ci + 1) * grid.b); i++) {
            for (let j = cj * grid.c; j < Math.min(n, (cj + 1) * grid.c); j++, count++) sum += want.weights[i * n + j];
          }
          means[ci * grid.cols + cj] = sum / count;
        }
      }
      expectClose(overview.values, means, { abs: 1e-7, rel: 1e-6, label: `cells, N = ${n}` });
      expect(fractions.at(-1)).toBe(1);
    }
  });

  it('zooms into the exact weights of a region', async () => {
    const n = 700, qkv = inputs(n);
    const zoom = await computeZoom(rowsOf(qkv, n, 0), n, { q0: 300, k0: 100, size: 256 });
    const { weights } = headAttention(qkv, n, 0);
    const want = new Float32Array(256 * 256);
    for (let i = 0; i < 256; i++) want.set(weights.subarray((300 + i) * n + 100, (300 + i) * n + 356), i * 256);
    expectSameBits(zoom.values, want, 'zoom');
  });

  it('computes the same overview and zoom from the worker pool\'s rows as from one engine, bit for bit', async () => {
    const tokens = Array.from({ length: 3000 }, (_, i) => `w${i % 97}`);
    const longState = { ...state, heads: 3, head: 2, variant: 'general', zq: null, zk: null };
    const overview = buildLongRequest(longState, tokens);
    const zoom = buildLongRequest({ ...longState, zq: 2900, zk: 1200 }, tokens);
    expect(zoom.region).toEqual({ q0: 3000 - 256, k0: 1200, size: 256 });
    for (const request of [overview, zoom]) {
      const fractions = [];
      const one = await createRunner(engine).compute(request);
      const pooled = await createRunner(engine).compute(request, { pool, progress: (f) => fractions.push(f) });
      expect(pooled.long).toBe(request.plan);
      expectSameBits(pooled.values, one.values, `${request.plan} values`);
      if (request.plan === 'overview') {
        expectSameBits(pooled.output, one.output, 'overview output');
        expect(fractions.at(-1)).toBe(1);
      }
    }
  });
});
