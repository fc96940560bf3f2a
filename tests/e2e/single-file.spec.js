// dist/attention-playground.html: the core, the views, cross-attention, the
// mask editor and the comparison in one file, opened straight from disk (file://) with nothing beside it and no server.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';
import { latestDetail, watchErrors } from './support.js';

let folder;
let fileUrl;
let html;

// The file as the build wrote it, copied ALONE into an empty folder: if it
// needed anything beside it, opening it there would fail.
test.beforeAll(async ({ request }) => {
  const response = await request.get('/attention-playground.html');
  expect(response.ok()).toBe(true);
  html = await response.text();
  folder = mkdtempSync(path.join(tmpdir(), 'attention-single-file-'));
  const file = path.join(folder, 'attention-playground.html');
  writeFileSync(file, html);
  fileUrl = pathToFileURL(file).href;
});

test.afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** The element's latest detail with plain arrays, waiting for the first. */
test.describe('the single-file playground', () => {
  test('refers to no other file: every script and style is inline', () => {
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).not.toMatch(/<link[^>]*rel="?(stylesheet|modulepreload)/i);
    expect(html.match(/<script\b/gi)).toHaveLength(1);
    expect(html).toContain('<script type="module">');
  });

  test('works from file:// with no network and computes the same weights as the served module', async ({ page }) => {
    const errors = watchErrors(page);
    const requests = [];
    page.on('request', (request) => requests.push(request.url()));

    await page.goto(`${fileUrl}#text=the+cat+sat+on+the+mat&heads=3&head=2&causal=true&seed=7&variant=additive`);
    const element = page.locator('attention-playground');
    await expect(element.getByTestId('heatmap')).toHaveAttribute('data-rows', '6', { timeout: 15_000 });
    await expect(element.locator('.title')).toHaveText('heatmap · head 2 of 3');
    const fromDisk = await latestDetail(element, { timeout: 15_000 });
    expect(fromDisk.state).toMatchObject({ text: 'the cat sat on the mat', heads: 3, head: 2, causal: true, seed: 7, variant: 'additive', controls: 'full' });
    expect(requests.every((url) => url.startsWith('file:') || url.startsWith('data:'))).toBe(true);
    expect(errors).toEqual([]);

    // The same state in the served module (its .wasm fetched beside it) gives bit-identical weights.
    await page.route('**/fixture.html', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html lang="en"><head><title>Fixture</title><link rel="icon" href="data:,">
          <script type="module" src="./attention-playground.js"></script></head><body>
          <attention-playground text="the cat sat on the mat" heads="3" head="2" causal seed="7" variant="additive"></attention-playground>
          </body></html>`,
      }),
    );
    await page.goto('/fixture.html');
    const served = await latestDetail(page.locator('attention-playground'), { timeout: 15_000 });
    expect(fromDisk.tokens).toEqual(served.tokens);
    expect(fromDisk.weights).toEqual(served.weights);
  });

  test('says what it holds, and what it holds works from disk: two texts, the mask editor, the comparison', async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto(`${fileUrl}#input=cross&source=le+chat+noir&target=the+cat&mask=true&compare=dot&heads=1`);
    const holds = page.getByTestId('single-file-holds');
    await expect(holds).toContainText('cross-attention');
    await expect(holds).toContainText('the mask editor');
    await expect(holds).toContainText('does not hold edited matrices, long input, a pretrained model, export');
    expect(html).not.toContain('whole playground');
    const element = page.locator('attention-playground');
    await expect(element.getByTestId('heatmap')).toHaveAttribute('data-cols', '3', { timeout: 15_000 });
    await expect(element.getByTestId('heatmap')).toHaveAttribute('data-rows', '2');
    await expect(element.getByTestId('mask-editor')).toBeVisible();
    await expect(element.getByTestId('compare-diff')).toHaveAttribute('data-digest', /\S/);
    await element.getByTestId('mask-editor').locator('button.mask-cell[data-row="1"][data-col="0"]').click();
    await expect.poll(async () => (await latestDetail(element)).weights[3]).toBe(0);
    expect(errors).toEqual([]);
  });

  test('edits recompute and are kept in the address', async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto(fileUrl);
    const element = page.locator('attention-playground');
    await latestDetail(element, { timeout: 15_000 });
    await element.getByLabel('Sentence').fill('dogs chase cats');
    await expect(element.getByTestId('heatmap')).toHaveAttribute('data-rows', '3');
    await element.getByLabel('Heads', { exact: true }).fill('4');
    await expect.poll(() => latestDetail(element, { timeout: 15_000 }).then((d) => d.heads)).toBe(4);
    await expect(page).toHaveURL(/^file:.*#text=dogs\+chase\+cats&variant=scaled_dot&heads=4/);
    expect(errors).toEqual([]);
  });
});
