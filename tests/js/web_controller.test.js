// The one controller of the page and the element (web/src/playground/controller.js),
// in Node with the real engine on the page's transport: each frame is the
// state walked to a result, an empty text says so, a selection beyond the
// tokens is clamped, and an error reaches the host's fail with the frame.
import { describe, expect, it } from 'vitest';
import { loadAttention, tokenize } from '../../wasm/index.js';
import { crossTokens, EMPTY_TEXT_MESSAGE } from '../../web/src/compute/requests.js';
import { createTransport } from '../../web/src/compute/transport.js';
import { createController, longTokensOf } from '../../web/src/playground/controller.js';
import { fromHash, pageTable, stateTable } from '../../web/src/state/table.js';

const engine = await loadAttention();
const variants = ['scaled_dot', 'dot', 'general', 'additive', 'hard', 'top_k'];
const noWorker = () => {
  throw new Error('no worker here');
};

/** A controller over hash's state whose frames and failures are collected; renders run when flush() is called. */
function controllerOf(table, hash, options = {}) {
  const frames = [];
  const failures = [];
  let queued = null;
  const controller = createController({
    table,
    state: fromHash(table, hash),
    transport: createTransport({ engine, makeWorker: noWorker }),
    tokenize,
    draw: (frame) => frames.push(frame),
    fail: (message, frame) => failures.push({ message, frame }),
    requestFrame: (fn) => {
      queued = fn;
      return 1;
    },
    cancelFrame: () => {
      queued = null;
    },
    ...options,
  });
  const flush = () => queued?.();
  return { controller, frames, failures, flush };
}

describe('the playground controller', () => {
  it('walks a text to the weights the engine gives, and batches edits into one render', () => {
    const { controller, frames, flush } = controllerOf(pageTable(variants), '#text=the+cat+sat&heads=2&seed=4');
    controller.render();
    const [first] = frames;
    expect(first.tokens).toEqual(['the', 'cat', 'sat']);
    const qkv = engine.embedText({ tokens: first.tokens, heads: 2, dim: 16, seed: 4 });
    const want = engine.attention({ ...qkv, heads: 2, queries: 3, keys: 3, dim: 16 });
    expect(first.result.weights).toEqual(want.weights);
    expect(first.computedIn).toBe('page');
    controller.edit('variant', 'dot');
    controller.edit('causal', true);
    flush();
    expect(frames).toHaveLength(2);
    expect(frames[1].result.request).toMatchObject({ variant: 'dot', causal: true });
  });

  it('gives an empty frame for a text without tokens, where a request would say EMPTY_TEXT_MESSAGE', () => {
    const { controller, frames, failures } = controllerOf(stateTable(variants), '#text=');
    controller.render();
    expect(frames[0]).toMatchObject({ empty: true, result: null });
    expect(failures).toEqual([]);
    expect(EMPTY_TEXT_MESSAGE).toBe('Type some text to see its attention weights');
  });

  it('clamps a selection beyond the tokens: kept in the state for the page, only in the frame for the element', () => {
    for (const keepClamped of [true, false]) {
      const { controller, frames } = controllerOf(stateTable(variants), '#text=a+b+c&query=9&key=7', { keepClamped });
      controller.render();
      expect(frames[0].state).toMatchObject({ query: 2, key: 2 });
      expect(frames[0].adjustments).toEqual([{ name: 'query', from: '9', to: '2' }, { name: 'key', from: '7', to: '2' }]);
      expect(controller.state.query).toBe(keepClamped ? 2 : 9);
    }
  });

  it('hands an error to fail with the frame so far, tokens included', () => {
    const inputsOf = (state) => ({ inputs: crossTokens(tokenize, state) });
    const { controller, failures } = controllerOf(pageTable(variants), '#input=cross&source=&target=the+cat&text=a+b', { inputsOf });
    controller.render();
    expect(failures).toHaveLength(1);
    expect(failures[0].message).toBe('The source text has no tokens: type some words into it');
    expect(failures[0].frame.tokens).toEqual(['a', 'b']);
  });

  it('generates long input from the seed when nothing is pasted, and reuses the tokens while they are the same', () => {
    const state = fromHash(pageTable(variants), '#input=long&gen=100&seed=3');
    const first = longTokensOf(tokenize, state);
    expect(first.tokens).toHaveLength(100);
    expect(longTokensOf(tokenize, { ...state, heads: 4 }, first)).toBe(first);
    expect(longTokensOf(tokenize, { ...state, longtext: 'one two' }, first).tokens).toEqual(['one', 'two']);
  });
});
