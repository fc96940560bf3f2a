// Train mode's responsiveness while it trains, in Chromium on the built page:
// the time from a control change (the timeline slider moved to another kept
// snapshot) to the frame after the grid of maps is repainted, while the
// worker trains the attention model and its baseline. Prints the median and
// the 90th percentile, and the steps per second the worker kept up meanwhile.
//
//   node bench/train-repaint.mjs [hash]   (default: the page's train-mode defaults, and the 2 × 4 × 128 model)
//
// One trial, timed inside the page with performance.now(), in ms after t0:
//   t0     set the slider's value and dispatch its `input` event
//   drawn  the grid's data-step changes (a MutationObserver: the maps of the chosen snapshot are drawn)
//   next   the requestAnimationFrame callback requested then: the frame that shows them (reported)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPage, withChromium } from './chromium.mjs';
import { buildSite } from './repaint.mjs';
import { serveStatic } from './serve.mjs';
import { median } from './workload.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TRIALS = 40;
const CASES = process.argv[2]
  ? [process.argv[2].replace(/^#/, '')]
  : ['input=train&steps=100000', 'input=train&task=recall&layers=2&heads=4&width=128&context=128&batch=16&steps=100000'];

// Runs in the page: trials of a slider move while training goes on.
async function measureInPage({ trials }) {
  const slider = document.querySelector('[data-testid="train-timeline"]');
  const grid = document.querySelector('[data-testid="train-grid"]');
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
  const stepChange = (before) => new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (grid.dataset.step === before) return;
      observer.disconnect();
      resolve(performance.now());
    });
    observer.observe(grid, { attributes: true, attributeFilter: ['data-step'] });
  });
  const out = [];
  const startStep = window.__trainPlayground.step;
  const startAt = performance.now();
  for (let i = 0; i < trials; i++) {
    await sleep(30 + ((i * 7.3) % 17));
    const max = Number(slider.max);
    // alternate between two old snapshots, never the one shown
    const value = String(i % 2 === 0 ? 0 : Math.max(1, Math.floor(max / 2)));
    if (slider.value === value) continue;
    const changed = stepChange(grid.dataset.step);
    const t0 = performance.now();
    slider.value = value;
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    const drawn = await changed;
    const next = await nextFrame();
    out.push({ drawn: drawn - t0, next: next - t0 });
  }
  const seconds = (performance.now() - startAt) / 1000;
  return { out, stepsPerSecond: (window.__trainPlayground.step - startStep) / seconds };
}

const outDir = path.join(root, 'build', 'bench-site');
buildSite(root, outDir);
const server = await serveStatic({ root: outDir });
try {
  await withChromium(async (browser) => {
    for (const hash of CASES) {
      const page = await openPage(browser, `${server.url}/index.html#${hash}`, () => {});
      await page.waitForFunction(() => !document.querySelector('[data-testid="train-start"]')?.disabled, null, { timeout: 120_000 });
      await page.click('[data-testid="train-start"]');
      // enough kept snapshots to scrub between
      await page.waitForFunction(() => (window.__trainPlayground?.timeline?.length ?? 0) >= 4, null, { timeout: 600_000 });
      const { out, stepsPerSecond } = await page.evaluate(measureInPage, { trials: TRIALS });
      const running = await page.evaluate(() => window.__trainPlayground.running);
      await page.close();
      const sorted = out.map((t) => t.next).sort((a, b) => a - b);
      const p90 = sorted[Math.min(sorted.length - 1, Math.floor(0.9 * sorted.length))];
      console.log(`train mode #${hash}: slider move to repainted maps, ${median(out.map((t) => t.next)).toFixed(1)} ms median, `
        + `${p90.toFixed(1)} ms 90th percentile of ${out.length} (to drawn: ${median(out.map((t) => t.drawn)).toFixed(1)} ms); `
        + `training ${running ? 'ran' : 'had stopped'} meanwhile at ${stepsPerSecond.toFixed(1)} steps per second`);
    }
  });
} finally {
  await server.close();
}
