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
import { createWorkerChannel } from './worker-channel.js';

// The worker answers kept for reuse: at most two, and at most this many
// weights together, so at 2048 tokens × 8 heads (2^25 floats, 128 MiB) only
// the newest is held.
const KEPT_ANSWERS = 2;
const KEPT_WEIGHT_FLOATS = 2 ** 25;

export function createComputer({ engine, makeWorker, onResult = () => {}, onProgress = () => {} }) {
  const computeHere = createAttentionModel(engine);
  // a worker that could not start or failed: from then on the page computes everything
  let workerFailed = false;
  let wanted = null;
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
    onProgress(task, stage) {
      if (task === null) onProgress(null);
      else if (task.key === wanted) onProgress(stage);
    },
  });

  function workerReady() {
    if (!workerFailed && !channel.start()) workerFailed = true;
    return !workerFailed;
  }

  function get(state, tokens) {
    const key = resultKeyOf(state, tokens);
    wanted = key;
    if (!needsWorker(tokens.length, state.heads) || !workerReady()) {
      return { result: computeHere(state, tokens), computedIn: 'page' };
    }
    const { answer, pending } = channel.get(key, { state: { ...state }, tokens });
    if (answer) return { result: answer, computedIn: 'worker' };
    if (pending !== 'running') onProgress('queued');
    return { pending: true };
  }

  return { get };
}
