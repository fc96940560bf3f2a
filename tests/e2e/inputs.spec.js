// The inputs of the main page, in a real browser: Q, K and V as matrices
// (pasted as CSV, JSON or NumPy, or seeded random from the link), the mask
// editor, cross-attention between two texts and the comparison of two
// variants. Every number the page shows is checked against the engine
// (window.__attentionEngine) run on the same inputs.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { watchErrors, openPlayground } from './support.js';

const VIEWS = ['heatmap', 'lines', 'heads', 'steps', 'breakdown', 'output', 'stats'];

/** The page's result as plain arrays, and the engine's weights and output for the very request the page made. */
function readAndRecompute(page) {
  return page.evaluate(() => {
    const { lastResult: r, tokens, colTokens, state } = window.__attentionPlayground;
    const again = window.__attentionEngine.attention(r.request);
    return {
      state, tokens, colTokens,
      heads: r.heads, queries: r.queries, keys: r.keys, dim: r.dim, valueDim: r.valueDim,
      query: Array.from(r.query), key: Array.from(r.key), value: Array.from(r.value),
      weights: Array.from(r.weights), output: Array.from(r.output),
      engineWeights: Array.from(again.weights), engineOutput: Array.from(again.output),
      mask: r.request.mask ? Array.from(r.request.mask) : null,
      keyPadding: r.request.keyPadding ? Array.from(r.request.keyPadding) : null,
    };
  });
}

/** The engine's weights for plain Q, K, V arrays and the page's options (scaled_dot). */
function engineWeights(page, { query, key, value, queries, keys, dim, valueDim, mask, keyPadding }) {
  return page.evaluate((req) => {
    const f = (a) => Float32Array.from(a);
    const u = (a) => (a ? Uint8Array.from(a) : undefined);
    const { weights } = window.__attentionEngine.attention({
      query: f(req.query), key: f(req.key), value: f(req.value),
      queries: req.queries, keys: req.keys, dim: req.dim, valueDim: req.valueDim, variant: 'scaled_dot',
      ...(req.mask ? { mask: u(req.mask) } : {}), ...(req.keyPadding ? { keyPadding: u(req.keyPadding) } : {}),
    });
    return Array.from(weights);
  }, { query, key, value, queries, keys, dim, valueDim, mask, keyPadding });
}

/** Pastes text into the matrix editor of role ('query' | 'key' | 'value') and loads it. */
async function paste(page, role, text) {
  const editor = page.locator(`[data-matrix="${role}"]`);
  const details = editor.locator('details.matrix-import');
  if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
  await editor.locator('textarea').fill(text);
  await editor.getByRole('button', { name: 'Load' }).click();
  return editor;
}

const Q = [[1, 0.5, -2], [0, 3, 0.25]];
const K = [[1, 0, 0], [0, 1, 0], [0.5, -1, 2]];
const V = [[1, 2], [3, 4], [-5, 6]];

const FORMATS = {
  CSV: (m) => m.map((row) => row.join(',')).join('\n'),
  JSON: (m) => JSON.stringify(m),
  NumPy: (m) => `np.array([${m.map((row) => `[${row.map((x) => (Number.isInteger(x) ? `${x}.` : String(x))).join(', ')}]`).join(',\n ')}], dtype=np.float32)`,
};

test.describe('matrix inputs', () => {
  for (const [format, write] of Object.entries(FORMATS)) {
    test(`Q, K and V pasted as ${format} give the weights the engine computes for the same numbers`, async ({ page }) => {
      const errors = watchErrors(page);
      await openPlayground(page, '#input=matrix');
      await expect(page.getByTestId('matrix-editors')).toBeVisible();
      await expect(page.getByTestId('text-panel')).toBeHidden();
      await paste(page, 'query', write(Q));
      await paste(page, 'key', write(K));
      await paste(page, 'value', write(V));
      await expect(page).toHaveURL(/nq=2&nk=3&d=3&dv=2/);
      await expect(page.getByTestId('heatmap')).toHaveAttribute('data-rows', '2');
      await expect(page.getByTestId('heatmap')).toHaveAttribute('data-cols', '3');
      const r = await readAndRecompute(page);
      expect(r.query).toEqual(Q.flat().map(Math.fround));
      expect(r.key).toEqual(K.flat().map(Math.fround));
      expect(r.value).toEqual(V.flat().map(Math.fround));
      const want = await engineWeights(page, { query: Q.flat(), key: K.flat(), value: V.flat(), queries: 2, keys: 3, dim: 3, valueDim: 2 });
      expect(r.weights).toEqual(want);
      expect(r.colTokens).toEqual(['k1', 'k2', 'k3']);
      await expect(page.getByTestId('matrix-origin')).toContainText('edited matrices are not in the link');
      expect(errors).toEqual([]);
    });
  }

  test('bad pasted text shows what is wrong and where, and the page stays usable', async ({ page }) => {
    await openPlayground(page, '#input=matrix&nq=2&nk=2&d=2&dv=2');
    const before = await page.getByTestId('heatmap').getAttribute('data-digest');
    const editor = await paste(page, 'query', '1, 2\n3, oops');
    const alert = editor.getByRole('alert');
    await expect(alert).toBeVisible();
    await expect(alert).toHaveText("Q: Value 'oops' at row 2, column 2 is not a number");
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-digest', before);
    await paste(page, 'key', '[[1, 2], [3, 4]');
    await expect(page.locator('[data-matrix="key"]').getByRole('alert')).toContainText('Unbalanced brackets');
    await paste(page, 'query', '<img src=x onerror=alert(1)>');
    await expect(alert).toContainText('Q:');
    expect(await page.locator('img').count()).toBe(0);
    // A good paste clears the message and is computed.
    await paste(page, 'query', '1, 0\n0, 1');
    await expect(alert).toBeHidden();
    await expect(page.getByTestId('heatmap')).not.toHaveAttribute('data-digest', before);
    const r = await readAndRecompute(page);
    expect(r.query).toEqual([1, 0, 0, 1]);
    expect(r.weights).toEqual(r.engineWeights);
  });

  test('seeded random Q, K and V of the link are the same after a reload, and another seed changes them', async ({ page }) => {
    const hash = '#input=matrix&nq=3&nk=4&d=2&dv=5&seed=5';
    await openPlayground(page, hash);
    await expect(page.getByTestId('matrix-origin')).toContainText('seeded random from seed 5');
    const first = await readAndRecompute(page);
    expect([first.queries, first.keys, first.dim, first.valueDim]).toEqual([3, 4, 2, 5]);
    expect(first.weights).toEqual(first.engineWeights);
    const firstCell = await page.getByLabel('Q row 1, column 1').inputValue();
    await page.reload();
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-digest', /\S/);
    const again = await readAndRecompute(page);
    expect(again.query).toEqual(first.query);
    expect(again.key).toEqual(first.key);
    expect(again.value).toEqual(first.value);
    expect(again.weights).toEqual(first.weights);
    expect(await page.getByLabel('Q row 1, column 1').inputValue()).toBe(firstCell);
    await page.getByTestId('seed').fill('6');
    await expect(page).toHaveURL(/seed=6/);
    const other = await readAndRecompute(page);
    expect(other.query).not.toEqual(first.query);
  });

  test('the sizes set the shapes of Q, K and V, and a typed cell is computed', async ({ page }) => {
    await openPlayground(page, '#input=matrix&nq=2&nk=3&d=2&dv=2&seed=1');
    await page.getByTestId('nk').fill('4');
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-cols', '4');
    await page.getByLabel('Q row 1, column 1').fill('7.5');
    await expect.poll(async () => (await readAndRecompute(page)).query[0]).toBe(7.5);
    const r = await readAndRecompute(page);
    expect(r.weights).toEqual(r.engineWeights);
    await page.getByTestId('matrix-reseed').click();
    await expect(page.getByTestId('matrix-origin')).toContainText('seeded random from seed 1');
  });
});

test.describe('the mask editor', () => {
  test('states the convention; clicking a cell forbids that key (weight 0) and padding a key zeroes its column', async ({ page }) => {
    await openPlayground(page, '#input=matrix&nq=3&nk=4&d=2&dv=2&seed=2&mask=true');
    const editor = page.getByTestId('mask-editor');
    await expect(editor).toBeVisible();
    await expect(editor).toContainText('1 = may attend');
    const before = await readAndRecompute(page);
    expect(before.weights[1]).toBeGreaterThan(0);

    await editor.locator('button.mask-cell[data-row="0"][data-col="1"]').click();
    await expect(editor.locator('button.mask-cell[data-row="0"][data-col="1"]')).toHaveAttribute('aria-pressed', 'false');
    await expect.poll(async () => (await readAndRecompute(page)).weights[1]).toBe(0);
    let r = await readAndRecompute(page);
    expect(r.mask[1]).toBe(0);
    expect(r.weights.slice(0, 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(r.weights).toEqual(await engineWeights(page, r));

    await editor.locator('button.mask-padding[data-col="2"]').click();
    await expect.poll(async () => (await readAndRecompute(page)).keyPadding?.[2]).toBe(1);
    r = await readAndRecompute(page);
    for (let i = 0; i < 3; i++) expect(r.weights[i * 4 + 2]).toBe(0);
    expect(r.weights).toEqual(await engineWeights(page, r));

    // The mask follows new sizes and applies only while the editor is open.
    await page.getByTestId('mask-toggle').uncheck();
    await expect(editor).toBeHidden();
    r = await readAndRecompute(page);
    expect(r.mask).toBeNull();
    expect(r.weights).toEqual(before.weights);
  });

  test('works on a sentence too, together with causal', async ({ page }) => {
    await openPlayground(page, '#text=a+b+c&mask=true&causal=true&heads=1');
    const editor = page.getByTestId('mask-editor');
    await editor.locator('button.mask-cell[data-row="2"][data-col="0"]').click();
    await expect.poll(async () => (await readAndRecompute(page)).weights[2 * 3 + 0]).toBe(0);
    const r = await readAndRecompute(page);
    expect(r.weights).toEqual(r.engineWeights);
    expect(r.weights[0 * 3 + 1]).toBe(0); // causal still holds
    expect(r.weights[2 * 3 + 1] + r.weights[2 * 3 + 2]).toBeCloseTo(1, 5);
  });
});

test.describe('cross-attention', () => {
  test('rows are the target tokens, columns the source tokens, and the weights are the engine\'s', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page, '#input=cross&source=le+chat+noir&target=the+black+cat+sat&heads=2&seed=3');
    await expect(page.getByTestId('source-input')).toHaveValue('le chat noir');
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-rows', '4');
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-cols', '3');
    const r = await readAndRecompute(page);
    expect(r.tokens).toEqual(['the', 'black', 'cat', 'sat']);
    expect(r.colTokens).toEqual(['le', 'chat', 'noir']);
    const want = await page.evaluate(() => {
      const engine = window.__attentionEngine;
      const target = engine.embedText({ tokens: ['the', 'black', 'cat', 'sat'], heads: 2, dim: 16, seed: 3 });
      const source = engine.embedText({ tokens: ['le', 'chat', 'noir'], heads: 2, dim: 16, seed: 3 });
      const { weights } = engine.attention({
        query: target.query, key: source.key, value: source.value, heads: 2, queries: 4, keys: 3, dim: 16,
      });
      return Array.from(weights);
    });
    expect(r.weights).toEqual(want);
    await page.getByTestId('target-input').fill('un deux');
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-rows', '2');
    await page.getByTestId('source-input').fill('');
    await expect(page.getByTestId('error')).toContainText('source text has no tokens');
    await page.getByTestId('source-input').fill('one');
    await expect(page.getByTestId('error')).toBeHidden();
    expect(errors).toEqual([]);
  });

  for (const mode of ['cross', 'matrix']) {
    test(`every view draws in ${mode} mode, and hovering a cell marks it in the other views`, async ({ page }) => {
      const errors = watchErrors(page);
      await openPlayground(page, `#input=${mode}&source=a+b+c&target=x+y&nq=2&nk=3&heads=2`);
      for (const view of VIEWS) {
        await page.getByTestId(`view-tab-${view}`).click();
        await expect(page.getByTestId(`view-tab-${view}`)).toHaveAttribute('aria-selected', 'true');
        await expect(page.getByTestId('error')).toBeHidden();
      }
      await page.getByTestId('view-tab-steps').click();
      await expect(page.getByTestId('steps')).toContainText(mode === 'cross' ? '#3 c' : '#3 k3');
      await page.getByTestId('view-tab-stats').click();
      await expect(page.getByTestId('stats')).toContainText(mode === 'cross' ? '#2 y' : '#2 q2');
      await page.getByTestId('view-tab-lines').click();
      await expect(page.getByTestId('lines')).toHaveAttribute('aria-label', /from 2 queries to 3 keys/);
      await page.getByTestId('view-tab-heatmap').click();
      const heatmap = page.getByTestId('heatmap');
      const plot = await heatmap.evaluate((c) => ({ left: Number(c.dataset.plotLeft), top: Number(c.dataset.plotTop), w: Number(c.dataset.cellW), h: Number(c.dataset.cellH) }));
      await heatmap.hover({ position: { x: plot.left + 2.5 * plot.w, y: plot.top + 1.5 * plot.h } });
      await expect(page.getByTestId('tooltip')).toBeVisible();
      await expect(page.getByTestId('lines')).toHaveAttribute('data-mark-row', '1');
      await expect(page.getByTestId('lines')).toHaveAttribute('data-mark-col', '2');
      await expect(page.getByTestId('heads-grid')).toHaveAttribute('data-mark-col', '2');
      expect(errors).toEqual([]);
    });
  }
});

test.describe('variant comparison', () => {
  test('shows both variants side by side and their difference, whose largest value is max |a − b| from the engine', async ({ page }) => {
    await openPlayground(page, '#input=matrix&nq=3&nk=4&d=2&dv=2&seed=9&compare=dot');
    const section = page.getByTestId('compare');
    await expect(section).toBeVisible();
    for (const name of ['a', 'b', 'diff']) await expect(page.getByTestId(`compare-${name}`)).toHaveAttribute('data-digest', /\S/);
    await expect(page.getByTestId('compare-a')).toHaveAttribute('data-rows', '3');
    await expect(page.getByTestId('compare-diff')).toHaveAttribute('data-cols', '4');
    const { shown, max } = await page.evaluate(() => {
      const { lastResult: r } = window.__attentionPlayground;
      const engine = window.__attentionEngine;
      const a = engine.attention({ ...r.request, variant: 'scaled_dot' }).weights;
      const b = engine.attention({ ...r.request, variant: 'dot' }).weights;
      let m = 0;
      for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
      return { shown: Number(document.querySelector('[data-testid="compare-max"]').dataset.max), max: Math.fround(m) };
    });
    expect(max).toBeGreaterThan(0);
    expect(Math.fround(shown)).toBe(max);
    await expect(page.getByTestId('compare-max')).toContainText('Largest |a − b|');
    await page.getByTestId('compare-select').selectOption('none');
    await expect(section).toBeHidden();
  });

  test('compares two variants on a sentence with several heads', async ({ page }) => {
    await openPlayground(page, '#text=the+cat+sat&heads=2&head=2&compare=general');
    await expect(page.getByTestId('compare-diff')).toHaveAttribute('data-digest', /\S/);
    const ok = await page.evaluate(() => {
      const { comparison } = window.__attentionPlayground;
      return comparison.head === 2 && comparison.b.variant === 'general' && comparison.headMaxAbsDiff > 0;
    });
    expect(ok).toBe(true);
  });
});

test('axe finds no serious or critical violation in matrix mode with the mask editor open', async ({ page }) => {
  await openPlayground(page, '#input=matrix&mask=true&compare=dot');
  await expect(page.getByTestId('mask-editor')).toBeVisible();
  await page.locator('[data-matrix="query"] details summary').click();
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  expect(serious).toEqual([]);
});
