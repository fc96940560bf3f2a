// What a newcomer meets first (issue 13): a plain-words account of query,
// key and value, the temperature this page means, a link to the tutorial,
// axis titles on the map, a note that text mode's weights are not learned, a
// message when no key is allowed, long input offering only the view it draws,
// and the numbers the explanation states being the page's own.
import { expect, test } from '@playwright/test';
import { MAX_TOKENS } from '../../web/src/compute/model.js';
import { openPlayground, watchErrors } from './support.js';

test('the page explains query, key and value in plain words, says which temperature it means and links the tutorial', async ({ page }) => {
  await openPlayground(page);
  const plain = page.getByTestId('plain-words');
  await expect(plain).toContainText('Its query says what it is looking for');
  await expect(plain).toContainText('its key says what it offers');
  await expect(plain).toContainText('its value is what it hands over');
  await expect(plain).toContainText('Temperature here divides the attention scores before the softmax');
  await expect(plain).toContainText('not the temperature of sampling');
  // The plain account comes before the hashing details.
  const order = await page.evaluate(() => {
    const plainBox = document.querySelector('[data-testid="plain-words"]').getBoundingClientRect().top;
    const hashing = [...document.querySelectorAll('strong')].find((el) => el.textContent === 'Hashing.').getBoundingClientRect().top;
    return plainBox < hashing;
  });
  expect(order).toBe(true);
  const link = page.getByTestId('tutorial-link');
  const response = await page.request.get(new URL(await link.getAttribute('href'), page.url()).href);
  expect(response.ok()).toBe(true);
  expect(await response.text()).toContain('<attention-playground');
});

test('the map has axis titles and, in text mode, says its weights come from fixed rules, not a trained model', async ({ page }) => {
  await openPlayground(page);
  await expect(page.getByTestId('axis-titles')).toContainText('rows: queries ↓');
  await expect(page.getByTestId('axis-titles')).toContainText('columns: keys →');
  await expect(page.getByTestId('rules-note')).toBeVisible();
  await expect(page.getByTestId('rules-note')).toContainText('not from a trained model');
  await page.goto('/#input=matrix');
  await expect(page.getByTestId('heatmap')).toHaveAttribute('data-digest', /\S/);
  await expect(page.getByTestId('rules-note')).toBeHidden();
});

test('the explanation states the page\'s own token limit', async ({ page }) => {
  await openPlayground(page);
  await expect(page.getByTestId('max-tokens')).toHaveText(String(MAX_TOKENS));
  await expect(page.locator('main')).not.toContainText('longer than 1024 tokens');
});

test('a mask that forbids every key says so instead of an unexplained dark map', async ({ page }) => {
  const errors = watchErrors(page);
  await openPlayground(page, '#input=matrix&mask=true');
  await expect(page.getByTestId('masked-rows-note')).toBeHidden();
  await page.getByRole('button', { name: /forbid all/i }).click();
  await expect(page.getByTestId('masked-rows-note')).toBeVisible();
  await expect(page.getByTestId('masked-rows-note')).toContainText('All 4 query rows have no allowed key');
  expect(errors).toEqual([]);
});

test('long input offers only the view it draws', async ({ page }) => {
  await page.goto('/#input=long&gen=256');
  await expect(page.getByTestId('status')).toContainText('256 tokens', { timeout: 30_000 });
  for (const view of ['lines', 'heads', 'steps', 'breakdown', 'output', 'stats']) {
    await expect(page.getByTestId(`view-tab-${view}`)).toBeHidden();
  }
  await expect(page.getByTestId('view-tab-heatmap')).toBeVisible();
  await page.goto('/#input=text');
  await expect(page.getByTestId('view-tab-lines')).toBeVisible();
});
