// A pool of workers, each with its own WASM instance of the core, that splits
// one attention() call by heads and by blocks of query rows. Plain Web Workers
// in browsers, worker_threads in Node.
//
//   const pool = await loadAttentionPool({ threads: 2 });
//   const { output, weights } = await pool.attention(request);   // as engine.attention
//
// A request with a rows range { begin, end } is split the same way over just
// those rows (the playground's long input asks for blocks of rows).
//   pool.terminate();
//
// Where SharedArrayBuffer can be sent to workers (Node; browser pages that are
// cross-origin isolated), a call of more than BALANCE_WORK is cut into chunks
// that the threads claim from a shared counter as they come free, so a slower
// or busier core takes fewer (#runShared). Elsewhere (a page that is not
// isolated, an embedded iframe) and for short calls, each thread gets one
// equal part, sent with copies of its heads (#runSplit): no cross-origin
// isolation needed.
//
// Every row is computed by the same kernel code whatever rows share its call
// (attention_forward_rows and attention_forward_piece in the core), so the
// results are the very bits of engine.attention(request). The request is
// checked here, on the caller's thread, with the engine's own checks, before
// any worker sees it.
import { loadAttention } from './index.js';
import { isNode, readPackagedWasm } from './packaged.js';
import { CLAIMED, DONE, EXITED, FAILED, READY, SharedBuffers, SpareBuffers } from './pool-buffers.js';
import { headsOf, planChunks, planParts, resultsOf, rowSpan } from './pool-plan.js';
import { boolean, finiteChecks, integer, parseAttentionRequest, requireObject } from './validate.js';


export { planParts } from './pool-plan.js';

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

// How long the caller may poll for the workers' last chunks before it waits
// for their messages instead: a few of the smallest chunks (MIN_CHUNK_WORK).
const POLL_MS = 1;

class AttentionPool {
  #workers;
  #sharedMemory;  // true: #runShared, else #runSplit
  #sharedBuffers = new SharedBuffers();
  #pending = new Map();  // message id -> { resolve, reject, worker }
  #busy = new Map();  // worker -> number of its calls in flight
  #spare = new Map();  // worker -> its SpareBuffers
  #nextId = 1;
  #terminated = false;

  #engine;  // the caller's own engine when it computes a share (callerShare), else null

  constructor(workers, engine, sharedMemory) {
    this.#workers = workers;
    this.#engine = engine;
    this.#sharedMemory = sharedMemory;
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

  /** Whether long calls are balanced in shared memory (PoolOptions.sharedMemory). */
  get sharedMemory() {
    return this.#sharedMemory;
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
  #sendPieces(worker, pieces, job) {
    const { r, common, weights } = job;
    const { queries: NQ, keys: NK, dim: D, valueDim: DV } = r;
    const spare = this.#spare.get(worker);
    const transfer = [];
    const sliced = pieces.map((piece) => {
      const heads = (a, rowsOf, width) => spare.copyOf(headsOf(a, piece, rowsOf, width));
      const rows = (piece.h1 - piece.h0) * (piece.end - piece.begin);
      const arrays = {
        query: heads(r.query, NQ, D), key: heads(r.key, NK, D), value: heads(r.value, NK, DV),
        output: spare.floats(rows * DV), weights: weights ? spare.floats(rows * NK) : null,
      };
      for (const array of Object.values(arrays)) if (array) transfer.push(array.buffer);
      return { ...piece, ...arrays };
    });
    return this.#send(worker, { common, pieces: sliced }, transfer).then((replies) => {
      pieces.forEach((piece, n) => this.#copyPiece(piece, replies[n], job));
      spare.keep(replies.flatMap((reply) => (reply.weights ? [reply.output.buffer, reply.weights.buffer] : [reply.output.buffer])));
    });
  }

  // Computes pieces of a job on the calling thread, straight into the job's
  // output and weights; a head is copied into WASM memory once, whatever
  // pieces share it.
  #computeHere(pieces, job) {
    const prepared = this.#prepareHere(job);
    try {
      for (const piece of pieces) prepared.rowsInto(piece, resultsOf(job, piece, job.r));
    } finally {
      prepared.release();
    }
  }

  #prepareHere({ r, common }) {
    return this.#engine.prepareRows({ ...common, query: r.query, key: r.key, value: r.value });
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
    const { heads: H, queries: NQ, keys: NK, dim: D, valueDim: DV } = r;
    // the rows computed: all queries, or the request's rows range, whose
    // pieces (pool-plan.js) keep the request's row indices
    const R = rowSpan(r).count;
    // everything but the per-head tensors (a piece gives its own heads) and
    // the rows range (a piece gives its own rows)
    const common = {
      heads: H, queries: NQ, keys: NK, dim: D, valueDim: DV, variant: r.variant, causal: r.causal,
      window: r.window, temperature: r.temperature, needWeights: r.needWeights,
      ...(r.scale !== null ? { scale: r.scale } : {}),
      ...(r.mask ? { mask: r.mask } : {}),
      ...(r.keyPadding ? { keyPadding: r.keyPadding } : {}),
      ...(Object.keys(r.params).length ? { params: r.params } : {}),
    };
    const job = { r, common, output: new Float32Array(H * R * DV), weights: r.needWeights ? new Float32Array(H * R * NK) : null };
    try {
      // balanced when there is someone to balance with and the call is long enough
      const chunks = this.#sharedMemory && this.#workers.length > 0 ? planChunks(r, this.threads) : null;
      if (chunks) await this.#runShared(job, chunks);
      else await this.#runSplit(job, planParts(r, this.threads));
      return { output: job.output, weights: job.weights };
    } catch (error) {
      // a share's error names its own slice: the full scan of the checked
      // views names the request's element (unless they were detached since)
      if (r.deferred.every(([, view]) => view.length > 0)) finiteChecks(r.deferred);
      throw error;
    }
  }

  // Without shared memory: one equal part per thread, sent to each worker
  // with copies of its heads (the caller computing part 0 with callerShare).
  async #runSplit(job, plan) {
    const workerParts = this.#engine ? plan.slice(1) : plan;
    const sent = workerParts.map((pieces, w) => (pieces.length ? this.#sendPieces(this.#workers[w], pieces, job) : null));
    if (this.#engine) {
      try {
        this.#computeHere(plan[0], job);
      } finally {
        await Promise.allSettled(sent);
      }
    }
    await Promise.all(sent);
  }

  // With shared memory: the work cut into chunks of shrinking size
  // (planChunks), and every thread, the caller too with callerShare, claiming
  // the next chunk from a shared counter as it comes free, so a thread on a
  // slower or busier core computes fewer chunks and all finish within about
  // a small chunk of each other. The workers are told first; the inputs
  // follow into shared memory head by head (a worker waits for the heads it
  // needs), except heads that only the caller's first chunk reads. Workers
  // write into the shared output, copied into the job's arrays as they
  // finish; the caller computes straight into the job's arrays.
  async #runShared(job, chunks) {
    const { r, common } = job;
    const shared = this.#sharedBuffers.take(r, chunks.length);
    const { ints } = shared.arrays;
    const first = this.#engine ? Atomics.add(ints, CLAIMED, 1) : -1;
    const [lead] = first === 0 ? chunks[0] : [];
    const span = rowSpan(r);
    const privateHeads = lead && lead.begin === span.first && lead.end === span.first + span.count ? lead.h1 : 0;
    const answers = this.#workers.map((worker) => this.#send(worker, { common, rows: r.rows, chunks, shared: shared.arrays }));
    let failure = null;
    let prepared = null;
    const mine = new Uint8Array(chunks.length);  // 1: computed here, 2: copied from the shared output
    try {
      this.#shareInputs(r, shared.arrays, privateHeads);
      for (let k = first; k >= 0 && k < chunks.length; k = Atomics.add(ints, CLAIMED, 1)) {
        if (this.#terminated) throw new Error('pool: terminated while computing');
        prepared ??= this.#prepareHere(job);
        for (const piece of chunks[k]) prepared.rowsInto(piece, resultsOf(job, piece, r));
        mine[k] = 1;
      }
    } catch (error) {
      failure = { error };
      Atomics.store(ints, CLAIMED, chunks.length);  // the workers stop claiming
      Atomics.store(ints, READY, r.heads);  // and stop waiting (what they compute now is dropped)
      Atomics.notify(ints, READY);
    } finally {
      prepared?.release();
    }
    // the workers' finished chunks, copied while they finish the last ones;
    // returns how many are still to come
    const copyFinished = () => {
      let left = 0;
      for (let k = 0; k < chunks.length; k++) {
        if (mine[k]) continue;
        if (Atomics.load(ints, DONE + k) !== 1) {
          left++;
        } else {
          for (const piece of chunks[k]) this.#copyPiece(piece, resultsOf(shared.arrays, piece, r), job);
          mine[k] = 2;
        }
      }
      return left;
    };
    const settled = Promise.allSettled(answers);
    if (!failure && this.#engine) {
      // The caller computed too, so its thread is held anyway: poll a moment
      // for the workers' last chunks rather than wait for their messages.
      // Once every worker has exited its claims, the buffer is free for the
      // next call at once: a caller that never yields to the event loop (a
      // loop of awaited calls) would otherwise get a fresh buffer every time.
      const until = performance.now() + POLL_MS;
      const workers = this.#workers.length;
      let left = copyFinished();
      while ((left > 0 || Atomics.load(ints, EXITED) < workers) && Atomics.load(ints, FAILED) === 0 &&
             performance.now() < until) {
        left = copyFinished();
      }
      if (left === 0 && Atomics.load(ints, EXITED) === workers) {
        this.#sharedBuffers.give(shared);
        return;
      }
    }
    try {
      if (!failure) copyFinished();
      const answered = await settled;
      if (failure) throw failure.error;
      for (const answer of answered) if (answer.status === 'rejected') throw answer.reason;
      copyFinished();
    } finally {
      this.#sharedBuffers.give(shared);
    }
  }

  // Copies query, key and value into shared memory from head `from` on, head
  // by head, each announced to waiting workers as it lands.
  #shareInputs(r, shared, from) {
    const { queries: NQ, keys: NK, dim: D, valueDim: DV } = r;
    Atomics.store(shared.ints, READY, from);
    for (let h = from; h < r.heads; h++) {
      const piece = { h0: h, h1: h + 1 };
      headsOf(shared.query, piece, NQ, D).set(headsOf(r.query, piece, NQ, D));
      headsOf(shared.key, piece, NK, D).set(headsOf(r.key, piece, NK, D));
      headsOf(shared.value, piece, NK, DV).set(headsOf(r.value, piece, NK, DV));
      Atomics.store(shared.ints, READY, h + 1);
      Atomics.notify(shared.ints, READY);
    }
  }

  // Copies a piece's output (and weights) into the job's arrays from
  // `source`, the piece's own { output, weights }.
  #copyPiece(piece, source, job) {
    const to = resultsOf(job, piece, job.r);
    to.output.set(source.output);
    if (to.weights) to.weights.set(source.weights);
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

// SharedArrayBuffer can be sent to workers: always in Node, only in
// cross-origin isolated pages in browsers.
function sharedMemoryWorks() {
  return typeof SharedArrayBuffer === 'function' && (isNode || globalThis.crossOriginIsolated === true);
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
  const sharedMemory = options.sharedMemory === undefined ? sharedMemoryWorks() : boolean('sharedMemory', options.sharedMemory);
  if (sharedMemory && !sharedMemoryWorks()) {
    throw new TypeError('sharedMemory: SharedArrayBuffer is not available here (a browser page must be cross-origin isolated); leave it out');
  }
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
  return new AttentionPool(workers, engine, sharedMemory);
}
