// The friendly JS API over the WASM core: validates every argument, copies
// inputs into WASM memory, calls the binding, copies results out as fresh
// typed arrays and frees what it allocated.
import {
  boolean, bytes, finiteNumber, floats, floatsOfSize, integer, limits, oneOf, parseAttentionRequest, requireFinite, requireObject,
  tensorSize,
  variants,
} from './validate.js';

import { importGlue, isNode, readPackagedWasm } from './packaged.js';

export { tokenize } from './tokenize.js';

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

  /** Copies a typed array in; heap views are re-read after every allocation (growth detaches them). */
  copyIn(array) {
    if (!array) return 0;
    const pointer = this.alloc(array.byteLength);
    this.core.HEAPU8.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), pointer);
    return pointer;
  }

  floats(count) {
    return this.alloc(count * 4);
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

  // Runs body(arena) and frees the arena. A C++ exception reaches JS as an
  // Error thrown from inside WASM, which leaves the WASM stack pointer where
  // the throw was: restore it, or the stack runs out after ~200 000 errors.
  #withArena(body) {
    const core = this.#core;
    const arena = new Arena(core);
    const stack = core.stackSave();
    try {
      return body(arena);
    } catch (error) {
      core.stackRestore(stack);
      if (error instanceof TypeError || error instanceof RangeError) throw error;
      throw new RangeError(error?.message ?? String(error));
    } finally {
      arena.release();
    }
  }

  /** Bytes of WASM memory the engine holds now (it grows as needed and never shrinks). */
  get memoryBytes() {
    return this.#core.HEAPU8.buffer.byteLength;
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
    const { output, weights } = intoArrays(into, r, r.heads, rows);
    return this.#attention(r, { output, weights });
  }

  // The attention call of a parsed request; the results are copied into
  // into.output and into.weights, or into new arrays when into is null.
  #attention(r, into) {
    const rows = r.rows ? r.rows.end - r.rows.begin : r.queries;
    const outFloats = r.heads * rows * r.valueDim;
    const weightFloats = r.needWeights ? r.heads * rows * r.keys : 0;
    return this.#withArena((arena) => {
      const call = attentionCall(arena, r, arena.floats(outFloats), r.needWeights ? arena.floats(weightFloats) : 0);
      // the finite checks parseAttentionRequest left to us, on the copies (query, key, value in order)
      for (const [name, value] of r.deferred) {
        requireFinite(name, value, this.#core.firstNonFinite(call[name], value.length));
      }
      if (r.rows) this.#core.attentionRows(call, r.rows.begin, r.rows.end);
      else if (r.needWeights) this.#core.attention(call);
      else this.#core.attentionOutput(call);
      const copyOut = (pointer, count, target) => (target ? arena.copyInto(target, pointer) : arena.copyOutFloats(pointer, count));
      return {
        output: copyOut(call.out, outFloats, into?.output),
        weights: r.needWeights ? copyOut(call.weights, weightFloats, into?.weights) : null,
      };
    });
  }

  // For splitting one request across threads (wasm/pool.js): checks the
  // request, then computes any rectangle of it on demand: rowsInto({ h0, h1,
  // begin, end }, { output, weights }) writes heads [h0, h1) and query rows
  // [begin, end) into the caller's arrays ([h1 - h0, end - begin, ·]), the
  // bits attention() gives those rows. A head's query, key and value are
  // copied into WASM memory (and checked finite) the first time a rectangle
  // needs them, so a thread copies only the heads it computes, once.
  // release() frees the copies; the engine serves other calls meanwhile.
  // The weights limit applies to each piece (long mode walks 16384² weights).
  prepareRows(request) {
    requireObject('request', request);
    // the weights limit applies to each piece's weights, not the whole request's
    const r = parseAttentionRequest({ ...request, needWeights: false }, { deferFinite: true });
    r.needWeights = request.needWeights === undefined ? true : boolean('needWeights', request.needWeights);
    if (r.rows) throw new TypeError('rows: prepareRows takes a whole request; give each rectangle to rowsInto');
    const core = this.#core;
    const { heads: H, queries: NQ, keys: NK, dim: D, valueDim: DV } = r;
    const arena = new Arena(core);
    let call, pieces;
    try {
      call = {
        ...attentionCall(arena, { ...r, query: null, key: null, value: null }, 0, 0),
        query: arena.floats(H * NQ * D), key: arena.floats(H * NK * D), value: arena.floats(H * NK * DV),
      };
      pieces = new core.PreparedPieces(call);  // keeps each head's packed K (and V) across rowsInto calls
    } catch (error) {
      arena.release();
      throw error;
    }
    const copied = new Uint8Array(H);
    const copyHead = (h) => {
      for (const [name, array, size] of [['query', r.query, NQ * D], ['key', r.key, NK * D], ['value', r.value, NK * DV]]) {
        core.HEAPF32.set(array.subarray(h * size, (h + 1) * size), call[name] / 4 + h * size);
        const bad = core.firstNonFinite(call[name] + h * size * 4, size);
        requireFinite(name, array, bad < 0 ? bad : h * size + bad);
      }
      copied[h] = 1;
    };
    let released = false;
    const rowsInto = (piece, into) => {
      if (released) throw new Error('prepareRows: released; prepare the request again');
      requireObject('piece', piece);
      const h0 = integer('piece.h0', piece.h0, { min: 0, max: H - 1 });
      const h1 = integer('piece.h1', piece.h1, { min: h0 + 1, max: H });
      const begin = integer('piece.begin', piece.begin, { min: 0, max: NQ - 1 });
      const end = integer('piece.end', piece.end, { min: begin + 1, max: NQ });
      if (r.needWeights) tensorSize('weights', [['heads', h1 - h0], ['rows', end - begin], ['keys', NK]]);
      const { output, weights } = intoArrays(into, r, h1 - h0, end - begin);
      for (let h = h0; h < h1; h++) if (!copied[h]) copyHead(h);
      return this.#withArena((scratch) => {
        const count = (h1 - h0) * (end - begin);
        const out = scratch.floats(count * DV), weightsAt = weights ? scratch.floats(count * NK) : 0;
        pieces.piece(out, weightsAt, h0, h1, begin, end);
        scratch.copyInto(output, out);
        if (weights) scratch.copyInto(weights, weightsAt);
        return { output, weights };
      });
    };
    const release = () => {
      if (released) return;
      released = true;
      pieces.delete();
      arena.release();
    };
    return { rowsInto, release };
  }

  attentionTrace(request) {
    const r = parseAttentionRequest(request);
    const head = integer('head', request.head, { min: 0, max: r.heads - 1 });
    const row = integer('row', request.row, { min: 0, max: r.queries - 1 });
    const { keys, valueDim } = r;
    return this.#withArena((arena) => {
      const call = attentionCall(arena, r, arena.floats(valueDim), arena.floats(keys));
      const trace = {
        call, head, row,
        scores: arena.floats(keys), logits: arena.floats(keys), exps: arena.floats(keys),
        allowed: arena.alloc(keys), kept: arena.alloc(keys), scalars: arena.floats(3),
      };
      this.#core.attentionTrace(trace);
      const bytes = (pointer) => this.#core.HEAPU8.slice(pointer, pointer + keys);
      const [scale, max, sum] = arena.copyOutFloats(trace.scalars, 3);
      return {
        scores: arena.copyOutFloats(trace.scores, keys),
        scale,
        temperature: r.temperature,
        logits: arena.copyOutFloats(trace.logits, keys),
        allowed: bytes(trace.allowed),
        kept: bytes(trace.kept),
        max,
        exps: arena.copyOutFloats(trace.exps, keys),
        sum,
        weights: arena.copyOutFloats(call.weights, keys),
        output: arena.copyOutFloats(call.out, valueDim),
      };
    });
  }

  multiHeadAttention(request) {
    requireObject('request', request);
    const heads = integer('heads', request.heads, { fallback: 1 });
    const queries = integer('queries', request.queries);
    const keys = integer('keys', request.keys);
    if (!(request.query instanceof Float32Array)) floats('query', request.query, [['queries', queries]]);
    const inferred = request.query.length / queries;
    const embedDim = integer('embedDim', request.embedDim ?? inferred);
    if (embedDim % heads !== 0) {
      throw new RangeError(`heads: expected a divisor of embedDim ${embedDim}, got ${heads}`);
    }
    const H = ['heads', heads], NQ = ['queries', queries], NK = ['keys', keys], E = ['embedDim', embedDim];
    tensorSize('weights', [H, NQ, NK]);
    const query = floats('query', request.query, [NQ, E]);
    const key = floats('key', request.key, [NK, E]);
    const value = floats('value', request.value, [NK, E]);
    const inProjWeight = floats('inProjWeight', request.inProjWeight, [['3', 3], E, E]);
    const inProjBias = request.inProjBias === undefined ? null : floats('inProjBias', request.inProjBias, [['3', 3], E]);
    const outProjWeight = floats('outProjWeight', request.outProjWeight, [E, E]);
    const outProjBias = request.outProjBias === undefined ? null : floats('outProjBias', request.outProjBias, [E]);
    const causal = boolean('causal', request.causal);
    const keyPadding = request.keyPadding === undefined ? null : bytes('keyPadding', request.keyPadding, [NK]);

    return this.#withArena((arena) => {
      const call = {
        query: arena.copyIn(query), key: arena.copyIn(key), value: arena.copyIn(value),
        inProjWeight: arena.copyIn(inProjWeight), inProjBias: arena.copyIn(inProjBias),
        outProjWeight: arena.copyIn(outProjWeight), outProjBias: arena.copyIn(outProjBias),
        keyPadding: arena.copyIn(keyPadding),
        out: arena.floats(queries * embedDim), weights: arena.floats(heads * queries * keys),
        averageWeights: arena.floats(queries * keys),
        heads, queries, keys, embedDim, causal,
      };
      this.#core.multiHeadAttention(call);
      return {
        output: arena.copyOutFloats(call.out, queries * embedDim),
        weights: arena.copyOutFloats(call.weights, heads * queries * keys),
        averageWeights: arena.copyOutFloats(call.averageWeights, queries * keys),
      };
    });
  }

  embedText(request) {
    requireObject('request', request);
    const { tokens } = request;
    if (!Array.isArray(tokens)) throw new TypeError(`tokens: expected an array of strings, got ${typeof tokens}`);
    const count = integer('tokens.length', tokens.length);
    tokens.forEach((token, i) => {
      if (typeof token !== 'string' || token.length === 0 || /\s/u.test(token)) {
        throw new TypeError(`tokens[${i}]: expected a non-empty string without whitespace`);
      }
      // An unpaired surrogate has no UTF-8 form; Emscripten's encoder would eat the next separator.
      if (/\p{Cs}/u.test(token)) {
        throw new TypeError(`tokens[${i}]: contains an unpaired UTF-16 surrogate; expected well-formed text`);
      }
    });
    const heads = integer('heads', request.heads, { max: 64, fallback: 1 });
    const dim = integer('dim', request.dim, { max: 4096, fallback: 16 });
    const seed = integer('seed', request.seed, { min: 0, max: 2 ** 32 - 1, fallback: 0 });
    const positionWeight = finiteNumber('positionWeight', request.positionWeight, { fallback: 0.5 });
    const size = tensorSize('query', [['heads', heads], ['tokens', count], ['dim', dim]]);
    tensorSize('projections', [['3', 3], ['heads', heads], ['dim', dim], ['dim', dim]]);
    // The core expects NFKC-normalised, lower-cased tokens (see core/include/attention/text.h).
    const joined = tokens.map((token) => token.normalize('NFKC').toLowerCase()).join('\n');

    return this.#withArena((arena) => {
      const q = arena.floats(size), k = arena.floats(size), v = arena.floats(size);
      this.#core.textQKV(joined, heads, dim, seed, positionWeight, q, k, v);
      return {
        query: arena.copyOutFloats(q, size), key: arena.copyOutFloats(k, size), value: arena.copyOutFloats(v, size),
        heads, tokens: count, dim,
      };
    });
  }

  seededParams(request) {
    requireObject('request', request);
    const variant = oneOf('variant', request.variant, variants, undefined);
    if (variant === undefined) throw new TypeError(`variant: expected one of ${variants.join(', ')}, got undefined`);
    const dim = integer('dim', request.dim, { max: 4096 });
    const seed = integer('seed', request.seed, { min: 0, max: 2 ** 32 - 1, fallback: 0 });
    if (variant === 'top_k') return { k: integer('k', request.k, { fallback: 2 }) };
    if (variant !== 'general' && variant !== 'additive') return {};
    const square = dim * dim;
    return this.#withArena((arena) => {
      if (variant === 'general') {
        const w = arena.floats(square);
        this.#core.seededGeneral(w, dim, seed);
        return { W: arena.copyOutFloats(w, square) };
      }
      const wq = arena.floats(square), wk = arena.floats(square), v = arena.floats(dim);
      this.#core.seededAdditive(wq, wk, v, dim, seed);
      return { Wq: arena.copyOutFloats(wq, square), Wk: arena.copyOutFloats(wk, square), v: arena.copyOutFloats(v, dim) };
    });
  }
}

// The caller's arrays of attentionInto and rowsInto, checked: into.output
// [heads, rows, valueDim] and, with needWeights, into.weights [heads, rows,
// keys], not overlapping; without needWeights, no weights.
function intoArrays(into, r, heads, rows) {
  requireObject('into', into);
  const sizes = [['heads', heads], ['rows', rows]];
  const output = floatsOfSize('into.output', into.output, [...sizes, ['valueDim', r.valueDim]]);
  if (!r.needWeights) {
    if (into.weights !== undefined && into.weights !== null) {
      throw new TypeError('into.weights: needWeights is false, so there are no weights to write; leave it out');
    }
    return { output, weights: null };
  }
  const weights = floatsOfSize('into.weights', into.weights, [...sizes, ['keys', r.keys]]);
  if (output.buffer === weights.buffer && output.byteOffset < weights.byteOffset + weights.byteLength &&
      weights.byteOffset < output.byteOffset + output.byteLength) {
    throw new RangeError('into: output and weights overlap; expected separate arrays');
  }
  return { output, weights };
}

// The binding's AttentionCall: inputs copied into the arena, outputs at out and weights.
function attentionCall(arena, r, out, weights) {
  const { params } = r;
  return {
    query: arena.copyIn(r.query), key: arena.copyIn(r.key), value: arena.copyIn(r.value),
    mask: arena.copyIn(r.mask), keyPadding: arena.copyIn(r.keyPadding),
    W: arena.copyIn(params.W), Wq: arena.copyIn(params.Wq), Wk: arena.copyIn(params.Wk), v: arena.copyIn(params.v),
    out, weights,
    heads: r.heads, queries: r.queries, keys: r.keys, dim: r.dim, valueDim: r.valueDim, variant: r.variant,
    causal: r.causal, window: r.window, temperature: r.temperature, hasScale: r.hasScale, scale: r.scale,
    k: params.k ?? 0, da: params.v ? params.v.length : 0,
  };
}
