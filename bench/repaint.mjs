// The second benchmark: in Chromium, the time from a control change to the
// repainted heatmap on the built playground page, at 128 tokens × 8 heads.
//
// One trial, timed inside the page with performance.now(), all in ms after t0:
//   t0       set the temperature input and dispatch its `input` event
//   frame    our requestAnimationFrame callback, requested just before the
//            dispatch, so it runs first in the frame that will redraw
//   digest   the heatmap canvas's data-digest changes (a MutationObserver:
//            the page has computed the new weights and drawn them)
//   painted  a task posted at that moment runs: Chromium runs it only after
//            the frame's style, layout and paint
//   next     the requestAnimationFrame callback requested at the digest
//            change: the next frame, so the repaint is surely included.
//            This is the reported figure (medianMs). Also reported: t0 →
//            painted (medianToPaintMs), and the parts: waiting for a frame,
//            the page's compute and draw (frame → digest), the browser's
//            paint (digest → painted). When compute, draw and paint overrun
//            one frame interval, `next` moves a whole frame later.
// Trials start at varied delays, so the change falls at varied points of the
// display's frame cycle, as a user's slider drag does.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { median } from './workload.mjs';
import { openPage } from './chromium.mjs';
import { serveStatic } from './serve.mjs';

export const TOKENS = 128;
export const HEADS = 8;
const WARMUP = 5;
const TRIALS = 60;

// 128 plain words: the tokenizer makes exactly one token of each.
const WORDS = ('the quick brown fox jumps over a lazy dog while seven small birds sing ' +
  'near an old river and children laugh under tall green trees in warm summer light').split(' ');
const text = Array.from({ length: TOKENS }, (_, i) => WORDS[i % WORDS.length]).join(' ');

/** Builds the playground into outDir with Vite; throws with Vite's output on failure. */
export function buildSite(root, outDir) {
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    // Vite's error lines, without its warnings and the stack trace.
    const lines = `${result.stdout}\n${result.stderr}`.split('\n')
      .filter((line) => line.trim() && !line.startsWith('[plugin') && !/^\s+at /.test(line));
    throw new Error(`vite build failed: ${lines.slice(0, 6).join(' | ')}`);
  }
}

// Runs in the page. Returns the trials' { frame, digest, painted, next } in ms after t0.
async function measureInPage({ warmup, trials }) {
  const canvas = document.querySelector('[data-testid="heatmap"]');
  const input = document.querySelector('[data-testid="temperature"]');
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const afterPaint = () => new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve(performance.now());
    channel.port2.postMessage(0);
  });
  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
  const digestChange = (before) => new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (canvas.dataset.digest === before) return;
      observer.disconnect();
      resolve(performance.now());
    });
    observer.observe(canvas, { attributes: true, attributeFilter: ['data-digest'] });
  });

  const out = [];
  for (let i = 0; i < warmup + trials; i++) {
    await sleep(20 + ((i * 7.3) % 17)); // 7.3 ms steps sweep the 16.7 ms frame cycle
    const temperature = (0.5 + ((i % 20) + 1) * 0.05).toFixed(2); // never the previous value
    const changed = digestChange(canvas.dataset.digest);
    const t0 = performance.now();
    const frame = nextFrame();
    input.value = temperature;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    const digest = await changed;
    const [painted, next] = await Promise.all([afterPaint(), nextFrame()]);
    if (i >= warmup) out.push({ frame: (await frame) - t0, digest: digest - t0, painted: painted - t0, next: next - t0 });
  }
  return out;
}

/**
 * Builds the site into root/build/bench-site, serves it and measures.
 * Returns { env, impl, tokens, heads, medianMs, medianToPaintMs, breakdown: { waitForFrameMs,
 * computeAndDrawMs, paintMs } (medians of the parts, so they need not add
 * up), trials }.
 */
export async function runRepaint(browser, { root, log }) {
  const outDir = path.join(root, 'build', 'bench-site');
  buildSite(root, outDir);
  const server = await serveStatic({ root: outDir });
  try {
    const hash = new URLSearchParams({ text, heads: String(HEADS) });
    const page = await openPage(browser, `${server.url}/index.html#${hash}`, log);
    try {
      await page.waitForFunction(() => document.querySelector('[data-testid="heatmap"]')?.dataset.digest, null, { timeout: 60_000 });
    } catch (error) {
      const says = await page.evaluate(() => ['status', 'error']
        .map((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim()).filter(Boolean).join(' / '));
      throw new Error(`the heatmap never showed (page says: ${says || 'nothing'}): ${error.message.split('\n')[0]}`);
    }
    const shown = await page.locator('[data-testid="heatmap"]').getAttribute('data-rows');
    if (shown !== String(TOKENS)) throw new Error(`the heatmap shows ${shown} rows, expected ${TOKENS} tokens`);
    const heads = await page.locator('[data-prop="heads"]').first().inputValue();
    if (heads !== String(HEADS)) throw new Error(`the page computes ${heads} heads, expected ${HEADS}`);

    const trials = await page.evaluate(measureInPage, { warmup: WARMUP, trials: TRIALS });
    await page.close();
    const medianOf = (part) => median(trials.map(part));
    return {
      env: 'chromium',
      impl: 'playground-repaint',
      tokens: TOKENS,
      heads: HEADS,
      medianMs: medianOf((t) => t.next),
      medianToPaintMs: medianOf((t) => t.painted),
      breakdown: {
        waitForFrameMs: medianOf((t) => t.frame),
        computeAndDrawMs: medianOf((t) => t.digest - t.frame),
        paintMs: medianOf((t) => t.painted - t.digest),
      },
      trials: trials.length,
    };
  } finally {
    await server.close();
  }
}
