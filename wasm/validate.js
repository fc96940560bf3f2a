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
  if (!(value instanceof Float32Array)) {
    throw new TypeError(`${name}: expected a Float32Array, got ${describe(value)}`);
  }
  const expected = tensorSize(name, sizes);
  if (value.length !== expected) throw lengthError(name, sizes, 'floats', value.length);
  for (let i = 0; i < value.length; i++) {
    // x - x is NaN exactly when x is NaN or infinite
    if (value[i] - value[i] !== 0) {
      throw new RangeError(`${name}: element ${i} is ${value[i]}; expected finite numbers only`);
    }
  }
  return value;
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
