// Train mode (input=train) in the built page: the model with attention and
// its baseline train side by side in a worker, their curves get points and
// the loss falls, and they are the training API's losses for the same
// settings, bit for bit (the same WebAssembly, here in Node); a pause holds,
// one step is one step, the grid of maps is drawn and the timeline scrubs
// back; the link holds the settings; bad settings name their field; a
// diverging learning rate stops the run with a message; and Save model's
// three files load back through model mode's "Open a model…" with the same
// attention. Nothing here is timed: every wait is for a state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { createSideBySide } from '../../wasm/train.js';
import { watchErrors } from './support.js';

const SETTINGS = { task: 'copy', layers: 1, heads: 2, width: 16, context: 16, batch: 8, lr: 0.03, steps: 200, seed: 3 };
const hashOf = (settings) => `#input=train&${new URLSearchParams(Object.entries(settings).map(([k, v]) => [k, String(v)]))}`;
const shown = (page) => page.evaluate(() => {
  const t = window.__trainPlayground;
  return t && { ...t, shownAttentions: undefined };
});

async function openTrain(page, settings = SETTINGS) {
  await page.goto(`/${hashOf(settings)}`);
  await expect(page.getByTestId('train-panel')).toBeVisible();
  await expect(page.getByTestId('train-start')).toBeEnabled({ timeout: 30_000 });
}

/** Waits for the run's state to satisfy check(state) (a function source run in the page). */
const waitForRun = (page, check, arg) => page.waitForFunction(check, arg, { timeout: 60_000 });

let dir;
test.beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'train-mode-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('trains both models side by side: curves as the API gives them, pause, one step, the grid and its timeline', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openTrain(page);
  // The settings are in the controls and stay in the link.
  await expect(page.getByTestId('train-task')).toHaveValue('copy');
  await expect(page.getByTestId('train-width')).toHaveValue('16');
  await expect(page.getByTestId('train-lr')).toHaveValue('0.03');
  await expect(page.getByTestId('train-status')).toContainText('Step 0 of 200, ready');
  await expect(page.getByTestId('train-probe')).toContainText('Probe:');

  await page.getByTestId('train-start').click();
  await waitForRun(page, () => window.__trainPlayground?.step >= 50);
  await page.getByTestId('train-pause').click();
  await waitForRun(page, () => window.__trainPlayground && !window.__trainPlayground.running);
  await expect(page.getByTestId('train-start')).toBeEnabled();
  const paused = await shown(page);
  expect(paused.step).toBeGreaterThanOrEqual(50);
  expect(paused.step).toBeLessThan(200);
  const { points } = paused;
  // Both curves have a point per step, from step 1.
  expect(points.step).toEqual(Array.from({ length: paused.step }, (_, i) => i + 1));
  expect(points.baselineLoss).toHaveLength(paused.step);
  await expect(page.getByTestId('train-loss-chart')).toHaveAttribute('data-points', String(paused.step));
  await expect(page.getByTestId('train-accuracy-chart')).toHaveAttribute('data-points', String(paused.step));
  // The loss falls.
  const tail = (xs) => xs.slice(-5).reduce((a, b) => a + b, 0) / 5;
  expect(tail(points.attentionLoss)).toBeLessThan(points.attentionLoss[0] - 0.1);

  // The same settings in Node give the same losses, bit for bit.
  const { lr, ...rest } = SETTINGS;
  const pair = await createSideBySide({ ...rest, learningRate: lr });
  const api = pair.step(paused.step + 1);
  expect(points.attentionLoss).toEqual(Array.from(api.attention.losses.slice(0, paused.step)));
  expect(points.baselineLoss).toEqual(Array.from(api.baseline.losses.slice(0, paused.step)));

  // Paused, nothing moves; one step is exactly one step.
  expect((await shown(page)).step).toBe(paused.step);
  await page.getByTestId('train-step').click();
  await waitForRun(page, (s) => window.__trainPlayground.points.step.length === s + 1, paused.step);
  const stepped = await shown(page);
  expect(stepped.step).toBe(paused.step + 1);
  expect(stepped.points.step.at(-1)).toBe(paused.step + 1);
  expect(stepped.points.attentionLoss.at(-1)).toBe(api.attention.losses[paused.step]);
  await expect(page.getByTestId('train-status')).toContainText(`Step ${paused.step + 1} of 200, paused`);
  await expect(page.getByTestId('train-status')).toContainText('steps per second');

  // The grid: one layer of two heads and their average, at the newest step, the API's maps.
  const grid = page.getByTestId('train-grid');
  await expect(grid.getByTestId('layer-row-1').locator('canvas')).toHaveCount(3);
  await expect(grid).toHaveAttribute('data-step', String(paused.step + 1));
  const pageMaps = await page.evaluate(() => Array.from(window.__trainPlayground.shownAttentions[0]));
  const apiMaps = Array.from(pair.attention.attentions()[0]);
  expect(pageMaps).toEqual(apiMaps);
  pair.release();

  // The timeline scrubs back to the first map (step 0) and forward to the newest.
  const timeline = page.getByTestId('train-timeline');
  const kept = stepped.timeline;
  expect(kept[0]).toBe(0);
  expect(kept.length).toBeGreaterThan(2);
  await timeline.fill('0');
  await expect(grid).toHaveAttribute('data-step', '0');
  await expect(page.getByTestId('train-timeline-label')).toContainText('step 0, scrubbed back');
  const first = await page.evaluate(() => Array.from(window.__trainPlayground.shownAttentions[0]));
  expect(first).not.toEqual(pageMaps);
  await timeline.fill(String(kept.length - 1));
  await expect(grid).toHaveAttribute('data-step', String(paused.step + 1));

  // The link holds the settings: opened again, the same run is set up.
  const link = new URL(page.url());
  for (const [name, value] of Object.entries(SETTINGS)) {
    expect(new URLSearchParams(link.hash.slice(1)).get(name), name).toBe(String(value));
  }
  await page.goto('about:blank');
  await page.goto(link.href);
  await expect(page.getByTestId('train-start')).toBeEnabled({ timeout: 30_000 });
  await expect(page.getByTestId('train-heads')).toHaveValue('2');
  await expect(page.getByTestId('train-context')).toHaveValue('16');
  await expect(page.getByTestId('train-status')).toContainText('Step 0 of 200, ready');
  expect(errors).toEqual([]);
});

test('bad settings name their field and train nothing; fixed, the run is back', async ({ page }) => {
  const errors = watchErrors(page);
  await openTrain(page);
  await page.getByTestId('train-heads').fill('3');
  await expect(page.getByTestId('train-error')).toHaveText(/^Heads: 3 does not divide the width 16\. Nothing is trained/);
  await expect(page.getByTestId('train-heads')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await expect(page.getByTestId('train-step')).toBeDisabled();
  await page.getByTestId('train-heads').fill('4');
  await expect(page.getByTestId('train-error')).toBeHidden();
  await expect(page.getByTestId('train-heads')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('train-start')).toBeEnabled({ timeout: 30_000 });

  // A recall distance past the context is named too.
  await page.getByTestId('train-task').selectOption('recall');
  await page.getByTestId('train-distance').fill('40');
  await page.getByTestId('train-distance').blur();
  await expect(page.getByTestId('train-error')).toContainText('Distance:');
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await page.getByTestId('train-distance').fill('');
  await expect(page.getByTestId('train-start')).toBeEnabled({ timeout: 30_000 });

  // A pasted text the core finds too short is named as the page's field; a longer one trains.
  await page.getByTestId('train-task').selectOption('text');
  await page.getByTestId('train-text').fill('too short');
  await expect(page.getByTestId('train-error')).toContainText('Text: needs at least', { timeout: 30_000 });
  await expect(page.getByTestId('train-text')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await page.getByTestId('train-text').fill('call me ishmael. '.repeat(40));
  await expect(page.getByTestId('train-text-note')).toContainText('Learning your text (680 characters', { timeout: 30_000 });
  await expect(page.getByTestId('train-error')).toBeHidden();
  await expect(page.getByTestId('train-start')).toBeEnabled();
  expect(new URLSearchParams(new URL(page.url()).hash.slice(1)).get('traintext')).toBe('call me ishmael. '.repeat(40));
  expect(errors).toEqual([]);
});

test('a diverging learning rate stops the run with a clear message and keeps the last good step', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await openTrain(page, { ...SETTINGS, lr: 1000 });
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-error')).toContainText('diverged', { timeout: 60_000 });
  await expect(page.getByTestId('train-error')).toContainText('last good step');
  await expect(page.getByTestId('train-status')).toContainText('stopped (diverged)');
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await expect(page.getByTestId('train-step')).toBeDisabled();
  const run = await shown(page);
  expect(run.diverged).toBe(true);
  expect(run.step).toBeLessThan(200);
  // The curves stop at the last good step, finite; the maps are that step's.
  expect(run.points.step.at(-1) ?? 0).toBe(run.step);
  expect(run.points.attentionLoss.every(Number.isFinite)).toBe(true);
  await expect(page.getByTestId('train-grid')).toHaveAttribute('data-step', String(run.step));
  // Reset starts again.
  await page.getByTestId('train-reset').click();
  await expect(page.getByTestId('train-start')).toBeEnabled({ timeout: 30_000 });
  await expect(page.getByTestId('train-error')).toBeHidden();
  expect(errors).toEqual([]);
});

test('Save model downloads three files that model mode opens again, with the same attention', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openTrain(page);
  for (let i = 1; i <= 3; i++) {
    await page.getByTestId('train-step').click();
    await waitForRun(page, (n) => window.__trainPlayground.step === n && !window.__trainPlayground.running, i);
  }
  await expect(page.getByTestId('train-grid')).toHaveAttribute('data-step', '3');
  const trained = await page.evaluate(() => ({
    maps: Array.from(window.__trainPlayground.shownAttentions[0]),
    probe: window.__trainPlayground.probe,
  }));
  const text = await page.evaluate(() => {
    const t = window.__trainPlayground;
    return t.probe.map((id) => t.vocabulary[id]).join('');
  });

  const downloads = [];
  page.on('download', (download) => downloads.push(download));
  await page.getByTestId('train-save').click();
  await expect.poll(() => downloads.length).toBe(3);
  const names = downloads.map((d) => d.suggestedFilename()).sort();
  expect(names).toEqual(['config.json', 'model.safetensors', 'tokenizer.json']);
  const files = [];
  for (const download of downloads) {
    const file = path.join(dir, download.suggestedFilename());
    await download.saveAs(file);
    files.push(file);
  }
  await expect(page.getByTestId('train-saved')).toContainText('step 3');

  // Model mode's "Open a model…" with the three files, on the probe's text.
  await page.getByTestId('input-mode').selectOption('model');
  await page.getByTestId('text-input').fill(text);
  await page.getByTestId('model-files').setInputFiles(files);
  await page.waitForFunction(
    () => {
      const s = window.__attentionPlayground;
      return s && !s.pending && s.lastResult?.model?.local && s.lastResult.model.info.layers === 1;
    },
    null,
    { timeout: 60_000 },
  );
  const opened = await page.evaluate(() => {
    const m = window.__attentionPlayground.lastResult.model;
    return { maps: Array.from(m.attentions[0]), heads: m.info.headsPerLayer };
  });
  expect(opened.heads).toEqual([2]);
  expect(opened.maps).toHaveLength(trained.maps.length);
  let worst = 0;
  for (let i = 0; i < trained.maps.length; i++) worst = Math.max(worst, Math.abs(opened.maps[i] - trained.maps[i]));
  expect(worst).toBeLessThanOrEqual(1e-5);
  expect(errors).toEqual([]);
});

test('train mode has no serious or critical accessibility violation, charts and grid drawn', async ({ page }) => {
  await openTrain(page);
  await page.getByTestId('train-step').click();
  await expect(page.getByTestId('train-grid')).toHaveAttribute('data-step', '1');
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  expect(serious).toEqual([]);
});

test('a link\'s adjusted settings are said in train mode too', async ({ page }) => {
  await page.goto(`/${hashOf({ ...SETTINGS, layers: 99 })}`);
  await expect(page.getByTestId('train-note')).toContainText('layers 99 → 12');
  await expect(page.getByTestId('train-layers')).toHaveValue('12');
});

test.describe('at 360 px wide', () => {
  test.use({ viewport: { width: 360, height: 740 } });

  test('train mode fits without scrolling the page sideways', async ({ page }) => {
    await openTrain(page);
    await page.getByTestId('train-step').click();
    await expect(page.getByTestId('train-grid')).toHaveAttribute('data-step', '1');
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
  });
});
