// The training API (wasm/train.js) over the WASM core: settings refused by
// name before anything is allocated, steps that are deterministic through a
// snapshot, attentions of every layer on the probe, the baseline beside the
// attention model, divergence, and the Hugging Face GPT-2 files of save().
import { describe, expect, it } from 'vitest';
import * as byName from 'attention-playground';
import { loadModel } from '../../wasm/index.js';
import {
  TrainingDivergedError, createSideBySide, createTrainer, parseTrainSettings, trainTasks,
} from '../../wasm/train.js';

const small = (extra = {}) => ({
  task: 'recall', layers: 2, heads: 2, width: 16, context: 24, batch: 4, steps: 50, learningRate: 3e-3,
  distance: 8, seed: 3, ...extra,
});

const textOf = (n) => Array.from({ length: n }, (_, i) => 'the whale '[i % 10]).join('');

describe('createTrainer', () => {
  it('refuses bad settings by name before loading anything', async () => {
    await expect(createTrainer(small({ heads: 3 }))).rejects.toThrow(/heads: 3 does not divide the width 16/);
    await expect(createTrainer(small({ task: 'poetry' }))).rejects.toThrow(/task/);
    await expect(createTrainer(small({ width: 4096 }))).rejects.toThrow(/width: expected an integer from 1 to 512/);
    await expect(createTrainer(small({ learningRate: NaN }))).rejects.toThrow(/learningRate/);
    await expect(createTrainer(small({ distance: 40 }))).rejects.toThrow(/distance/);
    await expect(createTrainer(small({ task: 'text' }))).rejects.toThrow(/text/);
    await expect(createTrainer(small({ seed: -1 }))).rejects.toThrow(/seed/);
    await expect(createTrainer(null)).rejects.toThrow(/settings: expected an object/);
  });

  it('names an unknown option, a value of the wrong type, and every bound', async () => {
    await expect(createTrainer(small({ learning_rate: 1e-3 }))).rejects.toThrow(/unknown option 'learning_rate'/);
    await expect(createTrainer(small({ layers: '2' }))).rejects.toThrow(/layers: expected an integer/);
    await expect(createTrainer(small({ layers: 0 }))).rejects.toThrow(/layers: expected an integer from 1 to 12, got 0/);
    await expect(createTrainer(small({ heads: 2.5 }))).rejects.toThrow(/heads/);
    await expect(createTrainer(small({ context: 3 }))).rejects.toThrow(/context: expected an integer from 4 to 512/);
    await expect(createTrainer(small({ batch: 129 }))).rejects.toThrow(/batch: expected an integer from 1 to 128/);
    await expect(createTrainer(small({ learningRate: -1 }))).rejects.toThrow(/learningRate: expected a finite number > 0/);
    await expect(createTrainer(small({ learningRate: '0.001' }))).rejects.toThrow(/learningRate/);
    await expect(createTrainer(small({ seed: 1.5 }))).rejects.toThrow(/seed: expected an integer from 0/);
    await expect(createTrainer(small({ seed: 2 ** 53 }))).rejects.toThrow(/seed/);
    await expect(createTrainer(small({ attention: 'no' }))).rejects.toThrow(/attention: expected true or false/);
    await expect(createTrainer(small({ task: 'text', text: 42 }))).rejects.toThrow(/text: the text task needs text/);
    await expect(createTrainer(small({ beta2: 1 }))).rejects.toThrow(/beta1, beta2/);
    await expect(createTrainer(small({ clip: -1 }))).rejects.toThrow(/clip/);
    await expect(createTrainer(small(), { wasmModule: 'x' })).rejects.toThrow(/wasmModule/);
    const trainer = await createTrainer(small());
    expect(() => trainer.step(0)).toThrow(/n: expected an integer from 1/);
    expect(() => trainer.attentions([])).toThrow(/ids: expected 1 to 24 token ids, got 0/);
    expect(() => trainer.attentions('abc')).toThrow(/ids: expected an array/);
    expect(() => trainer.restore([1, 2])).toThrow(/snapshot: expected a Uint8Array/);
    expect(trainer.step(1).step).toBe(1);  // the core still works after every refusal
    trainer.release();
  });

  it('lets the core refuse what only it can size: memory past its limit, a text too short', async () => {
    await expect(createTrainer(small({ layers: 12, width: 512, context: 512, batch: 128 }))).rejects.toThrow(/MiB/);
    await expect(createTrainer(small({ task: 'text', text: 'too short' }))).rejects.toThrow(/text: needs at least/);
  });

  it('fills defaults and knows every task', () => {
    const s = parseTrainSettings({});
    expect(s).toMatchObject({ task: 'recall', layers: 2, heads: 4, width: 64, attention: true, distance: 62 });
    expect(trainTasks).toEqual(['copy', 'reverse', 'recall', 'induction', 'sort', 'text']);
  });

  it('steps every task and reports loss and accuracy of the answers', async () => {
    for (const task of trainTasks) {
      const trainer = await createTrainer(small({ task, text: textOf(400) }));
      const r = trainer.step(3);
      expect(r.step).toBe(3);
      expect(r.losses).toHaveLength(3);
      expect(Number.isFinite(r.loss)).toBe(true);
      expect(r.accuracy).toBeGreaterThanOrEqual(0);
      expect(r.accuracy).toBeLessThanOrEqual(1);
      const e = trainer.evaluate();
      expect(e.scored).toBeGreaterThan(0);
      expect(trainer.vocabulary.length).toBe(trainer.info.vocab);
      trainer.release();
    }
  });

  it('is exported by the package entry', () => {
    expect(byName.createTrainer).toBe(createTrainer);
    expect(byName.createSideBySide).toBe(createSideBySide);
    expect(byName.TrainingDivergedError).toBe(TrainingDivergedError);
    expect(byName.trainTasks).toBe(trainTasks);
  });

  it('gives the same loss curve bit for bit from the same seed, and another from another seed', async () => {
    const [a, b, c] = await Promise.all([createTrainer(small()), createTrainer(small()), createTrainer(small({ seed: 4 }))]);
    const curve = a.step(10).losses;
    expect(b.step(10).losses).toEqual(curve);
    expect(b.parameters()).toEqual(a.parameters());
    expect(c.step(10).losses).not.toEqual(curve);
    for (const t of [a, b, c]) t.release();
  });

  it('gives the same loss curve bit for bit when paused in the middle and evaluated there', async () => {
    const straight = await createTrainer(small());
    const all = straight.step(10).losses;
    const paused = await createTrainer(small());
    const head = paused.step(4).losses;
    paused.evaluate();
    paused.attentions();
    const tail = paused.step(6).losses;
    expect([...head, ...tail]).toEqual([...all]);
    straight.release();
    paused.release();
  });

  it('evaluates on held-out batches: the same ones at every call, scored like training, better once trained', async () => {
    const trainer = await createTrainer(small({ task: 'copy', context: 16, learningRate: 1e-2, steps: 200 }));
    const before = trainer.evaluate();
    expect(trainer.evaluate()).toEqual(before);
    expect(before.scored).toBeGreaterThan(0);
    expect(before.loss).toBeGreaterThan(0);
    trainer.step(150);
    const after = trainer.evaluate();
    expect(after.loss).toBeLessThan(before.loss);
    expect(after.accuracy).toBeGreaterThan(before.accuracy);
    trainer.release();
  });

  it('evaluates text on its last tenth, which training never reads', async () => {
    // the held-out tenth is a character training never sees: its loss stays
    // high while the training loss falls
    const text = 'ab'.repeat(450) + 'z'.repeat(100);
    const trainer = await createTrainer(small({ task: 'text', text, context: 8, learningRate: 1e-2 }));
    trainer.step(60);
    expect(trainer.vocabulary).toContain('z');
    expect(trainer.step(1).loss).toBeLessThan(0.5);
    expect(trainer.evaluate().loss).toBeGreaterThan(2);
    trainer.release();
  });

  it('gives the same losses bit for bit with a snapshot and restore in the middle', async () => {
    const straight = await createTrainer(small());
    const all = straight.step(8).losses;
    const paused = await createTrainer(small());
    const head = paused.step(3).losses;
    const snap = paused.snapshot();
    paused.step(2);
    paused.restore(snap);
    expect(paused.steps).toBe(3);
    const tail = paused.step(5).losses;
    expect([...head, ...tail]).toEqual([...all]);
    expect(paused.parameters()).toEqual(straight.parameters());
    expect(() => straight.restore(new Uint8Array(10))).toThrow(/snapshot/);
    straight.release();
    paused.release();
    expect(() => paused.step()).toThrow(/released/);
  });

  it('shows every layer and head attending causally on the probe', async () => {
    const trainer = await createTrainer(small());
    trainer.step(2);
    const layers = trainer.attentions();
    expect(layers).toHaveLength(2);
    const T = trainer.probe.length;
    expect(T).toBe(24);
    for (const a of layers) {
      expect(a).toBeInstanceOf(Float32Array);
      expect(a.length).toBe(2 * T * T);
      for (let i = 0; i < T; i++) {
        let sum = 0;
        for (let j = 0; j < T; j++) sum += a[i * T + j];
        expect(sum).toBeCloseTo(1, 5);
        if (i + 1 < T) expect(a[i * T + i + 1]).toBe(0);
      }
    }
    expect(() => trainer.attentions([0, 999])).toThrow(/ids\[1\]/);
    trainer.release();
  });

  it('stops a diverging run with a clear message and keeps the last good state', async () => {
    const trainer = await createTrainer(small({ learningRate: 1e30, warmup: 0 }));
    let error;
    try {
      trainer.step(20);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect(error.message).toMatch(/diverged/);
    expect(trainer.status).toBe('diverged');
    expect(trainer.parameters().every(Number.isFinite)).toBe(true);
    expect(() => trainer.step()).toThrow(/diverged/);
    trainer.release();
  });

  it('saves a Hugging Face GPT-2 folder: config, safetensors with GPT2LMHeadModel names, tokenizer', async () => {
    const trainer = await createTrainer(small());
    const files = trainer.save();
    const config = JSON.parse(new TextDecoder().decode(files['config.json']));
    expect(config).toMatchObject({ model_type: 'gpt2', n_layer: 2, n_head: 2, n_embd: 16, n_positions: 24,
      activation_function: 'gelu_new', tie_word_embeddings: true });
    const st = files['model.safetensors'];
    const n = Number(new DataView(st.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(st.subarray(8, 8 + n)));
    expect(header['transformer.h.0.attn.c_attn.weight']).toMatchObject({ dtype: 'F32', shape: [16, 48] });
    expect(header['transformer.h.1.mlp.c_proj.weight'].shape).toEqual([64, 16]);
    expect(header['transformer.wte.weight'].shape).toEqual([config.vocab_size, 16]);
    const params = trainer.parameters();
    const wpe = header['transformer.wpe.weight'];
    const stored = new Float32Array(st.slice(8 + n + wpe.data_offsets[0], 8 + n + wpe.data_offsets[1]).buffer);
    const offset = trainer.tensors.find((t) => t.name === 'transformer.wpe.weight').offset;
    expect(stored).toEqual(params.slice(offset, offset + stored.length));
    expect((8 + n) % 8).toBe(0);
    const tokenizer = JSON.parse(new TextDecoder().decode(files['tokenizer.json']));
    expect(Object.keys(tokenizer.model.vocab)).toHaveLength(config.vocab_size);
    trainer.release();
  });
});

describe('a saved model', () => {
  it('loads again through loadModel({ files }) with the same attention and its own characters as tokens', async () => {
    for (const task of ['recall', 'text']) {
      const trainer = await createTrainer(small({ task, text: textOf(400) }));
      trainer.step(20);
      const model = await loadModel({ files: trainer.save() });
      expect(model.info).toMatchObject({ layers: 2, headsPerLayer: [2, 2], vocabSize: trainer.vocabulary.length });
      const text = trainer.probe.map((id) => trainer.vocabulary[id]).join('');
      expect(Array.from(model.tokenize(text).ids)).toEqual(trainer.probe);
      const want = trainer.attentions(trainer.probe);
      const got = model.run({ ids: trainer.probe }).attentions;
      expect(got).toHaveLength(want.length);
      for (let l = 0; l < want.length; l++) {
        let worst = 0;
        for (let i = 0; i < want[l].length; i++) worst = Math.max(worst, Math.abs(got[l][i] - want[l][i]));
        expect(worst, `${task}, layer ${l}`).toBeLessThanOrEqual(1e-5);
      }
      model.release();
      trainer.release();
    }
  });
});

describe('createSideBySide', () => {
  it('starts both models from the same parameters and steps them on the same batches', async () => {
    const pair = await createSideBySide(small());
    expect(pair.attention.parameters()).toEqual(pair.baseline.parameters());
    const r = pair.step(2);
    expect(r.attention.step).toBe(2);
    expect(r.baseline.step).toBe(2);
    expect(Math.abs(r.attention.losses[0] - r.baseline.losses[0])).toBeLessThan(1e-3);
    const a = pair.attentions();
    const T = pair.probe.length;
    expect(a.baseline[0][3 * T + 1]).toBeCloseTo(0.25, 6);  // the baseline averages the prefix
    expect(() => pair.baseline.save()).toThrow(/baseline/);
    const snap = pair.snapshot();
    pair.step(1);
    pair.restore(snap);
    expect(pair.attention.steps).toBe(2);
    pair.release();
  });
});
