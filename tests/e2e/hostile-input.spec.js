// Bad, hostile and huge input never blanks the page or runs as code.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { chipTexts, expectNothingInjected, hoverCell, openPlayground, watchErrors } from './support.js';

const HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">';

test.describe('hostile and unusual input', () => {
  test('markup typed as text is shown as text tokens and never executed', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page);
    await page.getByTestId('text-input').fill(HOSTILE);
    await expect(page.getByTestId('tokens')).toContainText('onerror');

    const chips = await chipTexts(page);
    expect(chips).toEqual(expect.arrayContaining(['<', 'script', '>', 'img', 'onerror', '"']));
    const tokens = await page.evaluate(() => window.__attentionPlayground.tokens);
    expect(chips).toEqual(tokens);
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-rows', String(tokens.length));

    // The tooltip shows the angle bracket as a character too.
    await hoverCell(page.getByTestId('heatmap'), 0, 0);
    await expect(page.getByTestId('tooltip').locator('[data-field="query"]')).toHaveText('<');

    await expectNothingInjected(page);
    expect(errors).toEqual([]);
  });

  test('no page module writes HTML from strings', () => {
    // The tokenizer already splits "<" from tag names; this keeps the views
    // safe even if it ever did not. Every module under web/src, views included.
    const dir = fileURLToPath(new URL('../../web/src/', import.meta.url));
    const files = readdirSync(dir, { recursive: true }).filter((name) => String(name).endsWith('.js'));
    expect(files).toEqual(expect.arrayContaining([path.join('page', 'main.js'), path.join('state', 'table.js'), path.join('views', 'heatmap.js'), path.join('views', 'lines.js')]));
    for (const file of files) {
      const source = readFileSync(path.join(dir, file), 'utf8');
      // eval( but not a method named eval (the PyTorch snippet's text calls mha.eval()), unless on a global.
      expect(source, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|(?<!\.)\beval\(|(?:window|globalThis|self)\.eval\b|new Function/);
    }
  });

  test('markup in the URL hash is shown as text and never executed', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page, `#text=${encodeURIComponent(HOSTILE)}`);
    await expect(page.getByTestId('text-input')).toHaveValue(HOSTILE);
    expect(await chipTexts(page)).toEqual(expect.arrayContaining(['script', 'img', 'onerror']));
    await expectNothingInjected(page);
    expect(errors).toEqual([]);
  });

  test('empty text shows a clear message and the page stays usable', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page);
    const input = page.getByTestId('text-input');

    for (const blank of ['', '   \n\t  ']) {
      await input.fill(blank);
      await expect(page.getByTestId('status')).toHaveText('Type some text to see its attention weights');
      await expect(page.getByTestId('heatmap')).toBeHidden();
      await expect(page.getByTestId('error')).toBeHidden();
      expect(await chipTexts(page)).toEqual([]);
    }

    await input.fill('hello world');
    await expect(page.getByTestId('heatmap')).toBeVisible();
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-rows', '2');
    expect(await chipTexts(page)).toEqual(['hello', 'world']);
    expect(errors).toEqual([]);
  });

  test('10 000 tokens show the truncation note and a heatmap of the first 2048', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page);
    const text = Array.from({ length: 10_000 }, (_, i) => `w${i}`).join(' ');
    await page.getByTestId('text-input').fill(text);

    await expect(page.getByTestId('status')).toHaveText('Showing the first 2048 of 10000 tokens', { timeout: 20_000 });
    await expect(page.getByTestId('heatmap')).toBeVisible();
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-rows', '2048');
    await expect(page.getByTestId('tokens').locator('.token-more')).toHaveText('+7952 more');
    expect(await page.getByTestId('tokens').locator('.token:not(.token-more)').count()).toBe(2048);
    const shape = await page.evaluate(() => {
      const { lastResult } = window.__attentionPlayground;
      return [lastResult.n, lastResult.weights.length];
    });
    expect(shape).toEqual([2048, 2 * 2048 * 2048]);
    await expect(page.getByTestId('error')).toBeHidden();
    expect(errors).toEqual([]);
  });

  test('emoji and CJK render as token labels', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page);
    await page.getByTestId('text-input').fill('我爱你 😀 👍🏽 👨‍👩‍👧 こんにちは 🇯🇵 café');

    const expected = ['我', '爱', '你', '😀', '👍🏽', '👨‍👩‍👧', 'こ', 'ん', 'に', 'ち', 'は', '🇯🇵', 'café'];
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-rows', String(expected.length));
    expect(await chipTexts(page)).toEqual(expected);

    await hoverCell(page.getByTestId('heatmap'), 3, 5);
    await expect(page.getByTestId('tooltip').locator('[data-field="query"]')).toHaveText('😀');
    await expect(page.getByTestId('tooltip').locator('[data-field="key"]')).toHaveText('👨‍👩‍👧');
    expect(errors).toEqual([]);
  });

  test('a core that fails to load is reported in an alert', async ({ page }) => {
    await page.route('**/*.wasm', (route) => route.abort());
    await page.goto('/');
    const alert = page.getByRole('alert');
    await expect(alert).toBeVisible();
    await expect(alert).toContainText('The WebAssembly core failed to load');
    await expect(page.getByRole('heading', { name: 'Attention Playground' })).toBeVisible();
  });
});
