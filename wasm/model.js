// Pretrained models run by the core (engine.loadModel, and loadModel in
// index.js): the files are checked and copied into WASM memory once, the core
// keeps the model, and each run copies its results out as fresh arrays. The
// rules of the rest of the API hold here too: every argument is read once,
// only the checked copies are used, and a refusal names the argument and
// leaves the engine (and any model already loaded) working.
import { check } from './call-records.js';
import { bundledModels } from './bundled-models.js';
import { isNode } from './packaged.js';
import { bytesOf, fileBytes, readFields, requireObject, typedArrayKind } from './validate.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Files of one model together: the largest the loader takes (the core checks
// the manifest against its own limit too, before reading any shard).
const MAX_MODEL_BYTES = 2 ** 30;
const MAX_TEXT_LENGTH = 2 ** 20;
const FAMILIES = ['use', 'gpt2', 'bert'];
// Files of a Hugging Face checkpoint the core reads; the tokenizer's files stay in JS.
const CORE_FILES = new Set(['config.json', 'model.safetensors']);
const TOP_NEXT = 10;

const baseName = (name) => name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);

/** The names of the bundled models. */
export const bundledModelNames = Object.freeze(Object.keys(bundledModels));

// The bytes of a bundled model's files: read from disk in Node, fetched from
// the same origin in a browser (they are part of the build). onProgress gets
// { loaded, total } bytes as files arrive.
async function readBundled(name, onProgress) {
  const urls = bundledModels[name]();
  const files = {};
  if (isNode) {
    const fsModule = 'node:fs/promises';
    const { readFile, stat } = await import(/* @vite-ignore */ fsModule);
    let total = 0, loaded = 0;
    for (const url of Object.values(urls)) total += (await stat(url)).size;
    for (const [file, url] of Object.entries(urls)) {
      files[file] = new Uint8Array(await readFile(url));
      loaded += files[file].length;
      onProgress?.({ loaded, total });
    }
    return files;
  }
  const responses = await Promise.all(Object.entries(urls).map(async ([file, url]) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`model ${name}: ${file} could not be read (HTTP ${response.status})`);
    return [file, response];
  }));
  const total = responses.reduce((sum, [, r]) => sum + Number(r.headers.get('content-length') ?? 0), 0);
  let loaded = 0;
  for (const [file, response] of responses) {
    files[file] = new Uint8Array(await response.arrayBuffer());
    loaded += files[file].length;
    onProgress?.({ loaded, total: Math.max(total, loaded) });
  }
  return files;
}

// source: a bundled model's name or { files }; the files as checked views, by name.
function checkedFiles(source) {
  if (typeof source === 'string') {
    if (!bundledModelNames.includes(source)) {
      throw new RangeError(`source: unknown model "${source.slice(0, 40)}"; expected one of ${bundledModelNames.join(', ')}, or { files }`);
    }
    return null;
  }
  const { files } = readFields('source', source, ['files']);
  requireObject('source.files', files);
  const views = [];
  let total = 0;
  for (const name of Object.keys(files)) {
    const view = fileBytes(`source.files["${name.slice(0, 80)}"]`, files[name]);
    total += view.length;
    if (total > MAX_MODEL_BYTES) {
      throw new RangeError(`source.files: ${total} bytes and counting, over the limit of ${MAX_MODEL_BYTES} bytes for one model`);
    }
    views.push([name, view]);
  }
  if (views.length === 0) {
    throw new RangeError('source.files: no files; expected config.json, model.safetensors and tokenizer.json (GPT-2 or BERT), or model.json, its weight shards and vocab.json');
  }
  return views;
}

// The family config.json names, when it is JSON with a model_type the
// playground runs (else null: the core then says what is wrong with it).
function hfFamily(byName) {
  const bytes = byName.get('config.json');
  if (!bytes) return null;
  try {
    const family = JSON.parse(decoder.decode(bytes))?.model_type;
    return family === 'gpt2' || family === 'bert' ? family : null;
  } catch {
    return null;
  }
}

/**
 * Loads a model into `core`: the files are copied in, the core reads and
 * checks them (and keeps its own copy of the weights), and the copies are freed.
 */
export async function loadModelInto(core, arenaOf, source, { onProgress } = {}) {
  let views = checkedFiles(source);
  const name = typeof source === 'string' ? source : 'model from files';
  if (views === null) views = Object.entries(await readBundled(source, onProgress));
  const byName = new Map(views.map(([file, view]) => [baseName(file), view]));
  const family = hfFamily(byName);
  let tokenizer = null;
  if (family !== null) {
    // Built first: a tokenizer that cannot be read is refused before the weights are copied in.
    // Imported here, not at the top, so that a page importing the package
    // files without a bundler (the attention engine alone) never has to
    // resolve the tokenizer library's bare name.
    const { hfTokenizer } = await import('./hf-tokenizer.js');
    tokenizer = hfTokenizer(family, byName);
    // The core gets the weights and the config, and the other files' names only (for its messages).
    views = views.map(([file, view]) => [file, CORE_FILES.has(baseName(file)) ? view : new Uint8Array(0)]);
  }
  const handle = arenaOf((arena) => {
    const table = arena.alloc(views.length * 16);
    const slots = [];
    for (const [file, view] of views) {
      const nameBytes = encoder.encode(file);
      slots.push(arena.copyIn(nameBytes), nameBytes.length, arena.copyIn(view), view.length);
    }
    new Uint32Array(core.HEAPU8.buffer, table, slots.length).set(slots);
    const address = core.modelLoad(table, views.length);
    if (address === 0) check(core, 1);
    return address;
  });
  const model = new Model(core, arenaOf, handle, name, tokenizer);
  if (tokenizer !== null && tokenizer.size > model.info.vocabSize) {
    model.release();
    throw new RangeError(`${tokenizer.file}: token ids up to ${tokenizer.size - 1}, but config.json's vocab_size is ${model.info.vocabSize}; the files are not one model`);
  }
  return model;
}

class Model {
  #core;
  #arenaOf;
  #handle;
  #pieces;
  #tokenizer;
  #tokenTypes;
  #hasLogits;

  constructor(core, arenaOf, handle, name, tokenizer = null) {
    this.#core = core;
    this.#arenaOf = arenaOf;
    this.#handle = handle;
    const size = core.modelInfoSize(handle);
    const info = arenaOf((arena) => {
      const pointer = arena.alloc(size * 4);
      core.modelInfo(handle, pointer);
      return Int32Array.from(new Int32Array(core.HEAPU8.buffer, pointer, size));
    });
    const layers = info[0];
    const perLayer = (k) => Array.from({ length: layers }, (_, l) => info[8 + 3 * l + k]);
    /** name, family, layers, heads and the attention's width of each layer, vocabulary size, longest input in tokens. */
    this.info = Object.freeze({
      name,
      family: FAMILIES[info[5]],
      layers,
      headsPerLayer: Object.freeze(perLayer(0)),
      widthPerLayer: Object.freeze(perLayer(1)),
      outputWidth: info[3],
      vocabSize: info[1],
      maxTokens: info[2],
    });
    this.#tokenizer = tokenizer;
    this.#tokenTypes = info[6];
    this.#hasLogits = info[7] === 1;
    this.#pieces = tokenizer ? null : arenaOf((arena) => {
      const lengthOut = arena.alloc(4);
      const address = core.modelPieces(handle, lengthOut);
      const length = new Uint32Array(core.HEAPU8.buffer, lengthOut, 1)[0];
      return Object.freeze(decoder.decode(core.HEAPU8.subarray(address, address + length)).split('\0').slice(0, -1));
    });
    this.hasEmbedding = info[4] === 1;
  }

  #token(id) {
    return this.#tokenizer ? this.#tokenizer.token(id) : this.#pieces[id];
  }

  #live() {
    if (this.#handle === 0) throw new Error('model: released; load it again with loadModel()');
    return this.#handle;
  }

  /** The model's tokens of `text` (its pieces, as the tokenizer writes them) and their ids. */
  tokenize(text) {
    const handle = this.#live();
    if (typeof text !== 'string') throw new TypeError(`text: expected a string, got ${text === null ? 'null' : typeof text}`);
    if (text.length > MAX_TEXT_LENGTH) throw new RangeError(`text: ${text.length} characters, over the limit of ${MAX_TEXT_LENGTH}`);
    if (this.#tokenizer) {
      const { ids, tokens } = this.#tokenizer.encode(text);
      return { tokens, ids };
    }
    // The reference tokenizer normalises so; done here, the ids follow this engine's Unicode tables as its do.
    const utf8 = encoder.encode(text.normalize('NFKC'));
    const ids = this.#arenaOf((arena) => {
      const textAddress = arena.copyIn(utf8);
      const countOut = arena.alloc(4);
      check(this.#core, this.#core.modelEncode(handle, textAddress, utf8.length, countOut));
      const count = new Int32Array(this.#core.HEAPU8.buffer, countOut, 1)[0];
      const address = this.#core.modelIds(handle);
      return Int32Array.from(new Int32Array(this.#core.HEAPU8.buffer, address, count));
    });
    return { tokens: Array.from(ids, (id) => this.#pieces[id]), ids };
  }

  /**
   * The forward pass on { text } or { ids }: tokens, ids, per-layer attention
   * [heads, T, T], the last layer's output [T, width], the sentence
   * embedding, and per layer what its attention saw: { heads, headWidth,
   * scale, query, key, value, output }, each array [heads, T, headWidth]
   * (output: the weighted sums of values, before the output projection). Input longer than info.maxTokens is cut to it; `total` is the
   * token count before the cut. GPT-2 adds `logits` of the last position
   * over the vocabulary and `next`, the most likely next tokens { id, token, p }.
   * BERT's text gets [CLS] ... [SEP] from its tokenizer, all of token type 0.
   */
  run(request) {
    const handle = this.#live();
    const { text, ids: given } = readFields('request', request, ['text', 'ids']);
    if ((text === undefined) === (given === undefined)) {
      throw new TypeError('request: expected exactly one of text (a string) or ids (token ids)');
    }
    const all = text !== undefined ? this.tokenize(text).ids : this.#checkedIds(given);
    const { maxTokens, headsPerLayer, widthPerLayer, outputWidth } = this.info;
    if (all.length === 0) throw new RangeError('text: no tokens; expected at least one word');
    const ids = all.slice(0, maxTokens);
    const T = ids.length;
    const attentionFloats = headsPerLayer.reduce((sum, heads) => sum + heads * T * T, 0);
    const result = this.#arenaOf((arena) => {
      const idsAddress = arena.copyIn(new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength));
      const attentions = arena.floats(attentionFloats);
      const hidden = arena.floats(T * outputWidth);
      const embedding = this.hasEmbedding ? arena.floats(outputWidth) : 0;
      const layerFloats = widthPerLayer.reduce((sum, width) => sum + 4 * T * width, 0);
      const layerParts = arena.floats(layerFloats);
      const scales = arena.floats(headsPerLayer.length);
      const logits = this.#hasLogits ? arena.floats(this.info.vocabSize) : 0;
      // One sentence: every token of type 0.
      const types = this.#tokenTypes > 0 ? arena.copyIn(new Uint8Array(4 * T)) : 0;
      const outputs = arena.alloc(6 * 4);
      new Uint32Array(this.#core.HEAPU8.buffer, outputs, 6).set([attentions, hidden, embedding, layerParts, scales, logits]);
      check(this.#core, this.#core.modelRun(handle, idsAddress, types, T, outputs));
      const scaleValues = arena.copyOutFloats(scales, headsPerLayer.length);
      let part = layerParts;
      const layers = widthPerLayer.map((width, l) => {
        const take = () => {
          const array = arena.copyOutFloats(part, T * width);
          part += T * width * 4;
          return array;
        };
        const heads = headsPerLayer[l];
        return { heads, headWidth: width / heads, scale: scaleValues[l], query: take(), key: take(), value: take(), output: take() };
      });
      let offset = attentions;
      const perLayer = headsPerLayer.map((heads) => {
        const layer = arena.copyOutFloats(offset, heads * T * T);
        offset += heads * T * T * 4;
        return layer;
      });
      return {
        attentions: perLayer,
        hidden: arena.copyOutFloats(hidden, T * outputWidth),
        embedding: embedding ? arena.copyOutFloats(embedding, outputWidth) : null,
        layers,
        ...(logits ? { logits: arena.copyOutFloats(logits, this.info.vocabSize) } : {}),
      };
    });
    if (result.logits) result.next = this.#topNext(result.logits);
    return { tokens: Array.from(ids, (id) => this.#token(id)), ids, total: all.length, ...result };
  }

  // The TOP_NEXT most likely next tokens: softmax of the logits (less their
  // maximum, so exp cannot overflow), highest first.
  #topNext(logits) {
    let max = -Infinity;
    for (const value of logits) max = Math.max(max, value);
    let sum = 0;
    for (const value of logits) sum += Math.exp(value - max);
    const top = [];
    for (let id = 0; id < logits.length; id++) {
      if (top.length === TOP_NEXT && logits[id] <= logits[top[TOP_NEXT - 1]]) continue;
      let at = top.length;
      while (at > 0 && logits[top[at - 1]] < logits[id]) at--;
      top.splice(at, 0, id);
      if (top.length > TOP_NEXT) top.pop();
    }
    return top.map((id) => ({ id, token: this.#token(id), p: Math.exp(logits[id] - max) / sum }));
  }

  // ids: an Int32Array or an Array of integers in [0, vocabSize), each element read once into a copy.
  #checkedIds(value) {
    let list;
    if (typedArrayKind(value) === 'Int32Array') list = new Int32Array(bytesOf(value).slice().buffer);
    else if (Array.isArray(value)) list = value.slice(0, MAX_TEXT_LENGTH + 1);
    else throw new TypeError('ids: expected an Int32Array or an Array of integer token ids');
    if (list.length > MAX_TEXT_LENGTH) throw new RangeError(`ids: over the limit of ${MAX_TEXT_LENGTH} ids`);
    const { vocabSize } = this.info;
    const ids = new Int32Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const id = list[i];
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
        throw new RangeError(`ids[${i}]: expected a token id from 0 to ${vocabSize - 1}, got ${typeof id === 'number' ? id : typeof id}`);
      }
      ids[i] = id;
    }
    return ids;
  }

  /** Frees the model's memory in the engine; the model cannot run after. */
  release() {
    if (this.#handle === 0) return;
    this.#core.modelRelease(this.#handle);
    this.#handle = 0;
  }
}
