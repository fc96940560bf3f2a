// Model mode in the embeddable forms: <attention-playground input="model">
// (the built module, as a tutorial page loads it) and embed.html's link take
// the same keys as the page, and show the model's own weights.
import { expect, test } from '@playwright/test';
import { loadModel } from '../../wasm/index.js';
import { watchErrors } from './support.js';

const SENTENCE = "The animal didn't cross the street because it was too tired";
let model;
test.beforeAll(async () => {
  model = await loadModel('use-lite');
});

/** The element's latest attention-change detail once it is a model result of `tokens` tokens. */
async function modelWeights(page, tokens) {
  const element = page.locator('attention-playground');
  await page.waitForFunction((n) => document.querySelector('attention-playground')?.attention?.queries === n, tokens, { timeout: 45_000 });
  return element.evaluate((el) => Array.from(el.attention.weights));
}

test('the element takes input="model", layer and head, and shows that head of the model', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await page.route('**/fixture.html', (route) => route.fulfill({
    contentType: 'text/html; charset=utf-8',
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fixture</title>
      <link rel="icon" href="data:,"><script type="module" src="./attention-playground.js"></script>
      </head><body><main><attention-playground input="model" layer="2" head="4" text="${SENTENCE.replace(/'/g, '&#39;')}"></attention-playground></main></body></html>`,
  }));
  await page.goto('/fixture.html');
  const want = model.run({ text: SENTENCE });
  const T = want.ids.length;
  const weights = await modelWeights(page, T);
  expect(weights).toEqual(Array.from(want.attentions[1].subarray(0, 4 * T * T)));
  await expect(page.locator('attention-playground')).toContainText('layer 2 of 2 · head 4 of 4');
  expect(errors).toEqual([]);
});

test('embed.html takes the same keys from its link', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto(`/embed.html#input=model&layer=1&head=2&text=${encodeURIComponent(SENTENCE)}`);
  const want = model.run({ text: SENTENCE });
  const weights = await modelWeights(page, want.ids.length);
  expect(weights).toEqual(Array.from(want.attentions[0]));
  await expect(page.locator('attention-playground')).toContainText('layer 1 of 2 · head 2 of 4');
});
