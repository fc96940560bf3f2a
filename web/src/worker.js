// The compute worker: its own engine, so embedding and attention of large
// inputs (hundreds of tokens, millions of weights) never freeze the page.
// Messages in: { id, state, tokens }. Messages out: { id, stage } as each
// stage starts ('loading', 'embedding', 'attention'), then { id, result } or
// { id, error }. Result arrays are transferred, not copied.
import { loadAttention } from '../../wasm/index.js';
import { createAttentionModel } from './model.js';

let current = 0;
const report = (stage) => self.postMessage({ id: current, stage });
const ready = (async () => {
  const engine = await loadAttention();
  return createAttentionModel(engine, report);
})();

self.addEventListener('message', async (event) => {
  const { id, state, tokens } = event.data;
  current = id;
  try {
    report('loading');
    const compute = await ready;
    const result = compute(state, tokens);
    // The model keeps its result for reuse; send copies so the cache survives the transfer.
    const copy = {
      ...result,
      query: result.query.slice(),
      key: result.key.slice(),
      value: result.value.slice(),
      output: result.output.slice(),
      weights: result.weights.slice(),
    };
    self.postMessage({ id, result: copy }, [copy.query.buffer, copy.key.buffer, copy.value.buffer, copy.output.buffer, copy.weights.buffer]);
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
