// Accessibility and comfort of the main page: keyboard reading of the
// heatmap with announcements, axe-core scans of every view, and a 360 px
// wide phone screen.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { openPlayground } from './support.js';

const VIEWS = ['heatmap', 'lines', 'heads', 'steps', 'breakdown', 'output', 'stats'];

/** axe violations that are serious or critical, as readable lines. */
async function seriousViolations(page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

test.describe('keyboard', () => {
  test('arrow keys move over the heatmap and the value is announced to screen readers', async ({ page }) => {
    await openPlayground(page);
    const announcer = page.getByTestId('announcer');
    await expect(announcer).toHaveAttribute('aria-live', 'polite');
    const { tokens, n, weights } = await page.evaluate(() => {
      const { lastResult, tokens: t, head } = window.__attentionPlayground;
      const size = lastResult.n * lastResult.n;
      return { tokens: t, n: lastResult.n, weights: Array.from(lastResult.weights.subarray((head - 1) * size, head * size)) };
    });
    await page.getByTestId('heatmap').focus();
    await page.keyboard.press('ArrowRight');
    await expect(announcer).toContainText(`query ${tokens[0]} (#1), key ${tokens[0]} (#1), weight `);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await expect(announcer).toContainText(`query ${tokens[1]} (#2), key ${tokens[1]} (#2), weight `);
    const said = await announcer.textContent();
    expect(Math.fround(Number(said.split('weight ')[1]))).toBe(weights[1 * n + 1]);
    await page.keyboard.press('End');
    await expect(announcer).toContainText(`key ${tokens[n - 1]} (#${n})`);
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`query=1&key=${n - 1}`));
  });

  test('the lines view is read token by token with the keyboard', async ({ page }) => {
    await openPlayground(page, '#view=lines');
    const lines = page.getByTestId('lines');
    await lines.focus();
    await page.keyboard.press('ArrowDown');
    await expect(lines).toHaveAttribute('data-isolate', 'query:0');
    await page.keyboard.press('ArrowDown');
    await expect(lines).toHaveAttribute('data-isolate', 'query:1');
    await expect(page.getByTestId('announcer')).toContainText('query animal (#2); strongest key in head 1:');
    await page.keyboard.press('ArrowRight');
    await expect(lines).toHaveAttribute('data-isolate', 'key:1');
  });

  test('every control has a label', async ({ page }) => {
    await openPlayground(page);
    for (const view of VIEWS) {
      await page.getByTestId(`view-tab-${view}`).click();
      const unlabelled = await page.locator('input:visible, select:visible, textarea:visible, button:visible').evaluateAll((els) =>
        els.filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.textContent.trim())).map((el) => el.outerHTML.slice(0, 80)));
      expect(unlabelled, view).toEqual([]);
    }
  });
});

test.describe('axe-core', () => {
  for (const view of VIEWS) {
    test(`finds no serious or critical violation in the ${view} view`, async ({ page }) => {
      await openPlayground(page, `#view=${view}&query=2&key=3`);
      await expect(page.locator(`[data-view-panel="${view}"]`)).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });
  }

  test('finds no serious or critical violation in the dark theme with the data table shown', async ({ page }) => {
    await openPlayground(page, '#theme=dark&table=true');
    await expect(page.getByTestId('weights-table')).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByTestId('view-tab-stats').click();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('finds no serious or critical violation with a link adjustment note and an error', async ({ page }) => {
    await openPlayground(page, '#heads=99');
    await expect(page.getByTestId('hash-note')).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
});

test.describe('at 360 px wide', () => {
  test.use({ viewport: { width: 360, height: 740 } });

  for (const view of VIEWS) {
    test(`the ${view} view fits without scrolling the page sideways`, async ({ page }) => {
      await openPlayground(page, `#view=${view}&heads=4&table=true`);
      await expect(page.locator(`[data-view-panel="${view}"]`)).toBeVisible();
      const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      expect(widths.scroll, `${view}: page ${widths.scroll} px wide in a ${widths.client} px window`).toBeLessThanOrEqual(widths.client);
      // The figure panel stays inside the window; wide content scrolls inside the view area.
      const box = await page.getByTestId('view-area').boundingBox();
      expect(box.x + box.width).toBeLessThanOrEqual(360);
    });
  }

  test('the controls and the share button stay usable', async ({ page }) => {
    await openPlayground(page);
    await page.getByTestId('variant').selectOption('dot');
    await expect.poll(() => page.evaluate(() => window.__attentionPlayground.state.variant)).toBe('dot');
    await expect(page.getByTestId('share')).toBeInViewport({ ratio: 1 }).catch(async () => {
      await page.getByTestId('share').scrollIntoViewIfNeeded();
      await expect(page.getByTestId('share')).toBeInViewport({ ratio: 1 });
    });
    const box = await page.getByTestId('share').boundingBox();
    expect(box.x + box.width).toBeLessThanOrEqual(360);
  });
});
