// The implementations under test, the same code in Node and in the browser:
// each environment loads the libraries its own way and hands them in.
//
// An implementation is { impl, threads, skip(shape) -> reason | null,
// reps?(shape) -> at most this many timed runs, prepare(shape, inputs) ->
// Promise<run> }, where run() computes attention of
// the prepared inputs ([H, N, D] float32, see workload.mjs) and returns (or
// resolves to) the output [H, N, D] as a Float32Array. Only run() is timed; it
// starts from the caller's typed arrays and ends with the output in a JS
// typed array, so copies in and out of WASM memory are part of every figure.
// wasm/pool.js is the same path from bench/ in Node and in the page.
import { loadAttentionPool } from '../wasm/pool.js';
import { attentionModel } from './onnx-model.mjs';

/**
 * Every implementation, in table order, from the loaded libraries: this
 * engine on one thread, its worker pool with `cores` threads when it starts,
 * then the peers. Returns { impls, features, notes, close() }.
 */
export async function implementations({ engine, ort, tf, cores }) {
  const impls = [engineImpl(engine)];
  const notes = [];
  const { pool, note } = await loadPool(cores);
  if (pool) impls.push(engineImpl(pool, { threads: pool.threads }));
  else notes.push(note);
  impls.push(ortImpl(ort), tfjsImpl(tf), jsImpl());
  return {
    impls,
    features: { workers: pool ? pool.threads : null },
    notes,
    close: () => pool?.terminate(),
  };
}

/**
 * This engine's worker pool with `threads` threads, the caller computing one
 * share (callerShare), or { note } saying why it did not start (a page may
 * refuse workers).
 */
async function loadPool(threads) {
  try {
    return { pool: await loadAttentionPool({ threads, callerShare: true }) };
  } catch (error) {
    return { note: `attention-playground with all workers: the pool did not start: ${error?.message ?? error}` };
  }
}

/**
 * This engine, or its worker pool (anything with its attention(request),
 * returning the result or a promise of it), with needWeights: false, so only
 * the output is computed and copied.
 */
function engineImpl(engine, { threads = 1 } = {}) {
  return {
    impl: 'attention-playground',
    threads,
    skip: () => null,
    async prepare({ n, heads, dim }, { query, key, value }) {
      const request = { query, key, value, heads, queries: n, keys: n, dim, needWeights: false };
      return () => {
        const result = engine.attention(request);
        return typeof result?.then === 'function' ? result.then((r) => r.output) : result.output;
      };
    },
  };
}

/**
 * onnxruntime-web, wasm backend, one thread: the caller has set
 * ort.env.wasm.numThreads = 1 and wasmPaths. One session per width D (H and N
 * are symbolic in the model); graph optimisations on.
 */
function ortImpl(ort) {
  const sessions = new Map();
  return {
    impl: 'onnxruntime-web',
    threads: 1,
    skip: (shape) => (shape.engineOnly ? 'engine-only shape' : null),
    async prepare({ n, heads, dim }, { query, key, value }) {
      if (!sessions.has(dim)) {
        sessions.set(dim, await ort.InferenceSession.create(attentionModel(dim), {
          executionProviders: ['wasm'],
          graphOptimizationLevel: 'all',
        }));
      }
      const session = sessions.get(dim);
      const dims = [heads, n, dim];
      return async () => {
        const feeds = {
          Q: new ort.Tensor('float32', query, dims),
          K: new ort.Tensor('float32', key, dims),
          V: new ort.Tensor('float32', value, dims),
        };
        const { output } = await session.run(feeds);
        const data = output.data;
        output.dispose?.();
        return data;
      };
    },
  };
}

/**
 * TensorFlow.js with the wasm backend, threads off (the caller called
 * setThreadsCount(1) before setBackend('wasm')). Per head, 2-D:
 * softmax((Q/√D)·Kᵀ)·V. Kᵀ is an explicit transpose: matMul's transposeB
 * path is about 6× slower in the wasm backend, and scaling Q (N·D products)
 * instead of the scores (N² products) is what a user would write.
 */
function tfjsImpl(tf) {
  return {
    impl: 'tfjs-wasm',
    threads: 1,
    skip: (shape) => (shape.engineOnly ? 'engine-only shape' : null),
    async prepare({ n, heads, dim }, { query, key, value }) {
      const size = n * dim;
      const scale = 1 / Math.sqrt(dim);
      return () => {
        const out = new Float32Array(heads * size);
        for (let h = 0; h < heads; h++) {
          const head = (array) => tf.tensor2d(array.subarray(h * size, (h + 1) * size), [n, dim]);
          const result = tf.tidy(() => {
            const scores = tf.matMul(tf.mul(head(query), scale), tf.transpose(head(key)));
            return tf.matMul(tf.softmax(scores), head(value));
          });
          out.set(result.dataSync(), h * size);
          result.dispose();
        }
        return out;
      };
    },
  };
}

/** Plain JavaScript: the textbook loops over Float32Arrays, one query row at a time. */
function jsImpl() {
  return {
    impl: 'js',
    threads: 1,
    skip: (shape) => (shape.engineOnly ? 'engine-only shape' : shape.jsReps === 0 ? 'too slow' : null),
    reps: (shape) => shape.jsReps,
    async prepare({ n, heads, dim }, { query, key, value }) {
      const scale = 1 / Math.sqrt(dim);
      return () => {
        const out = new Float32Array(heads * n * dim);
        const scores = new Float32Array(n);
        const acc = new Float32Array(dim);
        for (let h = 0; h < heads; h++) {
          for (let i = 0; i < n; i++) {
            // pass 1: scores q_i·k_j/√D and their maximum
            const q = (h * n + i) * dim;
            let max = -Infinity;
            for (let j = 0; j < n; j++) {
              const k = (h * n + j) * dim;
              let dot = 0;
              for (let c = 0; c < dim; c++) dot += query[q + c] * key[k + c];
              scores[j] = dot * scale;
              if (scores[j] > max) max = scores[j];
            }
            // pass 2: exp(score − max), so exp cannot overflow, and their sum
            let sum = 0;
            for (let j = 0; j < n; j++) {
              scores[j] = Math.exp(scores[j] - max);
              sum += scores[j];
            }
            // pass 3: output_i = Σ_j exp_j v_j / sum
            acc.fill(0);
            for (let j = 0; j < n; j++) {
              const v = (h * n + j) * dim;
              const w = scores[j];
              for (let c = 0; c < dim; c++) acc[c] += w * value[v + c];
            }
            for (let c = 0; c < dim; c++) out[q + c] = acc[c] / sum;
          }
        }
        return out;
      };
    },
  };
}
