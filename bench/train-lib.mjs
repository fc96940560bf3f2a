// The training benchmark's shared part (Node and Chromium): steps per second
// of this core's trainer (wasm/train.js createTrainer) against TensorFlow.js's
// wasm backend training the same GPT (token and learned position embeddings,
// pre-norm blocks of causal multi-head attention and a GELU MLP, final norm,
// tied output head, cross-entropy) with the same optimiser (global-norm
// gradient clipping, then AdamW with decoupled weight decay on the matrices),
// on batches of the same shape, one thread each, interleaved round by round.
// The caller supplies createTrainer, tf (wasm backend ready, one thread) and
// the WASM memories seen so far (bench/wasm-memories.mjs).
//
// Shapes: B batch, T context, C width, NH heads, hd = C / NH, V vocabulary, L layers.
import { xorshift32 } from './workload.mjs';

/** The example: 2 layers, 4 heads, width 128, context 128, batch 16. */
export const TRAIN_SETTINGS = Object.freeze({ task: 'recall', layers: 2, heads: 4, width: 128, context: 128, batch: 16, learningRate: 1e-3, seed: 1 });

// AdamW's and the clip's settings, the trainer's defaults (wasm/train.js).
const ADAM = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, clip: 1 };


/**
 * The same GPT in TensorFlow.js, trained by step(): { step() -> loss, dispose() }.
 * The wasm backend has no kernel for gather's gradient (UnsortedSegmentSum),
 * so the embedding is a one-hot matrix product, which has the same gradient.
 */
export function tfjsGpt(tf, { layers: L, heads: NH, width: C, context: T, batch: B, vocab: V, learningRate, seed = 1 }) {
  const hd = C / NH;
  const rand = xorshift32(seed);
  const params = [];
  const param = (shape, kind) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = kind === 'one' ? 1 : kind === 'zero' ? 0 : (rand() * 2 - 1) * 0.02 * Math.sqrt(3);
    const variable = tf.variable(tf.tensor(values, shape));
    params.push({ variable, decay: shape.length === 2 });
    return variable;
  };
  const wte = param([V, C]), wpe = param([T, C]);
  const blocks = Array.from({ length: L }, () => ({
    ln1g: param([C], 'one'), ln1b: param([C], 'zero'),
    wqkv: param([C, 3 * C]), bqkv: param([3 * C], 'zero'),
    wo: param([C, C]), bo: param([C], 'zero'),
    ln2g: param([C], 'one'), ln2b: param([C], 'zero'),
    wfc: param([C, 4 * C]), bfc: param([4 * C], 'zero'),
    wp: param([4 * C, C]), bp: param([C], 'zero'),
  }));
  const lnfg = param([C], 'one'), lnfb = param([C], 'zero');
  const moments = params.map(({ variable }) => ({ m: tf.variable(tf.zerosLike(variable)), v: tf.variable(tf.zerosLike(variable)) }));
  const mask = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) mask[i * T + j] = -Infinity;
  const causal = tf.tensor(mask, [T, T]);
  const scale = tf.scalar(1 / Math.sqrt(hd));

  const layerNorm = (x, g, b) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
  };
  const gelu = (u) => tf.mul(tf.mul(u, 0.5), tf.add(tf.tanh(tf.mul(tf.add(u, tf.mul(tf.mul(tf.mul(u, u), u), 0.044715)), Math.sqrt(2 / Math.PI))), 1));
  const linear = (x, w, b) => tf.add(tf.matMul(x, w), b);

  // x [B T, V] one-hot ids -> mean cross-entropy against the one-hot targets [B T, V]
  const loss = (ids, targets) => {
    let x = tf.reshape(tf.add(tf.reshape(tf.matMul(ids, wte), [B, T, C]), wpe), [B * T, C]);
    for (const k of blocks) {
      const qkv = tf.transpose(tf.reshape(linear(layerNorm(x, k.ln1g, k.ln1b), k.wqkv, k.bqkv), [B, T, 3, NH, hd]), [2, 0, 3, 1, 4]);
      const [q, key, v] = tf.unstack(qkv);
      const weights = tf.softmax(tf.add(tf.mul(tf.matMul(q, key, false, true), scale), causal));
      const merged = tf.reshape(tf.transpose(tf.matMul(weights, v), [0, 2, 1, 3]), [B * T, C]);
      x = tf.add(x, linear(merged, k.wo, k.bo));
      x = tf.add(x, linear(gelu(linear(layerNorm(x, k.ln2g, k.ln2b), k.wfc, k.bfc)), k.wp, k.bp));
    }
    const logits = tf.matMul(layerNorm(x, lnfg, lnfb), wte, false, true);
    return tf.losses.softmaxCrossEntropy(targets, logits);
  };

  let t = 0;
  const batchRand = xorshift32(seed + 1);
  return {
    parameterCount: params.reduce((n, p) => n + p.variable.size, 0),
    step() {
      t += 1;
      // A batch of the same shape as the trainer's: random ids, the target of each the next id.
      const idsArray = new Int32Array(B * T), targetArray = new Int32Array(B * T);
      for (let i = 0; i < B * T; i++) idsArray[i] = Math.floor(batchRand() * V);
      for (let i = 0; i < B * T; i++) targetArray[i] = (i + 1) % T === 0 ? idsArray[i] : idsArray[i + 1];
      return tf.tidy(() => {
        const ids = tf.oneHot(tf.tensor1d(idsArray, 'int32'), V);
        const targets = tf.oneHot(tf.tensor1d(targetArray, 'int32'), V);
        const { value, grads } = tf.variableGrads(() => loss(ids, targets), params.map((p) => p.variable));
        const gradients = params.map((p) => grads[p.variable.name]);
        // clip by the global norm, then AdamW: m, v moments with bias correction, decay on matrices
        const norm = tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g)))));
        const factor = tf.minimum(tf.scalar(1), tf.div(tf.scalar(ADAM.clip), tf.add(norm, 1e-12)));
        const c1 = 1 / (1 - ADAM.beta1 ** t), c2 = 1 / (1 - ADAM.beta2 ** t);
        params.forEach((p, i) => {
          const g = tf.mul(gradients[i], factor);
          const { m, v } = moments[i];
          m.assign(tf.add(tf.mul(m, ADAM.beta1), tf.mul(g, 1 - ADAM.beta1)));
          v.assign(tf.add(tf.mul(v, ADAM.beta2), tf.mul(tf.square(g), 1 - ADAM.beta2)));
          let update = tf.div(tf.mul(m, c1), tf.add(tf.sqrt(tf.mul(v, c2)), ADAM.eps));
          if (p.decay) update = tf.add(update, tf.mul(p.variable, ADAM.weightDecay));
          p.variable.assign(tf.sub(p.variable, tf.mul(update, learningRate)));
        });
        return value.dataSync()[0];
      });
    },
    dispose() {
      for (const p of params) p.variable.dispose();
      for (const { m, v } of moments) { m.dispose(); v.dispose(); }
      causal.dispose();
      scale.dispose();
    },
  };
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const MB = 2 ** 20;

/**
 * Warm-up steps of both, then `rounds` rounds in which each takes
 * `stepsPerRound` steps, the order alternating; the median seconds per step
 * of each, their ratio, and the WASM memory (and TF.js's tensor count) after
 * the warm-up and after the last round, to show whether what each holds stays flat.
 */
export async function runTrainSuite({ env, createTrainer, tf, memories, settings = TRAIN_SETTINGS, rounds = 6, stepsPerRound = 1, log = () => {} }) {
  const wasmBytes = (owner) => memories().filter((m) => m.owner === owner).reduce((n, m) => n + m.memory.buffer.byteLength, 0);
  const trainer = await createTrainer({ ...settings, steps: 1_000_000 });
  const { vocab } = trainer.info;
  const tfjs = tfjsGpt(tf, { ...settings, vocab });
  const impls = [
    { impl: 'attention-playground', step: () => trainer.step(1).loss },
    { impl: 'tfjs-wasm', step: () => tfjs.step() },
  ];
  const memory = () => ({
    'attention-playground': { wasmBytes: wasmBytes('attention-playground') },
    'tfjs-wasm': { wasmBytes: wasmBytes('tfjs-wasm'), tensorBytes: tf.memory().numBytes, tensors: tf.memory().numTensors },
  });
  try {
    const firstLoss = impls.map(({ step }) => step());
    log(`${env}: training ${settings.layers} layers × ${settings.heads} heads × ${settings.width}, context ${settings.context}, batch ${settings.batch}, `
      + `vocabulary ${vocab}; first loss: attention-playground ${firstLoss[0].toFixed(3)}, tfjs-wasm ${firstLoss[1].toFixed(3)} (ln V = ${Math.log(vocab).toFixed(3)})`);
    for (const { step } of impls) step();
    const start = memory();
    const perStep = impls.map(() => []);
    let lastLoss = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [1, 0] : [0, 1];
      for (const i of order) {
        const t0 = performance.now();
        for (let s = 0; s < stepsPerRound; s++) lastLoss[i] = impls[i].step();
        perStep[i].push((performance.now() - t0) / stepsPerRound);
      }
    }
    const end = memory();
    const ours = median(perStep[0]), theirs = median(perStep[1]);
    const steps = 2 + rounds * stepsPerRound;
    const results = [
      { env, impl: 'attention-playground', msPerStep: ours, stepsPerSecond: 1000 / ours, ratio: theirs / ours, lastLoss: lastLoss[0], rounds, stepsPerRound },
      { env, impl: 'tfjs-wasm', msPerStep: theirs, stepsPerSecond: 1000 / theirs, lastLoss: lastLoss[1], rounds, stepsPerRound },
    ];
    log(`${env}: attention-playground ${(1000 / ours).toFixed(2)} steps/s, tfjs-wasm ${(1000 / theirs).toFixed(2)} steps/s (${(theirs / ours).toFixed(2)}x); `
      + `after ${steps} steps each, loss ${lastLoss[0].toFixed(3)} and ${lastLoss[1].toFixed(3)}`);
    log(`${env}: WASM memory after step 2 and after step ${steps}: attention-playground ${(start['attention-playground'].wasmBytes / MB).toFixed(0)} -> `
      + `${(end['attention-playground'].wasmBytes / MB).toFixed(0)} MB, tfjs-wasm ${(start['tfjs-wasm'].wasmBytes / MB).toFixed(0)} -> `
      + `${(end['tfjs-wasm'].wasmBytes / MB).toFixed(0)} MB (tensors ${start['tfjs-wasm'].tensors} -> ${end['tfjs-wasm'].tensors})`);
    return { settings: { ...settings, vocab }, results, memory: { start, end, steps } };
  } finally {
    tfjs.dispose();
    trainer.release();
  }
}

/**
 * This trainer alone for `steps` steps, its WASM memory read every tenth of
 * them: [{ step, wasmBytes }], to show that what it holds stays flat.
 */
export async function trainMemoryOverSteps({ createTrainer, memories, settings = TRAIN_SETTINGS, steps = 10_000, log = () => {} }) {
  const trainer = await createTrainer({ ...settings, steps: Math.max(steps, 1) });
  const mine = memories().filter((m) => m.owner === 'attention-playground').at(-1).memory;
  const samples = [{ step: 0, wasmBytes: mine.buffer.byteLength }];
  const every = Math.max(1, Math.floor(steps / 10));
  try {
    for (let done = 0; done < steps;) {
      const n = Math.min(every, steps - done);
      trainer.step(n);
      done += n;
      samples.push({ step: done, wasmBytes: mine.buffer.byteLength });
    }
  } finally {
    trainer.release();
  }
  log(`attention-playground over ${steps} steps: WASM memory ${samples.map((s) => (s.wasmBytes / MB).toFixed(0)).join(', ')} MB`);
  return samples;
}
