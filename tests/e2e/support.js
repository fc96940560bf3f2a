// Helpers shared by the e2e specs.
import { expect } from '@playwright/test';

/** Collects console errors, uncaught page errors and crashes; a test expects it to stay empty. */
export function watchErrors(page) {
  const errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('crash', () => errors.push('the page crashed'));
  return errors;
}

/** Opens the main page (with an optional hash) and waits for its first heatmap. */
export async function openPlayground(page, hash = '') {
  await page.goto(`/${hash}`);
  await expect(page.getByTestId('heatmap')).toHaveAttribute('data-digest', /\S/);
}

/** n one-token words: all distinct, or from a vocabulary of vocab words. */
export const wordsText = (n, vocab = n) => Array.from({ length: n }, (_, i) => `w${i % vocab}`).join(' ');

/** The token chips' texts, without the "… more" chip. */
export const chipTexts = (page) => page.getByTestId('tokens').locator('.token:not(.token-more)').allTextContents();

/** Waits until the page has drawn a result of n tokens and heads heads (worker answers included). */
export async function waitForTokens(page, n, heads) {
  await page.waitForFunction(
    ([count, h]) => {
      const shown = window.__attentionPlayground;
      return shown && !shown.pending && shown.lastResult?.n === count && shown.lastResult.heads === h;
    },
    [n, heads],
    { timeout: 25_000 },
  );
}

/** Where a heatmap canvas's plot starts and how big its cells are (the data-* attributes it sets). */
export async function plotOf(locator) {
  return locator.evaluate((c) => ({
    left: Number(c.dataset.plotLeft),
    top: Number(c.dataset.plotTop),
    cellW: Number(c.dataset.cellW),
    cellH: Number(c.dataset.cellH),
  }));
}

/** Moves the pointer over the centre of cell (row, col) of a heatmap canvas. */
export async function hoverCell(locator, row, col) {
  const plot = await plotOf(locator);
  await locator.hover({ position: { x: plot.left + (col + 0.5) * plot.cellW, y: plot.top + (row + 0.5) * plot.cellH } });
}

/** Nothing hostile text or a hostile link could inject ran or was added to the page. */
export async function expectNothingInjected(page) {
  // Give an injected onerror handler time to fire before looking.
  await page.waitForTimeout(200);
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.locator('body script').count()).toBe(0);
  expect(await page.locator('[onerror]').count()).toBe(0);
}

/** The last attention-change detail of an <attention-playground> element, as plain numbers. */
export async function latestDetail(element, { timeout } = {}) {
  await expect.poll(() => element.evaluate((el) => el.attention !== null), { timeout }).toBe(true);
  return element.evaluate((el) => {
    const { tokens, heads, queries, keys, weights, state } = el.attention;
    return { tokens, heads, queries, keys, weights: Array.from(weights), state };
  });
}
