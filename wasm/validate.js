// Argument checks of the JS API. Each throws a TypeError (wrong kind of
// value) or RangeError (right kind, wrong size or value) whose message starts
// with the argument's name and says what was expected.

// Same limits as core/include/attention/attention.h.
export const limits = Object.freeze({ maxExtent: 65536, maxTensorFloats: 2 ** 26 });

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an Array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `the string "${value.slice(0, 40)}"`;
  return typeof value;
}

export function requireObject(name, value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${name}: expected an object, got ${describe(value)}`);
  }
  return value;
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

/** A Float32Array of exactly the product of `sizes` ([name, value] pairs), all finite. */
export function floats(name, value, sizes) {
  floatsOfSize(name, value, sizes);
  requireFinite(name, value, firstNonFinite(value));
  return value;
}

// floats() without the finite check, which the caller then owes (requireFinite),
// or for an array the engine writes into.
export function floatsOfSize(name, value, sizes) {
  if (!(value instanceof Float32Array)) {
    throw new TypeError(`${name}: expected a Float32Array, got ${describe(value)}`);
  }
  const expected = tensorSize(name, sizes);
  if (value.length !== expected) throw lengthError(name, sizes, 'floats', value.length);
  return value;
}

/** Throws floats()'s RangeError if `bad` (the index of value's first non-finite element, or -1) is >= 0. */
export function requireFinite(name, value, bad) {
  if (bad >= 0) throw new RangeError(`${name}: element ${bad} is ${value[bad]}; expected finite numbers only`);
}

// The index of the first NaN or infinite element, or -1. x · 0 is ±0 for a
// finite x and NaN otherwise, so a block of 8 sums to 0 exactly when all 8 are
// finite: one test per block keeps the scan of a long tensor about twice as
// fast as one test per element (every request passes through here).
function firstNonFinite(value) {
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

/** A Uint8Array of exactly the product of `sizes`. */
export function bytes(name, value, sizes) {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${name}: expected a Uint8Array, got ${describe(value)}`);
  }
  const expected = tensorSize(name, sizes);
  if (value.length !== expected) throw lengthError(name, sizes, 'bytes', value.length);
  return value;
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
function rowRange(value, queries) {
  requireObject('rows', value);
  const begin = integer('rows.begin', value.begin, { min: 0, max: queries - 1 });
  const end = integer('rows.end', value.end, { min: begin + 1, max: queries });
  return { begin, end };
}

// Every argument of attention() checked, with defaults filled in. With
// deferFinite, the finite check of query, key and value is left to the caller
// (the engine scans its copies in WASM memory, in that order, with
// requireFinite's message):
// r.deferred lists them. The errors stay those of the full check, in the same
// order: if a later check fails, the deferred scans run first.
export function parseAttentionRequest(request, { deferFinite = false } = {}) {
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
  const needWeights = request.needWeights === undefined ? true : boolean('needWeights', request.needWeights);
  const rows = request.rows === undefined ? null : rowRange(request.rows, queries);
  // Refuse oversized requests before reading (or allocating for) any array.
  if (needWeights) tensorSize('weights', [H, rows ? ['rows', rows.end - rows.begin] : NQ, NK]);
  tensorSize('output', [H, NQ, DV]);
  const deferred = [];
  const tensor = (name, value, sizes) => {
    if (!deferFinite) return floats(name, value, sizes);
    floatsOfSize(name, value, sizes);
    deferred.push([name, value]);
    return value;
  };
  try {
    return {
      heads, queries, keys, dim, valueDim, variant, needWeights, rows,
      query: tensor('query', request.query, [H, NQ, D]),
      key: tensor('key', request.key, [H, NK, D]),
      value: tensor('value', request.value, [H, NK, DV]),
      causal: boolean('causal', request.causal),
      window: request.window == null ? -1 : integer('window', request.window, { min: 0 }),
      mask: request.mask === undefined ? null : bytes('mask', request.mask, [NQ, NK]),
      keyPadding: request.keyPadding === undefined ? null : bytes('keyPadding', request.keyPadding, [NK]),
      temperature: finiteNumber('temperature', request.temperature, { positive: true, fallback: 1 }),
      hasScale,
      scale: hasScale ? finiteNumber('scale', request.scale) : 1,
      params: variantParams(variant, request.params, dim),
      deferred,
    };
  } catch (error) {
    for (const [name, value] of deferred) requireFinite(name, value, firstNonFinite(value));
    throw error;
  }
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
