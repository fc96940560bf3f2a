// The worker pool (wasm/pool.js) in Node's worker_threads: every split of
// heads and query rows gives the very bits of engine.attention, for every
// variant and option; bad requests are refused on the calling thread with the
// engine's errors; terminate() stops it cleanly. Also type-checks the new API
// (needWeights, rows, the pool) against the shipped .d.ts files.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAttention } from '../../wasm/index.js';
import { planChunks } from '../../wasm/pool-plan.js';
import { loadAttentionPool, planParts } from '../../wasm/pool.js';
import { expectSameBits, quantizedFloats, randomBytes, randomFloats } from './support.js';

const engine = await loadAttention();
const pools = new Map();
// threads, or 'c' + threads for a pool whose caller computes a share
// (callerShare); a final '/split' for one without shared memory (each thread
// one equal part, sent with copies), which Node would otherwise use for long calls
async function pool(threads) {
  if (!pools.has(threads)) {
    const [count, split] = String(threads).split('/');
    const callerShare = count.startsWith('c');
    pools.set(threads, await loadAttentionPool({
      threads: Number(callerShare ? count.slice(1) : count), callerShare, sharedMemory: split === undefined,
    }));
  }
  return pools.get(threads);
}
afterAll(() => {
  for (const p of pools.values()) p.terminate();
});

function randomRequest({ heads = 1, queries, keys, dim, valueDim = dim, variant = 'scaled_dot', seed = 1, ...rest }) {
  const make = variant === 'hard' || variant === 'top_k' ? quantizedFloats : randomFloats;
  const request = {
    heads, queries, keys, dim, valueDim, variant,
    query: make(heads * queries * dim, seed), key: make(heads * keys * dim, seed + 1),
    value: randomFloats(heads * keys * valueDim, seed + 2), ...rest,
  };
  if (variant === 'general') request.params = { W: randomFloats(dim * dim, seed + 3) };
  if (variant === 'additive') request.params = { Wq: randomFloats(3 * dim, seed + 3), Wk: randomFloats(3 * dim, seed + 4), v: randomFloats(3, seed + 5) };
  if (variant === 'top_k') request.params = { k: 3 };
  return request;
}


async function expectPoolMatchesEngine(threads, request) {
  const want = engine.attention(request);
  const got = await (await pool(threads)).attention(request);
  expectSameBits(got.output, want.output, `output (${threads} threads)`);
  if (want.weights === null) expect(got.weights).toBeNull();
  else expectSameBits(got.weights, want.weights, `weights (${threads} threads)`);
}

describe('attention pool, results', () => {
  it('splits heads and rows of every variant across 1 to 4 workers with the bits of one engine', async () => {
    let seed = 1;
    for (const variant of ['scaled_dot', 'dot', 'general', 'additive', 'hard', 'top_k']) {
      for (const threads of [1, 2, 3, 4, 'c1', 'c2', 'c3']) {
        for (const heads of [1, 3, 8]) {
          await expectPoolMatchesEngine(threads, randomRequest({ heads, queries: 37, keys: 70, dim: 5, valueDim: 3, variant, causal: true, seed: seed++ }));
        }
      }
    }
  });

  it('balances long calls of every variant in chunks across 1 to 3 threads with the bits of one engine', async () => {
    let seed = 600;
    for (const variant of ['scaled_dot', 'dot', 'general', 'additive', 'hard', 'top_k']) {
      // 2.1 M keys visited: over BALANCE_WORK, so the threads claim chunks from shared memory
      const request = randomRequest({ heads: 3, queries: 700, keys: 1000, dim: 5, valueDim: 3, variant, window: variant === 'dot' ? 900 : null, seed: seed++ });
      for (const threads of [1, 'c1', 2, 'c2', 'c3']) {
        expect(planChunks(request, Number(String(threads).replace('c', '')))?.length).toBeGreaterThan(4);
        await expectPoolMatchesEngine(threads, request);
      }
    }
  });

  it('without shared memory, gives one equal part per thread with the same bits, long calls too', async () => {
    const request = randomRequest({ heads: 3, queries: 700, keys: 1000, dim: 5, causal: true, needWeights: false, seed: 620 });
    for (const threads of ['2/split', 'c2/split', 'c3/split']) {
      expect((await pool(threads)).sharedMemory).toBe(false);
      await expectPoolMatchesEngine(threads, request);
      await expectPoolMatchesEngine(threads, randomRequest({ heads: 8, queries: 37, keys: 70, dim: 5, variant: 'general', seed: 621 }));
    }
    expect((await pool(2)).sharedMemory).toBe(true);
    await expect(loadAttentionPool({ threads: 2, sharedMemory: 1 })).rejects.toThrow(/^sharedMemory: expected true or false/);
  });

  it('gives the same bits with window, mask, padding, temperature, scale and without weights', async () => {
    const base = { heads: 2, queries: 130, keys: 150, dim: 9, valueDim: 7, seed: 100 };
    const requests = [
      randomRequest({ ...base, window: 20 }),
      randomRequest({ ...base, mask: randomBytes(130 * 150, 101, 0.7), keyPadding: randomBytes(150, 102, 0.2) }),
      randomRequest({ ...base, causal: true, window: 64, temperature: 0.4, scale: 0.3, mask: randomBytes(130 * 150, 103, 0.9) }),
      randomRequest({ ...base, needWeights: false, causal: true }),
      randomRequest({ ...base, queries: 1, needWeights: false }),
    ];
    for (const request of requests) {
      for (const threads of [2, 3, 'c2']) await expectPoolMatchesEngine(threads, request);
    }
    // the same options on calls long enough to be balanced in shared memory
    const long = { heads: 3, queries: 1400, keys: 1400, dim: 6, valueDim: 5, seed: 110 };
    const longRequests = [
      randomRequest({ ...long, window: 900 }),
      randomRequest({ ...long, mask: randomBytes(1400 * 1400, 111, 0.7), keyPadding: randomBytes(1400, 112, 0.2), needWeights: false }),
      randomRequest({ ...long, causal: true, temperature: 0.4, scale: 0.3, mask: randomBytes(1400 * 1400, 113, 0.9) }),
    ];
    for (const request of longRequests) {
      expect(planChunks(request, 2)?.length).toBeGreaterThan(4);
      for (const threads of [2, 'c2']) await expectPoolMatchesEngine(threads, request);
    }
  });

  it('runs concurrent calls of different shapes, each with its own result', async () => {
    const requests = [1, 2, 3, 4].map((n) => randomRequest({ heads: n, queries: 20 * n + 1, keys: 33 * n, dim: 4 + n, needWeights: n % 2 === 0, seed: 200 + n }));
    for (const threads of [3, 'c3']) {
      const p = await pool(threads);
      const results = await Promise.all(requests.map((request) => p.attention(request)));
      results.forEach((got, n) => expectSameBits(got.output, engine.attention(requests[n]).output, `output of call ${n}`));
    }
  });

  it('with callerShare, counts the caller among the threads and refuses a non-boolean option', async () => {
    const p = await pool('c2');
    expect(p.threads).toBe(2);
    expect(p.callerShare).toBe(true);
    expect((await pool(2)).callerShare).toBe(false);
    await expect(loadAttentionPool({ threads: 2, callerShare: 'yes' })).rejects.toThrow(/^callerShare: expected true or false/);
  });

  it('with callerShare, N = 16384, d = 64, one head, causal: the caller and one worker match one engine bit for bit', async () => {
    await expectPoolMatchesEngine('c2', randomRequest({ queries: 16384, keys: 16384, dim: 64, causal: true, needWeights: false, seed: 301 }));
  });

  it('N = 16384, d = 64, one head, causal: two workers split the rows and match one engine bit for bit', async () => {
    await expectPoolMatchesEngine(2, randomRequest({ queries: 16384, keys: 16384, dim: 64, causal: true, needWeights: false, seed: 300 }));
  });
});

describe('attention pool, a range of rows', () => {
  it('splits a rows range of every variant across 1 to 4 threads with the bits of engine.attention for those rows', async () => {
    let seed = 700;
    for (const variant of ['scaled_dot', 'dot', 'general', 'additive', 'hard', 'top_k']) {
      for (const [begin, end] of [[0, 37], [5, 6], [3, 30], [17, 37]]) {
        for (const threads of [1, 2, 3, 4, 'c2', '2/split']) {
          for (const heads of [1, 3]) {
            await expectPoolMatchesEngine(threads, randomRequest({
              heads, queries: 37, keys: 70, dim: 5, valueDim: 3, variant, causal: true, window: 9, rows: { begin, end }, seed: seed++,
            }));
          }
        }
      }
    }
  });

  it('balances a long rows range in chunks of shared memory, with a mask and without weights too', async () => {
    // 256 of 16384 rows, as long input's overview asks for them: over BALANCE_WORK, so chunks are claimed
    const long = { queries: 16384, keys: 16384, dim: 16, seed: 720 };
    const requests = [
      randomRequest({ ...long, rows: { begin: 4096, end: 4352 } }),
      randomRequest({ ...long, rows: { begin: 16128, end: 16384 }, causal: true, needWeights: false }),
      randomRequest({ heads: 2, queries: 1400, keys: 1400, dim: 6, valueDim: 5, rows: { begin: 301, end: 1299 }, mask: randomBytes(1400 * 1400, 721, 0.8), seed: 722 }),
    ];
    for (const request of requests) {
      expect(planChunks(request, 2)?.length).toBeGreaterThan(4);
      for (const threads of [2, 'c2', 'c3']) await expectPoolMatchesEngine(threads, request);
    }
  });

  it('plans a rows range as pieces of those rows only, each once, in the request\'s row indices', () => {
    for (const [heads, begin, end, parts] of [[1, 4096, 4352, 2], [3, 5, 30, 4], [2, 17, 18, 3]]) {
      const request = { heads, queries: 64 + end, keys: 100, causal: true, window: null, rows: { begin, end } };
      const seen = new Set();
      for (const piece of planParts(request, parts).flat()) {
        expect(piece.begin).toBeGreaterThanOrEqual(begin);
        expect(piece.end).toBeLessThanOrEqual(end);
        for (let h = piece.h0; h < piece.h1; h++) {
          for (let i = piece.begin; i < piece.end; i++) {
            expect(seen.has(`${h}:${i}`)).toBe(false);
            seen.add(`${h}:${i}`);
          }
        }
      }
      expect(seen.size).toBe(heads * (end - begin));
    }
  });
});

describe('attention pool, plan', () => {
  it('covers every (head, row) exactly once, cutting inside a head only at multiples of 4', () => {
    for (const [heads, queries, parts, causal, window] of [[8, 1024, 3, false, -1], [1, 16384, 2, true, -1], [3, 37, 4, false, 5], [2, 5, 8, true, -1], [1, 1, 3, false, -1]]) {
      const plan = planParts({ heads, queries, keys: queries, causal, window }, parts);
      expect(plan.length).toBe(parts);
      const seen = new Uint8Array(heads * queries);
      for (const piece of plan.flat()) {
        expect(piece.begin % 4 === 0 || piece.begin === queries).toBe(true);
        expect(piece.end % 4 === 0 || piece.end === queries).toBe(true);
        for (let h = piece.h0; h < piece.h1; h++) {
          for (let i = piece.begin; i < piece.end; i++) seen[h * queries + i] += 1;
        }
      }
      expect(seen.every((count) => count === 1), `${heads}x${queries} in ${parts}`).toBe(true);
    }
  });

  it('balances causal work: the later rows of a head get fewer of them', () => {
    const [first, second] = planParts({ heads: 1, queries: 4096, keys: 4096, causal: true, window: null }, 2);
    const rows = (pieces) => pieces.reduce((sum, p) => sum + p.end - p.begin, 0);
    // equal halves of the triangle: the first part takes about 4096 / √2 rows
    expect(Math.abs(rows(first) - 4096 / Math.SQRT2)).toBeLessThan(16);
    expect(rows(first) + rows(second)).toBe(4096);
  });
});

describe('attention pool, chunks', () => {
  const requests = [
    { heads: 8, queries: 1024, keys: 1024, causal: false, window: null },
    { heads: 1, queries: 4096, keys: 4096, causal: true, window: null },
    { heads: 3, queries: 4001, keys: 3000, causal: false, window: 200 },
    { heads: 1, queries: 16384, keys: 16384, causal: false, window: null },
  ];

  it('covers every (head, row) exactly once, cutting inside a head only at multiples of 4', () => {
    for (const request of requests) {
      for (const participants of [2, 3, 8]) {
        const seen = new Uint8Array(request.heads * request.queries);
        for (const piece of planChunks(request, participants).flat()) {
          expect(piece.begin % 4 === 0 || piece.begin === request.queries).toBe(true);
          expect(piece.end % 4 === 0 || piece.end === request.queries).toBe(true);
          for (let h = piece.h0; h < piece.h1; h++) {
            for (let i = piece.begin; i < piece.end; i++) seen[h * request.queries + i] += 1;
          }
        }
        expect(seen.every((count) => count === 1), `${JSON.stringify(request)} for ${participants}`).toBe(true);
      }
    }
  });

  it('hands out shrinking chunks, whole heads while a chunk is a head or more', () => {
    const rowsOf = (chunk) => chunk.reduce((sum, p) => sum + (p.h1 - p.h0) * (p.end - p.begin), 0);
    const [eightHeads, oneHead] = requests;
    const chunks = planChunks(eightHeads, 2);
    expect(chunks[0]).toEqual([{ h0: 0, h1: 2, begin: 0, end: 1024 }]);  // a quarter of the work
    expect(chunks[1]).toEqual([{ h0: 2, h1: 4, begin: 0, end: 1024 }]);  // a quarter of what is left, rounded to heads
    const sizes = planChunks(oneHead, 2).map(rowsOf);
    for (let k = 1; k < sizes.length - 1; k++) expect(sizes[k]).toBeLessThanOrEqual(sizes[k - 1] + 4);
    expect(sizes.at(-2)).toBeLessThan(sizes[0] / 8);
  });

  it('leaves a short call unbalanced, for the pool to cut once in equal parts (planParts)', () => {
    expect(planChunks({ heads: 8, queries: 256, keys: 256, causal: false, window: null }, 2)).toBeNull();
    expect(planChunks({ heads: 2, queries: 3, keys: 3, causal: true, window: null }, 8)).toBeNull();
    // a quarter of 1024 x 8 is the least work balanced
    expect(planChunks({ heads: 2, queries: 1024, keys: 1024, causal: false, window: null }, 2)).not.toBeNull();
    expect(planChunks({ heads: 2, queries: 1000, keys: 1000, causal: false, window: null }, 2)).toBeNull();
  });
});

describe('attention pool, errors and lifetime', () => {
  it('refuses a bad request on the calling thread with the engine\'s error', async () => {
    const p = await pool(2);
    const request = randomRequest({ queries: 3, keys: 4, dim: 2, seed: 400 });
    for (const bad of [{ dim: 3 }, { variant: 'nope' }, { temperature: 0 }, { needWeights: 'no' }, { rows: { begin: 2, end: 9 } }, { rows: { begin: 2, end: 2 } }]) {
      let engineError = null;
      try {
        engine.attention({ ...request, ...bad });
      } catch (error) {
        engineError = error;
      }
      expect(engineError).toBeInstanceOf(Error);
      const poolError = await p.attention({ ...request, ...bad }).then(() => null, (error) => error);
      expect(poolError?.constructor).toBe(engineError.constructor);
      expect(poolError?.message).toBe(engineError.message);
    }
    await expect(p.attention({ ...request, rows: { begin: 2, end: 9 } })).rejects.toThrow(/^rows\.end: /);
  });

  it('names the request\'s element when a NaN or infinity sits in any thread\'s share, as the engine does', async () => {
    const request = randomRequest({ heads: 4, queries: 8, keys: 6, dim: 3, seed: 410 });
    // head 0 is the first share (the caller's with callerShare), head 3 the last worker's
    const spots = [['query', 1, NaN], ['key', 3 * 6 * 3 + 5, Infinity], ['value', 3 * 6 * 3 + 17, -Infinity], ['query', 2 * 8 * 3, NaN]];
    for (const threads of [2, 'c2', 'c4']) {
      for (const [name, at, bad] of spots) {
        const tensor = request[name].slice();
        tensor[at] = bad;
        const badRequest = { ...request, [name]: tensor };
        const engineError = (() => {
          try {
            engine.attention(badRequest);
          } catch (error) {
            return error;
          }
          return null;
        })();
        expect(engineError?.message).toBe(`${name}: element ${at} is ${bad}; expected finite numbers only`);
        const poolError = await (await pool(threads)).attention(badRequest).then(() => null, (error) => error);
        expect(poolError?.constructor, `${threads} threads, ${name}[${at}]`).toBe(RangeError);
        expect(poolError?.message, `${threads} threads, ${name}[${at}]`).toBe(engineError.message);
      }
    }
  });

  it('names the element of a NaN in any head of a balanced call, and the next call works', async () => {
    const request = randomRequest({ heads: 3, queries: 700, keys: 1000, dim: 4, needWeights: false, seed: 420 });
    for (const threads of [2, 'c2', 'c3']) {
      for (const [name, at] of [['query', 5], ['key', 2 * 1000 * 4 + 7], ['value', 1000 * 4 + 3]]) {
        const tensor = request[name].slice();
        tensor[at] = NaN;
        const poolError = await (await pool(threads)).attention({ ...request, [name]: tensor }).then(() => null, (error) => error);
        expect(poolError?.message, `${threads} threads, ${name}[${at}]`).toBe(`${name}: element ${at} is NaN; expected finite numbers only`);
      }
      await expectPoolMatchesEngine(threads, request);
    }
  });

  it('reuses its shared memory across a loop of awaited calls that never yields to the event loop', async () => {
    // 1.1 MiB of shared memory per call (valueDim 1: the outputs are small)
    const request = randomRequest({ heads: 8, queries: 1024, keys: 1024, dim: 16, valueDim: 1, needWeights: false, seed: 430 });
    const p = await pool('c2');
    await p.attention(request);
    const before = process.memoryUsage().arrayBuffers;
    for (let k = 0; k < 30; k++) await p.attention(request);
    // a fresh buffer per call would hold 30 x 1.1 MiB until the workers' messages are read
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 2 ** 20);
    await expectPoolMatchesEngine('c2', request);
  });

  it('refuses a thread count that is not an integer from 1 to 64', async () => {
    await expect(loadAttentionPool({ threads: 0 })).rejects.toThrow(RangeError);
    await expect(loadAttentionPool({ threads: 1.5 })).rejects.toThrow(/^threads: expected an integer from 1 to 64/);
    await expect(loadAttentionPool({ threads: '2' })).rejects.toThrow(TypeError);
  });

  it('terminate() rejects the call in flight and every later call', async () => {
    const p = await loadAttentionPool({ threads: 2 });
    const inFlight = p.attention(randomRequest({ queries: 2048, keys: 2048, dim: 64, needWeights: false, seed: 500 }));
    p.terminate();
    await expect(inFlight).rejects.toThrow(/terminated/);
    await expect(p.attention(randomRequest({ queries: 2, keys: 2, dim: 2 }))).rejects.toThrow(/terminated/);
    p.terminate();  // twice is harmless
  });
});

describe('types', () => {
  it('type-checks needWeights, rows and the pool against wasm/index.d.ts and wasm/pool.d.ts', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const dir = path.join(root, 'build', 'types-check');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'fused-and-pool.ts');
    writeFileSync(file, `
import { loadAttention } from '../../wasm/index.js';
import type { AttentionOutput, AttentionPool, AttentionWithWeights } from '../../wasm/index.js';
import { loadAttentionPool } from '../../wasm/pool.js';

const q = new Float32Array(4);
const request = { query: q, key: q, value: q, queries: 2, keys: 2, dim: 2 };
export async function use(): Promise<number> {
  const engine = await loadAttention();
  const out: AttentionOutput = engine.attention({ ...request, needWeights: false });
  const none: null = out.weights;
  const full: AttentionWithWeights = engine.attention({ ...request, rows: { begin: 0, end: 1 } });
  const pool: AttentionPool = await loadAttentionPool({ threads: 2, callerShare: true });
  const fromPool: AttentionOutput = await pool.attention({ ...request, needWeights: false });
  const into: AttentionWithWeights = engine.attentionInto(request, { output: new Float32Array(4), weights: new Float32Array(4) });
  // @ts-expect-error: with weights, into.weights is needed
  engine.attentionInto(request, { output: new Float32Array(4) });
  pool.terminate();
  // @ts-expect-error: without needWeights: false the weights are there
  const wrong: null = engine.attention(request).weights;
  // @ts-expect-error: needWeights is a boolean
  engine.attention({ ...request, needWeights: 'no' });
  return full.weights.length + fromPool.output.length + into.weights.length + pool.threads + (none === null ? 0 : 1) + (wrong ? 1 : 0);
}
`);
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    let report = '';
    try {
      execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
        '--moduleResolution', 'nodenext', file], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    } catch (error) {
      report = `${error.stdout ?? ''}${error.stderr ?? ''}` || error.message;
    }
    expect(report).toBe('');
  });
});
