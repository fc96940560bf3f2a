// The playground's worker channel (web/src/compute/worker-channel.js): one request at
// a time, the newest waiting one sent next, answers kept by key, a failed
// worker replaced. The worker here is a stand-in the test answers by hand.
import { describe, expect, it } from 'vitest';
import { createWorkerChannel } from '../../web/src/compute/worker-channel.js';

// A stand-in Worker: records what it is sent; answer(), report() and fail()
// play the worker's side.
function fakeWorker() {
  const listeners = { message: [], error: [] };
  const worker = {
    sent: [],
    terminated: false,
    addEventListener: (type, fn) => listeners[type].push(fn),
    postMessage: (message) => worker.sent.push(message),
    terminate: () => { worker.terminated = true; },
    answer: (message, reply) => listeners.message.forEach((fn) => fn({ data: { id: message.id, ...reply } })),
    fail: (text) => listeners.error.forEach((fn) => fn({ message: text, preventDefault() {} })),
  };
  return worker;
}

function channelWithLog(options = {}) {
  const workers = [];
  const log = [];
  const channel = createWorkerChannel({
    makeWorker: () => {
      const worker = fakeWorker();
      workers.push(worker);
      return worker;
    },
    onAnswer: (task, answer) => log.push(['answer', task.key, answer]),
    onFailure: (task, message) => log.push(['failure', task?.key ?? null, message]),
    onProgress: (task, what) => log.push(['progress', task?.key ?? null, what ?? null]),
    onSend: (task) => log.push(['send', task.key]),
    ...options,
  });
  return { channel, workers, log };
}

describe('worker channel', () => {
  it('sends a request to the worker and hands back its answer once it arrives', () => {
    const { channel, workers, log } = channelWithLog();
    expect(channel.get('a', { n: 1 })).toEqual({ pending: 'sent' });
    expect(workers[0].sent).toEqual([{ n: 1, id: 1 }]);
    workers[0].answer(workers[0].sent[0], { result: { value: 42 } });
    expect(log).toContainEqual(['answer', 'a', { value: 42 }]);
    expect(channel.get('a', { n: 1 })).toEqual({ answer: { value: 42 } });
    expect(workers[0].sent).toHaveLength(1);
  });

  it('keeps only the newest of the requests made while the worker is busy, and sends it next', () => {
    const { channel, workers } = channelWithLog();
    channel.get('a', { n: 1 });
    expect(channel.get('b', { n: 2 })).toEqual({ pending: 'queued' });
    expect(channel.get('c', { n: 3 })).toEqual({ pending: 'queued' });
    expect(channel.get('a', { n: 1 })).toEqual({ pending: 'running' });
    const [worker] = workers;
    worker.answer(worker.sent[0], { result: 'A' });
    expect(worker.sent.map((m) => m.n)).toEqual([1, 3]);
  });

  it('passes on stages and progress of the request in hand, then says it is idle', () => {
    const { channel, workers, log } = channelWithLog();
    channel.get('a', {});
    const [worker] = workers;
    worker.answer(worker.sent[0], { stage: 'scores' });
    worker.answer(worker.sent[0], { progress: 0.5 });
    worker.answer(worker.sent[0], { result: 'A' });
    expect(log.filter(([kind]) => kind === 'progress')).toEqual([
      ['progress', 'a', 'scores'], ['progress', 'a', 0.5], ['progress', null, null],
    ]);
  });

  it('ignores a message for a request it is no longer waiting for', () => {
    const { channel, workers, log } = channelWithLog();
    channel.get('a', {});
    workers[0].answer({ id: 99 }, { result: 'stale' });
    expect(log.filter(([kind]) => kind === 'answer')).toEqual([]);
  });

  it('throws an error answer the worker gave, when that request is asked for again', () => {
    const { channel, workers } = channelWithLog();
    channel.get('a', {});
    workers[0].answer(workers[0].sent[0], { error: 'dim: expected 1 to 512' });
    expect(() => channel.get('a', {})).toThrow('dim: expected 1 to 512');
  });

  it('keeps the last `keep` answers and, beyond the newest, no more weight than the budget', () => {
    const { channel, workers } = channelWithLog({ keep: 2, weigh: (answer) => answer.size, budget: 10 });
    const answerNext = (key, size) => {
      channel.get(key, {});
      const worker = workers[0];
      worker.answer(worker.sent.at(-1), { result: { size } });
    };
    answerNext('a', 1);
    answerNext('b', 1);
    answerNext('c', 1);  // a is dropped: only two are kept
    expect(channel.get('a', {})).toEqual({ pending: 'sent' });
    workers[0].answer(workers[0].sent.at(-1), { result: { size: 1 } });
    answerNext('big', 20);  // over the budget with anything else: only the newest stays
    expect(channel.get('big', {})).toEqual({ answer: { size: 20 } });
    expect(channel.get('a', {})).toEqual({ pending: 'sent' });
  });

  it('gives the request of a failed worker an error answer, drops the waiting one and starts a new worker next time', () => {
    const { channel, workers, log } = channelWithLog();
    channel.get('a', {});
    channel.get('b', {});
    workers[0].fail('out of memory');
    expect(workers[0].terminated).toBe(true);
    expect(log).toContainEqual(['failure', 'a', 'out of memory']);
    expect(() => channel.get('a', {})).toThrow('out of memory');
    expect(workers[0].sent).toHaveLength(1);  // b was not sent to the failed worker
    expect(channel.get('b', {})).toEqual({ pending: 'sent' });
    expect(workers).toHaveLength(2);
    expect(workers[1].sent).toEqual([{ id: 2 }]);
    workers[1].answer(workers[1].sent[0], { result: 'B' });
    expect(workers[1].sent).toHaveLength(1);  // nothing was left waiting from before the failure
  });

  it('says when the page cannot start a worker', () => {
    const channel = createWorkerChannel({ makeWorker: () => { throw new Error('Workers are blocked'); } });
    expect(channel.start()).toBe(false);
    expect(() => channel.get('a', {})).toThrow('could not start a Web Worker');
  });
});
