// npm run bench:gpt2 — the GPT-2 benchmark (bench/gpt2-lib.mjs) in Node: a
// GPT-2-small-sized model with random weights on 128 and 512 tokens, this
// core against onnxruntime-web running the same weights, one thread each,
// interleaved; then the same in headless Chromium.
//   node bench/gpt2.mjs [--quick] [--small] [--node-only] [--json FILE]
//     --quick      two timed rounds per length
//     --small      a 2-layer model of width 64 on 16 and 48 tokens (checks the wiring in seconds)
//     --node-only  skip Chromium
//     --json FILE  write the Node result there (bench/run.mjs runs this file as a child
//                  process, so that each engine's memory is its own and nothing else's)
import './wasm-memories.mjs';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { loadAttention } from '../wasm/index.js';
import { gpt2Options, runGpt2Suite } from './gpt2-lib.mjs';
import { memories } from './wasm-memories.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

/** Returns the suite's result in Node (see runGpt2Suite), with the process's resident memory at the end. */
export async function runGpt2Node({ log = console.log, ...options } = {}) {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = fileURLToPath(new URL('../node_modules/onnxruntime-web/dist/', import.meta.url));
  const engine = await loadAttention();
  const result = await runGpt2Suite({ env: 'node', engine, ort, memories, log, ...options });
  result.memory.processRssBytes = process.memoryUsage().rss;
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = gpt2Options(args);
  const node = await runGpt2Node(options);
  const jsonAt = args.indexOf('--json');
  if (jsonAt >= 0) writeFileSync(args[jsonAt + 1], JSON.stringify(node));
  const runs = [node];
  if (!args.includes('--node-only')) {
    const { runGpt2Chromium, withChromium } = await import('./chromium.mjs');
    runs.push(await withChromium((browser) => runGpt2Chromium(browser, { root, log: console.log, ...options })));
  }
  const apart = runs.flatMap((run) => run.results.filter((r) => r.parityOk === false));
  if (apart.length > 0) {
    console.error(`this core and onnxruntime-web disagree beyond 1e-3: ${apart.map((r) => `${r.env} T=${r.tokens}`).join(', ')}`);
    process.exitCode = 1;
  }
}
