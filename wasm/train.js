// Training a small GPT-2 in the WASM core (attention/training.h), for
// browsers, workers and plain Node. createTrainer gives one model;
// createSideBySide gives the attention model and its baseline (attention
// replaced by a uniform causal average) stepping on the same batches.
// Settings are checked here, by name, before the core allocates anything; the
// core checks them again (and the memory they need). Results come out as
// fresh arrays; every buffer this file allocates in WASM memory it frees.
import { check } from './call-records.js';
import { importGlue, isNode, readPackagedWasm } from './packaged.js';
import { boolean, finiteNumber, integer, oneOf, readFields, requireObject } from './validate.js';

export const trainTasks = Object.freeze(['copy', 'reverse', 'recall', 'induction', 'sort', 'text']);

// The core's bounds (kTrain* in training.h).
export const trainLimits = Object.freeze({
  layers: 12, heads: 16, width: 512, context: 512, batch: 128, steps: 10_000_000, textBytes: 8 << 20,
});

const SETTINGS_FIELDS = [
  'task', 'text', 'layers', 'heads', 'width', 'context', 'batch', 'learningRate', 'steps', 'warmup', 'seed',
  'attention', 'distance', 'minLearningRateRatio', 'weightDecay', 'beta1', 'beta2', 'adamEps', 'clip',
];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The settings with defaults filled in, or a TypeError/RangeError naming the first bad field. */
export function parseTrainSettings(settings) {
  const f = readFields('settings', settings, SETTINGS_FIELDS);
  // a misspelt option would otherwise train with its default, unnoticed
  const unknown = Object.keys(settings).find((key) => !SETTINGS_FIELDS.includes(key));
  if (unknown !== undefined) {
    throw new TypeError(`settings: unknown option '${unknown}' (the options are ${SETTINGS_FIELDS.join(', ')})`);
  }
  const task = oneOf('task', f.task, trainTasks, 'recall');
  const layers = integer('layers', f.layers, { max: trainLimits.layers, fallback: 2 });
  const heads = integer('heads', f.heads, { max: trainLimits.heads, fallback: 4 });
  const width = integer('width', f.width, { max: trainLimits.width, fallback: 64 });
  if (width % heads !== 0) throw new RangeError(`heads: ${heads} does not divide the width ${width}`);
  const context = integer('context', f.context, { min: 4, max: trainLimits.context, fallback: 64 });
  const batch = integer('batch', f.batch, { max: trainLimits.batch, fallback: 16 });
  const steps = integer('steps', f.steps, { max: trainLimits.steps, fallback: 1000 });
  const warmup = integer('warmup', f.warmup, { min: -1, max: steps, fallback: -1 });
  const seed = integer('seed', f.seed, { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 1 });
  const learningRate = finiteNumber('learningRate', f.learningRate, { positive: true, fallback: 1e-3 });
  const attention = f.attention === undefined ? true : boolean('attention', f.attention);
  const distance = task === 'recall'
    ? integer('distance', f.distance, { min: 2, max: context - 2, fallback: Math.min(64, context - 2) })
    : 2;
  const ratio = (name, value, fallback) => {
    const x = finiteNumber(name, value, { fallback });
    if (x < 0 || x > 1) throw new RangeError(`${name}: expected a number from 0 to 1, got ${x}`);
    return x;
  };
  const minLearningRateRatio = ratio('minLearningRateRatio', f.minLearningRateRatio, 0.1);
  const weightDecay = finiteNumber('weightDecay', f.weightDecay, { fallback: 0.1 });
  if (weightDecay < 0 || weightDecay > 10) throw new RangeError(`weightDecay: expected 0 to 10, got ${weightDecay}`);
  const beta1 = ratio('beta1', f.beta1, 0.9), beta2 = ratio('beta2', f.beta2, 0.95);
  if (beta1 >= 1 || beta2 >= 1) throw new RangeError('beta1, beta2: expected numbers below 1');
  const adamEps = finiteNumber('adamEps', f.adamEps, { positive: true, fallback: 1e-8 });
  const clip = finiteNumber('clip', f.clip, { fallback: 1 });
  if (clip < 0) throw new RangeError(`clip: expected a number >= 0 (0 = no clipping), got ${clip}`);
  let text = '';
  if (task === 'text') {
    if (typeof f.text !== 'string') throw new TypeError('text: the text task needs text (a string)');
    if (f.text.length > trainLimits.textBytes) {
      throw new RangeError(`text: at most ${trainLimits.textBytes} bytes, got ${f.text.length} characters`);
    }
    text = f.text;
  }
  return Object.freeze({
    task, text, layers, heads, width, context, batch, learningRate, steps, warmup, seed, attention, distance,
    minLearningRateRatio, weightDecay, beta1, beta2, adamEps, clip,
  });
}

/** Thrown by step() when the loss or gradient stops being finite; the trainer is back at its last good state. */
export class TrainingDivergedError extends Error {
  constructor(message, step) {
    super(message);
    this.name = 'TrainingDivergedError';
    this.step = step;
  }
}

async function loadCore(options) {
  const { wasmBinary, wasmModule } = readFields('options', options, ['wasmBinary', 'wasmModule']);
  const createAttentionCore = await importGlue();
  if (wasmModule !== undefined) {
    if (!(wasmModule instanceof WebAssembly.Module)) throw new TypeError('wasmModule: expected a WebAssembly.Module');
    return createAttentionCore({
      instantiateWasm: (imports, receive) => {
        WebAssembly.instantiate(wasmModule, imports).then((instance) => receive(instance, wasmModule));
        return {};
      },
    });
  }
  const bytes = wasmBinary ?? (isNode ? await readPackagedWasm() : undefined);
  return createAttentionCore(bytes ? { wasmBinary: bytes } : {});
}

// Runs body with `n` bytes of WASM memory, freed afterwards whatever happens.
function withBuffer(core, n, body) {
  const address = core._malloc(Math.max(n, 8));
  if (!address) throw new RangeError(`out of WASM memory for ${n} bytes`);
  try {
    return body(address);
  } finally {
    core._free(address);
  }
}

const splitNul = (core, address, length) => {
  const text = decoder.decode(core.HEAPU8.subarray(address, address + length));
  return text.split('\0').slice(0, -1);
};

function createOn(core, settings) {
  const ints = [
    trainTasks.indexOf(settings.task), settings.layers, settings.heads, settings.width, settings.context, settings.batch,
    settings.steps, settings.warmup, settings.attention ? 1 : 0, settings.distance,
  ];
  const reals = [
    settings.seed, settings.learningRate, settings.minLearningRateRatio, settings.weightDecay, settings.beta1,
    settings.beta2, settings.adamEps, settings.clip, 0,
  ];
  const text = encoder.encode(settings.text);
  return withBuffer(core, 40 + 72 + text.length, (address) => {
    new Int32Array(core.HEAPU8.buffer, address, 10).set(ints);
    new Float64Array(core.HEAPU8.buffer, address + 40, 9).set(reals);
    core.HEAPU8.set(text, address + 112);
    const handle = core.trainerCreate(address, address + 40, address + 112, text.length);
    if (handle === 0) check(core, 1);
    return handle;
  });
}

/** One model being trained in its own WASM core (see index.d.ts). */
class Trainer {
  #core;
  #handle;
  #info;

  constructor(core, handle, settings) {
    this.#core = core;
    this.#handle = handle;
    this.settings = settings;
    const info = this.#readInfo();
    this.vocabulary = Object.freeze(this.#text(0));
    const fields = this.#text(1);
    const tensors = [];
    for (let i = 0; i < fields.length; i += 4) {
      const cols = Number(fields[i + 3]);
      tensors.push(Object.freeze({
        name: fields[i], offset: Number(fields[i + 1]),
        shape: Object.freeze(cols > 0 ? [Number(fields[i + 2]), cols] : [Number(fields[i + 2])]),
      }));
    }
    this.tensors = Object.freeze(tensors);
    const probeAddress = core.trainerProbe(handle);
    this.probe = Object.freeze(Array.from(new Int32Array(core.HEAPU8.buffer, probeAddress, info.context)));
  }

  #live() {
    if (this.#handle === 0) throw new Error('trainer: already released');
    return this.#core;
  }

  #readInfo() {
    const core = this.#live();
    return withBuffer(core, 32, (address) => {
      core.trainerInfo(this.#handle, address);
      const i = new Int32Array(core.HEAPU8.buffer, address, 8);
      this.#info = {
        vocab: i[0], context: i[1], layers: i[2], heads: i[3], width: i[4], steps: i[5],
        status: i[6] === 1 ? 'diverged' : 'ready', parameters: i[7],
      };
      return this.#info;
    });
  }

  #text(what) {
    const core = this.#live();
    return withBuffer(core, 4, (lengthAddress) => {
      const address = core.trainerText(this.#handle, what, lengthAddress);
      return splitNul(core, address, new Uint32Array(core.HEAPU8.buffer, lengthAddress, 1)[0]);
    });
  }

  /** Steps done so far. */
  get steps() { return this.#readInfo().steps; }
  /** 'ready', or 'diverged' once a step's loss or gradient was not finite. */
  get status() { return this.#readInfo().status; }
  get info() { return { ...this.#readInfo() }; }

  /**
   * n steps (default 1): the last one's { step, loss, accuracy, learningRate,
   * gradNorm } and every step's loss and accuracy. Throws TrainingDivergedError
   * when a step diverges (earlier steps' results are on error.results).
   */
  step(n = 1) {
    const count = integer('n', n, { max: 1_000_000 });
    const core = this.#live();
    const losses = new Float64Array(count), accuracies = new Float64Array(count);
    return withBuffer(core, 40, (address) => {
      let last;
      for (let i = 0; i < count; i++) {
        const status = core.trainerStep(this.#handle, address);
        if (status !== 0) {
          let message = 'training diverged';
          try { check(core, status); } catch (error) { message = error.message; }
          const error = new TrainingDivergedError(message, this.#readInfo().steps);
          error.results = { losses: losses.slice(0, i), accuracies: accuracies.slice(0, i) };
          throw error;
        }
        const o = new Float64Array(core.HEAPU8.buffer, address, 5);
        losses[i] = o[1];
        accuracies[i] = o[2];
        last = { step: o[0], loss: o[1], accuracy: o[2], learningRate: o[3], gradNorm: o[4] };
      }
      return { ...last, losses, accuracies };
    });
  }

  /** Loss and accuracy on the task's held-out batches (the same batches at every call). */
  evaluate() {
    const core = this.#live();
    return withBuffer(core, 24, (address) => {
      check(core, core.trainerEvaluate(this.#handle, address));
      const o = new Float64Array(core.HEAPU8.buffer, address, 3);
      return { loss: o[0], accuracy: o[1], scored: o[2] };
    });
  }

  /** Every layer's attention over ids (default: the probe), one Float32Array [heads, T, T] per layer. */
  attentions(ids = this.probe) {
    const core = this.#live();
    if (!Array.isArray(ids) && !(ids instanceof Int32Array)) throw new TypeError('ids: expected an array of token ids');
    const T = ids.length;
    if (T < 1 || T > this.#info.context) throw new RangeError(`ids: expected 1 to ${this.#info.context} token ids, got ${T}`);
    const copy = Int32Array.from(ids, (id, t) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.#info.vocab) {
        throw new RangeError(`ids[${t}]: expected a token id from 0 to ${this.#info.vocab - 1}, got ${id}`);
      }
      return id;
    });
    const { layers, heads } = this.#info;
    const per = heads * T * T;
    return withBuffer(core, 4 * T + 4 * layers * per, (address) => {
      core.HEAP32.set(copy, address / 4);
      check(core, core.trainerAttentions(this.#handle, address, T, address + 4 * T));
      const all = new Float32Array(core.HEAPU8.buffer, address + 4 * T, layers * per);
      return Array.from({ length: layers }, (_, l) => all.slice(l * per, (l + 1) * per));
    });
  }

  /** A copy of the parameters (see tensors for the name, offset and shape of each). */
  parameters() {
    const core = this.#live();
    const address = core.trainerParameters(this.#handle);
    return new Float32Array(core.HEAPU8.buffer, address, this.#info.parameters).slice();
  }

  /** The whole state (parameters, AdamW's moments, step, data stream) as bytes. */
  snapshot() {
    const core = this.#live();
    return withBuffer(core, 4, (lengthAddress) => {
      const address = core.trainerSnapshot(this.#handle, lengthAddress);
      const length = new Uint32Array(core.HEAPU8.buffer, lengthAddress, 1)[0];
      const bytes = core.HEAPU8.slice(address, address + length);
      core.trainerDropSnapshot(this.#handle);
      return bytes;
    });
  }

  /** Back to a snapshot of a trainer with the same settings (a diverged run becomes ready again). */
  restore(bytes) {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('snapshot: expected a Uint8Array');
    const core = this.#live();
    withBuffer(core, bytes.length, (address) => {
      core.HEAPU8.set(bytes, address);
      check(core, core.trainerRestore(this.#handle, address, bytes.length));
    });
    this.#readInfo();
  }

  /**
   * The model as a Hugging Face GPT-2 folder: config.json, model.safetensors
   * (GPT2LMHeadModel's names, Conv1D weights [in, out], F32) and
   * tokenizer.json (a BPE without merges: one token per character).
   */
  save() {
    if (!this.settings.attention) {
      throw new RangeError('save: the baseline has no attention weights; GPT-2 files hold the attention model');
    }
    return hfFiles(this.#info, this.settings, this.vocabulary, this.tensors, this.parameters());
  }

  release() {
    if (this.#handle !== 0) this.#core.trainerRelease(this.#handle);
    this.#handle = 0;
  }
}

function hfFiles(info, settings, vocabulary, tensors, params) {
  const config = {
    architectures: ['GPT2LMHeadModel'], model_type: 'gpt2',
    vocab_size: info.vocab, n_positions: info.context, n_ctx: info.context, n_embd: info.width,
    n_layer: info.layers, n_head: info.heads, n_inner: null, activation_function: 'gelu_new',
    layer_norm_epsilon: 1e-5, resid_pdrop: 0, embd_pdrop: 0, attn_pdrop: 0, tie_word_embeddings: true,
    bos_token_id: 0, eos_token_id: 0, torch_dtype: 'float32',
    attention_playground: { task: settings.task, seed: settings.seed },
  };
  const header = {};
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  header.__metadata__ = { format: 'pt' };
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8);  // data section 8-byte aligned
  const headerBytes = encoder.encode(json);
  const file = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(file.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  file.set(headerBytes, 8);
  const data = new DataView(file.buffer, 8 + headerBytes.length);
  let at = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < count; i++, at += 4) data.setFloat32(at, params[t.offset + i], true);
  }
  const vocab = Object.fromEntries(vocabulary.map((name, id) => [name, id]));
  // Character level: a BPE model with no merges splits text into characters
  // and looks each up (GPT-2's tokenizer family, so GPT-2 loaders take it).
  const tokenizer = {
    version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null, pre_tokenizer: null,
    post_processor: null, decoder: { type: 'Fuse' },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: [],
    },
  };
  return {
    'config.json': encoder.encode(JSON.stringify(config, null, 2)),
    'model.safetensors': file,
    'tokenizer.json': encoder.encode(JSON.stringify(tokenizer)),
  };
}

/** One trainer on a core of its own: settings as in parseTrainSettings; options.wasmBinary / wasmModule as loadAttention's. */
export async function createTrainer(settings, options = {}) {
  const parsed = parseTrainSettings(settings);
  requireObject('options', options);
  const core = await loadCore(options);
  return new Trainer(core, createOn(core, parsed), parsed);
}

/**
 * The attention model and its baseline (the same settings with attention:
 * false) on one core, stepped together on the same batches.
 */
export async function createSideBySide(settings, options = {}) {
  const parsed = parseTrainSettings(settings);
  requireObject('options', options);
  const core = await loadCore(options);
  const withAttention = new Trainer(core, createOn(core, { ...parsed, attention: true }), { ...parsed, attention: true });
  let baseline;
  try {
    baseline = new Trainer(core, createOn(core, { ...parsed, attention: false }), { ...parsed, attention: false });
  } catch (error) {
    withAttention.release();
    throw error;
  }
  const both = (f) => ({ attention: f(withAttention), baseline: f(baseline) });
  return Object.freeze({
    attention: withAttention,
    baseline,
    probe: withAttention.probe,
    vocabulary: withAttention.vocabulary,
    step: (n = 1) => both((t) => t.step(n)),
    evaluate: () => both((t) => t.evaluate()),
    attentions: (ids) => both((t) => t.attentions(ids)),
    snapshot: () => both((t) => t.snapshot()),
    restore: (snap) => {
      requireObject('snapshot', snap);
      withAttention.restore(snap.attention);
      baseline.restore(snap.baseline);
    },
    release: () => {
      withAttention.release();
      baseline.release();
    },
  });
}
