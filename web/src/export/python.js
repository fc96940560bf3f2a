// Python source literals from JS values, safe for any user text. No DOM here.
//
// User text only ever becomes a double-quoted Python string literal: quotes
// and backslashes are escaped, and every control, format (bidi overrides,
// zero-width joiners), line-separator, surrogate, private-use or unassigned
// code point is written as a \u / \U escape, so a token can neither end the
// string nor make the code read differently from how it runs.
import { formatWeight } from '../views/format.js';

const ESCAPED = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/u;

/** A Python str literal equal to text. */
export function pyString(text) {
  let out = '"';
  for (const ch of String(text)) {
    const cp = ch.codePointAt(0);
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ESCAPED.test(ch)) out += cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A list of Python str literals on one line. */
export function pyStringList(texts) {
  return `[${Array.from(texts, pyString).join(', ')}]`;
}

/** A finite number as Python source; anything else is refused (it would not be a number in Python). */
export function pyNumber(value, name = 'value') {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${name}: expected a finite number, got ${value}`);
  return String(value);
}

/** A non-negative integer as Python source. */
export function pyInt(value, name = 'value') {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name}: expected a non-negative integer, got ${value}`);
  return String(value);
}

/**
 * Nested Python lists of data (row-major) in the given shape, each innermost
 * row on one line; floats are the shortest decimals that read back as the
 * same float32. indent is the indentation of the line the literal starts on.
 */
export function pyNested(data, shape, { indent = '', format = formatWeight } = {}) {
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new RangeError(`expected ${shape.join('·')} = ${count} values, got ${data.length}`);
  const walk = (offset, depth, pad) => {
    const size = shape[depth];
    if (depth === shape.length - 1) {
      return `[${Array.from(data.subarray(offset, offset + size), format).join(', ')}]`;
    }
    const stride = shape.slice(depth + 1).reduce((a, b) => a * b, 1);
    const inner = `${pad}    `;
    const items = [];
    for (let x = 0; x < size; x++) items.push(`${inner}${walk(offset + x * stride, depth + 1, inner)},`);
    return `[\n${items.join('\n')}\n${pad}]`;
  };
  return walk(0, 0, indent);
}

/** torch.tensor(<nested>, dtype=torch.float32) of a Float32Array in the given shape. */
export function pyFloatTensor(data, shape, options) {
  return `torch.tensor(${pyNested(data, shape, options)}, dtype=torch.float32)`;
}

/** torch.tensor(<nested 0/1>, dtype=torch.bool) of a Uint8Array in the given shape (nonzero = True). */
export function pyBoolTensor(data, shape, options) {
  return `torch.tensor(${pyNested(data, shape, { ...options, format: (x) => (x ? '1' : '0') })}, dtype=torch.bool)`;
}
