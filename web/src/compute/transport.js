// Where a request (requests.js) runs: the one place that decides between the
// page, the compute worker and the worker pool. No DOM here; workers are
// made by makeWorker() and the pool by loadPool().
//
//   page    small requests, synchronously (an instant answer); and matrix,
//           cross-attention, an edited mask or a variant comparison, whose
//           inputs are small and whose comparison runs on the page's engine
//   worker  large text requests (model.needsWorker), so the page never freezes;
//           long input when the pool is not available
//   pool    long input when the machine has more than one core and the page
//           is cross-origin isolated (wasm/pool.js balances rows in shared
//           memory): the rows of each block are split across its threads
//
// get(request) returns { result, computedIn: 'page' | 'worker' | 'pool' }
// when the answer is ready, or { pending: true } after asking for it;
// onResult() is called when an answer arrives, onProgress(request, stage |
// fraction | null) as it is computed. Only the newest request matters: while
// the worker is busy, later requests wait and only the last of them is sent.
// A worker answer's result.perf gains roundTripMs: from posting the request
// to its answer arriving.
import { needsWorker } from './model.js';
import { createRunner } from './run.js';
import { createWorkerChannel } from './worker-channel.js';

// The worker answers kept for reuse: at most two, and at most this many
// weights together, so at 2048 tokens × 8 heads (2^25 floats, 128 MiB) only
// the newest is held.
const KEPT_ANSWERS = 2;
const KEPT_WEIGHT_FLOATS = 2 ** 25;

/** Whether long input may use the pool: more than one core, and shared memory for its threads. */
export function poolUsable(scope = globalThis) {
  return (scope.navigator?.hardwareConcurrency ?? 1) > 1 && scope.crossOriginIsolated === true;
}

/** Where request runs, given whether a worker and the pool can be had. */
export function placeOf(request, { worker = true, pool = false } = {}) {
  if (request.mode === 'long') return pool ? 'pool' : 'worker';
  if (request.mode === 'model') return worker ? 'worker' : 'page';
  const onPage = request.mode !== 'text' || request.mask || request.compare || !needsWorker(request.queries, request.heads);
  return onPage || !worker ? 'page' : 'worker';
}

/**
 * engine: the page's engine; makeWorker() a compute worker (worker.js);
 * loadPool() a promise of a worker pool, or null when the page cannot have
 * one (poolUsable).
 */
export function createTransport({ engine, makeWorker, loadPool = null, onResult = () => {}, onProgress = () => {} }) {
  const runner = createRunner(engine);
  // a worker that could not start or failed: from then on the page computes everything it can
  let workerFailed = false;
  let wanted = null; // the key of the newest request
  const tasks = new Map(); // key -> the request the worker or pool computes
  const channel = createWorkerChannel({
    makeWorker,
    keep: KEPT_ANSWERS,
    weigh: (answer) => answer.weights?.length ?? 0,
    budget: KEPT_WEIGHT_FLOATS,
    onAnswer(task, answer) {
      if (answer.perf) answer.perf.roundTripMs = task.answeredAt - task.sentAt;
      if (task.key === wanted) onResult();
    },
    onFailure() {
      workerFailed = true;
      onResult();
    },
    // long input shows its progress from the moment it is sent; text from its first stage
    onSend: (task) => ['long', 'model'].includes(task.message.request.mode) && onProgress(task.message.request, 0),
    onProgress(task, stage) {
      if (task === null) onProgress(null, null);
      else if (task.key === wanted) onProgress(task.message.request, stage);
    },
  });

  function workerReady() {
    if (!workerFailed && !channel.start()) workerFailed = true;
    return !workerFailed;
  }

  // The pool: loaded on the first long request; null when it cannot load (then the worker computes).
  let pool = null;
  let poolState = loadPool ? 'unloaded' : 'none';
  const poolAnswers = new Map(); // key -> result or { error }, the last two
  let poolBusy = null; // the key being computed
  let poolWaiting = null; // the newest request waiting for the pool

  function startPool() {
    poolState = 'loading';
    loadPool().then(
      (loaded) => {
        pool = loaded;
        poolState = 'ready';
        runPool();
      },
      () => {
        poolState = 'none';
        poolWaiting = null;
        onResult();
      },
    );
  }

  function runPool() {
    if (poolBusy || !poolWaiting || poolState !== 'ready') return;
    const request = poolWaiting;
    poolWaiting = null;
    poolBusy = request.key;
    onProgress(request, 0);
    runner.compute(request, { pool, progress: (fraction) => request.key === wanted && onProgress(request, fraction) }).then(
      (result) => settlePool(request, result),
      (error) => settlePool(request, { error: error instanceof Error ? error.message : String(error) }),
    );
  }

  function settlePool(request, answer) {
    poolAnswers.delete(request.key);
    poolAnswers.set(request.key, answer);
    while (poolAnswers.size > 2) poolAnswers.delete(poolAnswers.keys().next().value);
    poolBusy = null;
    if (!poolWaiting) onProgress(null, null);
    runPool();
    if (request.key === wanted) onResult();
  }

  function getFromPool(request) {
    if (poolAnswers.has(request.key)) {
      const answer = poolAnswers.get(request.key);
      if (answer.error !== undefined) throw new Error(answer.error);
      return { result: answer, computedIn: 'pool' };
    }
    if (poolBusy !== request.key) poolWaiting = request;
    if (poolState === 'unloaded') startPool();
    else runPool();
    return { pending: true };
  }

  // Model requests on the page (no worker could start): computed asynchronously, the last answers kept.
  const pageAnswers = new Map();
  function getModelOnPage(request) {
    const answer = pageAnswers.get(request.key);
    if (answer?.error !== undefined) throw new Error(answer.error);
    if (answer && !answer.pending) return { result: answer, computedIn: 'page' };
    if (!answer) {
      pageAnswers.set(request.key, { pending: true });
      onProgress(request, 0);
      runner.compute(request, { progress: (fraction) => request.key === wanted && onProgress(request, fraction) }).then(
        (result) => settlePage(request, result),
        (error) => settlePage(request, { error: error instanceof Error ? error.message : String(error) }),
      );
    }
    return { pending: true };
  }

  function settlePage(request, answer) {
    pageAnswers.delete(request.key);
    pageAnswers.set(request.key, answer);
    while (pageAnswers.size > 2) pageAnswers.delete(pageAnswers.keys().next().value);
    onProgress(null, null);
    if (request.key === wanted) onResult();
  }

  function get(request) {
    wanted = request.key;
    if (request.mode === 'model' && !workerReady()) return getModelOnPage(request);
    // the worker is started only when a request needs it; if it cannot start, the page computes
    const where = placeOf(request, { pool: poolState !== 'none' });
    if (where === 'page' || (where === 'worker' && request.mode !== 'long' && !workerReady())) {
      return { result: runner.compute(request), computedIn: 'page' };
    }
    if (where === 'pool') return getFromPool(request);
    // (long input asks the channel even after a worker failed: it starts a new one, or says why it cannot)
    const { answer, pending } = channel.get(request.key, { request });
    if (answer) return { result: answer, computedIn: 'worker' };
    if (pending !== 'running' && request.mode !== 'long' && request.mode !== 'model') onProgress(request, 'queued');
    return { pending: true };
  }

  return {
    get,
    /** The pool's thread count once it is loaded, else null. */
    poolThreads: () => pool?.threads ?? null,
  };
}
