// npm run bench:model — the model benchmark in Node (bench/model-lib.mjs):
// USE lite's forward pass on 16, 64 and 128 tokens, this core against
// TensorFlow.js's wasm backend on the same model.json, one thread each,
// interleaved; and the time from the files' bytes to the first result; then
// the same in headless Chromium.
//   node bench/model.mjs [--quick]
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { loadAttention } from '../wasm/index.js';
import { loadToFirstResult, runModelSuite, tfjsUseLite } from './model-lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');

/** Returns { results, loadMs } of the Node run. */
export async function runModelNode({ log = console.log, rounds = quick ? 3 : 15 } = {}) {
  const dir = path.join(root, 'wasm', 'generated', 'models', 'use-lite');
  const files = Object.fromEntries(readdirSync(dir).map((name) => [name, new Uint8Array(readFileSync(path.join(dir, name)))]));
  setThreadsCount(1);
  setWasmPaths(fileURLToPath(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)));
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js could not start its wasm backend');
  const engine = await loadAttention();
  const model = await engine.loadModel({ files });
  const tfjs = await tfjsUseLite(tf, loadGraphModel, files);
  try {
    const results = await runModelSuite({ env: 'node', model, tfjs, rounds, log });
    const loadMs = await loadToFirstResult(engine, files);
    log(`node: model load, bytes in memory to first result: ${loadMs.toFixed(0)} ms (median of 5)`);
    return { results, loadMs };
  } finally {
    tfjs.dispose();
    model.release();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runModelNode();
  const { runModelChromium, withChromium } = await import('./chromium.mjs');
  await withChromium((browser) => runModelChromium(browser, { root, log: console.log, rounds: quick ? 3 : 15 }));
}
