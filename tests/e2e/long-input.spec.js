// Long inputs: the page computes up to 2048 tokens, in the Web Worker with a
// progress indicator, draws a 2048 × 2048 heatmap whose every cell can be
// hovered and reached by keyboard, and the other views stay usable.
import { expect, test } from '@playwright/test';
import { openPlayground, plotOf, waitForTokens, watchErrors, wordsText } from './support.js';

const N = 2048;

/**
 * Starts counting, in the page, the animation frames that run while a worker
 * computation is pending, and recording whether the progress indicator was
 * shown, its texts and the status texts. Read with readWatch.
 */
function watchWhilePending(page) {
  return page.evaluate(() => {
    const watch = { framesWhilePending: 0, progressShown: false, progressTexts: [], statuses: [] };
    window.__longWatch = watch;
    const status = document.querySelector('[data-testid="status"]');
    new MutationObserver(() => watch.statuses.push(status.textContent)).observe(status, { childList: true, characterData: true, subtree: true });
    const box = document.querySelector('[data-testid="progress"]');
    new MutationObserver(() => {
      if (!box.hidden) {
        watch.progressShown = true;
        const text = box.querySelector('[data-testid="progress-text"]').textContent;
        if (text && !watch.progressTexts.includes(text)) watch.progressTexts.push(text);
      }
    }).observe(box, { attributes: true, subtree: true, childList: true, characterData: true });
    const tick = () => {
      if (window.__attentionPlayground?.pending) watch.framesWhilePending += 1;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

const readWatch = (page) => page.evaluate(() => window.__longWatch);

function weightAt(page, row, col) {
  return page.evaluate(([r, c]) => {
    const { lastResult, head } = window.__attentionPlayground;
    const n = lastResult.n;
    return lastResult.weights[(head - 1) * n * n + r * n + c];
  }, [row, col]);
}

const tooltipWeight = async (page) => Math.fround(Number(await page.getByTestId('tooltip').locator('[data-field="weight"]').textContent()));

test.describe('long input', () => {
  test('2048 tokens are computed in the worker with a progress indicator while the page keeps running', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page);
    await watchWhilePending(page);
    await page.getByTestId('text-input').fill(wordsText(N));

    // The page answers while the worker computes: this poll runs in the page's own frames.
    await page.waitForFunction(() => window.__attentionPlayground?.pending === true);
    await waitForTokens(page, N, 2);

    const watch = await readWatch(page);
    expect(watch.statuses).toContain('Computing 2048 tokens in the background…');
    expect(watch.progressShown).toBe(true);
    expect(watch.progressTexts.some((text) => text.startsWith('Computing 2048 tokens × 2 heads in the background'))).toBe(true);
    expect(watch.framesWhilePending).toBeGreaterThan(0);
    await expect(page.getByTestId('progress')).toBeHidden();

    const heatmap = page.getByTestId('heatmap');
    await expect(heatmap).toHaveAttribute('data-rows', String(N));
    await expect(heatmap).toHaveAttribute('data-cols', String(N));
    await expect(page.getByTestId('status')).toHaveText('2048 tokens · scaled_dot · head 1 of 2');
    const shown = await page.evaluate(() => {
      const { lastResult, computedIn } = window.__attentionPlayground;
      return { computedIn, n: lastResult.n, length: lastResult.weights.length };
    });
    expect(shown).toEqual({ computedIn: 'worker', n: N, length: 2 * N * N });
    // Crowded labels thin out: one drawn every labelStep rows.
    expect(Number(await heatmap.getAttribute('data-label-step'))).toBeGreaterThan(1);
    expect(errors).toEqual([]);
  });

  test('hovering a cell deep inside the 2048 × 2048 map of head 8 shows its exact weight, and arrow keys move from it', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page, '#heads=8&head=8');
    await page.getByTestId('text-input').fill(wordsText(N));
    await waitForTokens(page, N, 8);

    const heatmap = page.getByTestId('heatmap');
    await expect(heatmap).toHaveAttribute('data-rows', String(N));
    await expect(heatmap).toHaveAttribute('data-cols', String(N));
    expect(await page.evaluate(() => window.__attentionPlayground.head)).toBe(8);
    const plot = await plotOf(heatmap);
    // Cells are a fraction of a pixel wide here: aim at the centre of (1500, 1200).
    await heatmap.hover({ position: { x: plot.left + 1200.5 * plot.cellW, y: plot.top + 1500.5 * plot.cellH } });
    const tooltip = page.getByTestId('tooltip');
    await expect(tooltip).toBeVisible();
    await expect(tooltip).toHaveAttribute('data-row', '1500');
    await expect(tooltip).toHaveAttribute('data-col', '1200');
    await expect(tooltip.locator('[data-field="query"]')).toHaveText('w1500');
    await expect(tooltip.locator('[data-field="key"]')).toHaveText('w1200');
    expect(await tooltipWeight(page)).toBe(await weightAt(page, 1500, 1200));

    await heatmap.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(tooltip).toHaveAttribute('data-row', '1502');
    await expect(tooltip).toHaveAttribute('data-col', '1201');
    const weight = await weightAt(page, 1502, 1201);
    expect(await tooltipWeight(page)).toBe(weight);
    await expect(page.getByTestId('announcer')).toContainText('query w1502 (#1503), key w1201 (#1202), weight');
    expect(Math.fround(Number((await page.getByTestId('announcer').textContent()).split('weight ')[1]))).toBe(weight);

    // End and PageDown reach the last cell.
    await page.keyboard.press('End');
    await page.keyboard.press('PageDown');
    await expect(tooltip).toHaveAttribute('data-row', String(N - 1));
    await expect(tooltip).toHaveAttribute('data-col', String(N - 1));
    expect(await tooltipWeight(page)).toBe(await weightAt(page, N - 1, N - 1));
    expect(errors).toEqual([]);
  });

  test('the other views stay usable at 2048 tokens: faint lines dropped, heads pooled, tables paged', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page);
    // 40 words, each about 50 times: every query gives many keys a visible weight.
    await page.getByTestId('text-input').fill(wordsText(N, 40));
    await waitForTokens(page, N, 2);

    await page.getByTestId('view-tab-lines').click();
    const lines = page.getByTestId('lines');
    await expect(lines).toHaveAttribute('data-lines', /\d/);
    expect(Number(await lines.getAttribute('data-lines'))).toBeGreaterThan(0);
    expect(Number(await lines.getAttribute('data-lines'))).toBeLessThanOrEqual(12_000);
    await expect(page.getByTestId('lines-floor')).toContainText('are not drawn');

    await page.getByTestId('view-tab-heads').click();
    await expect(page.getByTestId('head-tile-average')).toBeVisible();
    await expect(page.getByTestId('heads-grid').locator('canvas')).toHaveCount(3);
    await page.getByTestId('head-tile-2').click();
    await expect(page.getByTestId('head-tile-2')).toHaveAttribute('aria-pressed', 'true');
    expect(await page.evaluate(() => window.__attentionPlayground.head)).toBe(2);

    await page.getByTestId('view-tab-stats').click();
    await expect(page.getByTestId('stats-pager-status')).toHaveText('Queries 1–64 of 2048');
    await page.getByTestId('stats-rowNext').click();
    await expect(page.getByTestId('stats-pager-status')).toHaveText('Queries 65–128 of 2048');

    await page.getByTestId('view-tab-output').click();
    await expect(page.getByTestId('output-map')).toHaveAttribute('data-rows', String(N));

    await page.getByTestId('view-tab-steps').click();
    await expect(page.getByTestId('steps')).toContainText('w0');

    await page.getByTestId('view-tab-heatmap').click();
    await page.getByTestId('table-toggle').check();
    await expect(page.getByTestId('weights-pager-status')).toHaveText('Queries 1–32 of 2048, keys 1–16 of 2048');
    expect(await page.getByTestId('weights-table').locator('tbody tr').count()).toBe(32);
    expect(errors).toEqual([]);
  });
});
