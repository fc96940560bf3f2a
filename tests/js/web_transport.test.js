// Where the playground computes a request (web/src/compute/transport.js): the
// page for small and edited inputs, the worker for large texts and long input,
// the worker pool for long input on a cross-origin isolated page with more
// than one core; and what it answers meanwhile.
import { afterAll, describe, expect, it } from 'vitest';
import { loadAttention } from '../../wasm/index.js';
import { loadAttentionPool } from '../../wasm/pool.js';
import { buildLongRequest, buildRequest, seededMatrices } from '../../web/src/compute/requests.js';
import { createRunner } from '../../web/src/compute/run.js';
import { createTransport, placeOf, poolUsable } from '../../web/src/compute/transport.js';
import { fromHash, pageTable } from '../../web/src/state/table.js';
import { expectSameBits } from './support.js';

const engine = await loadAttention();
const table = pageTable(['scaled_dot', 'dot', 'general', 'additive', 'hard', 'top_k']);
const stateOf = (hash) => fromHash(table, hash);
const words = (n) => Array.from({ length: n }, (_, i) => `w${i}`);
const noWorker = () => {
  throw new Error('no worker here');
};
let pool = null;
afterAll(() => pool?.terminate());

describe('where a request runs', () => {
  it('computes small texts, matrices, cross-attention, masks and comparisons on the page, large texts in the worker', () => {
    const text = (n, hash = '') => buildRequest(stateOf(`#heads=2${hash}`), { tokens: words(n) });
    expect(placeOf(text(256))).toBe('page');
    expect(placeOf(text(257))).toBe('worker');
    expect(placeOf(text(600, '&compare=dot'))).toBe('page');
    const matrix = stateOf('#input=matrix');
    expect(placeOf(buildRequest(matrix, { matrices: seededMatrices(matrix) }))).toBe('page');
  });

  it('sends long input to the pool when there is one, else to the worker', () => {
    const long = buildLongRequest(stateOf('#input=long'), words(4096));
    expect(placeOf(long, { pool: true })).toBe('pool');
    expect(placeOf(long, { pool: false })).toBe('worker');
  });

  it('uses the pool only with more than one core on a cross-origin isolated page', () => {
    expect(poolUsable({ navigator: { hardwareConcurrency: 2 }, crossOriginIsolated: true })).toBe(true);
    expect(poolUsable({ navigator: { hardwareConcurrency: 1 }, crossOriginIsolated: true })).toBe(false);
    expect(poolUsable({ navigator: { hardwareConcurrency: 8 }, crossOriginIsolated: false })).toBe(false);
    expect(poolUsable({})).toBe(false);
  });

  it('computes a large text on the page when no worker can start, with the bits of the runner', () => {
    const transport = createTransport({ engine, makeWorker: noWorker });
    const request = buildRequest(stateOf('#heads=1'), { tokens: words(300) });
    const answer = transport.get(request);
    expect(answer.computedIn).toBe('page');
    expectSameBits(answer.result.weights, createRunner(engine).compute(request).weights, 'weights');
    expect(transport.get(request).result).toBe(answer.result);
  });

  it('answers long input from the pool: pending first, then the runner\'s overview bit for bit, with progress', async () => {
    const progress = [];
    let arrived;
    const done = new Promise((resolve) => {
      arrived = resolve;
    });
    const transport = createTransport({
      engine,
      makeWorker: noWorker,
      loadPool: async () => (pool = await loadAttentionPool({ threads: 2 })),
      onResult: () => arrived(),
      onProgress: (request, stage) => progress.push(stage),
    });
    const request = buildLongRequest(stateOf('#input=long&heads=2&head=2&causal=true'), words(2000));
    expect(transport.get(request)).toEqual({ pending: true });
    await done;
    const answer = transport.get(request);
    expect(answer.computedIn).toBe('pool');
    expect(transport.poolThreads()).toBe(2);
    const want = await createRunner(engine).compute(request);
    expectSameBits(answer.result.values, want.values, 'overview');
    expectSameBits(answer.result.output, want.output, 'output');
    expect(progress).toContain(1);
    expect(progress.at(-1)).toBeNull();
  });
});
