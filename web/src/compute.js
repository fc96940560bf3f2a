// Where attention is computed: small inputs synchronously on the page (an
// instant answer), large ones (model.needsWorker) in a Web Worker so the page
// never freezes. No DOM here; the worker is made by makeWorker().
//
// get(state, tokens) returns { result, computedIn: 'page' | 'worker' } when the answer is ready, or
// { pending: true } after asking the worker; onResult() is called when a
// worker answer arrives, onProgress(stage | null) as it works. Only the
// newest request matters: while the worker is busy, later requests wait and
// only the last of them is sent. A worker answer's result.perf gains
// roundTripMs: from posting the request to its answer arriving.
import { createAttentionModel, needsWorker, resultKeyOf } from './model.js';

// The worker answers kept for reuse: at most two, and at most this many
// weights together, so at 2048 tokens × 8 heads (2^25 floats, 128 MiB) only
// the newest is held.
const KEPT_ANSWERS = 2;
const KEPT_WEIGHT_FLOATS = 2 ** 25;

export function createComputer({ engine, makeWorker, onResult = () => {}, onProgress = () => {} }) {
  const computeHere = createAttentionModel(engine);
  let worker = null;
  let workerFailed = false;
  let busy = null; // { id, key, sentAt } sent and not answered
  let waiting = null; // { key, state, tokens } to send when the worker is free
  let nextId = 1;
  const answers = new Map(); // key -> result or { error }, the last few worker answers
  let wanted = null;

  function ensureWorker() {
    if (worker || workerFailed) return worker;
    try {
      worker = makeWorker();
      worker.addEventListener('message', onMessage);
      worker.addEventListener('error', (event) => {
        event.preventDefault?.();
        fail(event.message || 'the compute worker failed to start');
      });
    } catch {
      workerFailed = true;
      worker = null;
    }
    return worker;
  }

  function fail(message) {
    if (busy) remember(busy.key, { error: message });
    busy = null;
    workerFailed = true;
    worker?.terminate();
    worker = null;
    onProgress(null);
    onResult();
  }

  function remember(key, answer) {
    answers.delete(key);
    answers.set(key, answer);
    const floats = () => [...answers.values()].reduce((sum, a) => sum + (a.weights?.length ?? 0), 0);
    while (answers.size > KEPT_ANSWERS || (answers.size > 1 && floats() > KEPT_WEIGHT_FLOATS)) {
      answers.delete(answers.keys().next().value);
    }
  }

  function onMessage(event) {
    const { id, stage, result, error } = event.data;
    if (!busy || id !== busy.id) return;
    if (stage) {
      if (busy.key === wanted) onProgress(stage);
      return;
    }
    if (error === undefined && result.perf) result.perf.roundTripMs = performance.now() - busy.sentAt;
    remember(busy.key, error === undefined ? result : { error });
    const done = busy.key;
    busy = null;
    if (waiting) {
      const next = waiting;
      waiting = null;
      send(next);
    } else {
      onProgress(null);
    }
    if (done === wanted) onResult();
  }

  function send({ key, state, tokens }) {
    busy = { id: nextId++, key, sentAt: performance.now() };
    worker.postMessage({ id: busy.id, state, tokens });
  }

  function get(state, tokens) {
    const key = resultKeyOf(state, tokens);
    wanted = key;
    if (!needsWorker(tokens.length, state.heads) || !ensureWorker()) {
      return { result: computeHere(state, tokens), computedIn: 'page' };
    }
    if (answers.has(key)) {
      const answer = answers.get(key);
      if (answer.error !== undefined) throw new Error(answer.error);
      return { result: answer, computedIn: 'worker' };
    }
    const request = { key, state: { ...state }, tokens };
    if (busy?.key === key) return { pending: true };
    if (busy) waiting = request;
    else send(request);
    onProgress('queued');
    return { pending: true };
  }

  return { get };
}
