// The views of the playground (heatmap, lines, heads, steps, query·key,
// output, statistics), their shared hover and selection, and the display
// settings, in a real browser.
import { expect, test } from '@playwright/test';
import { hoverCell, openPlayground, plotOf, watchErrors } from './support.js';

const VIEWS = ['heatmap', 'lines', 'heads', 'steps', 'breakdown', 'output', 'stats'];

/** What the page computed, as plain numbers: tokens, shapes, the shown head's weights and outputs. */
function readResult(page) {
  return page.evaluate(() => {
    const { lastResult, tokens, state, head, computedIn } = window.__attentionPlayground;
    const { n, heads } = lastResult;
    return {
      tokens, state, head, n, heads, computedIn,
      weights: Array.from(lastResult.weights.subarray((head - 1) * n * n, head * n * n)),
      allWeights: Array.from(lastResult.weights),
      output: Array.from(lastResult.output.subarray((head - 1) * n * 16, head * n * 16)),
    };
  });
}

/** Where token i of a side sits on the lines canvas. */
async function linesPoint(page, side, i) {
  const g = await page.getByTestId('lines').evaluate((c) => ({
    layout: c.dataset.layout,
    pitch: Number(c.dataset.pitch),
    start: Number(c.dataset.start),
    queryAt: Number(c.dataset.queryAt),
    keyAt: Number(c.dataset.keyAt),
  }));
  const along = g.start + (i + 0.5) * g.pitch;
  const across = side === 'query' ? g.queryAt - 4 : g.keyAt + 4;
  return g.layout === 'vertical' ? { x: along, y: across } : { x: across, y: along };
}

/** The colour of the heatmap's pixel at the centre of cell (row, col). */
function pixelAt(page, row, col) {
  return page.getByTestId('heatmap').evaluate((c, [r, k]) => {
    const x = Number(c.dataset.plotLeft) + (k + 0.5) * Number(c.dataset.cellW);
    const y = Number(c.dataset.plotTop) + (r + 0.5) * Number(c.dataset.cellH);
    const scale = c.width / c.clientWidth;
    return Array.from(c.getContext('2d').getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data);
  }, [row, col]);
}

const fromText = (text) => Math.fround(Number(text));

test.describe('view tabs', () => {
  test('each tab shows its view and writes view= into the URL', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page);
    for (const view of VIEWS) {
      await page.getByTestId(`view-tab-${view}`).click();
      await expect(page.getByTestId(`view-tab-${view}`)).toHaveAttribute('aria-selected', 'true');
      await expect(page.locator(`[data-view-panel="${view}"]`)).toBeVisible();
      for (const other of VIEWS.filter((v) => v !== view)) {
        await expect(page.locator(`[data-view-panel="${other}"]`)).toBeHidden();
      }
      await expect(page).toHaveURL(new RegExp(`view=${view}`));
    }
    expect(errors).toEqual([]);
  });

  test('arrow keys move between tabs', async ({ page }) => {
    await openPlayground(page);
    await page.getByTestId('view-tab-heatmap').focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('view-tab-lines')).toBeFocused();
    await expect(page.getByTestId('view-tab-lines')).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('End');
    await expect(page.getByTestId('view-tab-stats')).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('Home');
    await expect(page.getByTestId('view-tab-heatmap')).toHaveAttribute('aria-selected', 'true');
  });

  test('a link with view= opens that view', async ({ page }) => {
    await openPlayground(page, '#view=heads');
    await expect(page.getByTestId('heads-grid')).toBeVisible();
    await expect(page.getByTestId('heatmap')).toBeHidden();
  });
});

test.describe('heatmap', () => {
  test('log scale, cividis palette and dark theme change the picture and go into the URL', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page);
    const { n, weights } = await readResult(page);
    // A small but nonzero weight: log scale lifts it off the bottom colour.
    let small = 0;
    for (let p = 1; p < n * n; p++) if (weights[p] > 0 && (weights[small] === 0 || weights[p] < weights[small])) small = p;
    const cell = [Math.floor(small / n), small % n];

    const linear = await pixelAt(page, ...cell);
    await page.getByTestId('scale').selectOption('log');
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-scale', 'log');
    await expect(page.getByTestId('legend')).toContainText('(log)');
    const log = await pixelAt(page, ...cell);
    expect(log).not.toEqual(linear);

    await page.getByTestId('palette').selectOption('cividis');
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-palette', 'cividis');
    const cividis = await pixelAt(page, ...cell);
    expect(cividis).not.toEqual(log);

    await page.getByTestId('theme').selectOption('dark');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    const ground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = ground.match(/\d+/g).map(Number);
    expect(r + g + b).toBeLessThan(150);
    await expect(page).toHaveURL(/scale=log&palette=cividis&theme=dark/);
    // The weights themselves do not change with the display.
    expect((await readResult(page)).weights).toEqual(weights);
    expect(errors).toEqual([]);
  });

  test('token labels thin out when crowded', async ({ page }) => {
    await openPlayground(page);
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-label-step', '1');
    const text = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    await page.getByTestId('text-input').fill(text);
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-rows', '200');
    const step = Number(await page.getByTestId('heatmap').getAttribute('data-label-step'));
    const cell = Number(await page.getByTestId('heatmap').getAttribute('data-cell-h'));
    expect(step).toBeGreaterThan(1);
    expect(step * cell).toBeGreaterThanOrEqual(14);
  });

  test('clicking a cell selects its query and key', async ({ page }) => {
    await openPlayground(page);
    await page.getByTestId('heatmap').click({ position: await plotOf(page.getByTestId('heatmap')).then((p) => ({ x: p.left + 5.5 * p.cellW, y: p.top + 3.5 * p.cellH })) });
    await expect(page).toHaveURL(/query=3&key=5/);
    await page.getByTestId('view-tab-steps').click();
    await expect(page.getByTestId('steps')).toHaveAttribute('data-row', '3');
  });

  test('the data table holds exactly the weights of the shown head', async ({ page }) => {
    await openPlayground(page, '#head=2');
    await page.getByTestId('table-toggle').check();
    await expect(page).toHaveURL(/table=true/);
    const table = page.getByTestId('weights-table');
    await expect(table).toBeVisible();
    const { tokens, n, weights } = await readResult(page);
    await expect(table.locator('tbody tr')).toHaveCount(n);
    const cells = await table.locator('tbody tr').evaluateAll((rows) => rows.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    for (let i = 0; i < n; i++) {
      expect(cells[i].map(fromText), `row ${i}`).toEqual(weights.slice(i * n, (i + 1) * n));
    }
    await expect(table.locator('thead th')).toHaveText(['query \\ key', ...tokens.map((t, j) => `#${j + 1} ${t}`)]);
    await expect(table.locator('caption')).toContainText('head 2');
  });

  test('the data table pages through a large matrix', async ({ page }) => {
    await openPlayground(page, `#table=true&text=${Array.from({ length: 100 }, (_, i) => `t${i}`).join('+')}`);
    const table = page.getByTestId('weights-table');
    await expect(table.locator('tbody tr')).toHaveCount(32);
    await expect(table.locator('thead th')).toHaveCount(17);
    await expect(page.getByTestId('weights-pager-status')).toHaveText('Queries 1–32 of 100, keys 1–16 of 100');
    await page.getByTestId('weights-rowNext').click();
    await page.getByTestId('weights-colNext').click();
    await expect(page.getByTestId('weights-pager-status')).toHaveText('Queries 33–64 of 100, keys 17–32 of 100');
    const { n, weights } = await readResult(page);
    const first = await table.locator('tbody tr').first().locator('td').first().textContent();
    expect(fromText(first)).toBe(weights[32 * n + 16]);
  });
});

test.describe('lines view', () => {
  test('draws one colour per head and hovering a token isolates its lines', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page, '#view=lines&heads=3');
    const lines = page.getByTestId('lines');
    await expect(lines).toBeVisible();
    await expect(page.getByTestId('lines-legend').locator('.head-key')).toHaveText(['head 1', 'head 2', 'head 3']);
    const all = Number(await lines.getAttribute('data-lines'));
    expect(all).toBeGreaterThan(0);

    const { n, tokens, allWeights } = await readResult(page);
    await lines.hover({ position: await linesPoint(page, 'query', 2) });
    await expect(lines).toHaveAttribute('data-isolate', 'query:2');
    let expected = 0;
    for (let h = 0; h < 3; h++) for (let j = 0; j < n; j++) if (allWeights[h * n * n + 2 * n + j] >= 0.01) expected++;
    await expect(lines).toHaveAttribute('data-lines', String(expected));
    expect(expected).toBeLessThan(all);
    await expect(page.getByTestId('tokens').locator('.token.is-query')).toHaveText(tokens[2]);

    await lines.hover({ position: await linesPoint(page, 'key', 4) });
    await expect(lines).toHaveAttribute('data-isolate', 'key:4');
    await expect(page.getByTestId('tokens').locator('.token.is-key')).toHaveText(tokens[4]);
    await page.mouse.move(1, 1);
    await expect(lines).toHaveAttribute('data-isolate', '');
    await expect(lines).toHaveAttribute('data-lines', String(all));
    expect(errors).toEqual([]);
  });

  test('shows only the selected head when all heads is off', async ({ page }) => {
    await openPlayground(page, '#view=lines&heads=3&head=2');
    await page.getByTestId('allheads').uncheck();
    await expect(page.getByTestId('lines')).toHaveAttribute('data-heads', '2');
    await expect(page.getByTestId('lines-legend').locator('.head-key')).toHaveText(['head 2']);
    await expect(page).toHaveURL(/allheads=false/);
  });

  test('has a vertical layout with queries above keys', async ({ page }) => {
    await openPlayground(page, `#view=lines&text=${encodeURIComponent('我爱你中国')}`);
    await page.getByTestId('layout').selectOption('vertical');
    const lines = page.getByTestId('lines');
    await expect(lines).toHaveAttribute('data-layout', 'vertical');
    const size = await lines.evaluate((c) => [c.clientWidth, c.clientHeight]);
    expect(size[0]).toBeGreaterThan(0);
    await lines.hover({ position: await linesPoint(page, 'query', 3) });
    await expect(lines).toHaveAttribute('data-isolate', 'query:3');
    await expect(page.getByTestId('tokens').locator('.token.is-query')).toHaveText('中');
    await lines.hover({ position: await linesPoint(page, 'key', 1) });
    await expect(lines).toHaveAttribute('data-isolate', 'key:1');
  });

  test('clicking a query token selects it', async ({ page }) => {
    await openPlayground(page, '#view=lines');
    await page.getByTestId('lines').click({ position: await linesPoint(page, 'query', 6) });
    await expect(page).toHaveURL(/query=6/);
  });
});

test.describe('heads grid', () => {
  test('shows a map per head plus their average, and a click focuses a head', async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page, '#view=heads&heads=4');
    const grid = page.getByTestId('heads-grid');
    await expect(grid.locator('.head-tile')).toHaveCount(5);
    await expect(grid.locator('.head-tile-caption')).toHaveText(['head 1', 'head 2', 'head 3', 'head 4', 'average of 4']);
    await expect(page.getByTestId('head-tile-1')).toHaveAttribute('aria-pressed', 'true');

    await page.getByTestId('head-tile-3').click();
    await expect(page.getByTestId('head')).toHaveValue('3');
    await expect(page.getByTestId('head-tile-3')).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByTestId('head-tile-1')).toHaveAttribute('aria-pressed', 'false');
    await expect(page).toHaveURL(/head=3/);
    expect((await readResult(page)).head).toBe(3);
    expect(errors).toEqual([]);
  });
});

test.describe('hover and selection stay in sync', () => {
  test('hovering a heatmap cell marks it in every other view and in the tokens', async ({ page }) => {
    await openPlayground(page);
    const { tokens } = await readResult(page);
    await hoverCell(page.getByTestId('heatmap'), 3, 5);
    await expect(page.getByTestId('lines')).toHaveAttribute('data-mark-row', '3');
    await expect(page.getByTestId('lines')).toHaveAttribute('data-mark-col', '5');
    await expect(page.getByTestId('heads-grid')).toHaveAttribute('data-mark-row', '3');
    await expect(page.getByTestId('heads-grid')).toHaveAttribute('data-mark-col', '5');
    await expect(page.getByTestId('output-map')).toHaveAttribute('data-mark-row', '3');
    await expect(page.getByTestId('tokens').locator('.token.is-query')).toHaveText(tokens[3]);
    await expect(page.getByTestId('tokens').locator('.token.is-key')).toHaveText(tokens[5]);
  });

  test('hovering in the heads grid marks the heatmap, and hovering the lines marks the heads grid', async ({ page }) => {
    await openPlayground(page, '#view=heads');
    const tile = page.getByTestId('head-tile-2').locator('canvas');
    const box = await tile.boundingBox();
    const n = (await readResult(page)).n;
    await tile.hover({ position: { x: (4.5 / n) * box.width, y: (7.5 / n) * box.height } });
    await expect(page.getByTestId('heads-grid')).toHaveAttribute('data-mark-row', '7');
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-mark-row', '7');
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-mark-col', '4');

    await page.getByTestId('view-tab-lines').click();
    await page.getByTestId('lines').hover({ position: await linesPoint(page, 'query', 1) });
    await expect(page.getByTestId('heads-grid')).toHaveAttribute('data-mark-row', '1');
    await expect(page.getByTestId('heads-grid')).toHaveAttribute('data-mark-col', '');
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-mark-row', '1');
  });

  test('the selection made in one view is the one every view shows', async ({ page }) => {
    await openPlayground(page);
    await page.getByTestId('heatmap').focus();
    await page.keyboard.press('ArrowDown');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/query=4&key=1/);
    await page.getByTestId('view-tab-steps').click();
    await expect(page.getByTestId('steps')).toHaveAttribute('data-row', '4');
    await expect(page.getByTestId('query')).toHaveValue('5');
    await page.getByTestId('view-tab-breakdown').click();
    await expect(page.getByTestId('breakdown')).toHaveAttribute('data-row', '4');
    await expect(page.getByTestId('breakdown')).toHaveAttribute('data-col', '1');
    await page.getByTestId('view-tab-stats').click();
    await expect(page.getByTestId('stats-table').locator('tr.is-marked')).toHaveAttribute('data-row', '4');
  });
});

test.describe('step-through', () => {
  test("shows the core's numbers for the selected query, ending in its output", async ({ page }) => {
    const errors = watchErrors(page);
    await openPlayground(page, '#view=steps&query=3&head=2');
    const steps = page.getByTestId('steps');
    const { tokens, n, weights, output } = await readResult(page);
    await expect(page.getByTestId('steps-heading')).toHaveText(`Query “${tokens[3]}” (#4), head 2 of 2`);
    await expect(page.getByTestId('steps-scale')).toHaveText('0.25');
    await expect(page.getByTestId('steps-temperature')).toHaveText('1');
    await expect(page.getByTestId('steps-mask')).toHaveText(`${n} of ${n}`);

    const rows = await steps.getByTestId('steps-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    expect(rows).toHaveLength(n);
    const shownWeights = rows.map((cells) => fromText(cells[4]));
    expect(shownWeights).toEqual(weights.slice(3 * n, 4 * n));
    // exp(logit − max) / Σ exp = weight, with the shown numbers.
    const sum = Number(await page.getByTestId('steps-sum').textContent());
    const max = Number(await page.getByTestId('steps-max').textContent());
    rows.forEach((cells, j) => {
      expect(Number(cells[3]) / sum).toBeCloseTo(shownWeights[j], 5);
      expect(Number(cells[3])).toBeCloseTo(Math.exp(Number(cells[1]) - max), 5);
      expect(Number(cells[1])).toBeCloseTo(Number(cells[0]) * 0.25, 5);
    });
    const shownOutput = (await page.getByTestId('steps-output').textContent()).replace(/[[\]]/g, '').split(', ').map(Number);
    expect(shownOutput).toHaveLength(16);
    shownOutput.forEach((v, d) => expect(v).toBeCloseTo(output[3 * 16 + d], 2));
    expect(errors).toEqual([]);
  });

  test('marks the keys a causal mask hides', async ({ page }) => {
    await openPlayground(page, '#view=steps&query=2&causal=true');
    const { n } = await readResult(page);
    await expect(page.getByTestId('steps-mask')).toHaveText(`3 of ${n}`);
    const attend = await page.getByTestId('steps-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll('td')[2].textContent));
    expect(attend).toEqual(Array.from({ length: n }, (_, j) => (j <= 2 ? 'yes' : 'no (masked)')));
  });

  test('follows the query number typed in its field', async ({ page }) => {
    await openPlayground(page, '#view=steps');
    await page.getByTestId('query').fill('7');
    await expect(page.getByTestId('steps')).toHaveAttribute('data-row', '6');
    await expect(page).toHaveURL(/query=6/);
  });
});

test.describe('query–key breakdown', () => {
  test('one bar per dimension, summing to the score the core computed', async ({ page }) => {
    await openPlayground(page, '#view=breakdown&query=3&key=5');
    const chart = page.getByTestId('breakdown-chart');
    await expect(chart.locator('rect.bar')).toHaveCount(16);
    const values = await chart.locator('rect.bar').evaluateAll((rects) => rects.map((r) => Number(r.dataset.value)));
    const total = Number(await page.getByTestId('breakdown').getAttribute('data-total'));
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(total, 9);
    const core = Number((await page.getByTestId('breakdown-summary').textContent()).match(/core's score: (\S+)\)/)[1]);
    expect(total).toBeCloseTo(core, 4);
    await expect(page.getByTestId('breakdown-drivers')).toContainText('Largest terms: d');
  });

  test('breaks down the general and additive scores too', async ({ page }) => {
    for (const variant of ['general', 'additive']) {
      await openPlayground(page, `#view=breakdown&variant=${variant}&query=1&key=2`);
      const total = Number(await page.getByTestId('breakdown').getAttribute('data-total'));
      const core = Number((await page.getByTestId('breakdown-summary').textContent()).match(/core's score: (\S+)\)/)[1]);
      expect(total, variant).toBeCloseTo(core, 4);
      await expect(page.getByTestId('breakdown-summary')).toContainText(variant === 'general' ? 'qᵀ W k' : 'vᵀ tanh');
    }
  });
});

test.describe('output view', () => {
  test("draws each query's output vector and shows its exact values", async ({ page }) => {
    await openPlayground(page, '#view=output&head=2');
    const map = page.getByTestId('output-map');
    const { n, tokens, output } = await readResult(page);
    await expect(map).toHaveAttribute('data-rows', String(n));
    await expect(map).toHaveAttribute('data-cols', '16');
    await expect(map).toHaveAttribute('data-palette', 'diverging');
    await hoverCell(map, 4, 9);
    const tooltip = page.getByTestId('output-tooltip');
    await expect(tooltip.locator('[data-field="query"]')).toHaveText(tokens[4]);
    expect(fromText(await tooltip.locator('[data-field="weight"]').textContent())).toBe(output[4 * 16 + 9]);
    // Its column is a dimension, so only the query is shared with the other views.
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-mark-row', '4');
    await expect(page.getByTestId('heatmap')).toHaveAttribute('data-mark-col', '');
  });
});

test.describe('statistics view', () => {
  test('lists entropy, max weight, argmax key and row sum of every query', async ({ page }) => {
    await openPlayground(page, '#view=stats&causal=true');
    const { n, tokens, weights } = await readResult(page);
    const rows = await page.getByTestId('stats-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    expect(rows).toHaveLength(n);
    rows.forEach(([entropy, max, argmax, sum], i) => {
      const row = weights.slice(i * n, (i + 1) * n);
      const best = Math.max(...row);
      const at = row.indexOf(best);
      expect(fromText(max), `row ${i}`).toBe(best);
      expect(argmax).toBe(`#${at + 1} ${tokens[at]}`);
      expect(Number(sum)).toBeCloseTo(1, 3);
      const h = -row.filter((w) => w > 0).reduce((a, w) => a + w * Math.log2(w), 0);
      expect(Number(entropy)).toBeCloseTo(h, 3);
    });
    // The first causal query sees only itself: no uncertainty.
    expect(rows[0][0]).toBe('0');
  });

  test('charts the mean weight by distance, all zero above the diagonal when causal', async ({ page }) => {
    await openPlayground(page, '#view=stats&causal=true');
    const { n } = await readResult(page);
    const bars = page.getByTestId('distance-chart').locator('rect.bar');
    await expect(bars).toHaveCount(2 * n - 1);
    const values = await bars.evaluateAll((rects) => rects.map((r) => Number(r.dataset.value)));
    // Bars run from i − j = −(n − 1) to n − 1; negative distances are future keys.
    expect(values.slice(0, n - 1).every((v) => v === 0)).toBe(true);
    expect(values[n - 1]).toBeGreaterThan(0);
  });
});
