// npm run bench:train — the training benchmark (bench/train-lib.mjs) in Node:
// steps per second of this core's trainer against TensorFlow.js's wasm backend
// training the same GPT with the same optimiser (2 layers, 4 heads, width 128,
// context 128, batch 16), one thread each, interleaved; then the same in
// headless Chromium. With --memory-steps N, this trainer alone then takes N
// more steps and its WASM memory is read every N/10 (TF.js at this speed
// would take hours for the 10 000).
//   node bench/train.mjs [--quick] [--node-only] [--json FILE] [--memory-steps N]
import './wasm-memories.mjs';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { tfjsGradients } from './tfjs-gradients.mjs';
import { createTrainer } from '../wasm/train.js';
import { memories } from './wasm-memories.mjs';
import { runTrainSuite, TRAIN_SETTINGS, trainMemoryOverSteps } from './train-lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

/** Returns the suite's result in Node (see runTrainSuite). */
export async function runTrainNode({ log = console.log, ...options } = {}) {
  await import(await tfjsGradients(root));
  setThreadsCount(1); // before setBackend, or the backend starts its thread pool
  setWasmPaths(fileURLToPath(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)));
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js could not start its wasm backend');
  return runTrainSuite({ env: 'node', createTrainer, tf, memories, log, ...options });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = { rounds: args.includes('--quick') ? 2 : 6 };
  const node = await runTrainNode(options);
  const at = args.indexOf('--memory-steps');
  if (at >= 0) node.memoryOverSteps = await trainMemoryOverSteps({ createTrainer, memories, settings: TRAIN_SETTINGS, steps: Number(args[at + 1]), log: console.log });
  const jsonAt = args.indexOf('--json');
  if (jsonAt >= 0) writeFileSync(args[jsonAt + 1], JSON.stringify(node));
  if (!args.includes('--node-only')) {
    await tfjsGradients(root);
    const { runTrainChromium, withChromium } = await import('./chromium.mjs');
    await withChromium((browser) => runTrainChromium(browser, { root, log: console.log, ...options }));
  }
}
