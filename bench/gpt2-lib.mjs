// The GPT-2 benchmark's shared part (Node and Chromium): a GPT-2-small-sized
// checkpoint with random weights, written here in the Hugging Face layout
// (config.json, model.safetensors, tokenizer.json); the same weights as an
// ONNX graph for onnxruntime-web (bench/onnx-writer.mjs); then the whole
// forward pass by both, one thread each, checked against each other and timed
// interleaved. The caller supplies the engine (loadAttention()), ort (wasm
// backend, numThreads = 1, wasmPaths set) and the WASM memories seen so far
// (bench/wasm-memories.mjs) to tell what each holds.
//
// Shapes: T tokens, C width, NH heads, hd = C / NH, F = 4 C, V vocabulary, P positions.
import { bytesToUnicode, gpt2TokenizerJson } from '../wasm/hf-tokenizer.js';
import { Graph, modelBytes } from './onnx-writer.mjs';
import { xorshift32 } from './workload.mjs';

/** GPT-2 small's sizes (the 124M-parameter model), with a vocabulary of its size. */
export const GPT2_SMALL = Object.freeze({ layers: 12, heads: 12, width: 768, positions: 1024, vocab: 50257 });

/** A model small enough to check the whole benchmark in seconds. */
export const SMALL = Object.freeze({ sizes: { layers: 2, heads: 2, width: 64, positions: 64, vocab: 300 }, lengths: [16, 48] });

/** The benchmark's options from command-line flags: --small (the model above), --quick (two timed rounds). */
export function gpt2Options(flags) {
  const small = flags.includes('--small');
  return {
    sizes: small ? SMALL.sizes : GPT2_SMALL,
    lengths: small ? SMALL.lengths : [128, 512],
    rounds: flags.includes('--quick') ? 2 : 5,
  };
}


// The tensors of a GPT-2 checkpoint in the order Hugging Face writes them, with their shapes.
function gpt2Shapes({ layers: L, width: C, positions: P, vocab: V }) {
  const F = 4 * C;
  const shapes = [['wte.weight', [V, C]], ['wpe.weight', [P, C]]];
  for (let l = 0; l < L; l++) {
    const h = `h.${l}.`;
    shapes.push(
      [h + 'ln_1.weight', [C]], [h + 'ln_1.bias', [C]],
      [h + 'attn.c_attn.weight', [C, 3 * C]], [h + 'attn.c_attn.bias', [3 * C]],
      [h + 'attn.c_proj.weight', [C, C]], [h + 'attn.c_proj.bias', [C]],
      [h + 'ln_2.weight', [C]], [h + 'ln_2.bias', [C]],
      [h + 'mlp.c_fc.weight', [C, F]], [h + 'mlp.c_fc.bias', [F]],
      [h + 'mlp.c_proj.weight', [F, C]], [h + 'mlp.c_proj.bias', [C]],
    );
  }
  shapes.push(['ln_f.weight', [C]], ['ln_f.bias', [C]]);
  return shapes;
}

// A byte-level BPE tokenizer.json with `size` ids: the 256 byte symbols, then
// unused fillers, then <|endoftext|>. The benchmark runs on ids, so it needs
// no merges; it is there because the loader takes a checkpoint as people have it.
function tokenizerJson(size) {
  const vocab = {};
  bytesToUnicode().forEach((char, byte) => { vocab[char] = byte; });
  for (let id = 256; id < size - 1; id++) vocab[`<|unused${id}|>`] = id;
  vocab['<|endoftext|>'] = size - 1;
  return gpt2TokenizerJson(vocab, []);
}

/**
 * A GPT-2 checkpoint of the given sizes with random weights from `seed`:
 * { files: { 'config.json', 'model.safetensors', 'tokenizer.json' }, tensors:
 * Map name -> { shape, data: Float32Array (a view into model.safetensors) }, config }. Matrices
 * are uniform in ±scale, norm scales near 1, biases small.
 */
export function gpt2Checkpoint({ layers, heads, width, positions, vocab, seed = 1, scale = 0.1 } = GPT2_SMALL) {
  const encoder = new TextEncoder();
  const shapes = gpt2Shapes({ layers, width, positions, vocab });
  const header = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, shape] of shapes) {
    const bytes = 4 * shape.reduce((a, b) => a * b, 1);
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const headerBytes = encoder.encode(json);
  const safetensors = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(safetensors.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  safetensors.set(headerBytes, 8);
  const base = 8 + headerBytes.length;
  const rand = xorshift32(seed);
  const tensors = new Map();
  for (const [name, shape] of shapes) {
    const [begin, end] = header[name].data_offsets;
    const data = new Float32Array(safetensors.buffer, base + begin, (end - begin) / 4);
    const isNormScale = /ln_[12f]\.weight$/.test(name);
    const isBias = shape.length === 1 && !isNormScale;
    const amplitude = isBias ? scale / 4 : scale;
    const center = isNormScale ? 1 : 0;
    for (let i = 0; i < data.length; i++) data[i] = center + (rand() * 2 - 1) * amplitude;
    tensors.set(name, { shape, data });
  }
  const config = {
    architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', activation_function: 'gelu_new',
    n_layer: layers, n_head: heads, n_embd: width, n_positions: positions, n_ctx: positions, n_inner: null,
    vocab_size: vocab, layer_norm_epsilon: 1e-5, bos_token_id: vocab - 1, eos_token_id: vocab - 1,
  };
  const files = {
    'config.json': encoder.encode(JSON.stringify(config, null, 2)),
    'model.safetensors': safetensors,
    'tokenizer.json': encoder.encode(JSON.stringify(tokenizerJson(vocab))),
  };
  return { files, tensors, config };
}

/**
 * The ONNX model (opset 17) of GPT-2's forward pass on ids [T] (int64, T
 * symbolic), from the checkpoint's tensors, with the outputs engine.run gives:
 * per layer l, attn_l [NH, T, T] (the softmax weights), q_l, k_l, v_l [NH, T,
 * hd] (before the score scale) and o_l [NH, T, hd] (the weighted values,
 * before the output projection); hidden [T, C] after the final norm; logits
 * [1, V] of the last position (the tied embedding). `outputs: 'hidden'` keeps
 * only hidden and logits, leaving the graph optimiser free to fuse across the
 * per-layer intermediates.
 */
export function gpt2OnnxModel(tensors, config, { outputs = 'all' } = {}) {
  const { n_layer: L, n_head: NH, n_embd: C, n_positions: P, vocab_size: V, layer_norm_epsilon: eps } = config;
  const hd = C / NH;
  const g = new Graph('gpt2');
  const f32 = (name) => g.initializer(name, 'float32', tensors.get(name).shape, tensors.get(name).data);
  const i64 = (values, dims = [values.length]) => g.constant('int64', dims, values, 'i64');
  const scalarF = (value) => g.constant('float32', [], [value], 'f32');
  const wte = f32('wte.weight');
  const wpe = f32('wpe.weight');

  g.input('ids', 'int64', ['T']);
  // positions 0 .. T-1, and the causal mask: 0 on and below the diagonal, -inf above, cut to [T, T]
  const T1 = g.node('Shape', ['ids']);
  const Tscalar = g.node('Squeeze', [T1, i64([0])]);
  const positions = g.node('Range', [g.constant('int64', [], [0], 'i64'), Tscalar, g.constant('int64', [], [1], 'i64')]);
  const mask = new Float32Array(P * P);
  for (let i = 0; i < P; i++) for (let j = i + 1; j < P; j++) mask[i * P + j] = -Infinity;
  const TT = g.node('Concat', [T1, T1], undefined, { axis: 0 });
  const causal = g.node('Slice', [g.constant('float32', [P, P], mask, 'mask'), i64([0, 0]), TT, i64([0, 1])]);

  let x = g.node('Add', [g.node('Gather', [wte, 'ids'], undefined, { axis: 0 }), g.node('Gather', [wpe, positions], undefined, { axis: 0 })]);
  const scale = scalarF(1 / Math.sqrt(hd));
  const headsShape = i64([0, 3 * NH, hd]);
  const mergedShape = i64([0, C]);
  const split = i64([NH, NH, NH]);
  const c0 = scalarF(Math.sqrt(2 / Math.PI)), c1 = scalarF(0.044715), one = scalarF(1), half = scalarF(0.5);
  const keep = outputs === 'all';
  for (let l = 0; l < L; l++) {
    const h = `h.${l}.`;
    const w = (name) => f32(h + name);
    // pass 1: causal self-attention over the pre-normed stream
    const a = g.node('LayerNormalization', [x, w('ln_1.weight'), w('ln_1.bias')], undefined, { axis: -1, epsilon: { float: eps } });
    const qkv = g.node('Add', [g.node('MatMul', [a, w('attn.c_attn.weight')]), w('attn.c_attn.bias')]);
    // [T, 3C] -> [T, 3 NH, hd] -> [3 NH, T, hd] -> q, k, v [NH, T, hd]
    const byHead = g.node('Transpose', [g.node('Reshape', [qkv, headsShape])], undefined, { perm: [1, 0, 2] });
    const [q, k, v] = [`q_${l}`, `k_${l}`, `v_${l}`];
    g.node('Split', [byHead, split], [q, k, v], { axis: 0 });
    const scores = g.node('MatMul', [q, g.node('Transpose', [k], undefined, { perm: [0, 2, 1] })]);
    const masked = g.node('Add', [g.node('Mul', [scores, scale]), causal]);
    const attn = g.node('Softmax', [masked], [`attn_${l}`], { axis: -1 });
    const o = g.node('MatMul', [attn, v], [`o_${l}`]);
    const merged = g.node('Reshape', [g.node('Transpose', [o], undefined, { perm: [1, 0, 2] }), mergedShape]);
    const projected = g.node('Add', [g.node('MatMul', [merged, w('attn.c_proj.weight')]), w('attn.c_proj.bias')]);
    x = g.node('Add', [x, projected]);
    // pass 2: the feed-forward block, GELU in its tanh form: 0.5 u (1 + tanh(√(2/π) (u + 0.044715 u³)))
    const m = g.node('LayerNormalization', [x, w('ln_2.weight'), w('ln_2.bias')], undefined, { axis: -1, epsilon: { float: eps } });
    const u = g.node('Add', [g.node('MatMul', [m, w('mlp.c_fc.weight')]), w('mlp.c_fc.bias')]);
    const cube = g.node('Mul', [g.node('Mul', [u, u]), u]);
    const inner = g.node('Mul', [g.node('Add', [u, g.node('Mul', [cube, c1])]), c0]);
    const gelu = g.node('Mul', [g.node('Mul', [u, g.node('Add', [g.node('Tanh', [inner]), one])]), half]);
    const down = g.node('Add', [g.node('MatMul', [gelu, w('mlp.c_proj.weight')]), w('mlp.c_proj.bias')]);
    x = g.node('Add', [x, down]);
    if (keep) {
      g.output(`attn_${l}`, 'float32', [NH, 'T', 'T']);
      for (const name of [q, k, v, `o_${l}`]) g.output(name, 'float32', [NH, 'T', hd]);
    }
  }
  g.node('LayerNormalization', [x, f32('ln_f.weight'), f32('ln_f.bias')], ['hidden'], { axis: -1, epsilon: { float: eps } });
  const last = g.node('Slice', ['hidden', i64([-1]), i64([2 ** 53 - 1]), i64([0])]);
  g.node('Gemm', [last, wte], ['logits'], { transB: 1 });
  g.output('hidden', 'float32', ['T', C]);
  g.output('logits', 'float32', [1, V]);
  return modelBytes(g, { opset: 17 });
}

/** Token ids of a given length, from a seed (the benchmark runs on ids, as both engines take them). */
export function benchIds(T, vocab, seed = 5) {
  const rand = xorshift32(seed);
  return Int32Array.from({ length: T }, () => Math.floor(rand() * vocab));
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const maxAbsDiff = (a, b) => {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= worst)) worst = d; // NaN counts as worst
  }
  return worst;
};

/** The largest differences between this engine's result and onnxruntime-web's outputs, by kind. */
export function parity(ours, theirs, layers) {
  const diff = { attention: 0, qkv: 0, headsOutput: 0, hidden: maxAbsDiff(ours.hidden, theirs.hidden.data), logits: maxAbsDiff(ours.logits, theirs.logits.data) };
  for (let l = 0; l < layers; l++) {
    if (!theirs[`attn_${l}`]) continue;
    diff.attention = Math.max(diff.attention, maxAbsDiff(ours.attentions[l], theirs[`attn_${l}`].data));
    for (const [part, name] of [['query', 'q'], ['key', 'k'], ['value', 'v']]) {
      diff.qkv = Math.max(diff.qkv, maxAbsDiff(ours.layers[l][part], theirs[`${name}_${l}`].data));
    }
    diff.headsOutput = Math.max(diff.headsOutput, maxAbsDiff(ours.layers[l].output, theirs[`o_${l}`].data));
  }
  return diff;
}

const MB = 2 ** 20;

/**
 * The whole benchmark: writes the checkpoint, loads it into this engine and
 * the ONNX graph into onnxruntime-web (noting the WASM memory each holds),
 * then per length: one run of each checked against the other, warm-up
 * rounds, and `rounds` rounds in which each runs once, the order alternating.
 * memories() returns the WASM memories seen so far as [{ owner, memory }].
 */
export async function runGpt2Suite({ env, engine, ort, memories, sizes = GPT2_SMALL, lengths = [128, 512], rounds = 5, log = () => {} }) {
  const wasmBytes = (owner) => memories().filter((m) => m.owner === owner).reduce((n, m) => n + m.memory.buffer.byteLength, 0);
  const t0 = performance.now();
  let checkpoint = gpt2Checkpoint({ ...sizes, seed: 1 });
  const { config } = checkpoint;
  const fileBytes = checkpoint.files['model.safetensors'].length;
  log(`${env}: GPT-2 ${config.n_layer} layers × ${config.n_head} heads × ${config.n_embd}, vocabulary ${config.vocab_size}: `
    + `model.safetensors ${(fileBytes / MB).toFixed(0)} MB, written in ${(performance.now() - t0).toFixed(0)} ms`);

  const ortBefore = wasmBytes('onnxruntime-web');
  let onnx = gpt2OnnxModel(checkpoint.tensors, config);
  const onnxBytes = onnx.length;
  const t1 = performance.now();
  const session = await ort.InferenceSession.create(onnx, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const ortLoadMs = performance.now() - t1;
  onnx = null;

  const oursBefore = engine.memoryBytes;
  const t2 = performance.now();
  const model = await engine.loadModel({ files: checkpoint.files });
  const oursLoadMs = performance.now() - t2;
  checkpoint = null; // the weights now live in each engine; the JS copies can go
  log(`${env}: loaded: attention-playground ${oursLoadMs.toFixed(0)} ms, onnxruntime-web ${ortLoadMs.toFixed(0)} ms (ONNX file ${(onnxBytes / MB).toFixed(0)} MB)`);

  const results = [];
  const parityChecks = [];
  try {
    for (const T of lengths) {
      const ids = benchIds(T, config.vocab_size);
      const feeds = { ids: new ort.Tensor('int64', BigInt64Array.from(ids, (id) => BigInt(id)), [T]) };
      const impls = [
        { impl: 'attention-playground', run: async () => model.run({ ids }) },
        { impl: 'onnxruntime-web', run: () => session.run(feeds) },
      ];
      const first = [await impls[0].run(), await impls[1].run()];
      const diff = parity(first[0], first[1], config.n_layer);
      parityChecks.push({ tokens: T, ...diff });
      log(`${env} T=${T}: parity, max |ours - onnxruntime-web|: attention ${diff.attention.toExponential(1)}, `
        + `q/k/v ${diff.qkv.toExponential(1)}, heads' output ${diff.headsOutput.toExponential(1)}, `
        + `hidden ${diff.hidden.toExponential(1)}, logits ${diff.logits.toExponential(1)}`);
      first.length = 0;
      // one more untimed round each, so both are past their first-call costs
      for (const { run } of impls) await run();
      const times = impls.map(() => []);
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 ? [1, 0] : [0, 1];
        for (const i of order) {
          const start = performance.now();
          await impls[i].run();
          times[i].push(performance.now() - start);
        }
      }
      const ours = median(times[0]), theirs = median(times[1]);
      const tolerance = 1e-3;
      const ok = diff.attention <= tolerance && diff.hidden <= tolerance;
      results.push({ env, tokens: T, impl: 'attention-playground', medianMs: ours, ratio: theirs / ours, rounds, times: times[0], maxAbsAttentionDiff: diff.attention, maxAbsHiddenDiff: diff.hidden, parityOk: ok });
      results.push({ env, tokens: T, impl: 'onnxruntime-web', medianMs: theirs, rounds, times: times[1] });
      log(`${env} T=${T}: attention-playground ${ours.toFixed(0)} ms, onnxruntime-web ${theirs.toFixed(0)} ms `
        + `(${(theirs / ours).toFixed(2)}x), median of ${rounds} interleaved`);
    }
  } finally {
    model.release();
    await session.release();
  }
  // WASM memory only grows: what each holds after its largest run is its peak.
  const memory = {
    'attention-playground': { wasmBytes: engine.memoryBytes, grownBytes: engine.memoryBytes - oursBefore },
    'onnxruntime-web': { wasmBytes: wasmBytes('onnxruntime-web'), grownBytes: wasmBytes('onnxruntime-web') - ortBefore },
  };
  log(`${env}: WASM memory held after the runs: attention-playground ${(memory['attention-playground'].wasmBytes / MB).toFixed(0)} MB, `
    + `onnxruntime-web ${(memory['onnxruntime-web'].wasmBytes / MB).toFixed(0)} MB (weights ${(fileBytes / MB).toFixed(0)} MB)`);
  return { results, parity: parityChecks, memory, weightsBytes: fileBytes, loadMs: { 'attention-playground': oursLoadMs, 'onnxruntime-web': ortLoadMs } };
}
