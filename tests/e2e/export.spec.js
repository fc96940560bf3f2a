// The export toolbar of the main page, in a real browser: PNG and SVG of
// the current view, the weights as CSV and JSON (read back and compared with
// the engine's numbers bit for bit), and "Copy as PyTorch" to the clipboard
// or, without one, into a text box.
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { parseWeightsCsv } from '../../web/src/export/csv.js';
import { parseWeightsJson } from '../../web/src/export/json.js';
import { formatWeight } from '../../web/src/views/format.js';

async function openPlayground(page, hash = '') {
  await page.goto(`/${hash}`);
  await expect(page.getByTestId('heatmap')).toHaveAttribute('data-digest', /\S/);
  await expect(page.getByTestId('export-toolbar')).toBeVisible();
}

/** Clicks an export button and returns the downloaded file's name and bytes. */
async function download(page, kind) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-export="${kind}"]`).click()]);
  return { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
}

const text = (bytes) => bytes.toString('utf8').replace(/^\uFEFF/, '');

/** The weights the engine computes for the page's sentence, as the playground builds them (d = 16). */
function engineTextWeights(page) {
  return page.evaluate(() => {
    const engine = window.__attentionEngine;
    const { tokens, state } = window.__attentionPlayground;
    const qkv = engine.embedText({ tokens, heads: state.heads, dim: 16, seed: state.seed });
    const { weights } = engine.attention({ ...qkv, heads: state.heads, queries: tokens.length, keys: tokens.length, dim: 16, variant: state.variant });
    return { tokens, heads: state.heads, weights: Array.from(weights) };
  });
}

test.describe('the export toolbar', () => {
  test('has a labelled button for every format', async ({ page }) => {
    await openPlayground(page);
    const bar = page.getByRole('toolbar', { name: 'Export' });
    for (const name of ['PNG', 'SVG', 'CSV', 'JSON', 'Copy as PyTorch']) {
      await expect(bar.getByRole('button', { name: new RegExp(name) })).toBeVisible();
    }
  });

  test('exported CSV holds exactly the engine\'s weights, every head, with the tokens', async ({ page }) => {
    await openPlayground(page, '#text=the+cat+sat+on+the+mat&heads=2&seed=4');
    const file = await download(page, 'csv');
    expect(file.name).toMatch(/\.csv$/);
    const csv = parseWeightsCsv(text(file.bytes));
    const want = await engineTextWeights(page);
    expect(csv.heads).toBe(2);
    expect(csv.rowTokens).toEqual(want.tokens);
    expect(csv.colTokens).toEqual(want.tokens);
    expect(Array.from(csv.weights)).toEqual(want.weights);
  });

  test('exported CSV has no byte order mark and tells repeated tokens apart by their position', async ({ page }) => {
    await openPlayground(page, '#text=the+cat+sat+on+the+mat&heads=1');
    const { bytes } = await download(page, 'csv');
    expect([...bytes.subarray(0, 3)]).not.toEqual([0xef, 0xbb, 0xbf]);
    const raw = bytes.toString('utf8');
    expect(raw.startsWith('head,query,')).toBe(true);
    const [header, ...lines] = raw.trim().split('\r\n');
    expect(header).toBe('head,query,the (1),cat,sat,on,the (5),mat');
    expect(lines.map((line) => line.split(',')[1])).toEqual(['the (1)', 'cat', 'sat', 'on', 'the (5)', 'mat']);
  });

  test('exported CSV of cross-attention has target rows and source columns equal to the page\'s weights', async ({ page }) => {
    await openPlayground(page, '#input=cross&source=le+chat&target=the+black+cat');
    const csv = parseWeightsCsv(text((await download(page, 'csv')).bytes));
    const page_ = await page.evaluate(() => ({ weights: Array.from(window.__attentionPlayground.lastResult.weights) }));
    expect(csv.rowTokens).toEqual(['the', 'black', 'cat']);
    expect(csv.colTokens).toEqual(['le', 'chat']);
    expect(Array.from(csv.weights)).toEqual(page_.weights);
  });

  test('exported JSON holds the weights, tokens and the state', async ({ page }) => {
    await openPlayground(page, '#text=one+two+three&heads=1&variant=dot&causal=true');
    const file = await download(page, 'json');
    expect(file.name).toMatch(/\.json$/);
    const json = parseWeightsJson(text(file.bytes));
    const want = await page.evaluate(() => Array.from(window.__attentionPlayground.lastResult.weights));
    expect(Array.from(json.weights)).toEqual(want);
    expect(json.rowTokens).toEqual(['one', 'two', 'three']);
    expect(json.state).toMatchObject({ variant: 'dot', causal: true, text: 'one two three' });
  });

  test('SVG export is a well-formed document with the token labels escaped', async ({ page }) => {
    await openPlayground(page, `#text=${encodeURIComponent('a <b> & "c"')}&heads=1`);
    const file = await download(page, 'svg');
    expect(file.name).toMatch(/\.svg$/);
    const svg = text(file.bytes);
    expect(svg).toContain('&lt;');
    expect(svg).toContain('&amp;');
    expect(svg).toContain('&quot;');
    expect(svg).not.toContain('<b>');
    const check = await page.evaluate((source) => {
      const doc = new DOMParser().parseFromString(source, 'image/svg+xml');
      return {
        broken: doc.getElementsByTagName('parsererror').length,
        root: doc.documentElement.localName,
        rects: doc.getElementsByTagName('rect').length,
        labels: Array.from(doc.getElementsByTagName('text'), (t) => t.textContent),
        scripts: doc.getElementsByTagName('script').length,
      };
    }, svg);
    expect(check.broken).toBe(0);
    expect(check.root).toBe('svg');
    expect(check.scripts).toBe(0);
    expect(check.labels).toEqual(expect.arrayContaining(['<', '>', '&', '"']));
    expect(check.rects).toBeGreaterThanOrEqual(7 * 7);
  });

  test('SVG export is the picture of the open view: heatmap, lines, heads or output, and none for a view of numbers', async ({ page }) => {
    await openPlayground(page, '#text=the+cat+sat+on+the+mat&heads=2&head=2&allheads=false');
    const shapes = (svg) => page.evaluate((source) => {
      const doc = new DOMParser().parseFromString(source, 'image/svg+xml');
      return {
        broken: doc.getElementsByTagName('parsererror').length,
        title: doc.querySelector('title')?.textContent ?? '',
        lines: doc.getElementsByTagName('line').length,
        heads: [...doc.querySelectorAll('g[data-head]')].map((g) => g.getAttribute('data-head')),
        maps: doc.querySelectorAll('g[shape-rendering="crispEdges"]').length,
        texts: Array.from(doc.getElementsByTagName('text'), (t) => t.textContent),
      };
    }, svg);
    const heatmap = text((await download(page, 'svg')).bytes);
    expect((await shapes(heatmap)).title).toContain('head 2 of 2');

    await page.getByTestId('view-tab-lines').click();
    await expect(page.getByTestId('lines')).toHaveAttribute('data-lines', /\d+/);
    const lines = text((await download(page, 'svg')).bytes);
    expect(lines).not.toBe(heatmap);
    const drawn = Number(await page.getByTestId('lines').getAttribute('data-lines'));
    const lineShapes = await shapes(lines);
    expect(lineShapes.broken).toBe(0);
    expect(lineShapes.lines).toBe(drawn);
    expect(lineShapes.heads).toEqual(['2']);
    expect(lineShapes.texts).toEqual(expect.arrayContaining(['the', 'cat', 'mat', 'head 2']));

    await page.getByTestId('view-tab-heads').click();
    const heads = await shapes(text((await download(page, 'svg')).bytes));
    expect(heads.maps).toBe(3);
    expect(heads.texts).toEqual(expect.arrayContaining(['head 1', 'head 2', 'average of 2']));

    await page.getByTestId('view-tab-output').click();
    expect((await shapes(text((await download(page, 'svg')).bytes))).title).toBe('Output of head 2');

    for (const view of ['steps', 'breakdown', 'stats']) {
      await page.getByTestId(`view-tab-${view}`).click();
      await page.locator('[data-export="svg"]').click();
      await expect(page.getByTestId('export-toolbar').getByRole('alert')).toContainText('no picture to save as SVG');
    }
  });

  test('PNG export is the picture without the selection box and with the colour legend', async ({ page }) => {
    await openPlayground(page, '#text=the+cat+sat+on+the+mat&heads=1&query=0&key=0');
    const first = await download(page, 'png');
    // Another selected cell: the canvas on the page draws its dashed box elsewhere, the exported picture is the same.
    await page.goto('/#text=the+cat+sat+on+the+mat&heads=1&query=4&key=2');
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-digest', /\S/);
    await expect.poll(() => page.evaluate(() => window.__attentionPlayground.state.query)).toBe(4);
    const second = await download(page, 'png');
    expect(second.bytes.equals(first.bytes)).toBe(true);
    // The legend is a smooth ramp: a row of the picture holds a long run of many distinct colours,
    // which a row of cells (a few flat colours) and text never do.
    const ramp = await page.evaluate(async (base64) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(image, 0, 0);
      const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let best = 0;
      for (let y = 0; y < height; y++) {
        let colours = new Set();
        for (let x = 0; x < width; x++) {
          const p = 4 * (y * width + x);
          const [r, g, b] = [data[p], data[p + 1], data[p + 2]];
          if (r > 235 && g > 235 && b > 235) {
            colours = new Set();
            continue;
          }
          colours.add((r << 16) | (g << 8) | b);
          best = Math.max(best, colours.size);
        }
      }
      return { best, width, height };
    }, first.bytes.toString('base64'));
    expect(ramp.best).toBeGreaterThan(60);
  });

  test('PNG export of the heatmap and of the lines view is a PNG file', async ({ page }) => {
    await openPlayground(page);
    for (const view of ['heatmap', 'lines']) {
      await page.getByTestId(`view-tab-${view}`).click();
      const file = await download(page, 'png');
      expect(file.name).toMatch(/\.png$/);
      expect([...file.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    }
    await page.getByTestId('view-tab-steps').click();
    await page.locator('[data-export="png"]').click();
    await expect(page.getByTestId('export-toolbar').getByRole('alert')).toContainText('no picture');
  });

  test('Copy as PyTorch puts a runnable script with the tensors and the mask on the clipboard', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await openPlayground(page, '#input=matrix&nq=2&nk=3&d=2&dv=2&seed=3&mask=true');
    await page.getByTestId('mask-editor').locator('button.mask-cell[data-row="0"][data-col="2"]').click();
    await expect.poll(() => page.evaluate(() => window.__attentionPlayground.lastResult.weights[2])).toBe(0);
    await page.locator('[data-export="pytorch"]').click();
    await expect(page.getByTestId('export-toolbar').getByRole('status')).toContainText('Copied a PyTorch script');
    const script = await page.evaluate(() => navigator.clipboard.readText());
    expect(script).toContain('scaled_dot_product_attention');
    expect(script).toContain('torch.tensor(');
    expect(script).toContain('dtype=torch.bool');
    const q = await page.evaluate(() => Array.from(window.__attentionPlayground.lastResult.query));
    expect(script).toContain(`[${q.slice(0, 2).map(formatWeight).join(', ')}]`);
    expect(script).toContain('[1, 1, 0]');
  });

  test('without a clipboard, Copy as PyTorch shows the script in a text box', async ({ page }) => {
    await page.addInitScript(() => {
      Object.defineProperty(navigator, 'clipboard', { value: { writeText: () => Promise.reject(new Error('denied')) } });
    });
    await openPlayground(page, '#text=the+cat+sat&heads=1');
    await page.locator('[data-export="pytorch"]').click();
    const box = page.getByRole('textbox', { name: 'PyTorch script to copy' });
    await expect(box).toBeVisible();
    const script = await box.inputValue();
    expect(script).toContain('scaled_dot_product_attention');
    expect(script).toContain('q = torch.tensor(');
  });
});
