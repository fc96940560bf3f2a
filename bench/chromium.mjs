// The benchmark in headless Chromium (Debian's /usr/bin/chromium driven by
// Playwright; never a downloaded browser). The page bench/chromium/ runs the
// same suite as Node, served with the libraries by a local static server.
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from '../scripts/chromium.mjs';
import { CROSS_ORIGIN_ISOLATION, serveStatic } from './serve.mjs';


/** Launches Chromium, runs body(browser) and always closes it. */
export async function withChromium(body) {
  const browser = await chromium.launch(chromiumLaunchOptions);
  try {
    return await body(browser);
  } finally {
    await browser.close();
  }
}

/** Opens url in a fresh page whose console and errors go to log. */
export async function openPage(browser, url, log) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (message) => log(message.text()));
  page.on('pageerror', (error) => log(`page error: ${error.message}`));
  await page.goto(url);
  return page;
}

/**
 * Serves the bench page (cross-origin isolated, so an engine that can use
 * SharedArrayBuffer threads may; the peers are pinned to one thread
 * regardless), runs run(page) once it is ready, and closes both.
 */
async function onBenchPage(browser, { root, log }, run) {
  const server = await serveStatic({
    root,
    allow: ['/bench/', '/wasm/', '/node_modules/onnxruntime-web/dist/', '/node_modules/@tensorflow/', '/node_modules/@huggingface/tokenizers/dist/', '/build/bench/'],
    headers: CROSS_ORIGIN_ISOLATION,
  });
  try {
    const page = await openPage(browser, `${server.url}/bench/chromium/`, log);
    await page.waitForFunction(() => window.benchReady === true);
    const result = await run(page);
    await page.close();
    return result;
  } finally {
    await server.close();
  }
}

/** Returns { results, features, notes } of the Chromium run. */
export function runChromium(browser, { root, shapes, log }) {
  return onBenchPage(browser, { root, log }, (page) => page.evaluate((s) => window.runBench(s), shapes));
}

/** Returns { results, loadMs } of the model benchmark in Chromium (bench/model-lib.mjs). */
export function runModelChromium(browser, { root, log, rounds }) {
  return onBenchPage(browser, { root, log }, (page) => page.evaluate((options) => window.runModelBench(options), { rounds }));
}

/** Returns the GPT-2 benchmark's result in Chromium (bench/gpt2-lib.mjs); options: { sizes, lengths, rounds }. */
export function runGpt2Chromium(browser, { root, log, ...options }) {
  return onBenchPage(browser, { root, log }, (page) => page.evaluate((o) => window.runGpt2Bench(o), options));
}

/** Returns the training benchmark's result in Chromium (bench/train-lib.mjs); build/bench/tfjs-gradients.mjs must exist (bench/tfjs-gradients.mjs). */
export function runTrainChromium(browser, { root, log, ...options }) {
  return onBenchPage(browser, { root, log }, (page) => page.evaluate((o) => window.runTrainBench(o), options));
}
