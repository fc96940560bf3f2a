// A worker that computes one request at a time, where only the newest request
// matters: while the worker is busy, later requests wait and only the last of
// them is sent. Its answers are kept by key for reuse. No DOM here.
//
// The worker answers { id, result } or { id, error } for a request, and may
// report { id, stage } (a word) or { id, progress } (0 to 1) on the way.
//   const channel = createWorkerChannel({ makeWorker, onAnswer, onProgress, onFailure });
//   channel.get(key, message)   // -> { answer } | { pending: 'running' | 'queued' | 'sent' }
//
// makeWorker() may throw (a page that forbids workers); start() says so.
// A worker that fails (its error event) is dropped, and so is the request
// waiting for it: the request it had gets an error answer, onFailure is
// called, and the next request starts a new worker.

/**
 * keep: at most this many answers are kept, the oldest dropped first;
 * weigh(answer) and budget: beyond the newest answer, the kept ones weigh at
 * most budget together.
 * onAnswer(task, answer) when the worker answers a task ({ id, key, message,
 * sentAt, answeredAt }); onFailure(task, message) when the worker fails
 * (task: the one it had, or null); onProgress(task, stage | progress) as it
 * works, and onProgress(null) when it is idle; onSend(task) as a task goes to
 * the worker.
 */
export function createWorkerChannel({
  makeWorker, keep = 2, weigh = () => 0, budget = Infinity,
  onAnswer = () => {}, onFailure = () => {}, onProgress = () => {}, onSend = () => {},
}) {
  let worker = null;
  let busy = null; // the task sent and not answered
  let waiting = null; // { key, message } to send when the worker is free
  let nextId = 1;
  const answers = new Map(); // key -> result or { error }, oldest first

  function remember(key, answer) {
    answers.delete(key);
    answers.set(key, answer);
    const weight = () => [...answers.values()].reduce((sum, a) => sum + weigh(a), 0);
    while (answers.size > keep || (answers.size > 1 && weight() > budget)) {
      answers.delete(answers.keys().next().value);
    }
  }

  function settle(answer) {
    const task = { ...busy, answeredAt: performance.now() };
    remember(task.key, answer);
    busy = null;
    if (waiting) {
      const next = waiting;
      waiting = null;
      send(next);
    } else {
      onProgress(null);
    }
    onAnswer(task, answer);
  }

  function onMessage(event) {
    const { id, stage, progress, result, error } = event.data;
    if (!busy || id !== busy.id) return;
    if (stage !== undefined) onProgress(busy, stage);
    else if (progress !== undefined) onProgress(busy, progress);
    else settle(error === undefined ? result : { error });
  }

  function onError(event) {
    event.preventDefault?.();
    const message = event.message || 'the compute worker failed';
    const task = busy;
    worker?.terminate();
    worker = null;
    busy = null;
    waiting = null;
    if (task) remember(task.key, { error: message });
    onProgress(null);
    onFailure(task, message);
  }

  /** Starts the worker if need be; false if the page cannot make one. */
  function start() {
    if (worker) return true;
    try {
      worker = makeWorker();
    } catch {
      return false;
    }
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
    return true;
  }

  function send({ key, message }) {
    busy = { id: nextId++, key, message, sentAt: performance.now() };
    worker.postMessage({ ...message, id: busy.id });
    onSend(busy);
  }

  /**
   * The kept answer for key ({ answer }; an error answer is thrown), or
   * { pending } after asking the worker: 'running' (it is on this very
   * request), 'queued' (after the one it is on) or 'sent'.
   */
  function get(key, message) {
    if (answers.has(key)) {
      const answer = answers.get(key);
      if (answer.error !== undefined) throw new Error(answer.error);
      return { answer };
    }
    if (busy?.key === key) return { pending: 'running' };
    if (!start()) throw new Error('the page could not start a Web Worker');
    if (busy) {
      waiting = { key, message };
      return { pending: 'queued' };
    }
    send({ key, message });
    return { pending: 'sent' };
  }

  return { get, start };
}
