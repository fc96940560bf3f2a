// What a newcomer meets first (issue 13): a plain-words account of query,
// key and value, the temperature this page means, a link to the tutorial,
// axis titles on the map, a note that text mode's weights are not learned, a
// message when no key is allowed, long input offering only the view it draws,
// the numbers the explanation states being the page's own; and at a desktop
// window and a phone's, the default map fits its box, the comparison shows
// under every tab, focus stays where the keyboard is. Layout facts are read
// from the DOM's boxes.
import { expect, test } from '@playwright/test';
import { MAX_TOKENS } from '../../web/src/compute/model.js';
import { hoverCell, openPlayground, plotOf, watchErrors } from './support.js';

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
  await expect(page.getByTestId('long-tabs-note')).toBeVisible();
  await page.goto('/#input=text');
  await expect(page.getByTestId('view-tab-lines')).toBeVisible();
  await expect(page.getByTestId('long-tabs-note')).toBeHidden();
});

const SIZES = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 360, height: 740 },
];

/** The bottom of a locator's box, and the bottom of the view area's visible box. */
async function bottoms(page, testid) {
  return page.evaluate((id) => {
    const area = document.querySelector('[data-testid="view-area"]').getBoundingClientRect();
    const box = document.querySelector(`[data-testid="${id}"]`).getBoundingClientRect();
    return { box: box.bottom, area: area.bottom, areaTop: area.top, top: box.top };
  }, testid);
}

for (const size of SIZES) {
  test.describe(`at ${size.width}×${size.height}`, () => {
    test.use({ viewport: { width: size.width, height: size.height } });

    test('the default heatmap and its caption fit inside the view box without scrolling it', async ({ page }) => {
      const errors = watchErrors(page);
      await openPlayground(page);
      const area = page.getByTestId('view-area');
      const fit = await area.evaluate((el) => ({ scroll: el.scrollHeight, client: el.clientHeight }));
      expect(fit.scroll).toBeLessThanOrEqual(fit.client + 1);
      const caption = await page.evaluate(() => {
        const a = document.querySelector('[data-testid="view-area"]').getBoundingClientRect();
        const c = document.querySelector('#view-heatmap .caption').getBoundingClientRect();
        return { a: a.bottom, c: c.bottom };
      });
      expect(caption.c).toBeLessThanOrEqual(caption.a + 1);
      expect(errors).toEqual([]);
    });

    test('two tokens get cells of a sensible size, not cells as big as the panel', async ({ page }) => {
      await openPlayground(page, '#text=cat%20sat');
      const cell = Number(await page.getByTestId('heatmap').getAttribute('data-cell-w'));
      expect(cell).toBeGreaterThan(20);
      expect(cell).toBeLessThanOrEqual(64);
    });

    test('the keyboard cursor on the last row stays inside the view box', async ({ page }) => {
      await openPlayground(page);
      const canvas = page.getByTestId('heatmap');
      await canvas.focus();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('PageDown');
      const where = await page.evaluate(() => {
        const c = document.querySelector('[data-testid="heatmap"]');
        const a = document.querySelector('[data-testid="view-area"]').getBoundingClientRect();
        const r = c.getBoundingClientRect();
        const rows = Number(c.dataset.rows);
        const bottom = r.top + Number(c.dataset.plotTop) + rows * Number(c.dataset.cellH);
        return { bottom, area: a.bottom, viewport: window.innerHeight };
      });
      expect(where.bottom).toBeLessThanOrEqual(where.area + 1);
      expect(where.bottom).toBeLessThanOrEqual(where.viewport);
    });
  });
}

test('the focused heatmap shows a clearly visible focus ring', async ({ page }) => {
  await openPlayground(page);
  const canvas = page.getByTestId('heatmap');
  await canvas.focus();
  await page.keyboard.press('ArrowDown');
  const ring = await canvas.evaluate((c) => {
    const s = getComputedStyle(c);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  expect(ring.style).not.toBe('none');
  expect(ring.width).toBeGreaterThanOrEqual(3);
});

test('"Compare with" is announced at the top of the figure and drawn outside the view box, under every tab', async ({ page }) => {
  await openPlayground(page);
  await page.getByTestId('compare-select').selectOption('dot');
  const note = page.getByTestId('compare-note');
  await expect(note).toBeVisible();
  await expect(note).toContainText('dot');
  // The note is on screen without scrolling.
  const noteBox = await note.boundingBox();
  expect(noteBox.y + noteBox.height).toBeLessThanOrEqual(900);
  const section = page.getByTestId('compare');
  await expect(page.getByTestId('compare-diff')).toHaveAttribute('data-digest', /\S/);
  const outside = await section.evaluate((el) => el.closest('[data-testid="view-area"]') === null);
  expect(outside).toBe(true);
  await page.getByTestId('view-tab-lines').click();
  await expect(section).toBeVisible();
  // Following the note's link brings the comparison on screen.
  await note.getByRole('link').click();
  await expect(section).toBeInViewport();
  await page.getByTestId('compare-select').selectOption('none');
  await expect(note).toBeHidden();
});

test('the explanation states the cut the page really makes to a long text', async ({ page }) => {
  test.setTimeout(60_000);
  const words = Array.from({ length: 2050 }, (_, i) => `w${i}`).join(' ');
  await page.goto('/#heads=1');
  await expect(page.getByTestId('heatmap')).toHaveAttribute('data-digest', /\S/);
  await page.getByTestId('text-input').fill(words);
  await expect(page.getByTestId('status')).toContainText(/Showing the first \d+ of 2050 tokens/, { timeout: 40_000 });
  const kept = (await page.getByTestId('status').textContent()).match(/first (\d+) of/)[1];
  const stated = [await page.getByTestId('max-tokens').textContent(), await page.getByTestId('max-tokens-again').textContent()];
  expect(stated).toEqual([kept, kept]);
});

test('the temperature control says it divides the attention scores, not next-token sampling', async ({ page }) => {
  await openPlayground(page);
  await expect(page.getByTestId('temperature-hint')).toContainText('divides the scores before the softmax');
  await expect(page.getByTestId('temperature-hint')).toContainText('not the next-token sampling');
});

test('Enter on a head thumbnail focuses that head and keeps keyboard focus on its thumbnail', async ({ page }) => {
  await openPlayground(page, '#heads=4&view=heads');
  const tile = page.getByTestId('head-tile-3');
  await tile.focus();
  await page.keyboard.press('Enter');
  await expect(tile).toHaveAttribute('aria-pressed', 'true');
  await expect(tile).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('head-tile-4')).toBeFocused();
});

test.describe('on a touch phone', () => {
  test.use({ viewport: { width: 360, height: 740 }, hasTouch: true });

  test('tapping a cell selects it and shows its value', async ({ page }) => {
    await openPlayground(page);
    const canvas = page.getByTestId('heatmap');
    const plot = await plotOf(canvas);
    await canvas.tap({ position: { x: plot.left + 2.5 * plot.cellW, y: plot.top + 4.5 * plot.cellH } });
    const tooltip = page.getByTestId('tooltip');
    await expect(tooltip).toBeVisible();
    await expect(tooltip).toHaveAttribute('data-row', '4');
    await expect(tooltip).toHaveAttribute('data-col', '2');
    expect(Number(await tooltip.getAttribute('data-value'))).toBeGreaterThanOrEqual(0);
    await expect(page.getByTestId('query')).toHaveValue('5');
  });
});

test.describe('on a phone, the first result', () => {
  test.use({ viewport: { width: 360, height: 740 } });

  test('the map comes right after the sentence, on the first screen', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page);
    const box = (testid) => page.getByTestId(testid).evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { top: r.top + window.scrollY, bottom: r.bottom + window.scrollY };
    });
    const [map, sentence, settings, inputs] = await Promise.all(['heatmap', 'text-input', 'controls', 'input-controls'].map(box));
    // The map's top and its first row of cells are on the first screen, with nothing scrolled.
    expect(map.top).toBeLessThan(740);
    const plot = await plotOf(page.getByTestId('heatmap'));
    expect(map.top + plot.top + plot.cellH).toBeLessThan(740);
    // After the sentence, before the input mode and the attention settings.
    expect(map.top).toBeGreaterThan(sentence.bottom);
    expect(map.top).toBeLessThan(settings.top);
    expect(map.top).toBeLessThan(inputs.top);
    // Another tab still shows only its own view.
    await page.getByTestId('view-tab-lines').click();
    await expect(page.locator('#view-heatmap')).toBeHidden();
    await expect(page.getByTestId('lines')).toBeVisible();
    // Without a sentence (cross-attention) the texts come first, and the map after them.
    await page.goto('/#input=cross');
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-digest', /\S/);
    const [crossMap, target] = await Promise.all(['heatmap', 'target-input'].map(box));
    expect(crossMap.top).toBeGreaterThan(target.bottom);
    expect(errors).toEqual([]);
  });
});

test('above the controls, plain words say what a query, a key and a value are, and link to the tutorial', async ({ page }) => {
  await openPlayground(page);
  const intro = page.getByTestId('qkv-intro');
  await expect(intro).toBeVisible();
  for (const word of ['query', 'key', 'value']) await expect(intro).toContainText(word);
  const [introBox, controls] = [await intro.boundingBox(), await page.getByTestId('input-controls').boundingBox()];
  expect(introBox.y + introBox.height).toBeLessThanOrEqual(controls.y);
  await page.getByTestId('intro-tutorial-link').click();
  await expect(page).toHaveURL(/examples\/tutorial\.html$/);
  await expect(page.locator('h1')).toBeVisible();
});

test('the heatmap names its axes: queries down the rows, keys along the columns', async ({ page }) => {
  await openPlayground(page);
  const titles = page.getByTestId('axis-titles');
  await expect(titles).toBeVisible();
  await expect(titles).toContainText('queries');
  await expect(titles).toContainText('keys');
  const [t, map] = [await titles.boundingBox(), await page.getByTestId('heatmap').boundingBox()];
  expect(t.y + t.height).toBeLessThanOrEqual(map.y + 1);
});

test('a form field clamped to its bounds says what it did, as a link does', async ({ page }) => {
  await openPlayground(page);
  const note = page.getByTestId('hash-note');
  await page.getByTestId('heads').fill('100');
  await page.getByTestId('heads').press('Enter');
  await expect(page.getByTestId('heads')).toHaveValue('8');
  await expect(note).toBeVisible();
  await expect(note).toContainText('Heads: 100 is outside 1–8; using 8.');
  await page.getByTestId('temperature').fill('0');
  await page.getByTestId('temperature').press('Enter');
  await expect(note).toContainText('Temperature: 0 is outside');
  await expect(note).toContainText(`using ${await page.getByTestId('temperature').inputValue()}.`);
  await page.getByTestId('window').fill('-3');
  await page.getByTestId('window').press('Enter');
  await expect(note).toContainText('Window');
  await expect(note).toContainText('-3 is outside');
});

test('masked cells are drawn hatched in grey, named in the legend and in the tooltip, unlike allowed cells of weight 0', async ({ page }) => {
  await openPlayground(page, '#text=the%20cat%20sat%20down&causal=true');
  const canvas = page.getByTestId('heatmap');
  await expect(canvas).toHaveAttribute('data-masked', '6');
  await expect(page.getByTestId('legend').getByTestId('legend-masked')).toBeVisible();
  await expect(page.getByTestId('legend').getByTestId('legend-masked')).toHaveText('masked (not allowed)');
  const plot = await plotOf(canvas);
  const pixel = await canvas.evaluate((el, { x, y }) => {
    const dpr = window.devicePixelRatio || 1;
    return [...el.getContext('2d').getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data];
  }, { x: plot.left + 3.5 * plot.cellW - 1, y: plot.top + 0.5 * plot.cellH });
  // Above the diagonal: the neutral grey or its dark stroke, never a palette colour.
  expect(pixel[0] === pixel[1] && pixel[1] === pixel[2]).toBe(true);
  await hoverCell(canvas, 0, 3);
  await expect(page.getByTestId('tooltip')).toHaveAttribute('data-masked', 'true');
  await expect(page.getByTestId('tooltip')).toContainText('masked: not allowed');
  await hoverCell(canvas, 0, 0);
  await expect(page.getByTestId('tooltip')).toHaveAttribute('data-masked', 'false');

  await page.goto('/#text=the%20cat%20sat%20down');
  await expect(page.getByTestId('heatmap')).toHaveAttribute('data-masked', '0');
  await expect(page.getByTestId('legend').getByTestId('legend-masked')).toBeHidden();
});

test.describe('the pipeline strip', () => {
  /** The strip's stages: name, detail and bar count of each, in order. */
  const stagesOf = (page) => page.getByTestId('pipeline').locator('.pipeline-stage').evaluateAll((buttons) => buttons.map((b) => ({
    id: b.dataset.testid.replace('pipeline-', ''),
    name: b.querySelector('.pipeline-name').textContent,
    detail: b.querySelector('.pipeline-detail').textContent,
    // bars drawn: one closed rectangle of the bars' path each
    bars: (b.querySelector('svg path').getAttribute('d')?.match(/M/g) ?? []).length,
    // the marked bar: its index, and the accent rect drawn over the path where that bar is
    marked: Number(b.querySelector('svg').dataset.marked),
    markDrawn: (() => {
      const mark = b.querySelector('svg rect.is-marked');
      const at = Number(b.querySelector('svg').dataset.marked);
      if (at < 0 || Number(mark.getAttribute('height')) <= 0) return false;
      const x = Number(mark.getAttribute('x'));
      const starts = [...b.querySelector('svg path').getAttribute('d').matchAll(/M([\d.]+) /g)].map((m) => Number(m[1]));
      return Math.abs(starts[at] - x) < 0.01;
    })(),
    view: b.dataset.view,
    differs: b.classList.contains('is-different'),
  })));

  test('shows x → q, k, v → q·k → ÷√d → softmax → Σ w·v with the selected query\'s numbers from the core', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page, '#text=the+cat+sat+on+the+mat&heads=2&head=2&query=4&key=1');
    const strip = page.getByTestId('pipeline');
    await expect(strip).toBeVisible();
    const stages = await stagesOf(page);
    expect(stages.map((s) => s.name)).toEqual(['x', 'q, k, v', 'q·k', '÷√16', 'softmax', 'Σ w·v']);
    expect(stages.map((s) => s.view)).toEqual(['steps', 'steps', 'breakdown', 'steps', 'heatmap', 'output']);
    expect(stages[0].detail).toBe('“the” #5');
    // Scores, scaled scores and weights: one bar per key, the selected key's marked; q and the output: one per dimension.
    expect(stages.map((s) => s.bars)).toEqual([0, 16, 6, 6, 6, 16]);
    expect(stages.slice(2, 5).map((s) => s.marked)).toEqual([1, 1, 1]);
    expect(stages.slice(2, 5).map((s) => s.markDrawn)).toEqual([true, true, true]);
    // The numbers are the core's for query 5, key 2 of head 2.
    const want = await page.evaluate(() => {
      const { lastResult: r } = window.__attentionPlayground;
      const t = window.__attentionEngine.attentionTrace({ ...r.request, head: 1, row: 4 });
      return { score: t.scores[1], logit: t.logits[1], weight: r.weights[(1 * 6 + 4) * 6 + 1], scale: t.scale };
    });
    expect(want.scale).toBe(0.25);
    // Shown to three significant digits: within half a unit of the third digit.
    const near = (detail, value) => expect(Math.abs(Number(detail.split(': ')[1]) - value)).toBeLessThanOrEqual(0.005 * Math.abs(value));
    near(stages[2].detail, want.score);
    near(stages[3].detail, want.logit);
    near(stages[4].detail, want.weight);
    expect(stages[4].detail).toContain('“cat”');

    // It follows the selection: another query and key.
    await hoverCell(page.getByTestId('heatmap'), 2, 0);
    await page.mouse.down();
    await page.mouse.up();
    await expect(strip).toHaveAttribute('data-row', '2');
    const next = await stagesOf(page);
    expect(next[0].detail).toBe('“sat” #3');
    expect(next[4].detail).toContain('“the”');
    expect(next[4].marked).toBe(0);
    expect(next[4].markDrawn).toBe(true);
    expect(errors).toEqual([]);
  });

  test('each stage opens the view that shows it', async ({ page }) => {
    await openPlayground(page);
    for (const [stage, view] of [['score', 'breakdown'], ['output', 'output'], ['scale', 'steps'], ['softmax', 'heatmap'], ['qkv', 'steps']]) {
      await page.getByTestId(`pipeline-${stage}`).click();
      await expect(page.getByTestId(`view-tab-${view}`)).toHaveAttribute('aria-selected', 'true');
      await expect.poll(() => page.evaluate(() => window.__attentionPlayground.state.view)).toBe(view);
      await expect(page.getByTestId(`pipeline-${stage}`)).toHaveAttribute('aria-current', 'true');
    }
  });

  test('names the stage another variant changes', async ({ page }) => {
    await openPlayground(page, '#text=the+cat+sat&variant=additive');
    let stages = await stagesOf(page);
    expect(stages.filter((s) => s.differs).map((s) => s.id)).toEqual(['score', 'scale']);
    expect(stages[2].name).toBe('vᵀ tanh(Wq q + Wk k)');
    expect(stages[3].name).toBe('× 1');
    await expect(page.getByTestId('pipeline-note')).toContainText('additive scores a key with vᵀ tanh(Wq q + Wk k)');
    await page.goto('/#text=the+cat+sat&variant=hard');
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-digest', /\S/);
    await expect(page.getByTestId('pipeline-softmax')).toContainText('argmax');
    stages = await stagesOf(page);
    expect(stages.filter((s) => s.differs).map((s) => s.id)).toEqual(['softmax']);
    await expect(page.getByTestId('pipeline-note')).toContainText('hard gives the best key weight 1');
    await page.goto('/#text=the+cat+sat&variant=scaled_dot');
    await expect(page.getByTestId('pipeline-note')).toContainText('Scaled dot-product attention');
    expect((await stagesOf(page)).some((s) => s.differs)).toBe(false);
  });

  test('shows token text as text', async ({ page }) => {
    await openPlayground(page, `#text=${encodeURIComponent('<img src=x onerror="window.__pwned=1"> cat')}&heads=1`);
    await expect(page.getByTestId('pipeline-x')).toContainText('“<”');
    expect(await page.getByTestId('pipeline').locator('img').count()).toBe(0);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  });
});
