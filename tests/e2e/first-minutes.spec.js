// What a newcomer meets in the first minutes (issue 13), at a desktop
// window and a phone's: the default map fits its box, the tabs do what they
// say, and the page tells the reader what the numbers are. Layout facts are
// read from the DOM's boxes.
import { expect, test } from '@playwright/test';
import { openPlayground, plotOf, watchErrors } from './support.js';

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

test('long input disables the tabs it cannot show, says why, and keeps the link on the heatmap', async ({ page }) => {
  await page.goto('/#input=long&gen=600&seed=3&heads=1');
  await expect(page.getByTestId('status')).toContainText('600 tokens', { timeout: 30_000 });
  await expect(page.getByTestId('long-tabs-note')).toBeVisible();
  for (const name of ['lines', 'heads', 'steps', 'stats']) {
    const tab = page.getByTestId(`view-tab-${name}`);
    await expect(tab).toBeDisabled();
    await tab.click({ force: true });
    await expect(tab).toHaveAttribute('aria-selected', 'false');
  }
  await expect(page.getByTestId('view-tab-heatmap')).toHaveAttribute('aria-selected', 'true');
  expect(page.url()).toContain('view=heatmap');
  // Back to a sentence, the tabs work again.
  await page.getByTestId('input-mode').selectOption('text');
  await expect(page.getByTestId('long-tabs-note')).toBeHidden();
  await page.getByTestId('view-tab-steps').click();
  await expect(page.getByTestId('view-tab-steps')).toHaveAttribute('aria-selected', 'true');
});

test('the explanation states the cut the page really makes to a long text', async ({ page }) => {
  test.setTimeout(60_000);
  const words = Array.from({ length: 2050 }, (_, i) => `w${i}`).join(' ');
  await page.goto('/#heads=1');
  await expect(page.getByTestId('heatmap')).toHaveAttribute('data-digest', /\S/);
  await page.getByTestId('text-input').fill(words);
  await expect(page.getByTestId('status')).toContainText(/Showing the first \d+ of 2050 tokens/, { timeout: 40_000 });
  const kept = (await page.getByTestId('status').textContent()).match(/first (\d+) of/)[1];
  const stated = await page.getByTestId('max-tokens').allTextContents();
  expect(stated).toEqual([kept, kept]);
});

test('next to the map, the sentence mode says its weights come from fixed rules, not a trained model', async ({ page }) => {
  await openPlayground(page);
  const origin = page.getByTestId('weights-origin');
  await expect(origin).toBeVisible();
  await expect(origin).toContainText('fixed hashing rules, not a trained model');
  // It sits in the figure, above the map.
  const [note, map] = [await origin.boundingBox(), await page.getByTestId('heatmap').boundingBox()];
  expect(note.y).toBeLessThan(map.y);
  expect(await origin.evaluate((el) => el.closest('.figure') !== null)).toBe(true);
  await page.getByTestId('input-mode').selectOption('matrix');
  await expect(origin).toBeHidden();
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

test('above the controls, plain words say what a query, a key and a value are, and link to the tutorial', async ({ page }) => {
  await openPlayground(page);
  const intro = page.getByTestId('qkv-intro');
  await expect(intro).toBeVisible();
  for (const word of ['query', 'key', 'value']) await expect(intro).toContainText(word);
  const [introBox, controls] = [await intro.boundingBox(), await page.getByTestId('input-controls').boundingBox()];
  expect(introBox.y + introBox.height).toBeLessThanOrEqual(controls.y);
  await page.getByTestId('tutorial-link').click();
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
