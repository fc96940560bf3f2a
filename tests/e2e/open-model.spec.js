// Model mode's "Open a model…": small GPT-2 and BERT checkpoints written by
// scripts/checkpoints.mjs (random weights, a real tokenizer.json) into a temp
// folder, given to the page by a drop, the file dialog and the folder dialog.
// The page's weights are the API's weights for the same files and text
// (loadModel({ files }) here in Node), the grid has the checkpoint's layers
// and heads, a missing or broken file is named and the previous model stays,
// and a link can only say that the model was a local one.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { loadModel } from '../../wasm/index.js';
import { writeCheckpoint } from '../../scripts/checkpoints.mjs';
import { watchErrors } from './support.js';

const SENTENCE = 'The cat sat on the mat.';
const OTHER = 'The dog sat on the log.';
const GPT2 = { family: 'gpt2', layers: 3, heads: 2, width: 16, seed: 5 };
const BERT = { family: 'bert', layers: 2, heads: 4, width: 16, seed: 7, dtype: 'f16', prefix: true };

let dir;
const folders = {};
const expected = {};

/** Writes files (name -> bytes) into a new folder under the temp dir; returns its path. */
function writeFolder(name, files) {
  const folder = path.join(dir, name);
  mkdirSync(folder, { recursive: true });
  for (const [file, bytes] of Object.entries(files)) writeFileSync(path.join(folder, file), bytes);
  return folder;
}

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'open-model-'));
  for (const [name, options] of Object.entries({ gpt2: GPT2, bert: BERT })) {
    const { files } = writeCheckpoint(options);
    folders[name] = { path: writeFolder(`tiny-${name}`, files), files };
    const model = await loadModel({ files });
    expected[name] = model.run({ text: SENTENCE });
    expected[`${name} other`] = model.run({ text: OTHER });
    model.release();
  }
});

test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Waits until the page shows a model result whose model has `layers` layers (and is from disk, or not). */
async function waitForModel(page, { layers, local }) {
  await page.waitForFunction(
    ([l, fromDisk]) => {
      const shown = window.__attentionPlayground;
      const m = shown?.lastResult?.model;
      return shown && !shown.pending && m && m.info.layers === l && m.local === fromDisk;
    },
    [layers, local],
    { timeout: 45_000 },
  );
}

/** Drops files (name -> bytes) on the drop zone, in a DataTransfer built in the page from their bytes. */
async function dropFiles(page, files) {
  const list = Object.entries(files).map(([name, bytes]) => ({ name, bytes: Buffer.from(bytes).toString('base64') }));
  await page.getByTestId('model-drop').evaluate((zone, entries) => {
    const transfer = new DataTransfer();
    for (const { name, bytes } of entries) {
      const binary = atob(bytes);
      const data = Uint8Array.from(binary, (c) => c.charCodeAt(0));
      transfer.items.add(new File([data], name));
    }
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, list);
}

const shownWeights = (page) => page.evaluate(() => Array.from(window.__attentionPlayground.lastResult.weights));
const headOf = (attentions, head, T) => Array.from(attentions.subarray(head * T * T, (head + 1) * T * T));

test('a dropped GPT-2 checkpoint shows its 3 × 2 grid, the API\'s weights, a head switch and its next tokens', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await page.goto(`/#input=model&view=layers&text=${encodeURIComponent(SENTENCE)}`);
  await waitForModel(page, { layers: 2, local: false });
  await dropFiles(page, folders.gpt2.files);
  await waitForModel(page, { layers: 3, local: true });

  const grid = page.getByTestId('layers-grid');
  for (const row of [1, 2, 3]) await expect(grid.getByTestId(`layer-row-${row}`).locator('button.head-tile')).toHaveCount(2);
  await expect(grid.getByTestId('layer-row-4')).toHaveCount(0);
  const want = expected.gpt2;
  const T = want.ids.length;
  expect(await shownWeights(page)).toEqual(Array.from(want.attentions[0]));
  await expect(page.getByTestId('status')).toContainText('layer 1 of 3 · head 1 of 2');
  await expect(page.getByTestId('model-info')).toContainText('GPT-2 · 3 layers × 2 heads, width 16');
  await expect(page.getByTestId('model-info')).toContainText('parameters (F32)');
  expect(page.url()).toContain('model=local');
  expect(page.url()).not.toContain('safetensors');
  // The files were read and the model run in the compute worker, not on the page.
  expect(await page.evaluate(() => window.__attentionPlayground.computedIn)).toBe('worker');
  await expect(page.getByTestId('perf')).toContainText('in the worker');

  // GPT-2 attends only backwards: the first row's weight is all on the first token.
  expect(want.attentions[0][1]).toBe(0);
  const before = await page.getByTestId('heatmap').getAttribute('data-digest');
  await grid.getByTestId('layer-row-2').getByTestId('head-tile-2').click();
  await expect(page.getByTestId('status')).toContainText('layer 2 of 3 · head 2 of 2');
  await expect(page.getByTestId('heatmap')).not.toHaveAttribute('data-digest', before);
  expect(await page.evaluate(() => window.__attentionPlayground.head)).toBe(2);
  expect(headOf(await page.evaluate(() => window.__attentionPlayground.lastResult.weights), 1, T)).toEqual(headOf(want.attentions[1], 1, T));

  const next = page.getByTestId('model-next-list').locator('li');
  await expect(next).toHaveCount(10);
  await expect(next.first()).toContainText(`${(100 * want.next[0].p).toFixed(1)}%`);
  // The steps view traces a row through the core with GPT-2's causal mask: the first query may attend only itself.
  await page.getByTestId('view-tab-steps').click();
  await expect(page.getByTestId('steps')).toContainText('#3 cat');
  await expect(page.getByTestId('steps')).toContainText('may attend 1 of 9');
  await expect(page.getByTestId('steps')).toContainText('no (masked)');
  expect(errors).toEqual([]);
});

test('the file dialog and the folder dialog open a BERT checkpoint (F16, prefixed tensors) as a 2 × 4 grid', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await page.goto(`/#input=model&view=layers&text=${encodeURIComponent(SENTENCE)}`);
  await waitForModel(page, { layers: 2, local: false });
  const names = Object.keys(folders.bert.files).map((name) => path.join(folders.bert.path, name));
  await page.getByTestId('model-files').setInputFiles(names);
  await waitForModel(page, { layers: 2, local: true });
  const grid = page.getByTestId('layers-grid');
  for (const row of [1, 2]) await expect(grid.getByTestId(`layer-row-${row}`).locator('button.head-tile')).toHaveCount(4);
  expect(await shownWeights(page)).toEqual(Array.from(expected.bert.attentions[0]));
  await expect(page.getByTestId('tokens')).toContainText('[CLS]');
  await expect(page.getByTestId('model-info')).toContainText('BERT · 2 layers × 4 heads, width 16');

  // Then the GPT-2 folder through the folder dialog (its files carry their folder's path).
  await page.getByTestId('model-folder').setInputFiles(folders.gpt2.path);
  await waitForModel(page, { layers: 3, local: true });
  await expect(page.getByTestId('model-info')).toContainText('tiny-gpt2 from your disk');
  expect(await shownWeights(page)).toEqual(Array.from(expected.gpt2.attentions[0]));
  expect(errors).toEqual([]);
});

test('a dropped folder is read through its directory entries, in batches, skipping hidden folders and deeper duplicates', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await page.goto(`/#input=model&view=layers&text=${encodeURIComponent(SENTENCE)}`);
  await waitForModel(page, { layers: 2, local: false });
  const list = Object.entries(folders.bert.files).map(([name, bytes]) => ({ name, bytes: Buffer.from(bytes).toString('base64') }));
  // Chromium gives a dragged folder as FileSystemDirectoryEntry objects; a page
  // cannot make those, so the drop carries entries of the same shape (a reader
  // whose readEntries answers in batches, then an empty one).
  await page.getByTestId('model-drop').evaluate((zone, entries) => {
    const fileEntry = (name, data) => ({ isFile: true, isDirectory: false, name, file: (ok) => ok(new File([data], name)) });
    const folder = (name, children) => ({
      isFile: false, isDirectory: true, name,
      createReader() {
        const batches = [children.slice(0, 2), children.slice(2), []];
        return { readEntries: (ok) => setTimeout(() => ok(batches.shift() ?? []), 0) };
      },
    });
    const decode = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bogus = new TextEncoder().encode('{"model_type": "t5"}');
    const root = folder('tiny-bert', [
      ...entries.map(({ name, bytes }) => fileEntry(name, decode(bytes))),
      folder('onnx', [fileEntry('config.json', bogus)]),
      folder('.git', [fileEntry('config.json', bogus)]),
      fileEntry('README.md', new TextEncoder().encode('# tiny')),
    ]);
    const item = { kind: 'file', webkitGetAsEntry: () => root };
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(drop, 'dataTransfer', { value: { items: [item], files: [] } });
    zone.dispatchEvent(drop);
  }, list);
  await waitForModel(page, { layers: 2, local: true });
  await expect(page.getByTestId('model-info')).toContainText('tiny-bert from your disk: BERT · 2 layers × 4 heads');
  const grid = page.getByTestId('layers-grid');
  for (const row of [1, 2]) await expect(grid.getByTestId(`layer-row-${row}`).locator('button.head-tile')).toHaveCount(4);
  expect(await shownWeights(page)).toEqual(Array.from(expected.bert.attentions[0]));
  expect(errors).toEqual([]);
});

test('a missing file is named, and the bundled model stays shown', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto(`/#input=model&text=${encodeURIComponent(SENTENCE)}`);
  await waitForModel(page, { layers: 2, local: false });
  const { files } = folders.gpt2;
  const error = page.getByTestId('model-error');

  await dropFiles(page, { 'config.json': files['config.json'], 'model.safetensors': files['model.safetensors'] });
  await expect(error).toContainText('no tokenizer: give tokenizer.json, or vocab.json + merges.txt (GPT-2)');
  await dropFiles(page, { 'model.safetensors': files['model.safetensors'], 'tokenizer.json': files['tokenizer.json'] });
  await expect(error).toContainText('config.json is missing');
  await dropFiles(page, { 'config.json': files['config.json'], 'tokenizer.json': files['tokenizer.json'], 'pytorch_model.bin': new Uint8Array(16) });
  await expect(error).toContainText('model.safetensors is missing: it holds the weights (only safetensors weights are read, not pytorch_model.bin)');

  expect(await page.evaluate(() => window.__attentionPlayground.lastResult.model.name)).toBe('use-lite');
  await expect(page.getByTestId('status')).toContainText('use-lite · layer 1 of 2');
  expect(page.url()).toContain('model=use-lite');
});

test('a broken or too large checkpoint shows the loader\'s error as text, and the previous model stays loaded and shown', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await page.goto(`/#input=model&text=${encodeURIComponent(SENTENCE)}`);
  await waitForModel(page, { layers: 2, local: false });
  await dropFiles(page, folders.gpt2.files);
  await waitForModel(page, { layers: 3, local: true });
  const good = await shownWeights(page);
  const error = page.getByTestId('model-error');

  // NaN in the weights: only the engine reads them, in the worker.
  const nan = { ...folders.gpt2.files, 'model.safetensors': folders.gpt2.files['model.safetensors'].slice() };
  const view = new DataView(nan['model.safetensors'].buffer);
  view.setFloat32(8 + Number(view.getBigUint64(0, true)) + 4 * 5, NaN, true);
  await dropFiles(page, nan);
  await expect(error).toContainText('could not be loaded: model.safetensors: tensor "wte.weight": element 5 is NaN; expected finite weights');
  await expect(error).toContainText('The previous model stays.');
  await waitForModel(page, { layers: 3, local: true });
  expect(await shownWeights(page)).toEqual(good);
  await expect(page.getByTestId('status')).toContainText('layer 1 of 3');
  await expect(page.getByTestId('heatmap')).toBeVisible();

  // The previous model still runs: a new sentence is computed by it.
  await page.getByTestId('text-input').fill(OTHER);
  const other = expected['gpt2 other'];
  await page.waitForFunction((n) => window.__attentionPlayground.lastResult?.n === n, other.ids.length, { timeout: 30_000 });
  expect(await shownWeights(page)).toEqual(Array.from(other.attentions[0]));

  // A header whose length runs past the file: refused on the page before anything is sent.
  const cut = { ...folders.gpt2.files, 'model.safetensors': folders.gpt2.files['model.safetensors'].slice(0, 100) };
  await dropFiles(page, cut);
  await expect(error).toContainText('model.safetensors: its header is');
  await expect(error).toContainText('past the file\'s end (100 bytes)');

  // A header naming 500 million float32 weights (2 GB of them): refused with the sizes, before its weights are read.
  const header = JSON.stringify({ 'wte.weight': { dtype: 'F32', shape: [500_000_000], data_offsets: [0, 2_000_000_000] } });
  const huge = new Uint8Array(8 + header.length + 64);
  new DataView(huge.buffer).setBigUint64(0, BigInt(header.length), true);
  huge.set(new TextEncoder().encode(header), 8);
  await dropFiles(page, { ...folders.gpt2.files, 'model.safetensors': huge });
  await expect(error).toContainText('This model is too large for the page: GPT-2 · 3 layers × 2 heads, width 16 · 500.0 million parameters (F32)');
  await expect(error).toContainText('up to 1.50 GB');

  // Hostile text in a config is shown as text, never HTML.
  const hostile = new TextEncoder().encode(JSON.stringify({ model_type: '<img src=x onerror="window.__pwned=1">' }));
  await dropFiles(page, { ...folders.gpt2.files, 'config.json': hostile });
  await expect(error).toContainText('config.json: model_type "<img src=x');
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();

  expect(await shownWeights(page)).not.toEqual([]);
  await expect(page.getByTestId('status')).toContainText('layer 1 of 3');
  expect(errors).toEqual([]);
});

test('a model=local link says a local model cannot travel in a link, offers "Open a model…", and the bundled model stays selectable', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await page.goto(`/#input=model&model=local&text=${encodeURIComponent(SENTENCE)}`);
  const note = page.getByTestId('local-model-note');
  await expect(note).toBeVisible();
  await expect(note).toContainText('a local model cannot travel in a link');
  await expect(page.getByTestId('status')).toContainText('a local model cannot travel in a link');
  await expect(page.getByTestId('open-model')).toBeVisible();
  await expect(page.getByTestId('model-select')).toHaveValue('local');
  await expect(page.getByTestId('local-model-hint')).toBeVisible();
  await expect(page.getByTestId('bundled-model-hint')).toBeHidden();

  await page.getByTestId('model-select').selectOption('use-lite');
  await waitForModel(page, { layers: 2, local: false });
  await expect(note).toBeHidden();
  await expect(page.getByTestId('bundled-model-hint')).toBeVisible();
  await expect(page.getByTestId('local-model-hint')).toBeHidden();

  // Opening the files again from the link's page shows the model.
  await page.getByTestId('model-select').selectOption('local');
  await expect(note).toBeVisible();
  await dropFiles(page, folders.gpt2.files);
  await waitForModel(page, { layers: 3, local: true });
  await expect(note).toBeHidden();
  expect(errors).toEqual([]);
});

test('model mode with a model from disk, its next tokens and an error shown has no serious axe violations', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto(`/#input=model&text=${encodeURIComponent(SENTENCE)}`);
  await waitForModel(page, { layers: 2, local: false });
  await dropFiles(page, folders.gpt2.files);
  await waitForModel(page, { layers: 3, local: true });
  await dropFiles(page, { 'config.json': folders.gpt2.files['config.json'] });
  await expect(page.getByTestId('model-error')).toContainText('model.safetensors is missing');
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  expect(serious).toEqual([]);
});
