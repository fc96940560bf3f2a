// web/examples/tutorial.html, built into dist/examples/: a short tutorial on
// attention that embeds the playground three ways (element, iframe, JS API).
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { latestDetail, watchErrors } from './support.js';

const heatmapOf = (locator) => locator.getByTestId('heatmap');

test.describe('the tutorial page', () => {
  test('shows its custom elements, the iframe and the JS API example', async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto('/examples/tutorial.html');
    for (const id of ['qkv-demo', 'softmax-demo', 'causal-demo']) {
      await expect(heatmapOf(page.getByTestId(id))).toHaveAttribute('data-rows', '10');
    }
    // Only the softmax demo hides its controls.
    await expect(page.getByTestId('qkv-demo').getByLabel('Sentence')).toBeVisible();
    await expect(page.getByTestId('softmax-demo').locator('fieldset')).toBeHidden();

    // Iframe: embed.html with four heads, head 2 shown.
    await page.getByTestId('embed-frame').scrollIntoViewIfNeeded();
    const frame = page.frameLocator('[data-testid="embed-frame"]');
    await expect(frame.getByTestId('playground').locator('.title')).toHaveText('heads · head 2 of 4');
    await expect(frame.getByTestId('head-tile-4')).toBeVisible();
    await expect(frame.getByTestId('head-tile-2')).toHaveAttribute('aria-pressed', 'true');

    // The step-through of the query "it" (#8).
    await expect(page.getByTestId('steps-demo').getByTestId('steps-heading')).toHaveText(/Query “it” \(#8\)/);

    // JS API: the engine's weights of the worked example, softmax of (2, 0.5, 2.5) / √2.
    const rows = page.getByTestId('api-table').locator('tbody tr');
    await expect(rows).toHaveCount(3);
    const weights = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.weight)));
    const exps = [2, 0.5, 2.5].map((s) => Math.exp(s / Math.SQRT2));
    const sum = exps.reduce((a, b) => a + b, 0);
    weights.forEach((w, j) => expect(w).toBeCloseTo(exps[j] / sum, 5));
    await expect(page.getByTestId('api-output')).toContainText('the weights sum to 1.000');
    expect(errors).toEqual([]);
  });

  test('the causal demo is a lower triangle and its event fills the argmax list', async ({ page }) => {
    await page.goto('/examples/tutorial.html');
    const demo = page.getByTestId('causal-demo');
    const { tokens, queries, keys, weights } = await latestDetail(demo);
    for (let i = 0; i < queries; i++) {
      for (let j = i + 1; j < keys; j++) expect(weights[i * keys + j]).toBe(0);
    }
    const items = page.getByTestId('argmax').locator('li');
    await expect(items).toHaveCount(queries);
    // The first token can only look at itself.
    await expect(items.first()).toHaveText(`${tokens[0]} → ${tokens[0]} (1.00)`);
  });

  test('the temperature buttons change the attribute and sharpen or flatten the weights', async ({ page }) => {
    await page.goto('/examples/tutorial.html');
    const demo = page.getByTestId('softmax-demo');
    const peak = async () => Math.max(...(await latestDetail(demo)).weights);
    const atOne = await peak();

    await page.getByRole('button', { name: '0.25 (sharp)' }).click();
    await expect(demo).toHaveAttribute('temperature', '0.25');
    await expect(page.getByRole('button', { name: '0.25 (sharp)' })).toHaveAttribute('aria-pressed', 'true');
    await expect.poll(peak).toBeGreaterThan(atOne);
    const sharp = await peak();

    await page.getByRole('button', { name: '4 (flat)' }).click();
    await expect.poll(peak).toBeLessThan(atOne);
    expect(sharp).toBeGreaterThan(atOne);
  });

  test('an axe-core scan finds no serious or critical violation', async ({ page }) => {
    await page.goto('/examples/tutorial.html');
    await expect(heatmapOf(page.getByTestId('causal-demo'))).toHaveAttribute('data-digest', /\S/);
    await page.getByTestId('embed-frame').scrollIntoViewIfNeeded();
    await expect(page.frameLocator('[data-testid="embed-frame"]').getByTestId('head-tile-average')).toBeVisible();
    await expect(page.getByTestId('api-table').locator('tbody tr')).toHaveCount(3);
    const { violations } = await new AxeBuilder({ page }).analyze();
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
});
