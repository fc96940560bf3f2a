// Model mode: the bundled Universal Sentence Encoder lite, run by the page's
// WebAssembly core in the compute worker, on the user's own sentence. The
// page's weights are the API's weights for the same text (computed here in
// Node through loadModel), layer by layer and head by head; the weights load
// once, other modes never load them, and an over-long text is cut with a note.
import { expect, test } from '@playwright/test';
import { loadModel } from '../../wasm/index.js';
import { watchErrors } from './support.js';

const SENTENCE = "The animal didn't cross the street because it was too tired";
let model;
test.beforeAll(async () => {
  model = await loadModel('use-lite');
});

/** Waits until the page shows a model result of layer (1-based). */
async function waitForModel(page, layer) {
  await page.waitForFunction(
    (l) => {
      const shown = window.__attentionPlayground;
      return shown && !shown.pending && shown.lastResult?.model && shown.lastResult.layer === l - 1;
    },
    layer,
    { timeout: 45_000 },
  );
}

test('the page shows the model\'s own attention, equal to the API\'s, for the layer and head of the link', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`/#input=model&model=use-lite&layer=2&head=4&text=${encodeURIComponent(SENTENCE)}`);
  await waitForModel(page, 2);
  const want = model.run({ text: SENTENCE });
  const shown = await page.evaluate(() => {
    const r = window.__attentionPlayground.lastResult;
    return { weights: Array.from(r.weights), heads: r.heads, n: r.n, tokens: window.__attentionPlayground.tokens, head: window.__attentionPlayground.head };
  });
  expect(shown.n).toBe(want.ids.length);
  expect(shown.heads).toBe(4);
  expect(shown.head).toBe(4);
  expect(shown.weights).toEqual(Array.from(want.attentions[1]));
  expect(shown.tokens[1]).toBe('␣animal');
  await expect(page.getByTestId('status')).toContainText('layer 2 of 2 · head 4 of 4');
  await expect(page.getByTestId('tokens')).toContainText('␣animal');
  // Every request stayed on this server (the model's files are part of the build).
  const origin = new URL(page.url()).origin;
  expect(requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:'))).toEqual([]);
  expect(requests.some((url) => url.includes('shard'))).toBe(true);
  expect(errors).toEqual([]);
});

test('layers × heads shows 2 × 4 maps, and clicking one shows that layer and head', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await page.goto(`/#input=model&view=layers&text=${encodeURIComponent(SENTENCE)}`);
  await waitForModel(page, 1);
  const grid = page.getByTestId('layers-grid');
  await expect(grid.getByTestId('layer-row-1').locator('button.head-tile')).toHaveCount(4);
  await expect(grid.getByTestId('layer-row-2').locator('button.head-tile')).toHaveCount(4);
  await grid.getByTestId('layer-row-2').getByTestId('head-tile-3').click();
  await waitForModel(page, 2);
  await expect(page.getByTestId('status')).toContainText('layer 2 of 2 · head 3 of 4');
  expect(page.url()).toContain('layer=2');
  const want = model.run({ text: SENTENCE });
  const weights = await page.evaluate(() => Array.from(window.__attentionPlayground.lastResult.weights));
  expect(weights).toEqual(Array.from(want.attentions[1]));
  expect(errors).toEqual([]);
});

test('the second sentence box shows the cosine of the two sentence embeddings', async ({ page }) => {
  test.setTimeout(90_000);
  const other = 'A tired dog stayed on the road.';
  await page.goto(`/#input=model&text=${encodeURIComponent(SENTENCE)}&text2=${encodeURIComponent(other)}`);
  await waitForModel(page, 1);
  const a = model.run({ text: SENTENCE }).embedding, b = model.run({ text: other }).embedding;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  await expect(page.getByTestId('model-similarity')).toContainText(`Cosine similarity of the two sentence embeddings: ${(ab / Math.sqrt(aa * bb)).toFixed(3)}`);
});

test('the steps view traces a learned head\'s row through the core, and text past 128 tokens is cut with a note', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto(`/#input=model&view=steps&query=9&text=${encodeURIComponent(SENTENCE)}`);
  await waitForModel(page, 1);
  await expect(page.getByTestId('steps')).toContainText('␣it');
  const long = Array.from({ length: 200 }, () => 'word').join(' ');
  await page.getByTestId('text-input').fill(long);
  await expect(page.getByTestId('status')).toContainText('Showing the first 128 of 200 tokens');
});

test('other modes never load the model', async ({ page }) => {
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`/#text=${encodeURIComponent(SENTENCE)}`);
  await expect(page.getByTestId('heatmap')).toHaveAttribute('data-digest', /\S/);
  await page.waitForTimeout(500);
  expect(requests.filter((url) => url.includes('shard') || url.includes('vocab'))).toEqual([]);
});

test('model=moby-dick shows the bundled character-level GPT-2: its causal attention, equal to the API\'s, and its next characters', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  const text = 'Call me Ishmael. Some years ago';
  const moby = await loadModel('moby-dick');
  const want = moby.run({ text });
  moby.release();
  await page.goto(`/#input=model&model=moby-dick&layer=2&head=3&text=${encodeURIComponent(text)}`);
  await waitForModel(page, 2);
  await expect(page.getByTestId('model-select')).toHaveValue('moby-dick');
  await expect(page.getByTestId('moby-dick-model-hint')).toBeVisible();
  await expect(page.getByTestId('bundled-model-hint')).toBeHidden();
  const shown = await page.evaluate(() => {
    const r = window.__attentionPlayground.lastResult;
    return { weights: Array.from(r.weights), n: r.n, name: r.model.name };
  });
  expect(shown.name).toBe('moby-dick');
  expect(shown.n).toBe(text.length);  // one token per character
  const T = text.length;
  expect(shown.weights).toEqual(Array.from(want.attentions[1]));  // layer 2, every head
  expect(shown.weights[2 * T * T + 1]).toBe(0);  // causal: head 3's first character sees only itself
  await expect(page.getByTestId('status')).toContainText('layer 2 of 2 · head 3 of 4');
  const next = page.getByTestId('model-next-list').locator('li');
  await expect(next).toHaveCount(10);
  await expect(next.first()).toContainText(`${(100 * want.next[0].p).toFixed(1)}%`);
  expect(errors).toEqual([]);
});
