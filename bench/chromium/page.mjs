// The benchmark in the browser: the page the bench server serves at
// /bench/chromium/. Libraries come from the same server (node_modules dist
// folders and wasm/), nothing from the network. run.mjs calls
// window.runBench(shapes) and gets { results, features, notes } back.
// wasm-memories.mjs comes first: it watches every WASM instance made after it.
import { memories } from '../wasm-memories.mjs';
import * as ort from '/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs';
import { loadAttention } from '/wasm/index.js';
import { implementations } from '../impls.mjs';
import { loadToFirstResult, runModelSuite, tfjsUseLite } from '../model-lib.mjs';
import { runGpt2Suite } from '../gpt2-lib.mjs';
import { runTrainSuite } from '../train-lib.mjs';
import { createTrainer } from '/wasm/train.js';
import { bundledModels } from '/wasm/bundled-models.js';
import { runSuite } from '../suite.mjs';

const { tf } = globalThis;

async function runBench(shapes) {
  const engine = await loadAttention();

  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = new URL('/node_modules/onnxruntime-web/dist/', location.href).href;

  tf.wasm.setThreadsCount(1); // before setBackend, or the backend starts its thread pool
  tf.wasm.setWasmPaths(new URL('/node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href);
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js could not start its wasm backend');

  const { impls, features, notes, close } = await implementations({ engine, ort, tf, cores: navigator.hardwareConcurrency || 1 });
  try {
    const results = await runSuite({ env: 'chromium', impls, shapes, log: (line) => console.log(line) });
    return { results, features, notes };
  } finally {
    close();
  }
}

// The model benchmark (bench/model-lib.mjs) in this page: the bundled
// model's files are fetched from the bench server once, then both run from memory.
async function runModelBench({ rounds }) {
  const files = {};
  for (const [name, url] of Object.entries(bundledModels['use-lite']())) {
    files[name] = new Uint8Array(await (await fetch(url)).arrayBuffer());
  }
  tf.wasm.setThreadsCount(1);
  tf.wasm.setWasmPaths(new URL('/node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href);
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js could not start its wasm backend');
  const engine = await loadAttention();
  const model = await engine.loadModel({ files });
  const tfjs = await tfjsUseLite(tf, tf.loadGraphModel, files);
  try {
    const results = await runModelSuite({ env: 'chromium', model, tfjs, rounds, log: (line) => console.log(line) });
    const loadMs = await loadToFirstResult(engine, files);
    console.log(`chromium: model load, bytes in memory to first result: ${loadMs.toFixed(0)} ms (median of 5)`);
    return { results, loadMs };
  } finally {
    tfjs.dispose();
    model.release();
  }
}

// The GPT-2 benchmark (bench/gpt2-lib.mjs): the checkpoint is written here
// from the same seed as in Node, so nothing large crosses from the driver.
async function runGpt2Bench(options) {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = new URL('/node_modules/onnxruntime-web/dist/', location.href).href;
  const engine = await loadAttention();
  return runGpt2Suite({ env: 'chromium', engine, ort, memories, log: (line) => console.log(line), ...options });
}

// The training benchmark (bench/train-lib.mjs). TF.js's gradients come from
// the bundle bench/tfjs-gradients.mjs made in Node before the browser started.
async function runTrainBench(options) {
  await import('/build/bench/tfjs-gradients.mjs');
  tf.wasm.setThreadsCount(1);
  tf.wasm.setWasmPaths(new URL('/node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href);
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js could not start its wasm backend');
  return runTrainSuite({ env: 'chromium', createTrainer, tf, memories, log: (line) => console.log(line), ...options });
}

window.runTrainBench = runTrainBench;
window.runGpt2Bench = runGpt2Bench;
window.runModelBench = runModelBench;
window.runBench = runBench;
window.benchReady = true;
