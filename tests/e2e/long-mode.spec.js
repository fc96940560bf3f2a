// Long-input mode: a generated sequence of 4096 tokens is shown as a pooled
// overview (at most 512 × 512 cells, each the mean of a block), computed in
// the worker; clicking a cell zooms to a region whose hovered weights are
// exactly engine.attention's, computed in the page for just that row. On a
// cross-origin isolated page the worker pool computes it, with the same bits.
import { expect, test } from '@playwright/test';
import { CROSS_ORIGIN_ISOLATION } from '../../bench/serve.mjs';
import { watchErrors } from './support.js';

const N = 4096;

/** Where cell (row, col) of the heatmap is, relative to the canvas. */
async function cellPosition(page, row, col) {
  const d = await page.getByTestId('heatmap').evaluate((el) => ({ left: Number(el.dataset.plotLeft), top: Number(el.dataset.plotTop), w: Number(el.dataset.cellW), h: Number(el.dataset.cellH) }));
  return { x: d.left + (col + 0.5) * d.w, y: d.top + (row + 0.5) * d.h };
}

/** Moves the pointer over cell (row, col) of the heatmap (scrolling it into view). */
async function hoverCell(page, row, col) {
  await page.mouse.move(0, 0);
  await page.getByTestId('heatmap').hover({ position: await cellPosition(page, row, col) });
}

test('a generated 4096-token sequence shows a pooled overview that zooms to exact weights', async ({ page }) => {
  test.setTimeout(60_000);
  const errors = watchErrors(page);
  await page.goto(`/#input=long&gen=${N}&seed=7&heads=2&head=2`);
  const canvas = page.getByTestId('heatmap');
  await expect(page.getByTestId('status')).toContainText(`${N} tokens`, { timeout: 30_000 });
  await expect(page.getByTestId('status')).toContainText('overview');
  await expect(canvas).toHaveAttribute('data-digest', /\S/);

  const rows = Number(await canvas.getAttribute('data-rows'));
  const cols = Number(await canvas.getAttribute('data-cols'));
  expect(rows).toBeLessThanOrEqual(512);
  expect(cols).toBeLessThanOrEqual(512);
  expect(rows).toBeGreaterThan(1);
  await expect(page.getByTestId('long-note')).toContainText(/overview: each cell is the mean of a 8×8 block/);

  // Zoom: click an overview cell; the region around it is drawn exactly.
  await canvas.click({ position: await cellPosition(page, 200, 300) });
  await expect(page.getByTestId('status')).toContainText('zoomed', { timeout: 30_000 });
  await expect(page.getByTestId('long-back')).toBeVisible();
  await expect(page.getByTestId('long-note')).toContainText('exact weights');
  expect(Number(await canvas.getAttribute('data-rows'))).toBe(256);
  expect(Number(await canvas.getAttribute('data-cols'))).toBe(256);

  const zoom = await page.evaluate(() => window.__attentionPlayground.long.zoom);
  // The clicked cell (queries 1601–1608, keys 2401–2408) is inside the region.
  expect(zoom.q0).toBeLessThanOrEqual(1600);
  expect(zoom.q0 + zoom.size).toBeGreaterThanOrEqual(1608);
  expect(zoom.k0).toBeLessThanOrEqual(2400);
  expect(zoom.k0 + zoom.size).toBeGreaterThanOrEqual(2408);

  for (const [row, col] of [[10, 20], [128, 128], [255, 0]]) {
    await hoverCell(page, row, col);
    const tooltip = page.getByTestId('tooltip');
    await expect(tooltip).toBeVisible();
    await expect(tooltip).toHaveAttribute('data-row', String(row));
    await expect(tooltip).toHaveAttribute('data-col', String(col));
    await expect(tooltip.locator('[data-field="query-index"]')).toHaveText(`#${zoom.q0 + row + 1}`);
    const shown = Number(await tooltip.getAttribute('data-value'));
    // The same Q/K/V, embedded in the page, and only row q of head 2.
    const expected = await page.evaluate(({ q, k }) => {
      const engine = window.__attentionEngine;
      const long = window.__attentionPlayground.long;
      const n = long.tokens.length;
      const dim = 16;
      const qkv = engine.embedText({ tokens: long.tokens, heads: long.heads, dim, seed: long.seed });
      const h = long.head;
      const slice = (t) => t.slice(h * n * dim, (h + 1) * n * dim);
      const { weights } = engine.attention({
        query: slice(qkv.query), key: slice(qkv.key), value: slice(qkv.value),
        heads: 1, queries: n, keys: n, dim, variant: 'scaled_dot', rows: { begin: q, end: q + 1 },
      });
      return { weight: weights[k], rowSum: weights.reduce((a, b) => a + b, 0) };
    }, { q: zoom.q0 + row, k: zoom.k0 + col });
    expect(shown).toBe(expected.weight);
    expect(expected.rowSum).toBeCloseTo(1, 4);
  }

  // The link rebuilds the zoomed view; Back returns to the overview.
  await expect(page).toHaveURL(/input=long/);
  await expect(page).toHaveURL(new RegExp(`zq=${zoom.q0}(&|$)`));
  await page.getByTestId('long-back').click();
  await expect(page.getByTestId('status')).toContainText('overview');
  expect(Number(await canvas.getAttribute('data-rows'))).toBe(rows);
  expect(errors).toEqual([]);
});

test('the overview cells are the means of the exact weights of their blocks', async ({ page }) => {
  // A small N keeps the exact reference cheap: 600 tokens → 2 × 2 blocks, 300 × 300 cells.
  const n = 600;
  await page.goto(`/#input=long&gen=${n}&seed=3&heads=1&causal=true`);
  await expect(page.getByTestId('status')).toContainText('overview', { timeout: 30_000 });
  await expect(page.getByTestId('long-note')).toContainText('2×2 block');
  const canvas = page.getByTestId('heatmap');
  expect(Number(await canvas.getAttribute('data-rows'))).toBe(300);
  await hoverCell(page, 100, 40);
  const tooltip = page.getByTestId('tooltip');
  await expect(tooltip).toHaveAttribute('data-row', '100');
  const shown = Number(await tooltip.getAttribute('data-value'));
  const expected = await page.evaluate(() => {
    const engine = window.__attentionEngine;
    const long = window.__attentionPlayground.long;
    const n = long.tokens.length;
    const qkv = engine.embedText({ tokens: long.tokens, heads: 1, dim: 16, seed: long.seed });
    const { weights } = engine.attention({ ...qkv, heads: 1, queries: n, keys: n, dim: 16, causal: true, rows: { begin: 200, end: 202 } });
    return (weights[80] + weights[81] + weights[n + 80] + weights[n + 81]) / 4;
  });
  expect(shown).toBeCloseTo(expected, 6);
});

test('on a cross-origin isolated page with more than one core, long input runs on the worker pool with the worker\'s very bits', async ({ page }) => {
  test.setTimeout(60_000);
  const errors = watchErrors(page);
  const hash = '#input=long&gen=3000&seed=5&heads=2&head=2&causal=true';
  // One thread: the page as served (not isolated), long input in the compute worker.
  await page.goto(`/${hash}`);
  await expect(page.getByTestId('status')).toContainText('overview', { timeout: 30_000 });
  await expect(page.getByTestId('perf')).toHaveText(/^Overview and output: \d+ ms in the worker$/);
  const canvas = page.getByTestId('heatmap');
  const overview = await canvas.getAttribute('data-digest');
  await canvas.click({ position: await cellPosition(page, 100, 40) });
  await expect(page.getByTestId('status')).toContainText('zoomed', { timeout: 30_000 });
  const zoom = await canvas.getAttribute('data-digest');
  const zoomHash = new URL(page.url()).hash;

  // The same page cross-origin isolated (every response with COOP and COEP): the pool computes.
  await page.route('**/*', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), ...CROSS_ORIGIN_ISOLATION } });
  });
  for (const [at, digest, perf] of [[hash, overview, /^Overview and output: \d+ ms in the worker pool \(\d+ threads\)$/], [zoomHash, zoom, /^Zoomed region: \d+ ms in the worker pool/]]) {
    await page.goto(`/?isolated${at}`);
    expect(await page.evaluate(() => [window.crossOriginIsolated, navigator.hardwareConcurrency > 1])).toEqual([true, true]);
    await expect(page.getByTestId('perf')).toHaveText(perf, { timeout: 30_000 });
    await expect(canvas).toHaveAttribute('data-digest', digest);
  }
  expect(errors).toEqual([]);
});
