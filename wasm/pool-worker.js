// One worker of the pool (pool.js): makes its own WASM instance of the core,
// then computes what it is sent, in one of two ways.
//   in:  { load: true, wasmModule }  (the pool's compiled core)   out: { ready: true } or { loadError }
// Pieces with copies (no shared memory): each a rectangle of heads [h0, h1)
// and query rows [begin, end) through engine.attentionInto's `rows`; the
// outputs and weights go back transferred, not copied.
//   in:  { id, common, pieces: [{ h0, h1, begin, end, query, key, value, output, weights }] }
//        (output and weights: arrays of the piece's sizes to write into; weights null without needWeights)
//   out: { id, pieces: [{ output, weights }], spare: [the pieces' input ArrayBuffers] }
//        or { id, error: { name, message } }
// Chunks in shared memory: claims chunks (lists of rectangles) from a shared
// counter as the other threads do, and writes them into the shared output.
//   in:  { id, common, rows, chunks: [[rectangles]], shared: { ints, query, key, value, output, weights } }
//        (arrays on one SharedArrayBuffer: see computeShared and pool.js;
//        rows: the request's { begin, end } or null, where output and weights start)
//   out: { id } once it claims no more (which chunks it did, the shared done flags say) or { id, error }
import { loadAttention } from './index.js';
import { isNode } from './packaged.js';
import { CLAIMED, DONE, EXITED, FAILED, READY } from './pool-buffers.js';
import { resultsOf } from './pool-plan.js';

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


// Claims chunks from the shared counter until none is left, computing each
// into the shared output (the inputs are copied into this worker's WASM
// memory once per head, at the first chunk that needs it, after the caller
// has shared it); on an error the counter is run out, so every other thread
// stops claiming too.
function computeShared({ common, rows, chunks, shared }) {
  const { ints } = shared;
  let prepared = null;
  try {
    for (let k; (k = Atomics.add(ints, CLAIMED, 1)) < chunks.length;) {
      prepared ??= engine.prepareRows({ ...common, query: shared.query, key: shared.key, value: shared.value });
      for (const piece of chunks[k]) {
        for (let ready; (ready = Atomics.load(ints, READY)) < piece.h1;) Atomics.wait(ints, READY, ready);
        prepared.rowsInto(piece, resultsOf(shared, piece, { ...common, rows }));
      }
      Atomics.store(ints, DONE + k, 1);
    }
  } catch (error) {
    Atomics.store(ints, CLAIMED, chunks.length);
    Atomics.store(ints, FAILED, 1);
    throw error;
  } finally {
    prepared?.release();
    Atomics.add(ints, EXITED, 1);  // the last touch of the shared buffer: the caller may reuse it now
  }
}

// An error as a message can carry it (the pool rethrows it with its class).
const errorOf = (error) => ({ name: error?.name ?? 'Error', message: String(error?.message ?? error) });

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
  if (message.shared) {
    try {
      computeShared(message);
      post({ id: message.id });
    } catch (error) {
      post({ id: message.id, error: errorOf(error) });
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
    post({ id: message.id, error: errorOf(error) });
  }
});
