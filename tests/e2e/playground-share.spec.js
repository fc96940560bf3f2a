// Shareable state: the Share button, the URL round trip, what a link that
// needs adjusting says, and large inputs computed in the worker.
import { expect, test } from '@playwright/test';
import { expectNothingInjected, openPlayground, watchErrors } from './support.js';

/** Everything a reload must reproduce: state, digest, all weights and the step-through's numbers. */
async function snapshot(page) {
  return page.evaluate(() => {
    const { lastResult, state, head } = window.__attentionPlayground;
    return {
      state,
      head,
      digest: document.querySelector('[data-testid="heatmap"]').dataset.digest,
      weights: Array.from(lastResult.weights),
      output: Array.from(lastResult.output),
    };
  });
}

test.describe('the Share button', () => {
  test('copies a link that rebuilds the same view and weights after a reload', async ({ page, context }) => {
    const errors = watchErrors(page);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await openPlayground(page);
    await page.getByTestId('text-input').fill('Colourless green ideas sleep furiously & dream');
    await page.getByTestId('variant').selectOption('general');
    await page.getByTestId('heads').fill('3');
    await page.getByTestId('head').selectOption('3');
    await page.getByTestId('seed').fill('11');
    await page.getByTestId('temperature').fill('0.7');
    await page.getByTestId('causal').check();
    await page.getByTestId('view-tab-steps').click();
    await page.getByTestId('query').fill('4');
    await page.getByTestId('theme').selectOption('dark');
    await expect(page.getByTestId('steps')).toHaveAttribute('data-row', '3');
    const before = await snapshot(page);
    const stepsBefore = await page.getByTestId('steps').textContent();

    await page.getByTestId('share').click();
    await expect(page.getByTestId('share-status')).toHaveText('Link copied');
    const link = await page.evaluate(() => navigator.clipboard.readText());
    await expect(page).toHaveURL(link);  // the address mirrors the state too (written within URL_WRITE_MS)
    expect(link).toMatch(/#text=Colourless.*variant=general&heads=3&head=3&causal=true.*temperature=0\.7&seed=11.*view=steps&query=3.*theme=dark/);

    const fresh = await context.newPage();
    await openPlayground(fresh, link.slice(link.indexOf('#')));
    await expect(fresh.getByTestId('steps')).toHaveAttribute('data-row', '3');
    const after = await snapshot(fresh);
    expect(after.digest).toBe(before.digest);
    expect(after.weights).toEqual(before.weights);
    expect(after.output).toEqual(before.output);
    expect(after.state).toEqual(before.state);
    expect(await fresh.getByTestId('steps').textContent()).toBe(stepsBefore);
    await expect(fresh.locator('html')).toHaveAttribute('data-theme', 'dark');

    await page.reload();
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-digest', before.digest);
    expect((await snapshot(page)).weights).toEqual(before.weights);
    expect(errors).toEqual([]);
  });

  test('without a clipboard, shows the link selected in a text field', async ({ page }) => {
    await page.addInitScript(() => {
      Object.defineProperty(navigator, 'clipboard', { value: { writeText: () => Promise.reject(new Error('denied')) } });
    });
    await openPlayground(page, '#text=one+two+three&view=lines');
    await page.getByTestId('share').click();
    const field = page.getByTestId('share-url');
    await expect(field).toBeVisible();
    await expect(field).toHaveValue(page.url());
    await expect(field).toBeFocused();
    const selected = await field.evaluate((el) => [el.selectionStart, el.selectionEnd, el.value.length]);
    expect(selected[0]).toBe(0);
    expect(selected[1]).toBe(selected[2]);
    await expect(page.getByTestId('share-status')).toHaveText(/Link copied|Copy the selected link/);
    await expect(page.getByLabel('Link to this view')).toHaveValue(/view=lines/);
  });
});

test.describe('a link that needs adjusting', () => {
  test('is clamped, and a visible note says what changed', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page, '#heads=99&head=42&temperature=-3&query=5000&seed=abc&foo=bar');
    const note = page.getByTestId('hash-note');
    await expect(note).toBeVisible();
    await expect(note).toContainText('Adjusted from the link: heads 99 → 8, head 42 → 8, temperature -3 → 0.05, query 5000 → 12');
    await expect(note).toContainText('Ignored unreadable values: seed "abc"');
    await expect(note).not.toContainText('foo');
    await expect(page).toHaveURL(/heads=8&head=8.*query=12/);
    expect(errors).toEqual([]);
  });

  test('says nothing when every value was taken as written', async ({ page }) => {
    await openPlayground(page, '#heads=3&head=2&view=lines&query=2');
    await expect(page.getByTestId('hash-note')).toBeHidden();
  });

  test('shows hostile values as text, never as markup', async ({ page }) => {
    await openPlayground(page, `#view=${encodeURIComponent('<img src=x onerror="window.__pwned=1">')}&heads=${encodeURIComponent('<b>9</b>')}`);
    const note = page.getByTestId('hash-note');
    await expect(note).toContainText('view "<img src=x onerror=');
    await expect(note.locator('*')).toHaveCount(0);
    await expectNothingInjected(page);
  });

  test('edited by hand to an out-of-range value is clamped with a note', async ({ page }) => {
    await openPlayground(page);
    await page.evaluate(() => {
      window.location.hash = '#text=a+b+c&window=9999';
    });
    await expect(page.getByTestId('hash-note')).toHaveText('Adjusted from the link: window 9999 → 2048');
  });
});

test.describe('large inputs', () => {
  test('600 tokens and 8 heads are computed in the worker with a progress indicator, then drawn', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page);
    // Watch for the progress indicator from before the edit: it may be short-lived.
    await page.evaluate(() => {
      window.__sawProgress = false;
      const box = document.querySelector('[data-testid="progress"]');
      new MutationObserver(() => {
        if (!box.hidden) window.__sawProgress = true;
      }).observe(box, { attributes: true, attributeFilter: ['hidden'] });
    });
    await page.getByTestId('heads').fill('8');
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-digest', /^169:/);
    const text = Array.from({ length: 600 }, (_, i) => `word${i % 97}x${i}`).join(' ');
    await page.getByTestId('text-input').fill(text);

    // The page answers while the worker computes.
    const t0 = Date.now();
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    expect(Date.now() - t0).toBeLessThan(1000);

    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-rows', '600', { timeout: 20_000 });
    await expect(page.getByTestId('progress')).toBeHidden();
    expect(await page.evaluate(() => window.__sawProgress)).toBe(true);
    const shape = await page.evaluate(() => {
      const { lastResult, computedIn } = window.__attentionPlayground;
      const n = lastResult.n;
      let worst = 0;
      for (let r = 0; r < lastResult.heads * n; r++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += lastResult.weights[r * n + j];
        worst = Math.max(worst, Math.abs(s - 1));
      }
      return { n, heads: lastResult.heads, length: lastResult.weights.length, computedIn, worst };
    });
    expect(shape).toEqual({ n: 600, heads: 8, length: 8 * 600 * 600, computedIn: 'worker', worst: expect.any(Number) });
    expect(shape.worst).toBeLessThan(1e-4);
    await expect(page.getByTestId('status')).toHaveText('600 tokens · scaled_dot · head 1 of 8');
    expect(errors).toEqual([]);
  });

  test('the worker gives the same weights as the page computes for the same input', async ({ page }) => {
    // 257 tokens with one head goes to the worker; the step-through traces a row on the page.
    const text = Array.from({ length: 257 }, (_, i) => `t${i % 13}`).join('+');
    await openPlayground(page, `#heads=1&view=steps&query=200&text=${text}`);
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-rows', '257', { timeout: 20_000 });
    expect(await page.evaluate(() => window.__attentionPlayground.computedIn)).toBe('worker');
    const { row, traced } = await page.evaluate(() => {
      const { lastResult } = window.__attentionPlayground;
      const n = lastResult.n;
      const cells = Array.from(document.querySelectorAll('[data-testid="steps-table"] tbody tr'), (tr) => tr.querySelectorAll('td')[4].textContent);
      return { row: Array.from(lastResult.weights.subarray(200 * n, 200 * n + cells.length)), traced: cells.map(Number) };
    });
    expect(traced.map((v) => Math.fround(v))).toEqual(row);
  });

  test('every view draws a 600-token, 8-head input', async ({ page }) => {
    const errors = watchErrors(page);
    const text = Array.from({ length: 600 }, (_, i) => `w${i}`).join('+');
    await page.goto(`/#heads=8&text=${text}`);
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-rows', '600', { timeout: 20_000 });
    for (const view of ['lines', 'heads', 'steps', 'breakdown', 'output', 'stats', 'heatmap']) {
      const t0 = Date.now();
      await page.getByTestId(`view-tab-${view}`).click();
      await expect(page.locator(`[data-view-panel="${view}"]`)).toBeVisible();
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      expect(Date.now() - t0, `${view} drawn`).toBeLessThan(3000);
    }
    await expect(page.getByTestId('heads-grid').locator('.head-tile')).toHaveCount(9);
    await expect(page.getByTestId('lines')).toHaveAttribute('data-lines', /^[1-9]/);
    await expect(page.getByTestId('distance-chart').locator('rect.bar')).toHaveCount(1199);
    expect(errors).toEqual([]);
  });
});
