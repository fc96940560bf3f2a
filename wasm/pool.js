// A pool of workers, each with its own WASM instance of the core, that splits
// one attention() call by heads and by blocks of query rows. Plain Web Workers
// in browsers (no SharedArrayBuffer, so no cross-origin isolation needed, and
// it works in embedded iframes); worker_threads in Node.
//
//   const pool = await loadAttentionPool({ threads: 2 });
//   const { output, weights } = await pool.attention(request);   // as engine.attention
//   pool.terminate();
//
// Every row is computed by the same kernel code whatever rows share its call
// (attention_forward_rows in the core), so the results are the very bits of
// engine.attention(request). The request is checked here, on the caller's
// thread, with the engine's own checks, before any worker sees it.
import { loadAttention } from './index.js';
import { isNode, readPackagedWasm } from './packaged.js';
import { boolean, integer, parseAttentionRequest, requireObject } from './validate.js';


async function defaultThreads() {
  if (isNode) {
    const osModule = 'node:os';
    const os = await import(/* @vite-ignore */ osModule);
    return Math.min(os.availableParallelism?.() ?? os.cpus().length, 8);
  }
  return Math.min(globalThis.navigator?.hardwareConcurrency ?? 2, 8);
}

// A worker of either kind behind one small interface: post(message, transfer),
// onMessage(fn), onError(fn), busy(yes), terminate().
async function startWorker() {
  if (isNode) {
    const threadsModule = 'node:worker_threads';
    const { Worker } = await import(/* @vite-ignore */ threadsModule);
    const worker = new Worker(new URL(/* @vite-ignore */ './pool-worker.js', import.meta.url));
    return {
      post: (message, transfer) => worker.postMessage(message, transfer),
      onMessage: (fn) => worker.on('message', fn),
      onError: (fn) => worker.on('error', fn),
      // an idle pool does not keep Node running; a busy one does
      busy: (isBusy) => (isBusy ? worker.ref() : worker.unref()),
      terminate: () => worker.terminate(),
    };
  }
  const worker = new Worker(new URL('./pool-worker.js', import.meta.url), { type: 'module' });
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    onMessage: (fn) => worker.addEventListener('message', (event) => fn(event.data)),
    onError: (fn) => worker.addEventListener('error', (event) => fn(new Error(event.message ?? 'worker failed'))),
    busy: () => {},
    terminate: () => worker.terminate(),
  };
}

/**
 * Cuts the (head, row) plane into `parts` pieces of about equal work, in
 * head-major order. A row's work is taken as the number of keys that causal
 * and window leave it (masks are ignored); cuts inside a head fall on
 * multiples of 4 rows, the kernel's tile. Returns, for each part, a list of
 * rectangles { h0, h1, begin, end }: heads [h0, h1), rows [begin, end).
 */
export function planParts(r, parts) {
  const { heads, queries, keys, causal, window } = r;
  const rowWork = (i) => {
    let lo = 0, hi = keys;
    if (causal) hi = Math.min(hi, i + 1);
    if (window >= 0) {
      lo = Math.max(lo, i - window);
      hi = Math.min(hi, i + window + 1);
    }
    return Math.max(hi - lo, 0) + 16;  // + the per-row cost of packing and normalising
  };
  const prefix = new Float64Array(queries + 1);  // prefix[i] = work of rows 0 .. i-1 of one head
  for (let i = 0; i < queries; i++) prefix[i + 1] = prefix[i] + rowWork(i);
  const headWork = prefix[queries];
  // position p in [0, heads * queries] of the plane: head p / queries, row p % queries
  const positionAt = (work) => {
    const h = Math.min(Math.floor(work / headWork), heads - 1);
    const rest = work - h * headWork;
    let lo = 0, hi = queries;  // first row whose prefix reaches rest
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (prefix[mid] < rest) lo = mid + 1;
      else hi = mid;
    }
    const row = lo >= queries ? queries : Math.min(Math.round(lo / 4) * 4, queries);
    return h * queries + row;
  };
  const cuts = [0];
  for (let k = 1; k < parts; k++) cuts.push(Math.max(cuts[k - 1], positionAt((k * heads * headWork) / parts)));
  cuts.push(heads * queries);

  return cuts.slice(0, -1).map((start, k) => {
    const stop = cuts[k + 1];
    const pieces = [];
    let p = start;
    while (p < stop) {
      const h = Math.floor(p / queries), row = p % queries;
      if (row === 0 && stop - p >= queries) {  // whole heads in one rectangle
        const h1 = Math.floor(stop / queries);
        pieces.push({ h0: h, h1, begin: 0, end: queries });
        p = h1 * queries;
      } else {
        const end = Math.min(queries, stop - h * queries);
        pieces.push({ h0: h, h1: h + 1, begin: row, end });
        p = h * queries + end;
      }
    }
    return pieces;
  });
}

// The rows of a whole result (`all`, [heads, queries, width]) that `piece`
// covers: contiguous, as a piece is whole heads or rows of one head.
function regionOf(all, piece, queries, width) {
  return all.subarray((piece.h0 * queries + piece.begin) * width, ((piece.h1 - 1) * queries + piece.end) * width);
}

// The ArrayBuffers a worker sent back after use, refilled for its next call:
// a fresh buffer costs a page fault per 4 KiB on first touch (megabytes per
// call at N = 1024, 8 heads), a refilled one only the copy. A call
// sends a worker five arrays per piece (query, key and value to read, output
// and weights to write); the ten largest are kept.
class SpareBuffers {
  static kept = 10;
  #buffers = [];  // largest first

  keep(buffers) {
    this.#buffers.push(...buffers);
    this.#buffers.sort((a, b) => b.byteLength - a.byteLength).splice(SpareBuffers.kept);
  }

  /** `count` floats: the smallest spare buffer big enough, else a new one. */
  floats(count) {
    let k = this.#buffers.length - 1;
    while (k >= 0 && this.#buffers[k].byteLength < count * 4) k--;
    return new Float32Array(k >= 0 ? this.#buffers.splice(k, 1)[0] : new ArrayBuffer(count * 4), 0, count);
  }

  copyOf(floats) {
    const copy = this.floats(floats.length);
    copy.set(floats);
    return copy;
  }
}

class AttentionPool {
  #workers;
  #pending = new Map();  // message id -> { resolve, reject, worker }
  #busy = new Map();  // worker -> number of its calls in flight
  #spare = new Map();  // worker -> its SpareBuffers
  #nextId = 1;
  #terminated = false;

  #engine;  // the caller's own engine when it computes a share (callerShare), else null

  constructor(workers, engine) {
    this.#workers = workers;
    this.#engine = engine;
    this.threads = workers.length + (engine ? 1 : 0);
    this.callerShare = Boolean(engine);
    for (const worker of workers) {
      worker.onMessage((message) => this.#settle(message));
      worker.onError((error) => this.#failAll(error));
      worker.busy(false);
      this.#busy.set(worker, 0);
      this.#spare.set(worker, new SpareBuffers());
    }
  }

  #track(worker, change) {
    const count = this.#busy.get(worker) + change;
    this.#busy.set(worker, count);
    if (count === (change > 0 ? 1 : 0)) worker.busy(count > 0);
  }

  #settle({ id, pieces, error, spare = [] }) {
    const waiting = this.#pending.get(id);
    if (!waiting) return;
    this.#pending.delete(id);
    this.#track(waiting.worker, -1);
    this.#spare.get(waiting.worker).keep(spare);
    if (error) {
      const ErrorClass = { TypeError, RangeError }[error.name] ?? Error;
      waiting.reject(new ErrorClass(error.message));
    } else {
      waiting.resolve(pieces);
    }
  }

  #failAll(error) {
    for (const { reject, worker } of this.#pending.values()) {
      this.#track(worker, -1);
      reject(error);
    }
    this.#pending.clear();
  }

  #send(worker, message, transfer) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, worker });
      this.#track(worker, +1);
      worker.post({ ...message, id }, transfer);
    });
  }

  // Sends `worker` its pieces of a job ({ r, common, output, weights }) and,
  // when it answers, copies their results into the job's output and weights.
  #sendPieces(worker, pieces, { r, common, output, weights }) {
    const { queries: NQ, keys: NK, dim: D, valueDim: DV } = r;
    const spare = this.#spare.get(worker);
    const transfer = [];
    const sliced = pieces.map((piece) => {
      const heads = (a, width) => spare.copyOf(a.subarray(piece.h0 * width, piece.h1 * width));
      const rows = (piece.h1 - piece.h0) * (piece.end - piece.begin);
      const arrays = {
        query: heads(r.query, NQ * D), key: heads(r.key, NK * D), value: heads(r.value, NK * DV),
        output: spare.floats(rows * DV), weights: weights ? spare.floats(rows * NK) : null,
      };
      for (const array of Object.values(arrays)) if (array) transfer.push(array.buffer);
      return { ...piece, ...arrays };
    });
    return this.#send(worker, { common, pieces: sliced }, transfer).then((replies) => {
      pieces.forEach((piece, n) => {
        regionOf(output, piece, NQ, DV).set(replies[n].output);
        if (weights) regionOf(weights, piece, NQ, NK).set(replies[n].weights);
      });
      spare.keep(replies.flatMap((reply) => (reply.weights ? [reply.output.buffer, reply.weights.buffer] : [reply.output.buffer])));
    });
  }

  // Computes pieces of a job on the calling thread, straight into the job's
  // output and weights: neither copied nor allocated twice.
  #computeHere(pieces, { r, common, output, weights }) {
    const { queries: NQ, keys: NK, dim: D, valueDim: DV } = r;
    for (const piece of pieces) {
      const heads = (a, width) => a.subarray(piece.h0 * width, piece.h1 * width);
      this.#engine.attentionInto({
        ...common, heads: piece.h1 - piece.h0, query: heads(r.query, NQ * D), key: heads(r.key, NK * D),
        value: heads(r.value, NK * DV), rows: { begin: piece.begin, end: piece.end },
      }, { output: regionOf(output, piece, NQ, DV), weights: weights && regionOf(weights, piece, NQ, NK) });
    }
  }

  /** engine.attention(request), split across the workers; same results, bit for bit. */
  async attention(request) {
    if (this.#terminated) throw new Error('pool: terminated; load a new pool with loadAttentionPool()');
    // The finite scan of query, key and value is left to the engines, each on
    // its own share in WASM (together they see every element): scanning here
    // would hold the caller's thread, and the workers with it, for about a
    // millisecond per million floats. If a share fails, the full check below
    // gives the error engine.attention would.
    const r = parseAttentionRequest(request, { deferFinite: true });
    if (r.rows) throw new TypeError('rows: the pool computes whole requests; use engine.attention for a range of rows');
    const { heads: H, queries: NQ, keys: NK, dim: D, valueDim: DV } = r;
    // everything but the per-head tensors, the same for every piece
    const common = {
      queries: NQ, keys: NK, dim: D, valueDim: DV, variant: r.variant, causal: r.causal,
      window: r.window < 0 ? null : r.window, temperature: r.temperature, needWeights: r.needWeights,
      ...(r.hasScale ? { scale: r.scale } : {}),
      ...(r.mask ? { mask: r.mask } : {}),
      ...(r.keyPadding ? { keyPadding: r.keyPadding } : {}),
      ...(Object.keys(r.params).length ? { params: r.params } : {}),
    };
    const plan = planParts(r, this.threads);
    const job = { r, common, output: new Float32Array(H * NQ * DV), weights: r.needWeights ? new Float32Array(H * NQ * NK) : null };
    // with callerShare, part 0 is computed here, after the workers have theirs
    const workerParts = this.#engine ? plan.slice(1) : plan;
    const sent = workerParts.map((pieces, w) => (pieces.length ? this.#sendPieces(this.#workers[w], pieces, job) : null));
    try {
      if (this.#engine) {
        try {
          this.#computeHere(plan[0], job);
        } finally {
          await Promise.allSettled(sent);
        }
      }
      await Promise.all(sent);
      return { output: job.output, weights: job.weights };
    } catch (error) {
      // a share's error names its own slice: the full check names the request's element
      parseAttentionRequest(request);
      throw error;
    }
  }

  /** Stops the workers; pending calls reject, later calls throw. */
  terminate() {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#failAll(new Error('pool: terminated while computing'));
    for (const worker of this.#workers) worker.terminate();
    this.#engine = null;
  }
}

// The core compiled once for every thread of a pool: from options.wasmModule
// or options.wasmBinary, else from the packaged .wasm file (read from disk in
// Node, fetched beside this module in browsers).
async function compiledCore(options) {
  if (options.wasmModule !== undefined) return options.wasmModule;
  let bytes = options.wasmBinary;
  if (!bytes) {
    if (isNode) {
      bytes = await readPackagedWasm();
    } else {
      const url = new URL('./generated/attention_core.wasm', import.meta.url);
      const response = await fetch(url);
      if (!response.ok) throw new Error(`pool: could not fetch the WASM core from ${url}: HTTP ${response.status}`);
      bytes = await response.arrayBuffer();
    }
  }
  return WebAssembly.compile(bytes);
}

/**
 * Starts `threads` workers (default: the number of cores, at most 8), each
 * with its own instance of the WASM core, all of one compiled Module (given as
 * `wasmModule`, or compiled once here from `wasmBinary` or the packaged file):
 * the machine code is shared, so a function V8 has optimised for one thread
 * is optimised for all.
 * With `callerShare: true`, the calling thread computes one of the `threads`
 * shares itself (on its own WASM instance, blocking it for that share) and
 * `threads - 1` workers compute the rest: one hop and one copy fewer.
 */
export async function loadAttentionPool(options = {}) {
  requireObject('options', options);
  const threads = integer('threads', options.threads, { min: 1, max: 64, fallback: await defaultThreads() });
  const callerShare = boolean('callerShare', options.callerShare);
  const workers = await Promise.all(Array.from({ length: callerShare ? threads - 1 : threads }, startWorker));
  const ready = workers.map((worker) => new Promise((resolve, reject) => {
    worker.onMessage((message) => {
      if (message.ready) resolve();
      if (message.loadError) reject(new Error(`pool: a worker could not load the WASM core: ${message.loadError}`));
    });
    worker.onError(reject);
  }));
  let engine = null;
  try {
    const wasmModule = await compiledCore(options);
    for (const worker of workers) worker.post({ load: true, wasmModule });
    [engine] = await Promise.all([callerShare ? loadAttention({ wasmModule }) : null, ...ready]);
  } catch (error) {
    for (const worker of workers) worker.terminate();
    throw error;
  }
  return new AttentionPool(workers, engine);
}
