// The friendly JS API over the WASM core: validates every argument, copies
// inputs into WASM memory, calls the binding, copies results out as fresh
// typed arrays and frees what it allocated.
import { boolean, bytes, finiteNumber, floats, integer, limits, oneOf, requireObject, tensorSize } from './validate.js';

export { tokenize } from './tokenize.js';

export const variants = Object.freeze(['scaled_dot', 'dot', 'general', 'additive', 'hard', 'top_k']);

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string' && typeof window === 'undefined';

/** Loads the WASM core; in Node the packaged .wasm is read from disk (Node cannot fetch it by path). */
export async function loadAttention(options = {}) {
  requireObject('options', options);
  let { wasmBinary } = options;
  if (!wasmBinary && isNode) {
    const fsModule = 'node:fs/promises';
    const { readFile } = await import(/* @vite-ignore */ fsModule);
    const wasmUrl = new URL(/* @vite-ignore */ './generated/attention_core.wasm', import.meta.url);
    wasmBinary = await readFile(wasmUrl);
    // Emscripten's Node path reads __dirname, which ES modules do not define.
    globalThis.__dirname ??= decodeURIComponent(new URL(/* @vite-ignore */ './generated/', import.meta.url).pathname);
  }
  const { default: createAttentionCore } = await import('./generated/attention_core.js');
  const core = await createAttentionCore(wasmBinary ? { wasmBinary } : {});
  return new AttentionEngine(core);
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

  copyOutFloats(pointer, count) {
    return this.core.HEAPF32.slice(pointer / 4, pointer / 4 + count);
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

  attention(request) {
    const r = parseAttentionRequest(request);
    const outFloats = r.heads * r.queries * r.valueDim;
    const weightFloats = r.heads * r.queries * r.keys;
    return this.#withArena((arena) => {
      const call = attentionCall(arena, r, arena.floats(outFloats), arena.floats(weightFloats));
      this.#core.attention(call);
      return {
        output: arena.copyOutFloats(call.out, outFloats),
        weights: arena.copyOutFloats(call.weights, weightFloats),
      };
    });
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

// Every argument of attention() checked, with defaults filled in. Sizes are
// also kept as [name, value] pairs for error messages.
function parseAttentionRequest(request) {
  requireObject('request', request);
  const heads = integer('heads', request.heads, { fallback: 1 });
  const queries = integer('queries', request.queries);
  const keys = integer('keys', request.keys);
  const dim = integer('dim', request.dim);
  const valueDim = integer('valueDim', request.valueDim, { fallback: dim });
  const variant = oneOf('variant', request.variant, variants, 'scaled_dot');
  const H = ['heads', heads], NQ = ['queries', queries], NK = ['keys', keys];
  const D = ['dim', dim], DV = ['valueDim', valueDim];
  const hasScale = request.scale !== undefined;
  // Refuse oversized requests before reading (or allocating for) any array.
  tensorSize('weights', [H, NQ, NK]);
  tensorSize('output', [H, NQ, DV]);
  return {
    heads, queries, keys, dim, valueDim, variant, H, NQ, NK, D, DV,
    query: floats('query', request.query, [H, NQ, D]),
    key: floats('key', request.key, [H, NK, D]),
    value: floats('value', request.value, [H, NK, DV]),
    causal: boolean('causal', request.causal),
    window: request.window == null ? -1 : integer('window', request.window, { min: 0 }),
    mask: request.mask === undefined ? null : bytes('mask', request.mask, [NQ, NK]),
    keyPadding: request.keyPadding === undefined ? null : bytes('keyPadding', request.keyPadding, [NK]),
    temperature: finiteNumber('temperature', request.temperature, { positive: true, fallback: 1 }),
    hasScale,
    scale: hasScale ? finiteNumber('scale', request.scale) : 1,
    params: variantParams(variant, request.params, dim),
  };
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

// The params a variant needs, checked; unused params of other variants are ignored.
function variantParams(variant, params, dim) {
  const D = ['dim', dim];
  if (variant === 'general') {
    if (params?.W === undefined) {
      throw new TypeError(`params.W: the general variant needs W, a Float32Array of dim·dim = ${dim * dim} floats`);
    }
    return { W: floats('params.W', params.W, [D, D]) };
  }
  if (variant === 'additive') {
    if (params?.Wq === undefined || params?.Wk === undefined || params?.v === undefined) {
      throw new TypeError('params: the additive variant needs Wq [da, dim], Wk [da, dim] and v [da] as Float32Arrays');
    }
    const v = floats('params.v', params.v, [['da', params.v?.length ?? 0]]);
    if (v.length < 1) throw new RangeError('params.v: expected at least 1 float (da >= 1), got 0');
    const DA = ['da', v.length];
    return { Wq: floats('params.Wq', params.Wq, [DA, D]), Wk: floats('params.Wk', params.Wk, [DA, D]), v };
  }
  if (variant === 'top_k') {
    if (params?.k === undefined) throw new TypeError('params.k: the top_k variant needs k, an integer >= 1');
    return { k: integer('params.k', params.k) };
  }
  return {};
}
