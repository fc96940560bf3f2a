// The perf line: how long the last attention computation took and its
// GFLOP/s (4·N²·d·heads flops), on the page and in the worker. It checks
// that the numbers are there and agree with the result, never how fast.
import { expect, test } from '@playwright/test';
import { openPlayground, waitForTokens, wordsText } from './support.js';

const NUMBER = String.raw`(\d+(?:\.\d+)?(?:e-?\d+)?)`;
const PERF = new RegExp(String.raw`^attention: ${NUMBER} ms · ${NUMBER} GFLOP/s \(4·N²·d·heads flops\) · (?:embedding: ${NUMBER} ms|embedding reused) · `);

/** The perf line's numbers and the result's own perf record. */
async function readPerf(page) {
  const text = await page.getByTestId('perf').textContent();
  const match = text.match(PERF);
  const perf = await page.evaluate(() => {
    const { lastResult, computedIn } = window.__attentionPlayground;
    return { ...lastResult.perf, computedIn };
  });
  return { text, match, perf };
}

const close = (shown, exact) => Math.abs(shown - exact) <= Math.max(0.01, exact * 0.01);

test.describe('perf line', () => {
  test('a computation on the page shows its time and GFLOP/s', async ({ page }) => {
    // 256 tokens × 8 heads is still computed on the page, and long enough to time.
    await openPlayground(page, `#heads=8&text=${encodeURIComponent(wordsText(256))}`);
    await waitForTokens(page, 256, 8);
    const perfLine = page.getByTestId('perf');
    await expect(perfLine).toBeVisible();
    const { text, match, perf } = await readPerf(page);
    expect(text).toMatch(PERF);
    expect(text).toMatch(/ · on the page$/);
    expect(perf.computedIn).toBe('page');
    expect(perf.flops).toBe(4 * 256 * 256 * 16 * 8);
    expect(perf.attentionMs).toBeGreaterThan(0);
    expect(close(Number(match[1]), perf.attentionMs)).toBe(true);
    expect(close(Number(match[2]), perf.flops / (perf.attentionMs * 1e6))).toBe(true);
  });

  test('a computation in the worker shows the time the worker measured and the round trip', async ({ page }) => {
    await openPlayground(page);
    await page.getByTestId('text-input').fill(wordsText(1000));
    await waitForTokens(page, 1000, 2);
    const { text, match, perf } = await readPerf(page);
    expect(text).toMatch(PERF);
    expect(text).toMatch(new RegExp(String.raw` · in worker, round trip ${NUMBER} ms$`));
    expect(perf.computedIn).toBe('worker');
    expect(perf.flops).toBe(4 * 1000 * 1000 * 16 * 2);
    expect(perf.attentionMs).toBeGreaterThan(0);
    expect(perf.roundTripMs).toBeGreaterThanOrEqual(perf.attentionMs);
    expect(close(Number(match[1]), perf.attentionMs)).toBe(true);
    expect(close(Number(match[2]), perf.flops / (perf.attentionMs * 1e6))).toBe(true);

    // Only the variant changes: the worker reuses Q, K and V, and says so.
    await page.getByTestId('variant').selectOption('dot');
    await page.waitForFunction(() => !window.__attentionPlayground.pending && window.__attentionPlayground.state.variant === 'dot');
    await expect(page.getByTestId('perf')).toContainText('embedding reused');
  });

  test('the perf line is hidden while there is nothing to compute', async ({ page }) => {
    await openPlayground(page);
    await expect(page.getByTestId('perf')).toBeVisible();
    await page.getByTestId('text-input').fill('');
    await expect(page.getByTestId('perf')).toBeHidden();
  });
});
