// The worker pool (wasm/pool.js) in Chromium, as a tutorial page would load it
// straight from the package files: plain module Web Workers, one compiled core
// shared by the workers; without cross-origin isolation (one equal part per
// thread, sent with copies) and with it (long calls balanced in shared
// memory). Every split gives the bits of engine.attention, and a NaN in a
// worker's share is named as the engine names it. The built site does not use
// the pool, so this test serves the package files itself (the benchmarks'
// static server).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { CROSS_ORIGIN_ISOLATION, serveStatic } from '../../bench/serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const servers = {};
test.beforeAll(async () => {
  servers.plain = await serveStatic({ root, allow: ['/wasm/'] });
  servers.isolated = await serveStatic({ root, allow: ['/wasm/'], headers: CROSS_ORIGIN_ISOLATION });
});
test.afterAll(() => Promise.all(Object.values(servers).map((server) => server?.close())));

// In the page: every request on two pools (2 workers; 3 threads with
// callerShare) against one engine, then requests[0] with a NaN in its last
// head's keys. Returns { differences, messages, isolated, sharedMemory }.
function poolReport(page, shapes) {
  return page.evaluate(async (shapes) => {
    const { loadAttention } = await import('/wasm/index.js');
    const { loadAttentionPool } = await import('/wasm/pool.js');
    const floats = (count, seed) => {
      let a = seed >>> 0;
      return Float32Array.from({ length: count }, () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = Math.imul(a ^ (a >>> 15), a | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
      });
    };
    const engine = await loadAttention();
    const pools = [await loadAttentionPool({ threads: 2 }), await loadAttentionPool({ threads: 3, callerShare: true })];
    const requests = shapes.map((shape, s) => ({
      ...shape,
      query: floats(shape.heads * shape.queries * shape.dim, 3 * s + 1),
      key: floats(shape.heads * shape.keys * shape.dim, 3 * s + 2),
      value: floats(shape.heads * shape.keys * (shape.valueDim ?? shape.dim), 3 * s + 3),
    }));
    const differences = [];
    const sameBits = (a, b) => a === b || (a.length === b.length && a.every((x, i) => Object.is(x, b[i])));
    for (const pool of pools) {
      for (const request of requests) {
        const want = engine.attention(request);
        const got = await pool.attention(request);
        if (!sameBits(got.output, want.output)) differences.push(`output, ${pool.threads} threads, N=${request.queries}`);
        if (!(got.weights === null && want.weights === null) && !sameBits(got.weights, want.weights)) {
          differences.push(`weights, ${pool.threads} threads, N=${request.queries}`);
        }
      }
    }
    // the last head is the last worker's share (or chunk)
    const [first] = requests;
    const bad = { ...first, key: first.key.slice() };
    const at = (first.heads - 1) * first.keys * first.dim + 5;
    bad.key[at] = NaN;
    const messages = [];
    try { engine.attention(bad); } catch (error) { messages.push(`${error.name}: ${error.message}`); }
    for (const pool of pools) await pool.attention(bad).catch((error) => messages.push(`${error.name}: ${error.message}`));
    const sharedMemory = pools.map((pool) => pool.sharedMemory);
    for (const pool of pools) pool.terminate();
    return { differences, messages, at, isolated: globalThis.crossOriginIsolated, sharedMemory };
  }, shapes);
}

test('the pool in Chromium gives the bits of one engine for every split, and names a bad element as the engine does', async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto(`${servers.plain.url}/wasm/tokenize.js`); // any page of that origin will do
  const report = await poolReport(page, [
    { heads: 8, queries: 300, keys: 300, dim: 64, causal: true },
    { heads: 1, queries: 1027, keys: 700, dim: 16, window: 90 },
    { heads: 3, queries: 37, keys: 70, dim: 5, valueDim: 3, needWeights: false },
  ]);
  expect(report.isolated).toBe(false);
  expect(report.sharedMemory).toEqual([false, false]);
  expect(report.differences).toEqual([]);
  const named = `RangeError: key: element ${report.at} is NaN; expected finite numbers only`;
  expect(report.messages).toEqual([named, named, named]);
});

test('in a cross-origin isolated page, the pool balances long calls in shared memory with the same bits', async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto(`${servers.isolated.url}/wasm/tokenize.js`);
  // each over 2^21 keys visited, so cut into chunks the threads claim
  const report = await poolReport(page, [
    { heads: 8, queries: 1024, keys: 1024, dim: 16, needWeights: false },
    { heads: 1, queries: 3000, keys: 3000, dim: 64, causal: true, needWeights: false },
    { heads: 3, queries: 700, keys: 1000, dim: 5, valueDim: 3, window: 600 },
  ]);
  expect(report.isolated).toBe(true);
  expect(report.sharedMemory).toEqual([true, true]);
  expect(report.differences).toEqual([]);
  const named = `RangeError: key: element ${report.at} is NaN; expected finite numbers only`;
  expect(report.messages).toEqual([named, named, named]);
});
