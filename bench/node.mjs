// The benchmark in Node 20: loads each library from node_modules (WASM files
// from the packages' dist folders, nothing fetched) and runs the suite.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-web';
import { loadAttention } from '../wasm/index.js';
import { implementations } from './impls.mjs';
import { runSuite } from './suite.mjs';

const dist = (pkg) => fileURLToPath(new URL(`../node_modules/${pkg}/dist/`, import.meta.url));

/** Returns { results, features, notes } of the Node run. */
export async function runNode({ shapes, log }) {
  const engine = await loadAttention();

  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = dist('onnxruntime-web');

  setThreadsCount(1); // before setBackend, or the backend starts its thread pool
  setWasmPaths(dist('@tensorflow/tfjs-backend-wasm'));
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js could not start its wasm backend');

  const { impls, features, notes, close } = await implementations({ engine, ort, tf, cores: availableParallelism() });
  try {
    const results = await runSuite({ env: 'node', impls, shapes, log });
    return { results, features, notes };
  } finally {
    close();
  }
}
