// bench/onnx-writer.mjs writes ONNX models onnxruntime-web reads and runs as
// written: a small graph gives what the same formulas give in float64, and
// the GPT-2 graph of bench/gpt2-lib.mjs gives the engine's own outputs on a
// tiny checkpoint (the engine is checked against float64 in hf_model.test.js).
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, modelBytes } from '../../bench/onnx-writer.mjs';
import { benchIds, gpt2Checkpoint, gpt2OnnxModel, parity } from '../../bench/gpt2-lib.mjs';
import { loadAttention } from '../../wasm/index.js';

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = fileURLToPath(new URL('../../node_modules/onnxruntime-web/dist/', import.meta.url));
});

describe('the ONNX writer', () => {
  it('writes initializers, symbolic inputs, INT, FLOAT and INTS attributes that onnxruntime-web runs as float64 math says', async () => {
    // y = Softmax(LayerNorm(x W + b) · 2, axis -1), then transposed: [3, T]
    const W = new Float32Array([0.5, -1, 2, 0.25, 1.5, -0.75]); // [2, 3]
    const b = new Float32Array([0.1, -0.2, 0.3]);
    const g = new Graph('small');
    g.input('x', 'float32', ['T', 2]);
    const w = g.initializer('W', 'float32', [2, 3], W);
    const bias = g.initializer('b', 'float32', [3], b);
    const xw = g.node('Add', [g.node('MatMul', ['x', w]), bias]);
    const normed = g.node('LayerNormalization', [xw, g.constant('float32', [3], [1, 1, 1]), g.constant('float32', [3], [0, 0, 0])],
      undefined, { axis: -1, epsilon: { float: 1e-5 } });
    const soft = g.node('Softmax', [g.node('Mul', [normed, g.constant('float32', [], [2])])], undefined, { axis: -1 });
    g.node('Transpose', [soft], ['y'], { perm: [1, 0] });
    g.output('y', 'float32', [3, 'T']);
    const session = await ort.InferenceSession.create(modelBytes(g));
    const x = [[1, 2], [-0.5, 0.25], [3, -1], [0, 0]];
    const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x.flat()), [4, 2]) });
    expect(y.dims).toEqual([3, 4]);
    x.forEach((row, t) => {
      const z = [0, 1, 2].map((j) => row[0] * W[j] + row[1] * W[3 + j] + b[j]);
      const mean = z.reduce((a, v) => a + v, 0) / 3;
      const variance = z.reduce((a, v) => a + (v - mean) ** 2, 0) / 3;
      const n = z.map((v) => ((v - mean) / Math.sqrt(variance + 1e-5)) * 2);
      const max = Math.max(...n);
      const e = n.map((v) => Math.exp(v - max));
      const sum = e.reduce((a, v) => a + v, 0);
      e.forEach((v, j) => expect(Math.abs(y.data[j * 4 + t] - v / sum), `y[${j}, ${t}]`).toBeLessThan(1e-6));
    });
    await session.release();
  });

  it('refuses a tensor whose values do not fill its shape, naming it', () => {
    const g = new Graph('bad');
    expect(() => g.initializer('w', 'float32', [2, 2], [1, 2, 3])).toThrow('tensor "w": 3 values for shape [2, 2] of 4');
  });
});

describe('the GPT-2 graph of the benchmark', () => {
  it('gives the engine\'s attention, queries, keys, values, hidden states and logits on a tiny checkpoint (within 1e-4)', async () => {
    const sizes = { layers: 2, heads: 2, width: 16, positions: 24, vocab: 270 };
    const { files, tensors, config } = gpt2Checkpoint({ ...sizes, seed: 3, scale: 0.4 });
    const session = await ort.InferenceSession.create(gpt2OnnxModel(tensors, config));
    const engine = await loadAttention();
    const model = await engine.loadModel({ files });
    for (const T of [1, 7, 24]) {
      const ids = benchIds(T, sizes.vocab, T);
      const ours = model.run({ ids });
      const theirs = await session.run({ ids: new ort.Tensor('int64', BigInt64Array.from(ids, (id) => BigInt(id)), [T]) });
      expect(theirs.attn_1.dims).toEqual([2, T, T]);
      const diff = parity(ours, theirs, sizes.layers);
      for (const [what, value] of Object.entries(diff)) expect(value, `T=${T} ${what}`).toBeLessThanOrEqual(1e-4);
    }
    // the variant without the per-layer outputs computes the same hidden states and logits
    const lean = await ort.InferenceSession.create(gpt2OnnxModel(tensors, config, { outputs: 'hidden' }));
    const ids = benchIds(9, sizes.vocab, 9);
    const theirs = await lean.run({ ids: new ort.Tensor('int64', BigInt64Array.from(ids, (id) => BigInt(id)), [9]) });
    expect(Object.keys(theirs).sort()).toEqual(['hidden', 'logits']);
    const diff = parity(model.run({ ids }), theirs, sizes.layers);
    expect(diff.hidden).toBeLessThanOrEqual(1e-4);
    expect(diff.logits).toBeLessThanOrEqual(1e-4);
    model.release();
    await session.release();
    await lean.release();
  });
});
