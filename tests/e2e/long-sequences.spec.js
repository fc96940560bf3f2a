// The longest sequences the playground accepts (N = 16384), in the browser:
// the engine's weight-free path stays small in WASM memory and agrees with a
// float64 reference, and long mode's zoomed weights are engine.attention's.
// Correctness tests, not timed ones: the timeouts are generous and no time is asserted.
import { expect, test } from '@playwright/test';
import { watchErrors } from './support.js';

const N = 16384;
const MiB = 2 ** 20;

/** Where cell (row, col) of a heatmap canvas is, relative to it (the data-* attributes it sets). */
async function cellAt(canvas, row, col) {
  const d = await canvas.evaluate((el) => ({ left: Number(el.dataset.plotLeft), top: Number(el.dataset.plotTop), w: Number(el.dataset.cellW), h: Number(el.dataset.cellH) }));
  return { x: d.left + (col + 0.5) * d.w, y: d.top + (row + 0.5) * d.h };
}

test('N = 16384, d = 64, one head, causal and not: the engine computes in the browser in under 64 MiB of WASM memory, matching a float64 reference on sampled rows', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await page.goto('/');
  const runs = await page.evaluate(async ({ n, rows }) => {
    // The JS API as the built site ships it (embed.spec.js imports it the same way);
    // window.__attentionEngine is the app's engine, already grown by the page's own work.
    const { loadAttention } = await import('./attention-playground.js');
    const dim = 64;
    // mulberry32 + Box–Muller: seeded N(0, 1) values, so every run sees the same Q, K, V.
    let a = 12345;
    const uniform = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), a | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
    };
    const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    const [query, key, value] = [0, 1, 2].map(() => Float32Array.from({ length: n * dim }, normal));

    const summaries = [];
    for (const causal of [false, true]) {
      const engine = await loadAttention(); // fresh, so memoryBytes is this call's
      const { output, weights } = engine.attention({ query, key, value, heads: 1, queries: n, keys: n, dim, causal, needWeights: false });
      const summary = { causal, memoryBytes: engine.memoryBytes, outputLength: output.length, weights, maxError: 0, worst: 0, failures: [] };
      for (const i of rows) {
        // float64 reference: softmax(q·k / sqrt(d)) with the max subtracted; causal keeps keys j <= i.
        const last = causal ? i : n - 1;
        const scores = new Float64Array(last + 1);
        let max = -Infinity;
        for (let j = 0; j <= last; j++) {
          let s = 0;
          for (let d = 0; d < dim; d++) s += query[i * dim + d] * key[j * dim + d];
          scores[j] = s / Math.sqrt(dim);
          max = Math.max(max, scores[j]);
        }
        let sum = 0;
        for (let j = 0; j <= last; j++) sum += (scores[j] = Math.exp(scores[j] - max));
        const want = new Float64Array(dim);
        const magnitude = new Float64Array(dim);
        for (let j = 0; j <= last; j++) {
          const w = scores[j] / sum;
          for (let d = 0; d < dim; d++) {
            want[d] += w * value[j * dim + d];
            magnitude[d] += Math.abs(w * value[j * dim + d]);
          }
        }
        for (let d = 0; d < dim; d++) {
          // float32 accumulation over up to 16384 keys: an absolute floor plus a
          // relative term on sum_j |w_j v_j|, the size of what was added up.
          const error = Math.abs(output[i * dim + d] - want[d]);
          const bound = 1e-5 + 1e-4 * magnitude[d];
          summary.maxError = Math.max(summary.maxError, error);
          summary.worst = Math.max(summary.worst, error / bound);
          if (!(error <= bound) && summary.failures.length < 5) summary.failures.push({ row: i, d, got: output[i * dim + d], want: want[d], bound });
        }
      }
      summaries.push(summary);
    }
    return summaries;
  }, { n: N, rows: [0, 1, 63, 4096, 8191, 10007, 15000, N - 1] });

  for (const run of runs) {
    // Recorded in the report (test-results/e2e.json), not asserted beyond the bounds below.
    test.info().annotations.push({ type: `causal=${run.causal}`, description: `memoryBytes ${run.memoryBytes} (${(run.memoryBytes / MiB).toFixed(1)} MiB), max error ${run.maxError.toExponential(2)}, worst error/bound ${run.worst.toFixed(3)}` });
    expect(run.outputLength).toBe(N * 64);
    expect(run.weights).toBeNull();
    expect(run.memoryBytes).toBeLessThan(64 * MiB);
    expect(run.failures).toEqual([]);
  }
  expect(errors).toEqual([]);
});

test("long mode takes 16 384 generated tokens: the overview appears and a zoomed cell's weights match engine.attention for that row", async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await page.goto(`/#input=long&gen=${N}&seed=7&heads=1`);
  const canvas = page.getByTestId('heatmap');
  const status = page.getByTestId('status');
  // The worker computes the overview block by block; give it time.
  await expect(status).toContainText(`${N} tokens`, { timeout: 150_000 });
  await expect(status).toContainText('overview');
  await expect(canvas).toHaveAttribute('data-digest', /\S/);
  expect(Number(await canvas.getAttribute('data-rows'))).toBe(512);
  expect(Number(await canvas.getAttribute('data-cols'))).toBe(512);
  await expect(page.getByTestId('long-note')).toContainText('mean of a 32×32 block');

  // Cell (511, 255) holds the last queries, so the zoomed region ends at query 16384.
  await canvas.click({ position: await cellAt(canvas, 511, 255) });
  await expect(status).toContainText('zoomed', { timeout: 60_000 });
  const zoom = await page.evaluate(() => window.__attentionPlayground.long.zoom);
  // The cells are ~1 px wide and the pointer lands on whole pixels, so the click may hit a
  // neighbouring cell: the region (256 wide, centred on it) still holds the cell's keys 8161–8192.
  expect(zoom.size).toBe(256);
  expect(zoom.q0).toBe(N - 256);
  expect(zoom.k0).toBeLessThanOrEqual(255 * 32);
  expect(zoom.k0 + zoom.size).toBeGreaterThanOrEqual(256 * 32);

  // The exact row, recomputed in the page: the same tokens embedded the same way (d = 16), one row only.
  const row = 255;
  const expected = await page.evaluate(({ q, k0, size }) => {
    const engine = window.__attentionEngine;
    const long = window.__attentionPlayground.long;
    const n = long.tokens.length;
    const qkv = engine.embedText({ tokens: long.tokens, heads: 1, dim: 16, seed: long.seed });
    const { weights } = engine.attention({ ...qkv, heads: 1, queries: n, keys: n, dim: 16, rows: { begin: q, end: q + 1 } });
    return { n, shown: Array.from(weights.subarray(k0, k0 + size)), rowSum: weights.reduce((s, w) => s + w, 0) };
  }, { q: zoom.q0 + row, k0: zoom.k0, size: zoom.size });
  expect(expected.n).toBe(N);
  expect(expected.rowSum).toBeCloseTo(1, 4);

  const tooltip = page.getByTestId('tooltip');
  for (const col of [0, 128, 255]) {
    await page.mouse.move(0, 0); // off the canvas first, so every hover is a fresh move (as long-mode.spec.js does)
    await canvas.hover({ position: await cellAt(canvas, row, col) });
    await expect(tooltip).toHaveAttribute('data-col', String(col));
    await expect(tooltip).toHaveAttribute('data-row', String(row));
    await expect(tooltip.locator('[data-field="query-index"]')).toHaveText(`#${N}`);
    expect(Number(await tooltip.getAttribute('data-value'))).toBe(expected.shown[col]);
  }
  expect(errors).toEqual([]);
});
