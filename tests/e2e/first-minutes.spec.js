// What a newcomer meets in the first minutes (issue 13), at a desktop
// window and a phone's: the default map fits its box, the tabs do what they
// say, and the page tells the reader what the numbers are. Layout facts are
// read from the DOM's boxes.
import { expect, test } from '@playwright/test';
import { openPlayground, watchErrors } from './support.js';

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
