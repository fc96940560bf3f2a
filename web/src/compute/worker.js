// The compute worker: its own engine, so embedding and attention of large
// inputs (hundreds of tokens, millions of weights, long input) never freeze
// the page. It runs the very runner the page runs (run.js) on the request it
// is sent (requests.js).
// Messages in: { id, request }. Messages out: { id, stage } as each stage
// starts ('loading', 'embedding', 'attention'), { id, progress } (0 to 1)
// after each block of a long request, then { id, result } or { id, error }.
// result.perf holds the engine calls' times as measured here. Arrays are
// transferred, not copied: at 2048 tokens × 8 heads the weights alone are
// 128 MiB, so the runner keeps only Q/K/V (keepResult false) and the page
// keeps the answers. A model request from disk carries the model's File
// objects (compute/local-model.js), which postMessage passes by reference:
// their bytes are read here, never copied through the page.
import { loadAttention } from '../../../wasm/index.js';
import { createRunner } from './run.js';

let current = 0;
const report = (stage) => self.postMessage({ id: current, stage });
const ready = loadAttention().then((engine) => createRunner(engine, { report, keepResult: false }));

/** A copy of result whose arrays the worker may give away: Q/K/V stay remembered here, so they are copied. */
function sendable(result) {
  if (result.model) return { result, buffers: [] }; // a few hundred kilobytes, copied
  if (result.long) return { result, buffers: [result.values.buffer, ...(result.output ? [result.output.buffer] : [])] };
  const [query, key, value] = [result.query, result.key, result.value].map((array) => array.slice());
  const sent = { ...result, query, key, value, request: { ...result.request, query, key, value } };
  return { result: sent, buffers: [query, key, value, sent.output, sent.weights].map((array) => array.buffer) };
}

self.addEventListener('message', async (event) => {
  const { id, request } = event.data;
  current = id;
  try {
    if (request.mode !== 'long' && request.mode !== 'model') report('loading');
    const runner = await ready;
    const answer = await runner.compute(request, { progress: (fraction) => self.postMessage({ id, progress: fraction }) });
    const { result, buffers } = sendable(answer);
    self.postMessage({ id, result }, buffers);
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
