// The playground in a real browser: what a person sees and can do.
import { expect, test } from '@playwright/test';
import { chipTexts, hoverCell, openPlayground, watchErrors } from './support.js';

const DEFAULT_TOKENS = ['The', 'animal', 'didn', "'", 't', 'cross', 'the', 'street', 'because', 'it', 'was', 'too', 'tired'];

const digestOf = (page) => page.getByTestId('heatmap').getAttribute('data-digest');

/** Types text and waits until the heatmap shows something else. */
async function typeText(page, text) {
  const before = await digestOf(page);
  await page.getByTestId('text-input').fill(text);
  await expect(page.getByTestId('heatmap')).not.toHaveAttribute('data-digest', before ?? '');
}

/** What the page computed: tokens, shape and the displayed head's weights as plain numbers. */
function readResult(page) {
  return page.evaluate(() => {
    const { lastResult, tokens, state, head } = window.__attentionPlayground;
    const n = lastResult.n;
    const shown = lastResult.weights.subarray((head - 1) * n * n, head * n * n);
    return { tokens, state, head, n, heads: lastResult.heads, weights: Array.from(shown) };
  });
}

test.describe('the playground', () => {
  test('loads without console or page errors and draws the default sentence', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page);

    expect(await chipTexts(page)).toEqual(DEFAULT_TOKENS);
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-rows', String(DEFAULT_TOKENS.length));
    await expect(page.getByTestId('status')).toContainText(`${DEFAULT_TOKENS.length} tokens`);
    await expect(page.getByTestId('error')).toBeHidden();
    await expect(page.getByTestId('legend')).toBeVisible();

    const { n, weights } = await readResult(page);
    expect(n).toBe(DEFAULT_TOKENS.length);
    for (let i = 0; i < n; i++) {
      const rowSum = weights.slice(i * n, (i + 1) * n).reduce((a, b) => a + b, 0);
      expect(rowSum).toBeCloseTo(1, 5);
    }
    // The canvas really has colour in the middle of the plot.
    const alpha = await page.getByTestId('heatmap').evaluate((c) => {
      const x = (Number(c.dataset.plotLeft) + c.clientWidth) / 2;
      const y = (Number(c.dataset.plotTop) + c.clientHeight) / 2;
      const scale = c.width / c.clientWidth;
      return c.getContext('2d').getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data[3];
    });
    expect(alpha).toBe(255);
    await expect(page).toHaveURL(/#text=The\+animal.*&variant=scaled_dot&heads=2/);
    expect(errors).toEqual([]);
  });

  test('typing new text changes the heatmap and the token chips', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page);
    await typeText(page, 'Cats chase mice');

    expect(await chipTexts(page)).toEqual(['Cats', 'chase', 'mice']);
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-rows', '3');
    const { tokens, n } = await readResult(page);
    expect(tokens).toEqual(['Cats', 'chase', 'mice']);
    expect(n).toBe(3);
    expect(errors).toEqual([]);
  });

  test('changing the variant changes the weights', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page);
    const variant = page.getByTestId('variant');
    const seen = new Set([await digestOf(page)]);

    for (const name of ['dot', 'general', 'additive', 'hard', 'top_k']) {
      await variant.selectOption(name);
      await expect.poll(() => readResult(page).then((r) => r.state.variant)).toBe(name);
      const digest = await digestOf(page);
      expect(seen.has(digest), `${name} draws weights of its own`).toBe(false);
      seen.add(digest);
      await expect(page.getByTestId('k')).toBeVisible({ visible: name === 'top_k' });
    }

    // top_k keeps k = 2 keys per row; hard is one-hot.
    let { n, weights } = await readResult(page);
    for (let i = 0; i < n; i++) {
      expect(weights.slice(i * n, (i + 1) * n).filter((w) => w > 0).length).toBeLessThanOrEqual(2);
    }
    await variant.selectOption('hard');
    await expect.poll(() => readResult(page).then((r) => r.state.variant)).toBe('hard');
    ({ n, weights } = await readResult(page));
    for (let i = 0; i < n; i++) {
      const row = weights.slice(i * n, (i + 1) * n);
      expect(row.filter((w) => w === 1).length).toBe(1);
      expect(row.filter((w) => w === 0).length).toBe(n - 1);
    }
    expect(errors).toEqual([]);
  });

  test('hovering a cell shows the query token, the key token and the exact weight', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page);
    const { tokens, n, weights } = await readResult(page);
    const tooltip = page.getByTestId('tooltip');

    for (const [row, col] of [[1, 9], [9, 1], [0, 0], [n - 1, n - 1]]) {
      await hoverCell(page.getByTestId('heatmap'), row, col);
      await expect(tooltip).toBeVisible();
      await expect(tooltip).toHaveAttribute('data-row', String(row));
      await expect(tooltip).toHaveAttribute('data-col', String(col));
      await expect(tooltip.locator('[data-field="query"]')).toHaveText(tokens[row]);
      await expect(tooltip.locator('[data-field="key"]')).toHaveText(tokens[col]);
      const shown = await tooltip.locator('[data-field="weight"]').textContent();
      expect(Math.fround(Number(shown)), `weight of (${row}, ${col})`).toBe(weights[row * n + col]);
    }
    // The hovered query and key chips are marked.
    await expect(page.getByTestId('tokens').locator('.token.is-query')).toHaveText(tokens[n - 1]);

    await page.mouse.move(1, 1);
    await expect(tooltip).toBeHidden();
    expect(errors).toEqual([]);
  });

  test('arrow keys on the focused heatmap move the tooltip from cell to cell', async ({ page }) => {
    await openPlayground(page);
    const { tokens, n, weights } = await readResult(page);
    const tooltip = page.getByTestId('tooltip');
    await page.getByTestId('heatmap').focus();
    await page.keyboard.press('ArrowDown');
    await expect(tooltip).toHaveAttribute('data-row', '0');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect(tooltip).toHaveAttribute('data-row', '1');
    await expect(tooltip).toHaveAttribute('data-col', '2');
    await expect(tooltip.locator('[data-field="key"]')).toHaveText(tokens[2]);
    const shown = await tooltip.locator('[data-field="weight"]').textContent();
    expect(Math.fround(Number(shown))).toBe(weights[1 * n + 2]);
  });

  test('the head selector switches heads', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page);
    const head = page.getByTestId('head');
    await expect(head.locator('option')).toHaveText(['head 1', 'head 2']);

    const first = await readResult(page);
    const before = await digestOf(page);
    await head.selectOption('2');
    await expect(page.getByTestId('heatmap')).not.toHaveAttribute('data-digest', before);
    const second = await readResult(page);
    expect(second.head).toBe(2);
    expect(second.weights).not.toEqual(first.weights);

    await hoverCell(page.getByTestId('heatmap'), 3, 4);
    const shown = await page.getByTestId('tooltip').locator('[data-field="weight"]').textContent();
    expect(Math.fround(Number(shown))).toBe(second.weights[3 * second.n + 4]);
    await expect(page.getByTestId('tooltip').locator('[data-field="head"]')).toHaveText('head 2 of 2');

    await page.getByTestId('heads').fill('4');
    await expect(head.locator('option')).toHaveCount(4);
    await page.getByTestId('heads').fill('1');
    await expect(head.locator('option')).toHaveText(['head 1']);
    await expect(head).toHaveValue('1');
    await expect.poll(() => readResult(page).then((r) => [r.heads, r.head])).toEqual([1, 1]);
    expect(errors).toEqual([]);
  });

  test('causal and window settings zero the keys a query may not see', async ({ page }) => {
    await openPlayground(page);
    await page.getByTestId('causal').check();
    await page.getByTestId('window').fill('1');
    await expect.poll(() => readResult(page).then((r) => [r.state.causal, r.state.window])).toEqual([true, 1]);
    const { n, weights } = await readResult(page);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (j > i || i - j > 1) expect(weights[i * n + j], `(${i}, ${j})`).toBe(0);
      }
    }
    await page.getByTestId('window').fill('');
    await expect.poll(() => readResult(page).then((r) => r.state.window)).toBe(null);
    await expect(page).toHaveURL(/window=none/);
  });
});

test.describe('the URL hash', () => {
  test('is applied on load', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page, '#text=a+b+c+d+e&variant=hard&heads=3&head=2&causal=true&temperature=0.5&seed=7');

    await expect(page.getByTestId('variant')).toHaveValue('hard');
    await expect(page.getByTestId('heads')).toHaveValue('3');
    await expect(page.getByTestId('head')).toHaveValue('2');
    await expect(page.getByTestId('causal')).toBeChecked();
    await expect(page.getByTestId('temperature')).toHaveValue('0.5');
    await expect(page.getByTestId('seed')).toHaveValue('7');
    await expect(page.getByTestId('text-input')).toHaveValue('a b c d e');

    const { n, heads, head, weights } = await readResult(page);
    expect([n, heads, head]).toEqual([5, 3, 2]);
    for (let i = 0; i < n; i++) {
      const row = weights.slice(i * n, (i + 1) * n);
      expect(row.filter((w) => w === 1).length).toBe(1);
      expect(row.slice(i + 1).every((w) => w === 0)).toBe(true);
    }
    expect(errors).toEqual([]);
  });

  test('clamps out-of-range values and ignores unknown keys and unreadable values', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page, '#heads=99&head=42&temperature=-3&window=-5&k=0&seed=abc&variant=bogus&foo=bar');

    await expect(page.getByTestId('heads')).toHaveValue('8');
    await expect(page.getByTestId('head')).toHaveValue('8');
    await expect(page.getByTestId('temperature')).toHaveValue('0.05');
    await expect(page.getByTestId('window')).toHaveValue('0');
    await expect(page.getByTestId('k')).toHaveValue('1');
    await expect(page.getByTestId('seed')).toHaveValue('0');
    await expect(page.getByTestId('variant')).toHaveValue('scaled_dot');
    await expect(page).toHaveURL(/heads=8&head=8/);
    await expect(page).not.toHaveURL(/foo=/);

    // window 0: every query sees only itself.
    const { n, weights } = await readResult(page);
    for (let i = 0; i < n; i++) expect(weights[i * n + i]).toBe(1);
    expect(errors).toEqual([]);
  });

  test('rebuilds the same view after a reload', async ({ page }) => {
    await openPlayground(page);
    await page.getByTestId('variant').selectOption('additive');
    await page.getByTestId('seed').fill('42');
    await page.getByTestId('temperature').fill('2');
    await expect(page).toHaveURL(/variant=additive.*temperature=2&seed=42/);
    const digest = await digestOf(page);

    await page.reload();
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-digest', digest);
    await expect(page.getByTestId('variant')).toHaveValue('additive');
  });

  test('edited by hand updates the view', async ({ page }) => {
    await openPlayground(page);
    await page.evaluate(() => {
      window.location.hash = '#text=one+two&variant=dot';
    });
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-rows', '2');
    await expect(page.getByTestId('variant')).toHaveValue('dot');
  });
});
