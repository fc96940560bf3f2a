// The friendly JS API over the WASM core: validates every argument, copies
// inputs into WASM memory, calls the binding, copies results out as fresh
// typed arrays and frees what it allocated.
import {
  boolean, bytes, bytesOf, finiteNumber, floats, floatsOfSize, integer, lengthOf, limits, oneOf, parseAttentionRequest,
  readFields, requireFinite, requireObject, sameLength, tensorSize, typedArrayKind, variants,
} from './validate.js';
import {
  ATTENTION_RECORD, MULTI_HEAD_RECORD, TRACE_RECORD, check, recordBytes, variantCode, writeRecord,
} from './call-records.js';

import { loadModelInto } from './model.js';
import { importGlue, isNode, readPackagedWasm } from './packaged.js';

export { tokenize } from './tokenize.js';
export {
  TrainingDivergedError, createSideBySide, createTrainer, parseTrainSettings, trainLimits, trainTasks,
} from './train.js';

export { variants };


/**
 * Loads the WASM core; in Node the packaged .wasm is read from disk (Node
 * cannot fetch it by path). options.wasmModule, a compiled WebAssembly.Module
 * of the core, is instantiated instead: engines made from one Module share its
 * machine code, and with it V8's optimised tier once any of them has run a while.
 */
export async function loadAttention(options = {}) {
  requireObject('options', options);
  let { wasmBinary } = options;
  const { wasmModule } = options;
  if (wasmModule !== undefined) return new AttentionEngine(await instantiateCore(wasmModule));
  if (!wasmBinary && isNode) wasmBinary = await readPackagedWasm();
  const createAttentionCore = await importGlue();
  const core = await createAttentionCore(wasmBinary ? { wasmBinary } : {});
  return new AttentionEngine(core);
}

/**
 * A pretrained model on an engine of its own (loadAttention(options), then
 * engine.loadModel(source, options)); see AttentionEngine.loadModel.
 */
export async function loadModel(source, options = {}) {
  requireObject('options', options);
  const { wasmBinary, wasmModule, onProgress } = options;
  const engine = await loadAttention({ wasmBinary, wasmModule });
  return engine.loadModel(source, { onProgress });
}

// The Emscripten module over an instance of `wasmModule` (through its
// instantiateWasm hook, whose failures Emscripten would only log).
async function instantiateCore(wasmModule) {
  if (!(wasmModule instanceof WebAssembly.Module)) {
    throw new TypeError(`wasmModule: expected a WebAssembly.Module, got ${typeof wasmModule}`);
  }
  const createAttentionCore = await importGlue();
  let fail;
  const failed = new Promise((resolve, reject) => { fail = reject; });
  const instantiateWasm = (imports, receive) => {
    WebAssembly.instantiate(wasmModule, imports).then((instance) => receive(instance, wasmModule)).catch((error) => {
      fail(new TypeError(`wasmModule: could not be instantiated as the attention core: ${error?.message ?? error}`));
    });
    return {};
  };
  return Promise.race([createAttentionCore({ instantiateWasm }), failed]);
}

// Allocations of one call; everything is freed in `release`, whatever happens.
class Arena {
  constructor(core) {
    this.core = core;
    this.pointers = [];
  }

  alloc(byteLength) {
    const pointer = this.core._malloc(Math.max(byteLength, 4));
    if (!pointer) throw new RangeError(`out of WASM memory allocating ${byteLength} bytes`);
    this.pointers.push(pointer);
    return pointer;
  }

  /**
   * Copies one of the checks' views in (0 for none). The checks made it in
   * this same call, with no caller code run since, so it holds what was checked.
   * Heap views are re-read after every allocation (growth detaches them).
   */
  copyIn(view) {
    if (!view) return 0;
    const source = bytesOf(view);
    const pointer = this.alloc(source.length);
    this.core.HEAPU8.set(source, pointer);
    return pointer;
  }

  floats(count) {
    return this.alloc(count * 4);
  }

  /** A record of `layout` holding `values`, for one binding call. */
  record(layout, values) {
    const pointer = this.alloc(recordBytes(layout));
    writeRecord(this.core, pointer, layout, values);
    return pointer;
  }

  // slice, not new Float32Array(subarray): V8 copies the latter element by
  // element, the former as one block
  copyOutFloats(pointer, count) {
    return this.core.HEAPF32.slice(pointer / 4, pointer / 4 + count);
  }

  copyInto(target, pointer) {
    target.set(this.core.HEAPF32.subarray(pointer / 4, pointer / 4 + target.length));
    return target;
  }

  release() {
    for (const pointer of this.pointers) this.core._free(pointer);
    this.pointers = [];
  }
}

class AttentionEngine {
  #core;

  constructor(core) {
    this.#core = core;
    this.limits = limits;
  }

  // Runs body(arena) and frees the arena, whatever happens. The binding
  // reports the core's refusals as statuses (call-records.js check), so no
  // exception crosses out of WASM and nothing is left on its stack or heap.
  #withArena(body) {
    const arena = new Arena(this.#core);
    try {
      return body(arena);
    } finally {
      arena.release();
    }
  }

  /**
   * A pretrained model run by this engine's core: source is the name of a
   * bundled model ('use-lite', 'moby-dick') or { files } (file name to Uint8Array).
   * options.onProgress gets { loaded, total } bytes while a bundled model is read.
   */
  loadModel(source, options = {}) {
    const { onProgress } = readFields('options', options, ['onProgress']);
    if (onProgress !== undefined && typeof onProgress !== 'function') {
      throw new TypeError('options.onProgress: expected a function');
    }
    return loadModelInto(this.#core, (body) => this.#withArena(body), source, { onProgress });
  }

  /** Bytes of WASM memory the engine holds now (it grows as needed and never shrinks). */
  get memoryBytes() {
    return this.#core.HEAPU8.buffer.byteLength;
  }

  /** Bytes of the engine's WASM heap allocated now: between calls, the same after any number of refused calls. */
  get heapBytesInUse() {
    return this.#core.heapBytesInUse();
  }

  // Output [heads, rows, valueDim] and weights [heads, rows, keys] (or null),
  // rows being all queries or the request's rows range.
  attention(request) {
    const r = parseAttentionRequest(request, { deferFinite: true });
    return this.#attention(r, null);
  }

  // attention(request), written into the caller's arrays instead of new ones:
  // into = { output, weights } (weights only when needWeights), each a
  // Float32Array of exactly the result's length (the engine's own WASM memory
  // is not reachable from outside, so they cannot alias it). Returns { output, weights } with those arrays (weights null
  // without needWeights). Nothing is written if the request is refused.
  attentionInto(request, into) {
    const r = parseAttentionRequest(request, { deferFinite: true });
    const rows = r.rows ? r.rows.end - r.rows.begin : r.queries;
    const arrays = intoArrays(into, r, r.heads, rows);
    return this.#attention(r, arrays);
  }

  // The attention call of a parsed request; the results are copied into
  // into's views and into's own arrays returned, or into new arrays when into is null.
  #attention(r, into) {
    const rows = r.rows ? r.rows.end - r.rows.begin : r.queries;
    const outFloats = r.heads * rows * r.valueDim;
    const weightFloats = r.needWeights ? r.heads * rows * r.keys : 0;
    const core = this.#core;
    return this.#withArena((arena) => {
      const addresses = copyRequest(arena, r);
      const out = arena.floats(outFloats), weights = r.needWeights ? arena.floats(weightFloats) : 0;
      // the finite checks parseAttentionRequest left to us, on the copies (query, key, value in order)
      for (const [name, view] of r.deferred) {
        requireFinite(name, view, core.firstNonFinite(addresses[name], view.length));
      }
      const record = arena.record(ATTENTION_RECORD, attentionRecord(r, addresses, out, weights));
      if (r.rows) check(core, core.attentionRows(record, r.rows.begin, r.rows.end));
      else if (r.needWeights) check(core, core.attention(record));
      else check(core, core.attentionOutput(record));
      if (!into) {
        return { output: arena.copyOutFloats(out, outFloats), weights: r.needWeights ? arena.copyOutFloats(weights, weightFloats) : null };
      }
      arena.copyInto(into.views.output, out);
      if (weights) arena.copyInto(into.views.weights, weights);
      return { output: into.output, weights: into.weights };
    });
  }

  // For splitting one request across threads (wasm/pool.js): checks the
  // request, then computes any rectangle of it on demand: rowsInto({ h0, h1,
  // begin, end }, { output, weights }) writes heads [h0, h1) and query rows
  // [begin, end) into the caller's arrays ([h1 - h0, end - begin, ·]), the
  // bits attention() gives those rows. A head's query, key and value are
  // copied into WASM memory (and checked finite) the first time a rectangle
  // needs them, so a thread copies only the heads it computes, once: if the
  // buffer behind one of them is detached or shrunk before then, that
  // rowsInto refuses it. release() frees the copies; the engine serves other
  // calls meanwhile. The weights limit applies to each piece (long mode walks
  // 16384² weights).
  prepareRows(request) {
    const r = parseAttentionRequest(request, { deferFinite: true, weightsLimit: false });
    if (r.rows) throw new TypeError('rows: prepareRows takes a whole request; give each rectangle to rowsInto');
    const core = this.#core;
    const { heads: H, queries: NQ, keys: NK, dim: D, valueDim: DV } = r;
    const arena = new Arena(core);
    let handle = 0, addresses;
    try {
      addresses = {
        ...copyRequest(arena, { ...r, query: null, key: null, value: null }),
        query: arena.floats(H * NQ * D), key: arena.floats(H * NK * D), value: arena.floats(H * NK * DV),
      };
      // keeps the record and each head's packed K (and V) across rowsInto calls
      handle = core.preparePieces(arena.record(ATTENTION_RECORD, attentionRecord(r, addresses, 0, 0)));
      if (!handle) check(core, 1);
    } catch (error) {
      arena.release();
      throw error;
    }
    const copied = new Uint8Array(H);
    const tensors = [['query', r.query, NQ * D], ['key', r.key, NK * D], ['value', r.value, NK * DV]];
    const copyHead = (h) => {
      for (const [name, view, size] of tensors) {
        sameLength(name, view, H * size);
        core.HEAPF32.set(view.subarray(h * size, (h + 1) * size), addresses[name] / 4 + h * size);
        const bad = core.firstNonFinite(addresses[name] + h * size * 4, size);
        requireFinite(name, view, bad < 0 ? bad : h * size + bad);
      }
      copied[h] = 1;
    };
    let released = false;
    const rowsInto = (piece, into) => {
      if (released) throw new Error('prepareRows: released; prepare the request again');
      const p = readFields('piece', piece, ['h0', 'h1', 'begin', 'end']);
      const h0 = integer('piece.h0', p.h0, { min: 0, max: H - 1 });
      const h1 = integer('piece.h1', p.h1, { min: h0 + 1, max: H });
      const begin = integer('piece.begin', p.begin, { min: 0, max: NQ - 1 });
      const end = integer('piece.end', p.end, { min: begin + 1, max: NQ });
      if (r.needWeights) tensorSize('weights', [['heads', h1 - h0], ['rows', end - begin], ['keys', NK]]);
      const arrays = intoArrays(into, r, h1 - h0, end - begin);
      for (let h = h0; h < h1; h++) if (!copied[h]) copyHead(h);
      return this.#withArena((scratch) => {
        const count = (h1 - h0) * (end - begin);
        const out = scratch.floats(count * DV), weightsAt = arrays.weights ? scratch.floats(count * NK) : 0;
        check(core, core.piece(handle, out, weightsAt, h0, h1, begin, end));
        scratch.copyInto(arrays.views.output, out);
        if (weightsAt) scratch.copyInto(arrays.views.weights, weightsAt);
        return { output: arrays.output, weights: arrays.weights };
      });
    };
    const release = () => {
      if (released) return;
      released = true;
      core.releasePieces(handle);
      arena.release();
    };
    return { rowsInto, release };
  }

  attentionTrace(request) {
    const r = parseAttentionRequest(request, { extra: ['head', 'row'] });
    const head = integer('head', r.extra.head, { min: 0, max: r.heads - 1 });
    const row = integer('row', r.extra.row, { min: 0, max: r.queries - 1 });
    const { keys, valueDim } = r;
    const core = this.#core;
    return this.#withArena((arena) => {
      const out = arena.floats(valueDim), weights = arena.floats(keys);
      const trace = {
        ...attentionRecord(r, copyRequest(arena, r), out, weights), head, row,
        scores: arena.floats(keys), logits: arena.floats(keys), exps: arena.floats(keys),
        allowed: arena.alloc(keys), kept: arena.alloc(keys), scalars: arena.floats(3),
      };
      check(core, core.attentionTrace(arena.record(TRACE_RECORD, trace)));
      const bytesAt = (pointer) => core.HEAPU8.slice(pointer, pointer + keys);
      const [scale, max, sum] = arena.copyOutFloats(trace.scalars, 3);
      return {
        scores: arena.copyOutFloats(trace.scores, keys),
        scale,
        temperature: r.temperature,
        logits: arena.copyOutFloats(trace.logits, keys),
        allowed: bytesAt(trace.allowed),
        kept: bytesAt(trace.kept),
        max,
        exps: arena.copyOutFloats(trace.exps, keys),
        sum,
        weights: arena.copyOutFloats(weights, keys),
        output: arena.copyOutFloats(out, valueDim),
      };
    });
  }

  multiHeadAttention(request) {
    const f = readFields('request', request, [
      'heads', 'queries', 'keys', 'embedDim', 'query', 'key', 'value',
      'inProjWeight', 'inProjBias', 'outProjWeight', 'outProjBias', 'causal', 'keyPadding',
    ]);
    const heads = integer('heads', f.heads, { fallback: 1 });
    const queries = integer('queries', f.queries);
    const keys = integer('keys', f.keys);
    if (typedArrayKind(f.query) !== 'Float32Array') floats('query', f.query, [['queries', queries]]);
    const inferred = lengthOf(f.query) / queries;
    const embedDim = integer('embedDim', f.embedDim ?? inferred);
    if (embedDim % heads !== 0) {
      throw new RangeError(`heads: expected a divisor of embedDim ${embedDim}, got ${heads}`);
    }
    const H = ['heads', heads], NQ = ['queries', queries], NK = ['keys', keys], E = ['embedDim', embedDim];
    tensorSize('weights', [H, NQ, NK]);
    const query = floats('query', f.query, [NQ, E]);
    const key = floats('key', f.key, [NK, E]);
    const value = floats('value', f.value, [NK, E]);
    const inProjWeight = floats('inProjWeight', f.inProjWeight, [['3', 3], E, E]);
    const inProjBias = f.inProjBias === undefined ? null : floats('inProjBias', f.inProjBias, [['3', 3], E]);
    const outProjWeight = floats('outProjWeight', f.outProjWeight, [E, E]);
    const outProjBias = f.outProjBias === undefined ? null : floats('outProjBias', f.outProjBias, [E]);
    const causal = boolean('causal', f.causal);
    const keyPadding = f.keyPadding === undefined ? null : bytes('keyPadding', f.keyPadding, [NK]);
    const core = this.#core;

    return this.#withArena((arena) => {
      const call = {
        query: arena.copyIn(query), key: arena.copyIn(key), value: arena.copyIn(value),
        in_proj_weight: arena.copyIn(inProjWeight), in_proj_bias: arena.copyIn(inProjBias),
        out_proj_weight: arena.copyIn(outProjWeight), out_proj_bias: arena.copyIn(outProjBias),
        key_padding: arena.copyIn(keyPadding),
        out: arena.floats(queries * embedDim), weights: arena.floats(heads * queries * keys),
        average_weights: arena.floats(queries * keys),
        heads, queries, keys, embed_dim: embedDim, causal,
      };
      check(core, core.multiHeadAttention(arena.record(MULTI_HEAD_RECORD, call)));
      return {
        output: arena.copyOutFloats(call.out, queries * embedDim),
        weights: arena.copyOutFloats(call.weights, heads * queries * keys),
        averageWeights: arena.copyOutFloats(call.average_weights, queries * keys),
      };
    });
  }

  embedText(request) {
    const f = readFields('request', request, ['tokens', 'heads', 'dim', 'seed', 'positionWeight']);
    const tokens = tokenList(f.tokens);
    const count = tokens.length;
    const heads = integer('heads', f.heads, { max: 64, fallback: 1 });
    const dim = integer('dim', f.dim, { max: 4096, fallback: 16 });
    const seed = integer('seed', f.seed, { min: 0, max: 2 ** 32 - 1, fallback: 0 });
    const positionWeight = finiteNumber('positionWeight', f.positionWeight, { fallback: 0.5 });
    const size = tensorSize('query', [['heads', heads], ['tokens', count], ['dim', dim]]);
    tensorSize('projections', [['3', 3], ['heads', heads], ['dim', dim], ['dim', dim]]);
    // The core expects NFKC-normalised, lower-cased tokens (see core/include/attention/text.h).
    const text = new TextEncoder().encode(tokens.map((token) => token.normalize('NFKC').toLowerCase()).join('\n'));
    const core = this.#core;

    return this.#withArena((arena) => {
      const textAt = arena.alloc(text.length);
      core.HEAPU8.set(text, textAt);
      const q = arena.floats(size), k = arena.floats(size), v = arena.floats(size);
      check(core, core.textQKV(textAt, text.length, count, heads, dim, seed, positionWeight, q, k, v));
      return {
        query: arena.copyOutFloats(q, size), key: arena.copyOutFloats(k, size), value: arena.copyOutFloats(v, size),
        heads, tokens: count, dim,
      };
    });
  }

  seededParams(request) {
    const f = readFields('request', request, ['variant', 'dim', 'seed', 'k']);
    const variant = oneOf('variant', f.variant, variants, undefined);
    if (variant === undefined) throw new TypeError(`variant: expected one of ${variants.join(', ')}, got undefined`);
    const dim = integer('dim', f.dim, { max: 4096 });
    const seed = integer('seed', f.seed, { min: 0, max: 2 ** 32 - 1, fallback: 0 });
    if (variant === 'top_k') return { k: integer('k', f.k, { fallback: 2 }) };
    if (variant !== 'general' && variant !== 'additive') return {};
    const square = dim * dim;
    const core = this.#core;
    return this.#withArena((arena) => {
      if (variant === 'general') {
        const w = arena.floats(square);
        check(core, core.seededGeneral(w, dim, seed));
        return { W: arena.copyOutFloats(w, square) };
      }
      const wq = arena.floats(square), wk = arena.floats(square), v = arena.floats(dim);
      check(core, core.seededAdditive(wq, wk, v, dim, seed));
      return { Wq: arena.copyOutFloats(wq, square), Wk: arena.copyOutFloats(wk, square), v: arena.copyOutFloats(v, dim) };
    });
  }
}

// Any character Unicode counts as white space (U+0085 and U+2028 among
// them, which \s leaves out): the core splits the joined tokens at '\n'.
const WHITE_SPACE = /\p{White_Space}/u;
const UNPAIRED_SURROGATE = /\p{Cs}/u;

// embedText's tokens, each element read once into a plain array of checked strings.
function tokenList(tokens) {
  let array = false;
  try {
    array = Array.isArray(tokens);
  } catch { /* a revoked Proxy */ }
  if (!array) throw new TypeError(`tokens: expected an array of strings, got ${tokens === null ? 'null' : typeof tokens}`);
  const count = integer('tokens.length', tokens.length);
  const list = new Array(count);
  for (let i = 0; i < count; i++) {
    const token = tokens[i];
    if (typeof token !== 'string' || token.length === 0 || WHITE_SPACE.test(token)) {
      throw new TypeError(`tokens[${i}]: expected a non-empty string without whitespace, got ${token === undefined ? 'a hole or undefined' : typeof token === 'string' ? 'a string with whitespace or nothing in it' : typeof token}`);
    }
    // An unpaired surrogate has no UTF-8 form.
    if (UNPAIRED_SURROGATE.test(token)) {
      throw new TypeError(`tokens[${i}]: contains an unpaired UTF-16 surrogate; expected well-formed text`);
    }
    list[i] = token;
  }
  return list;
}

// The caller's arrays of attentionInto and rowsInto, checked: into.output
// [heads, rows, valueDim] and, with needWeights, into.weights [heads, rows,
// keys], not overlapping; without needWeights, no weights. Returns the
// caller's arrays (to hand back) and the checks' views of them (to write through).
function intoArrays(into, r, heads, rows) {
  const f = readFields('into', into, ['output', 'weights']);
  const sizes = [['heads', heads], ['rows', rows]];
  const output = floatsOfSize('into.output', f.output, [...sizes, ['valueDim', r.valueDim]]);
  if (!r.needWeights) {
    if (f.weights !== undefined && f.weights !== null) {
      throw new TypeError('into.weights: needWeights is false, so there are no weights to write; leave it out');
    }
    return { output: f.output, weights: null, views: { output, weights: null } };
  }
  const weights = floatsOfSize('into.weights', f.weights, [...sizes, ['keys', r.keys]]);
  const a = bytesOf(output), b = bytesOf(weights);
  if (a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength) {
    throw new RangeError('into: output and weights overlap; expected separate arrays');
  }
  return { output: f.output, weights: f.weights, views: { output, weights } };
}

// The request's tensors copied into the arena: their WASM addresses by name (0 for none).
function copyRequest(arena, r) {
  const { params } = r;
  return {
    query: arena.copyIn(r.query), key: arena.copyIn(r.key), value: arena.copyIn(r.value),
    mask: arena.copyIn(r.mask), keyPadding: arena.copyIn(r.keyPadding),
    W: arena.copyIn(params.W), Wq: arena.copyIn(params.Wq),
    Wk: arena.copyIn(params.Wk), v: arena.copyIn(params.v),
  };
}

// The binding's attention record of a parsed request whose tensors are at
// `addresses` (copyRequest), writing out and weights. The one place where the
// API's request meets the core's options (attention::AttentionOptions, the
// same names): an absent scale or window is a cleared has_ slot here.
function attentionRecord(r, addresses, out, weights) {
  const { params } = r;
  return {
    out, weights,
    query: addresses.query, key: addresses.key, value: addresses.value,
    mask: addresses.mask, key_padding: addresses.keyPadding,
    general_W: addresses.W, additive_Wq: addresses.Wq, additive_Wk: addresses.Wk, additive_v: addresses.v,
    heads: r.heads, queries: r.queries, keys: r.keys, dim: r.dim, value_dim: r.valueDim,
    variant: variantCode(r.variant), causal: r.causal,
    has_window: r.window !== null, window: r.window ?? 0,
    has_scale: r.scale !== null, scale: r.scale ?? 0, temperature: r.temperature,
    additive_da: params.v ? params.v.length : 0, top_k_k: params.k ?? 0,
  };
}
