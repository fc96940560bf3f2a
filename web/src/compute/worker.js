// The compute worker: its own engine, so embedding and attention of large
// inputs (hundreds of tokens, millions of weights) never freeze the page.
// Messages in: { id, state, tokens }. Messages out: { id, stage } as each
// stage starts ('loading', 'embedding', 'attention'), then { id, result } or
// { id, error }. result.perf holds the engine calls' times as measured here
// (model.js). Weights and output are transferred, not copied: at 2048
// tokens × 8 heads the weights alone are 128 MiB, so the model keeps only
// Q/K/V (keepResult false) and the page keeps the answers.
import { loadAttention } from '../../../wasm/index.js';
import { computeOverview, computeZoom } from './long.js';
import { createAttentionModel, DIM, qkvKeyOf } from './model.js';

let current = 0;
const report = (stage) => self.postMessage({ id: current, stage });
const ready = loadAttention().then((engine) => ({
  engine,
  compute: createAttentionModel(engine, report, { keepResult: false }),
}));

// Long-input mode (long.js): { id, long: 'overview' | 'zoom', state, tokens,
// head, region? }. Answers { id, progress } after each query block, then
// { id, result }. Q/K/V of the last long input are kept (H·N·D floats: small).
let longQkv = { key: null, qkv: null };
async function computeLong({ id, long, state, tokens, head, region }) {
  const { engine } = await ready;
  const key = qkvKeyOf(state, tokens);
  if (longQkv.key !== key) {
    self.postMessage({ id, stage: 'embedding' });
    longQkv = { key, qkv: engine.embedText({ tokens, heads: state.heads, dim: DIM, seed: state.seed }) };
  }
  const start = performance.now();
  if (long === 'overview') {
    const result = computeOverview(engine, state, longQkv.qkv, tokens.length, head, (fraction) => self.postMessage({ id, progress: fraction }));
    result.ms = performance.now() - start;
    self.postMessage({ id, result }, [result.values.buffer, result.output.buffer]);
  } else {
    const result = computeZoom(engine, state, longQkv.qkv, tokens.length, head, region);
    result.ms = performance.now() - start;
    self.postMessage({ id, result }, [result.values.buffer]);
  }
}

self.addEventListener('message', async (event) => {
  const { id, state, tokens } = event.data;
  current = id;
  try {
    if (event.data.long) {
      await computeLong(event.data);
      return;
    }
    report('loading');
    const { compute } = await ready;
    const result = compute(state, tokens);
    // Q/K/V stay cached for the next request ([H, N, D]: small); send copies of them.
    const sent = { ...result, query: result.query.slice(), key: result.key.slice(), value: result.value.slice() };
    const buffers = [sent.query, sent.key, sent.value, sent.output, sent.weights].map((array) => array.buffer);
    self.postMessage({ id, result: sent }, buffers);
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
