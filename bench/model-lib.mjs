// The model benchmark's shared part (Node and Chromium): Universal Sentence
// Encoder lite's whole forward pass, from token ids to the sentence vector and
// every layer's attention, by this core (model.run) and by TensorFlow.js's
// wasm backend running the same model.json, interleaved, one thread each.
// The caller supplies tf (wasm backend ready, one thread), loadGraphModel and
// the model's files as bytes.

// The wasm backend has no SparseToDense kernel, which the graph's input needs:
// one in JS, reading the sparse input from the backend and writing the dense
// tensor into the backend's own memory, as its other JS kernels do.
export function registerSparseToDense(tf) {
  if (tf.getKernel('SparseToDense', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'SparseToDense',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { sparseIndices, sparseValues, outputShape, defaultValue } = inputs;
      const shape = Array.from(backend.readSync(outputShape.dataId));
      const indices = backend.readSync(sparseIndices.dataId);
      const values = backend.readSync(sparseValues.dataId);
      const fill = backend.readSync(defaultValue.dataId)[0];
      const out = backend.makeOutput(shape, sparseValues.dtype);
      const dense = backend.typedArrayFromHeap(out);
      dense.fill(fill);
      const rank = shape.length;
      const scalarValue = values.length === 1 && sparseIndices.shape[0] !== 1;
      for (let n = 0; n < sparseIndices.shape[0]; n++) {
        let flat = 0;
        for (let d = 0; d < rank; d++) flat = flat * shape[d] + indices[n * rank + d];
        dense[flat] = scalarValue ? values[0] : values[n];
      }
      return out;
    },
  });
}

const attentionNode = (layer) =>
  `module_apply_default/Encoder_en/KonaTransformer/Encode/TransformerStack/Layer_${layer}/TransformerLayer/MultiheadAttention/DotProductAttention/BaseDotProductAttention/attention_weights`;
const embeddingNode = 'module_apply_default/Encoder_en/hidden_layers/l2_normalize';

/** TF.js's run of the graph: the outputs this core's model.run gives (every layer's attention and the embedding), copied out. */
export async function tfjsUseLite(tf, loadGraphModel, files) {
  registerSparseToDense(tf);
  const modelJson = JSON.parse(new TextDecoder().decode(files['model.json']));
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const shards = modelJson.weightsManifest.flatMap((group) => group.paths).map((p) => files[p]);
  const weightData = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
  let offset = 0;
  for (const shard of shards) { weightData.set(shard, offset); offset += shard.length; }
  const model = await loadGraphModel({ load: async () => ({ modelTopology: modelJson.modelTopology, weightSpecs, weightData: weightData.buffer }) });
  const names = [attentionNode(0), attentionNode(1), embeddingNode];
  return {
    async run(ids) {
      const indices = tf.tensor2d(Array.from(ids, (_, p) => [0, p]).flat(), [ids.length, 2], 'int32');
      const values = tf.tensor1d(Array.from(ids), 'int32');
      const outputs = await model.executeAsync({ indices, values }, names);
      const copies = outputs.map((t) => t.dataSync().slice());
      for (const t of [indices, values, ...outputs]) t.dispose();
      return { attentions: copies.slice(0, 2), embedding: copies[2] };
    },
    dispose: () => model.dispose(),
  };
}

/** Token ids of a given length, from a fixed text run through the model's own tokenizer. */
export function idsOfLength(model, tokens) {
  const text = 'Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse, and nothing particular to interest me on shore, I thought I would sail about a little and see the watery part of the world. ';
  const ids = model.tokenize(text.repeat(8)).ids;
  return ids.slice(0, tokens);
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Per length: warm-up rounds of both (at least three and a second's worth),
 * then `rounds` rounds in which each runs once, the order alternating; the
 * medians, their ratio, and the largest attention difference between the two.
 */
export async function runModelSuite({ env, model, tfjs, lengths = [16, 64, 128], rounds = 15, log = () => {} }) {
  const results = [];
  for (const T of lengths) {
    const ids = idsOfLength(model, T);
    const impls = [
      { impl: 'attention-playground', run: async () => model.run({ ids }) },
      { impl: 'tfjs-wasm', run: () => tfjs.run(ids) },
    ];
    const warmStart = performance.now();
    for (let round = 0; round < 3 || performance.now() - warmStart < 1000; round++) {
      for (const { run } of impls) await run();
    }
    const times = impls.map(() => []);
    let last = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [1, 0] : [0, 1];
      for (const i of order) {
        const t0 = performance.now();
        last[i] = await impls[i].run();
        times[i].push(performance.now() - t0);
      }
    }
    let maxAbs = 0;
    for (let l = 0; l < 2; l++) {
      for (let k = 0; k < last[0].attentions[l].length; k++) maxAbs = Math.max(maxAbs, Math.abs(last[0].attentions[l][k] - last[1].attentions[l][k]));
    }
    const ours = median(times[0]), theirs = median(times[1]);
    results.push({ env, tokens: T, impl: 'attention-playground', medianMs: ours, ratio: theirs / ours, maxAbsAttentionDiff: maxAbs, rounds });
    results.push({ env, tokens: T, impl: 'tfjs-wasm', medianMs: theirs, rounds });
    log(`${env} T=${T}: attention-playground ${ours.toFixed(2)} ms, tfjs-wasm ${theirs.toFixed(2)} ms (${(theirs / ours).toFixed(2)}x), attention max |diff| ${maxAbs.toExponential(1)}`);
  }
  return results;
}

/** From the files' bytes in memory to the first result: engine.loadModel({ files }) and one run of 16 tokens, median of `times`. */
export async function loadToFirstResult(engine, files, times = 5) {
  const spans = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    const model = await engine.loadModel({ files });
    model.run({ text: 'Call me Ishmael.' });
    spans.push(performance.now() - t0);
    model.release();
  }
  return median(spans);
}
