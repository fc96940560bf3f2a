// One worker of the pool (pool.js): makes its own WASM instance of the core,
// then computes the pieces it is sent, each a rectangle of heads [h0, h1) and
// query rows [begin, end) through engine.attentionInto's `rows`, and sends back
// their outputs and weights (transferred, not copied).
//   in:  { load: true, wasmModule }  (the pool's compiled core)   out: { ready: true } or { loadError }
//   in:  { id, common, pieces: [{ h0, h1, begin, end, query, key, value, output, weights }] }
//        (output and weights: arrays of the piece's sizes to write into; weights null without needWeights)
//   out: { id, pieces: [{ output, weights }], spare: [the pieces' input ArrayBuffers] }
//        or { id, error: { name, message } }
import { loadAttention } from './index.js';
import { isNode } from './packaged.js';

// No top-level await: Vite bundles workers as classic scripts (iife) by default.
// A worker_threads port queues messages until its listener is attached.
function connect(handler) {
  if (!isNode) {
    const post = (message, transfer) => self.postMessage(message, transfer);
    self.addEventListener('message', (event) => handler(event.data, post));
    return;
  }
  const threadsModule = 'node:worker_threads';
  import(/* @vite-ignore */ threadsModule).then(({ parentPort }) => {
    const post = (message, transfer) => parentPort.postMessage(message, transfer);
    parentPort.on('message', (message) => handler(message, post));
  });
}

let engine = null;

function compute({ common, pieces }) {
  return pieces.map(({ h0, h1, begin, end, query, key, value, output, weights }) => engine.attentionInto({
    ...common, heads: h1 - h0, query, key, value, rows: { begin, end },
  }, { output, weights }));
}

connect(async (message, post) => {
  if (message.load) {
    try {
      engine = await loadAttention({ wasmModule: message.wasmModule });
      post({ ready: true });
    } catch (error) {
      post({ loadError: String(error?.message ?? error) });
    }
    return;
  }
  try {
    const results = compute(message);
    const transfer = [];
    for (const { output, weights } of results) {
      transfer.push(output.buffer);
      if (weights) transfer.push(weights.buffer);
    }
    // the input buffers go back too, for the pool to refill next time
    const spare = message.pieces.flatMap(({ query, key, value }) => [query.buffer, key.buffer, value.buffer]);
    post({ id: message.id, pieces: results, spare }, [...transfer, ...spare]);
  } catch (error) {
    post({ id: message.id, error: { name: error?.name ?? 'Error', message: String(error?.message ?? error) } });
  }
});
