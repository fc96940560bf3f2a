// <attention-playground> from dist/attention-playground.js, and the iframe
// page dist/embed.html#...: what a tutorial author embeds.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { latestDetail, watchErrors } from './support.js';

const HOSTILE = '<img src=x onerror="window.__pwned=1"> <b>bold</b>';

/**
 * Opens a page of the preview server whose body is `body`, loading the built
 * module the way a tutorial page does. The page is served by route, so each
 * test writes the markup it needs.
 */
async function openFixture(page, body) {
  await page.route('**/fixture.html', (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fixture</title>
        <link rel="icon" href="data:,"><script type="module" src="./attention-playground.js"></script>
        </head><body><main>${body}</main></body></html>`,
    }),
  );
  await page.goto('/fixture.html');
}

/** The detail of the element's latest attention-change, with plain arrays; waits for a first one. */
/** Records every attention-change of element in window.__changes[name]. */
function recordChanges(element, name) {
  return element.evaluate((el, key) => {
    window.__changes ??= {};
    window.__changes[key] = [];
    el.addEventListener('attention-change', (event) => {
      const { tokens, heads, queries, keys, weights } = event.detail;
      window.__changes[key].push({ tokens, heads, queries, keys, weights: Array.from(weights) });
    });
  }, name);
}

const changesOf = (page, name) => page.evaluate((key) => window.__changes[key], name);

/**
 * What the JS API of the same module computes for a state, as the
 * playground does it: tokenize, embedText (d = 16), attention.
 */
function expectedWeights(page, state) {
  return page.evaluate(async (s) => {
    const { loadAttention, tokenize } = await import('./attention-playground.js');
    const engine = await loadAttention();
    const tokens = tokenize(s.text);
    const qkv = engine.embedText({ tokens, heads: s.heads, dim: 16, seed: s.seed });
    const { weights } = engine.attention({
      query: qkv.query,
      key: qkv.key,
      value: qkv.value,
      heads: s.heads,
      queries: tokens.length,
      keys: tokens.length,
      dim: 16,
      variant: s.variant,
      causal: s.causal,
      window: s.window,
      temperature: s.temperature,
    });
    return { tokens, weights: Array.from(weights) };
  }, state);
}

const shadowCanvas = (element) => element.getByTestId('heatmap');

test.describe('the <attention-playground> element', () => {
  test('renders its attributes and fires attention-change with the weights loadAttention computes', async ({ page }) => {
    const errors = watchErrors(page);
    await openFixture(
      page,
      `<attention-playground text="the cat sat on the mat" variant="scaled_dot" heads="2" causal window="3"
        temperature="1" seed="7" view="heatmap" controls="minimal"></attention-playground>`,
    );
    const element = page.locator('attention-playground');
    await expect(shadowCanvas(element)).toHaveAttribute('data-rows', '6');
    await expect(element.locator('.title')).toHaveText('heatmap · head 1 of 2');

    const detail = await latestDetail(element);
    expect(detail.tokens).toEqual(['the', 'cat', 'sat', 'on', 'the', 'mat']);
    expect([detail.heads, detail.queries, detail.keys]).toEqual([2, 6, 6]);
    expect(detail.weights).toHaveLength(2 * 6 * 6);
    expect(detail.state).toMatchObject({ variant: 'scaled_dot', heads: 2, causal: true, window: 3, seed: 7 });

    const expected = await expectedWeights(page, { text: 'the cat sat on the mat', variant: 'scaled_dot', heads: 2, causal: true, window: 3, temperature: 1, seed: 7 });
    expect(detail.tokens).toEqual(expected.tokens);
    expect(detail.weights).toEqual(expected.weights);
    // Causal and window 3: query i sees keys i-3..i only.
    for (let h = 0; h < 2; h++) {
      for (let i = 0; i < 6; i++) {
        for (let j = 0; j < 6; j++) {
          if (j > i || i - j > 3) expect(detail.weights[(h * 6 + i) * 6 + j], `(${h}, ${i}, ${j})`).toBe(0);
        }
      }
    }
    // The event's weights are a Float32Array [heads, nq, nk].
    const kind = await element.evaluate((el) => [el.attention.weights.constructor.name, el.attention.weights.length]);
    expect(kind).toEqual(['Float32Array', 72]);
    expect(errors).toEqual([]);
  });

  test('recomputes when attributes change at run time', async ({ page }) => {
    const errors = watchErrors(page);
    await openFixture(page, '<attention-playground text="the cat sat on the mat" heads="2" seed="7"></attention-playground>');
    const element = page.locator('attention-playground');
    await latestDetail(element);
    await recordChanges(element, 'one');

    await element.evaluate((el) => {
      el.setAttribute('text', 'a b c');
      el.setAttribute('variant', 'hard');
      el.setAttribute('heads', '3');
      el.setAttribute('head', '3');
      el.setAttribute('causal', '');
    });
    await expect(shadowCanvas(element)).toHaveAttribute('data-rows', '3');
    await expect(element.locator('.title')).toHaveText('heatmap · head 3 of 3');
    const changes = await changesOf(page, 'one');
    expect(changes.length).toBeGreaterThanOrEqual(1);
    const last = changes.at(-1);
    expect([last.tokens, last.heads, last.queries, last.keys]).toEqual([['a', 'b', 'c'], 3, 3, 3]);
    // hard + causal: each row is one-hot within keys 0..i.
    for (let h = 0; h < 3; h++) {
      for (let i = 0; i < 3; i++) {
        const row = last.weights.slice((h * 3 + i) * 3, (h * 3 + i + 1) * 3);
        expect(row.filter((w) => w === 1)).toHaveLength(1);
        expect(row.slice(i + 1).every((w) => w === 0)).toBe(true);
      }
    }
    const expected = await expectedWeights(page, { text: 'a b c', variant: 'hard', heads: 3, causal: true, window: null, temperature: 1, seed: 0 });
    expect(last.weights).toEqual(expected.weights);

    // Removing an attribute goes back to its default; the shown head alone fires no event.
    const before = (await changesOf(page, 'one')).length;
    await element.evaluate((el) => el.removeAttribute('causal'));
    await expect.poll(async () => (await changesOf(page, 'one')).length).toBe(before + 1);
    expect((await latestDetail(element)).state.causal).toBe(false);
    await element.evaluate((el) => el.setAttribute('head', '1'));
    await expect(element.locator('.title')).toHaveText('heatmap · head 1 of 3');
    expect((await changesOf(page, 'one')).length).toBe(before + 1);
    expect(errors).toEqual([]);
  });

  test('observes the URL\'s input, source, target, mask and compare keys: setting each changes the picture', async ({ page }) => {
    const errors = watchErrors(page);
    await openFixture(page, '<attention-playground text="the cat sat" heads="1" seed="3"></attention-playground>');
    const element = page.locator('attention-playground');
    await expect(shadowCanvas(element)).toHaveAttribute('data-rows', '3');

    // input="cross" with source and target: queries from the target, keys and values from the source.
    await element.evaluate((el) => {
      el.setAttribute('input', 'cross');
      el.setAttribute('source', 'le chat noir est assis');
      el.setAttribute('target', 'the black cat');
    });
    await expect(shadowCanvas(element)).toHaveAttribute('data-rows', '3');
    await expect(shadowCanvas(element)).toHaveAttribute('data-cols', '5');
    let detail = await latestDetail(element);
    expect(detail.tokens).toEqual(['the', 'black', 'cat']);
    expect([detail.queries, detail.keys]).toEqual([3, 5]);
    expect(detail.state).toMatchObject({ input: 'cross', source: 'le chat noir est assis', target: 'the black cat' });
    const crossWeights = detail.weights;
    // The page computes the same cross-attention from the same link.
    const page2 = await page.context().newPage();
    await page2.goto('/#input=cross&source=le+chat+noir+est+assis&target=the+black+cat&heads=1&seed=3');
    await expect.poll(() => page2.evaluate(() => window.__attentionPlayground?.lastResult?.keys ?? 0)).toBe(5);
    expect(await page2.evaluate(() => Array.from(window.__attentionPlayground.lastResult.weights))).toEqual(crossWeights);
    await page2.close();
    await element.evaluate((el) => el.setAttribute('source', 'un deux'));
    await expect(shadowCanvas(element)).toHaveAttribute('data-cols', '2');

    // mask: the mask editor appears; forbidding a cell gives that key no weight.
    await expect(element.getByTestId('mask-editor')).toHaveCount(0);
    await element.evaluate((el) => el.setAttribute('mask', ''));
    const editor = element.getByTestId('mask-editor');
    await expect(editor).toBeVisible();
    await editor.locator('button.mask-cell[data-row="0"][data-col="1"]').click();
    await expect.poll(async () => (await latestDetail(element)).weights[1]).toBe(0);
    await expect(shadowCanvas(element)).toHaveAttribute('data-masked', '1');
    await element.evaluate((el) => el.removeAttribute('mask'));
    await expect(editor).toBeHidden();
    await expect(shadowCanvas(element)).toHaveAttribute('data-masked', '0');

    // compare: the two variants and their difference are drawn under the view.
    await expect(element.getByTestId('compare')).toBeHidden();
    await element.evaluate((el) => el.setAttribute('compare', 'dot'));
    await expect(element.getByTestId('compare')).toBeVisible();
    await expect(element.getByTestId('compare-diff')).toHaveAttribute('data-digest', /\S/);
    await expect(element.getByTestId('compare')).toContainText('scaled_dot (a) and dot (b)');
    await element.evaluate((el) => el.setAttribute('compare', 'none'));
    await expect(element.getByTestId('compare')).toBeHidden();

    // Back to text.
    await element.evaluate((el) => el.setAttribute('input', 'text'));
    await expect(shadowCanvas(element)).toHaveAttribute('data-cols', '3');
    expect((await latestDetail(element)).tokens).toEqual(['the', 'cat', 'sat']);
    expect(errors).toEqual([]);
  });

  test('out-of-range and unreadable attributes are clamped or ignored, as in the URL hash', async ({ page }) => {
    await openFixture(
      page,
      '<attention-playground text="one two three" heads="99" temperature="-1" variant="bogus" window="-4" seed="x"></attention-playground>',
    );
    const { state, heads } = await latestDetail(page.locator('attention-playground'));
    expect(state).toMatchObject({ heads: 8, temperature: 0.05, variant: 'scaled_dot', window: 0, seed: 0 });
    expect(heads).toBe(8);
  });

  test('says inside itself and in the console which attributes it clamped or ignored', async ({ page }) => {
    const warnings = [];
    page.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    await openFixture(
      page,
      `<attention-playground id="bad" text="one two three" heads="1e9" view="javascript:alert(1)"></attention-playground>
       <attention-playground id="good" text="one two three" heads="3" head="2" view="lines" causal controls="full"></attention-playground>`,
    );
    const bad = page.locator('#bad');
    const good = page.locator('#good');
    expect((await latestDetail(bad)).state).toMatchObject({ heads: 8, view: 'heatmap' });
    await latestDetail(good);
    await expect(bad.getByTestId('attribute-note')).toBeVisible();
    await expect(bad.getByTestId('attribute-note')).toHaveText(
      'Adjusted from the attributes: heads 1e9 → 8. Ignored unreadable values: view "javascript:alert(1)"',
    );
    await expect(good.getByTestId('attribute-note')).toBeHidden();
    expect(warnings).toEqual([
      '<attention-playground>: attribute heads="1e9" is out of range; using 8',
      '<attention-playground>: attribute view="javascript:alert(1)" is not a value it takes; using heatmap',
    ]);

    // A valid value set at run time takes the note away; a new bad one is told once more.
    await bad.evaluate((el) => el.setAttribute('heads', '4'));
    await expect(bad.getByTestId('attribute-note')).toHaveText('Ignored unreadable values: view "javascript:alert(1)"');
    await bad.evaluate((el) => el.setAttribute('view', 'steps'));
    await expect(bad.getByTestId('attribute-note')).toBeHidden();
    await bad.evaluate((el) => el.setAttribute('variant', 'bogus'));
    await expect(bad.getByTestId('attribute-note')).toHaveText('Ignored unreadable values: variant "bogus"');
    expect(warnings.slice(2)).toEqual(['<attention-playground>: attribute variant="bogus" is not a value it takes; using scaled_dot']);
  });

  test('two elements on one page share one engine and do not interfere', async ({ page }) => {
    const errors = watchErrors(page);
    const wasmRequests = [];
    page.on('request', (request) => {
      if (request.url().endsWith('.wasm')) wasmRequests.push(request.url());
    });
    await openFixture(
      page,
      `<attention-playground id="a" text="the cat sat on the mat" heads="2" seed="7" controls="full"></attention-playground>
       <attention-playground id="b" text="dogs chase cats" variant="dot" heads="1" causal controls="full"></attention-playground>`,
    );
    const a = page.locator('#a');
    const b = page.locator('#b');
    await expect(shadowCanvas(a)).toHaveAttribute('data-rows', '6');
    await expect(shadowCanvas(b)).toHaveAttribute('data-rows', '3');
    expect(wasmRequests).toHaveLength(1);
    expect(wasmRequests[0]).toMatch(/\/attention-playground\.wasm$/);

    const detailA = await latestDetail(a);
    const detailB = await latestDetail(b);
    expect(detailA.weights).toEqual((await expectedWeights(page, { text: 'the cat sat on the mat', variant: 'scaled_dot', heads: 2, causal: false, window: null, temperature: 1, seed: 7 })).weights);
    expect(detailB.weights).toEqual((await expectedWeights(page, { text: 'dogs chase cats', variant: 'dot', heads: 1, causal: true, window: null, temperature: 1, seed: 0 })).weights);
    await recordChanges(a, 'a');
    await recordChanges(b, 'b');

    // Typing in B's text box changes B, its attribute and nothing of A.
    const digestA = await shadowCanvas(a).getAttribute('data-digest');
    await b.getByLabel('Sentence').fill('birds fly south now');
    await expect(shadowCanvas(b)).toHaveAttribute('data-rows', '4');
    await expect(b).toHaveAttribute('text', 'birds fly south now');
    expect(await changesOf(page, 'a')).toEqual([]);
    expect((await changesOf(page, 'b')).at(-1).tokens).toEqual(['birds', 'fly', 'south', 'now']);
    await expect(shadowCanvas(a)).toHaveAttribute('data-digest', digestA);
    await expect(a.getByLabel('Sentence')).toHaveValue('the cat sat on the mat');

    // Each has its own controls (same ids, separate shadow roots) and tooltip.
    await a.getByLabel('Variant').selectOption('additive');
    await expect(a).toHaveAttribute('variant', 'additive');
    await expect(b).toHaveAttribute('variant', 'dot');
    await expect(b.getByLabel('Variant')).toHaveValue('dot');
    await shadowCanvas(b).focus();
    await page.keyboard.press('ArrowDown');
    await expect(b.locator('.tooltip')).toBeVisible();
    await expect(a.locator('.tooltip')).toBeHidden();
    expect(errors).toEqual([]);
  });

  test('controls are full, minimal (the default) or none, and can change at run time', async ({ page }) => {
    await openFixture(page, '<attention-playground text="a b c"></attention-playground>');
    const element = page.locator('attention-playground');
    await latestDetail(element);
    await expect(element.getByLabel('Sentence')).toBeVisible();
    await expect(element.getByLabel('Variant')).toBeVisible();
    await expect(element.getByLabel('Causal')).toBeVisible();
    await expect(element.getByLabel('Seed')).toBeHidden();

    await element.evaluate((el) => el.setAttribute('controls', 'full'));
    for (const label of ['Sentence', 'Variant', 'Heads', 'Window', 'Seed', 'Temperature', 'View', 'Causal']) {
      await expect(element.getByLabel(label, { exact: true })).toBeVisible();
    }
    await element.getByLabel('Variant').selectOption('top_k');
    await expect(element.getByLabel('k (keys kept)')).toBeVisible();

    await element.evaluate((el) => el.setAttribute('controls', 'none'));
    await expect(element.locator('fieldset')).toBeHidden();
    await expect(shadowCanvas(element)).toBeVisible();
  });

  test('an edit inside the element is clamped and written back to its attribute', async ({ page }) => {
    await openFixture(page, '<attention-playground text="a b c" controls="full"></attention-playground>');
    const element = page.locator('attention-playground');
    await latestDetail(element);
    await element.getByLabel('Heads', { exact: true }).fill('3');
    await expect(element).toHaveAttribute('heads', '3');
    await element.getByLabel('Causal').check();
    await expect(element).toHaveAttribute('causal', '');
    await element.getByLabel('Temperature').fill('50');
    await element.getByLabel('Temperature').blur();
    await expect(element).toHaveAttribute('temperature', '5');
    await expect(element.getByLabel('Temperature')).toHaveValue('5');
    expect((await latestDetail(element)).state).toMatchObject({ heads: 3, causal: true, temperature: 5 });
  });

  test('draws every view of the playground, chosen by the view attribute at run time', async ({ page }) => {
    const errors = watchErrors(page);
    await openFixture(page, '<attention-playground text="the cat sat on the mat" heads="2" query="1" key="2" controls="full"></attention-playground>');
    const element = page.locator('attention-playground');
    await latestDetail(element);
    const checks = {
      heatmap: () => expect(element.getByTestId('heatmap')).toHaveAttribute('data-digest', /\S/),
      lines: () => expect(element.getByTestId('lines')).toHaveAttribute('data-layout', 'horizontal'),
      heads: async () => {
        await expect(element.getByTestId('head-tile-2')).toBeVisible();
        await expect(element.getByTestId('head-tile-average')).toBeVisible();
      },
      steps: () => expect(element.getByTestId('steps-heading')).toHaveText(/Query “cat” \(#2\), head 1 of 2/),
      breakdown: () => expect(element.getByTestId('breakdown-summary')).toContainText('key “sat” (#3)'),
      output: () => expect(element.getByTestId('output')).toHaveAttribute('data-cols', '16'),
      stats: () => expect(element.getByTestId('distance-chart')).toBeVisible(),
    };
    for (const [view, check] of Object.entries(checks)) {
      await element.evaluate((el, name) => el.setAttribute('view', name), view);
      await expect(element.locator('.title')).toHaveText(`${view} · head 1 of 2`);
      await check();
      // Its box is the one shown: every other view's box is hidden.
      await expect(element.locator(`[data-view="${view}"]`)).toBeVisible();
      await expect(element.locator('[data-view]:visible')).toHaveCount(1);
      await expect(element.locator('.note')).toBeHidden();
    }
    // The View control lists the same views and sets the attribute.
    await element.getByLabel('View').selectOption('heads');
    await expect(element).toHaveAttribute('view', 'heads');
    // Clicking a head's tile shows that head.
    await element.getByTestId('head-tile-2').click();
    await expect(element).toHaveAttribute('head', '2');
    await expect(element.locator('.title')).toHaveText('heads · head 2 of 2');
    expect(errors).toEqual([]);
  });

  test('an unknown view falls back to the heatmap, and a click on a cell selects its query and key', async ({ page }) => {
    await openFixture(page, '<attention-playground text="the cat sat on the mat" view="sideways"></attention-playground>');
    const element = page.locator('attention-playground');
    await expect(shadowCanvas(element)).toHaveAttribute('data-rows', '6');
    await expect(element.locator('.title')).toHaveText('heatmap · head 1 of 2');

    const canvas = shadowCanvas(element);
    const plot = await canvas.evaluate((c) => ({ left: Number(c.dataset.plotLeft), top: Number(c.dataset.plotTop), cell: Number(c.dataset.cell) }));
    await canvas.click({ position: { x: plot.left + 3.5 * plot.cell, y: plot.top + 4.5 * plot.cell } });
    await expect(element).toHaveAttribute('query', '4');
    await expect(element).toHaveAttribute('key', '3');
  });

  test('fits its container and draws again when the container width changes', async ({ page }) => {
    await openFixture(page, '<div id="box" style="width: 720px"><attention-playground text="the cat sat on the mat"></attention-playground></div>');
    const canvas = shadowCanvas(page.locator('attention-playground'));
    await expect(canvas).toHaveAttribute('data-rows', '6');
    const widthOf = () => canvas.evaluate((c) => c.getBoundingClientRect().width);
    const wide = await widthOf();
    expect(wide).toBeLessThanOrEqual(720);
    await page.locator('#box').evaluate((box) => {
      box.style.width = '380px';
    });
    await expect.poll(widthOf).toBeLessThan(wide);
    expect(await widthOf()).toBeLessThanOrEqual(380);
  });

  test('theme="dark" darkens the element only', async ({ page }) => {
    await openFixture(page, '<attention-playground id="light" text="a b"></attention-playground><attention-playground id="dark" text="a b" theme="dark"></attention-playground>');
    const background = (id) => page.locator(`#${id} .playground`).evaluate((el) => getComputedStyle(el).backgroundColor);
    await expect.poll(() => background('dark')).toBe('rgb(29, 33, 39)');
    expect(await background('light')).toBe('rgb(255, 255, 255)');
  });

  test('markup in the text attribute is shown as text and never executed', async ({ page }) => {
    const errors = watchErrors(page);
    await openFixture(page, '<attention-playground controls="minimal"></attention-playground>');
    const element = page.locator('attention-playground');
    await element.evaluate((el, text) => el.setAttribute('text', text), HOSTILE);
    await expect(element.locator('.token').first()).toHaveText('<');
    await expect(element.getByLabel('Sentence')).toHaveValue(HOSTILE);
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(await element.locator('img, b').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  test('empty text says so and fires an event with no queries', async ({ page }) => {
    await openFixture(page, '<attention-playground text="   "></attention-playground>');
    const element = page.locator('attention-playground');
    const detail = await latestDetail(element);
    expect([detail.tokens, detail.queries, detail.keys, detail.weights]).toEqual([[], 0, 0, []]);
    await expect(element.getByRole('status')).toHaveText('Type some text to see its attention weights');
    await expect(shadowCanvas(element)).toBeHidden();
  });

  test('a core that fails to load is reported inside the element', async ({ page }) => {
    await page.route('**/*.wasm', (route) => route.abort());
    await openFixture(page, '<attention-playground text="a b"></attention-playground>');
    await expect(page.locator('attention-playground').getByRole('alert')).toContainText('The WebAssembly core failed to load');
  });
});

test.describe('the iframe page embed.html', () => {
  test('shows the view its hash describes, with minimal controls by default', async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto('/embed.html#text=a+b+c+d&variant=hard&heads=3&head=2&causal=true&seed=7');
    const element = page.getByTestId('playground');
    await expect(shadowCanvas(element)).toHaveAttribute('data-rows', '4');
    await expect(element.locator('.title')).toHaveText('heatmap · head 2 of 3');
    await expect(element.getByLabel('Sentence')).toBeVisible();
    await expect(element.getByLabel('Seed')).toBeHidden();

    const detail = await latestDetail(element);
    expect(detail.state).toMatchObject({ text: 'a b c d', variant: 'hard', heads: 3, head: 2, causal: true, seed: 7, controls: 'minimal' });
    expect(detail.weights).toEqual((await expectedWeights(page, detail.state)).weights);
    // The link opens the same state in the full playground.
    await expect(page.getByTestId('open-playground')).toHaveAttribute('href', /^\.\/index\.html#text=a\+b\+c\+d&variant=hard&heads=3&head=2&causal=true/);
    expect(errors).toEqual([]);
  });

  test('controls=none in the hash shows the figure alone; a new hash updates it', async ({ page }) => {
    await page.goto('/embed.html#text=one+two&controls=none');
    const element = page.getByTestId('playground');
    await expect(shadowCanvas(element)).toHaveAttribute('data-rows', '2');
    await expect(element.locator('fieldset')).toBeHidden();

    await page.evaluate(() => {
      window.location.hash = '#text=one+two+three&variant=dot&controls=full';
    });
    await expect(shadowCanvas(element)).toHaveAttribute('data-rows', '3');
    await expect(element.getByLabel('Seed')).toBeVisible();
    await expect(element.getByLabel('Variant')).toHaveValue('dot');
  });

  test('says which values of its hash were clamped or ignored', async ({ page }) => {
    await page.goto('/embed.html#text=a+b+c&heads=99&seed=abc&foo=bar');
    const element = page.getByTestId('playground');
    const { state } = await latestDetail(element);
    expect(state).toMatchObject({ heads: 8, seed: 0 });
    await expect(page.getByTestId('hash-note')).toHaveText('Adjusted from the link: heads 99 → 8. Ignored unreadable values: seed "abc"');
    // The page tells the link's changes; the element does not tell them again.
    await expect(element.getByTestId('attribute-note')).toBeHidden();
    await page.evaluate(() => {
      window.location.hash = '#text=a+b';
    });
    await expect(page.getByTestId('hash-note')).toBeHidden();
  });

  test('edits in the embedded playground are mirrored in its hash', async ({ page }) => {
    await page.goto('/embed.html#text=one+two');
    const element = page.getByTestId('playground');
    await latestDetail(element);
    await element.getByLabel('Variant').selectOption('dot');
    await expect(page).toHaveURL(/#text=one\+two&variant=dot/);
  });

  test('works inside an iframe of another page', async ({ page }) => {
    const errors = watchErrors(page);
    await openFixture(
      page,
      '<iframe title="Attention weights" width="700" height="600" src="./embed.html#text=the+cat+sat&heads=2&controls=none"></iframe>',
    );
    const frame = page.frameLocator('iframe');
    const element = frame.getByTestId('playground');
    await expect(element.getByTestId('heatmap')).toHaveAttribute('data-rows', '3');
    await expect(element.locator('fieldset')).toBeHidden();
    expect(errors).toEqual([]);
  });

  test('an axe-core scan finds no serious or critical violation', async ({ page }) => {
    // Ten full scans: on a loaded two-core machine each takes a few seconds.
    test.setTimeout(90_000);
    const hashes = [
      '#text=the+cat+sat+on+the+mat&heads=2',
      '#text=the+cat+sat&controls=full&variant=top_k',
      '#text=a+b&controls=none',
      ...['lines', 'heads', 'steps', 'breakdown', 'output', 'stats'].map((view) => `#text=the+cat+sat&controls=full&view=${view}`),
      '#text=the+cat+sat&theme=dark',
    ];
    for (const hash of hashes) {
      await page.goto(`/embed.html${hash}`);
      await latestDetail(page.getByTestId('playground'));
      const { violations } = await new AxeBuilder({ page }).analyze();
      const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(serious.map((v) => `${hash} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    }
  });
});
