// Argument checks of the JS API. Each throws a TypeError (wrong kind of
// value) or RangeError (right kind, wrong size or value) whose message starts
// with the argument's name and says what was expected.

// Same limits as core/include/attention/attention.h.
export const limits = Object.freeze({ maxExtent: 65536, maxTensorFloats: 2 ** 26 });

// Intrinsics of typed arrays, taken when this module loads: the checks read
// an array's kind, length, buffer and offset through these, never through the
// value's own properties, so a subclass, a Proxy or a page that redefines the
// prototype's getters cannot make the check and the copy see different bytes.
const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const intrinsicGetter = (key) => Object.getOwnPropertyDescriptor(typedArrayPrototype, key).get;
const tagGetter = intrinsicGetter(Symbol.toStringTag);
const lengthGetter = intrinsicGetter('length');
const bufferGetter = intrinsicGetter('buffer');
const byteOffsetGetter = intrinsicGetter('byteOffset');
const byteLengthGetter = intrinsicGetter('byteLength');
const { apply } = Reflect;
const { isArray } = Array;
const { isView } = ArrayBuffer;
const Float32 = Float32Array;
const Uint8 = Uint8Array;

/** The typed array kind of value ("Float32Array", ...), or undefined for anything else, a Proxy included. */
export const typedArrayKind = (value) => (value !== null && typeof value === 'object' ? apply(tagGetter, value, []) : undefined);

/** Elements of a typed array as its internal slot says (0 once detached or out of bounds). */
export const lengthOf = (array) => apply(lengthGetter, array, []);

/** The bytes of a typed array, as a Uint8Array over the same memory. */
export function bytesOf(array) {
  return new Uint8(apply(bufferGetter, array, []), apply(byteOffsetGetter, array, []), apply(byteLengthGetter, array, []));
}

function isDetached(buffer) {
  try {
    new Uint8(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

// What a refused value was, in a message; reads nothing of the value beyond
// what the message shows.
function describe(value) {
  try {
    if (value === null) return 'null';
    const kind = typedArrayKind(value);
    if (kind) return `a ${kind}`;
    if (isView(value)) return 'a DataView';
    if (isArray(value)) return `an Array of length ${value.length}`;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value === 'string') return `the string "${value.slice(0, 40)}"`;
    return typeof value;
  } catch {
    return 'a value that cannot be read';
  }
}

export function requireObject(name, value) {
  let array = false;
  try {
    array = isArray(value);
  } catch {
    throw new TypeError(`${name}: expected an object, got a revoked Proxy`);
  }
  if (value === null || typeof value !== 'object' || array) {
    throw new TypeError(`${name}: expected an object, got ${describe(value)}`);
  }
  return value;
}

/**
 * The named properties of an argument, each read exactly once (a getter runs
 * once) into a plain object: every later check and every use sees that one
 * value. Properties are read as any property is (own or inherited); no
 * other property is looked at.
 */
export function readFields(name, value, names) {
  requireObject(name, value);
  const fields = {};
  for (const key of names) fields[key] = value[key];
  return fields;
}

/** An integer in [min, max]; `fallback` when undefined (if given). */
export function integer(name, value, { min = 1, max = limits.maxExtent, fallback } = {}) {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number') {
    throw new TypeError(`${name}: expected an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name}: expected an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** A finite number, optionally > 0; `fallback` when undefined. */
export function finiteNumber(name, value, { positive = false, fallback } = {}) {
  if (value === undefined && fallback !== undefined) return fallback;
  const expected = positive ? 'a finite number > 0' : 'a finite number';
  if (typeof value !== 'number') throw new TypeError(`${name}: expected ${expected}, got ${describe(value)}`);
  if (!Number.isFinite(value) || (positive && !(value > 0))) {
    throw new RangeError(`${name}: expected ${expected}, got ${value}`);
  }
  return value;
}

export function boolean(name, value) {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`${name}: expected true or false, got ${describe(value)}`);
  return value;
}

/** The product of the named sizes, refused past the tensor limit before anything is allocated. */
export function tensorSize(name, sizes) {
  const total = sizes.reduce((product, [, size]) => product * size, 1);
  if (total > limits.maxTensorFloats) {
    const formula = sizes.map(([, size]) => size).join('·');
    throw new RangeError(
      `${name}: ${formula} = ${total} floats is over the limit of ${limits.maxTensorFloats} (256 MiB)`,
    );
  }
  return total;
}

function lengthError(name, sizes, unit, got) {
  const formula = sizes.map(([, size]) => size).join('·');
  const names = sizes.map(([sizeName]) => sizeName).join('·');
  const expected = sizes.length > 1 ? `${formula} = ${tensorSize(name, sizes)}` : formula;
  return new RangeError(`${name}: expected ${expected} ${unit} ([${names}]), got ${got}`);
}

/** A Float32Array of exactly the product of `sizes` ([name, value] pairs), all finite: the array's own view (see typedView). */
export function floats(name, value, sizes) {
  const view = floatsOfSize(name, value, sizes);
  requireFinite(name, view, firstNonFinite(view));
  return view;
}

// floats() without the finite check, which the caller then owes (requireFinite),
// or for an array the engine writes into.
export function floatsOfSize(name, value, sizes) {
  return typedView(name, value, 'Float32Array', sizes, 'floats');
}

// A plain view (of the intrinsic class, fixed length) over the memory of a
// real typed array of `kind` holding exactly the product of `sizes`
// elements; the caller reads and writes through it, never through `value`.
// Shared and resizable buffers are accepted; a buffer that is later detached
// or shrunk leaves the view empty, which prepareRows checks (sameLength)
// before each late copy.
function typedView(name, value, kind, sizes, unit) {
  if (typedArrayKind(value) !== kind) {
    throw new TypeError(`${name}: expected a ${kind}, got ${describe(value)}`);
  }
  const buffer = apply(bufferGetter, value, []);
  const length = lengthOf(value);
  if (length === 0 && isDetached(buffer)) {
    throw new TypeError(`${name}: its ArrayBuffer is detached; expected a ${kind} with its data`);
  }
  const expected = tensorSize(name, sizes);
  if (length !== expected) throw lengthError(name, sizes, unit, length);
  const View = kind === 'Float32Array' ? Float32 : Uint8;
  return new View(buffer, apply(byteOffsetGetter, value, []), length);
}

/**
 * Throws if a view made by the checks no longer holds `expected` elements:
 * its buffer was detached or shrunk after the check, between the calls of
 * an API that keeps a request (prepareRows).
 */
export function sameLength(name, view, expected) {
  if (lengthOf(view) !== expected) {
    throw new RangeError(`${name}: its buffer was detached or resized after the request was checked; expected ${expected} elements, found ${lengthOf(view)}`);
  }
  return view;
}

/** Throws floats()'s RangeError if `bad` (the index of value's first non-finite element, or -1) is >= 0. */
export function requireFinite(name, value, bad) {
  if (bad >= 0) throw new RangeError(`${name}: element ${bad} is ${value[bad]}; expected finite numbers only`);
}

// The index of the first NaN or infinite element, or -1. x · 0 is ±0 for a
// finite x and NaN otherwise, so a block of 8 sums to 0 exactly when all 8 are
// finite: one test per block keeps the scan of a long tensor about twice as
// fast as one test per element (every request passes through here).
export function firstNonFinite(value) {
  const n = value.length;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const zero = value[i] * 0 + value[i + 1] * 0 + value[i + 2] * 0 + value[i + 3] * 0 +
      value[i + 4] * 0 + value[i + 5] * 0 + value[i + 6] * 0 + value[i + 7] * 0;
    if (zero !== 0) break;
  }
  for (; i < n; i++) {
    if (value[i] - value[i] !== 0) return i;  // x - x is NaN exactly when x is NaN or infinite
  }
  return -1;
}

/**
 * A Uint8Array of any length (a file's bytes): its own view over the same
 * memory, as typedView makes, refused by name when it is anything else or
 * its buffer is detached.
 */
export function fileBytes(name, value) {
  if (typedArrayKind(value) !== 'Uint8Array') throw new TypeError(`${name}: expected a Uint8Array, got ${describe(value)}`);
  const buffer = apply(bufferGetter, value, []);
  const length = lengthOf(value);
  if (length === 0 && isDetached(buffer)) throw new TypeError(`${name}: its ArrayBuffer is detached; expected a Uint8Array with its data`);
  return new Uint8(buffer, apply(byteOffsetGetter, value, []), length);
}

/** A Uint8Array of exactly the product of `sizes`: its own view (see typedView). */
export function bytes(name, value, sizes) {
  return typedView(name, value, 'Uint8Array', sizes, 'bytes');
}

export function oneOf(name, value, choices, fallback) {
  if (value === undefined) return fallback;
  if (!choices.includes(value)) {
    throw new (typeof value === 'string' ? RangeError : TypeError)(
      `${name}: unknown ${name} ${typeof value === 'string' ? `"${value.slice(0, 40)}"` : describe(value)}; expected one of ${choices.join(', ')}`,
    );
  }
  return value;
}

// ---------------------------------------------------------------------------
// The request of attention(), shared by the engine (index.js) and the worker
// pool (pool.js), which checks a request before any worker sees it.

export const variants = Object.freeze(['scaled_dot', 'dot', 'general', 'additive', 'hard', 'top_k']);

/** rows: { begin, end }, 0 <= begin < end <= queries. */
function rowRange(fields, queries) {
  const begin = integer('rows.begin', fields.begin, { min: 0, max: queries - 1 });
  const end = integer('rows.end', fields.end, { min: begin + 1, max: queries });
  return { begin, end };
}

// The properties attention() reads of a request, and of its params by variant.
const REQUEST_FIELDS = Object.freeze([
  'heads', 'queries', 'keys', 'dim', 'valueDim', 'variant', 'query', 'key', 'value', 'causal', 'window',
  'mask', 'keyPadding', 'temperature', 'scale', 'params', 'needWeights', 'rows',
]);
const PARAMS_FIELDS = Object.freeze({ general: ['W'], additive: ['Wq', 'Wk', 'v'], top_k: ['k'] });

// Every argument of attention() checked, with defaults filled in. Every
// property is read once, before any check (so a getter that resizes or
// detaches another argument's buffer runs before that argument is checked),
// and the tensors come back as the checks' own views (typedView), which the
// engine copies from with no caller code in between.
// With deferFinite, the finite check of query, key and value is left to the
// caller (the engine scans its copies in WASM memory, in that order, with
// requireFinite's message): r.deferred lists them. The errors stay those of
// the full check, in the same order: if a later check fails, the deferred
// scans run first. `extra` names further properties to read in the same
// pass (r.extra); with weightsLimit false, the weights limit is left to the
// caller (prepareRows applies it to each piece).
export function parseAttentionRequest(request, { deferFinite = false, extra = [], weightsLimit = true } = {}) {
  const f = readFields('request', request, [...REQUEST_FIELDS, ...extra]);
  const paramNames = typeof f.variant === 'string' && Object.hasOwn(PARAMS_FIELDS, f.variant) ? PARAMS_FIELDS[f.variant] : null;
  const rawParams = paramNames && f.params !== undefined ? readFields('params', f.params, paramNames) : undefined;
  const rawRows = f.rows === undefined ? undefined : readFields('rows', f.rows, ['begin', 'end']);

  const heads = integer('heads', f.heads, { fallback: 1 });
  const queries = integer('queries', f.queries);
  const keys = integer('keys', f.keys);
  const dim = integer('dim', f.dim);
  const valueDim = integer('valueDim', f.valueDim, { fallback: dim });
  const variant = oneOf('variant', f.variant, variants, 'scaled_dot');
  const H = ['heads', heads], NQ = ['queries', queries], NK = ['keys', keys];
  const D = ['dim', dim], DV = ['valueDim', valueDim];
  const needWeights = f.needWeights === undefined ? true : boolean('needWeights', f.needWeights);
  const rows = rawRows === undefined ? null : rowRange(rawRows, queries);
  // Refuse oversized requests before reading (or allocating for) any array.
  if (needWeights && weightsLimit) tensorSize('weights', [H, rows ? ['rows', rows.end - rows.begin] : NQ, NK]);
  tensorSize('output', [H, NQ, DV]);
  const deferred = [];
  const tensor = (name, value, sizes) => {
    if (!deferFinite) return floats(name, value, sizes);
    const view = floatsOfSize(name, value, sizes);
    deferred.push([name, view]);
    return view;
  };
  try {
    return {
      heads, queries, keys, dim, valueDim, variant, needWeights, rows,
      query: tensor('query', f.query, [H, NQ, D]),
      key: tensor('key', f.key, [H, NK, D]),
      value: tensor('value', f.value, [H, NK, DV]),
      causal: boolean('causal', f.causal),
      window: f.window === undefined || f.window === null ? null : integer('window', f.window, { min: 0 }),
      mask: f.mask === undefined ? null : bytes('mask', f.mask, [NQ, NK]),
      keyPadding: f.keyPadding === undefined ? null : bytes('keyPadding', f.keyPadding, [NK]),
      temperature: finiteNumber('temperature', f.temperature, { positive: true, fallback: 1 }),
      scale: f.scale === undefined ? null : finiteNumber('scale', f.scale),
      params: variantParams(variant, rawParams, dim),
      extra: Object.fromEntries(extra.map((name) => [name, f[name]])),
      deferred,
    };
  } catch (error) {
    finiteChecks(deferred);
    throw error;
  }
}

/** The finite scans parseAttentionRequest deferred (r.deferred), run on its views; throws the first failure. */
export function finiteChecks(deferred) {
  for (const [name, view] of deferred) requireFinite(name, view, firstNonFinite(view));
}

// The params a variant needs, checked (fields: the variant's params, read
// once); unused params of other variants are never read.
function variantParams(variant, fields, dim) {
  const D = ['dim', dim];
  if (variant === 'general') {
    if (fields?.W === undefined) {
      throw new TypeError(`params.W: the general variant needs W, a Float32Array of dim·dim = ${dim * dim} floats`);
    }
    return { W: floats('params.W', fields.W, [D, D]) };
  }
  if (variant === 'additive') {
    if (fields?.Wq === undefined || fields?.Wk === undefined || fields?.v === undefined) {
      throw new TypeError('params: the additive variant needs Wq [da, dim], Wk [da, dim] and v [da] as Float32Arrays');
    }
    if (typedArrayKind(fields.v) !== 'Float32Array') {
      throw new TypeError(`params.v: expected a Float32Array, got ${describe(fields.v)}`);
    }
    const da = lengthOf(fields.v);
    const v = floats('params.v', fields.v, [['da', da]]);
    if (v.length < 1) throw new RangeError('params.v: expected at least 1 float (da >= 1), got 0');
    const DA = ['da', v.length];
    return { Wq: floats('params.Wq', fields.Wq, [DA, D]), Wk: floats('params.Wk', fields.Wk, [DA, D]), v };
  }
  if (variant === 'top_k') {
    if (fields?.k === undefined) throw new TypeError('params.k: the top_k variant needs k, an integer >= 1');
    return { k: integer('params.k', fields.k) };
  }
  return {};
}
