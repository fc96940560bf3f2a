// One matrix read from text, and written back as text. No DOM here.
//
// A matrix is { rows, cols, data }, data a row-major Float32Array [rows, cols].
// Accepted text:
//   CSV      rows on lines, values split by commas, tabs, semicolons or spaces;
//            a first line with no number in it is a header and is skipped,
//            as are blank lines and lines starting with #
//   JSON     nested arrays [[1, 2], [3, 4]], or { "data": [[...]] },
//            or { "data": [flat], "shape": [rows, cols] }
//   NumPy    np.array([[1., 2.], [3, 4e-3]], dtype=np.float32), array([[...]]),
//            torch.tensor([[...]]), and print()'s bracket form [[1. 2.] [3. 4.]]
// Leading dimensions of size 1 are dropped ([[[1, 2]]] is 1 × 2), a flat list
// is one row. Every error names the row and column (1-based) it is about.
import { formatWeight } from '../views/format.js';

/** Most values accepted from one text (2^20): far more than a grid can show, few enough to parse at once. */
export const MAX_MATRIX_CELLS = 1 << 20;

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(?:(?:np|numpy|math)\.)?(?:nan|inf|infinity)$/i;
const CALL_OPEN = /^(?:(?:np|numpy|torch)\s*\.\s*)?(?:array|asarray|tensor)\s*\(\s*$/;
const CALL_CLOSE = /^\s*(?:,[^[\]]*)?\)\s*;?\s*$/;

/**
 * The matrix in text (CSV, JSON or a NumPy literal). options.rows / options.cols,
 * when given, are the shape the caller needs. Throws an Error whose message
 * says what is wrong and where.
 */
export function parseMatrix(text, { rows, cols, maxCells = MAX_MATRIX_CELLS } = {}) {
  const source = String(text ?? '').replace(/^\uFEFF/, '').trim();
  if (source === '') throw new Error('Nothing to read: paste a matrix as CSV, JSON or a NumPy array');
  let lines;
  if (source.startsWith('{')) lines = rowsOfJsonObject(source);
  else if (source.includes('[')) lines = rowsOfBracketLiteral(source);
  else lines = rowsOfCsv(source);
  const matrix = toMatrix(lines, maxCells);
  if (rows !== undefined && matrix.rows !== rows) {
    throw new Error(`Expected ${rows} row${rows === 1 ? '' : 's'}, got ${matrix.rows}`);
  }
  if (cols !== undefined && matrix.cols !== cols) {
    throw new Error(`Expected ${cols} column${cols === 1 ? '' : 's'}, got ${matrix.cols}`);
  }
  return matrix;
}

/** A cell's text as a float32, or an Error naming where it is (row, col 1-based). */
export function parseCell(raw, row, col) {
  const text = String(raw).trim();
  const where = `at row ${row}, column ${col}`;
  if (text === '') throw new Error(`The value ${where} is empty`);
  if (NOT_FINITE.test(text)) {
    throw new Error(`Value '${text}' ${where} is not finite: NaN and infinity are not allowed`);
  }
  if (!NUMBER.test(text)) throw new Error(`Value '${shown(text)}' ${where} is not a number`);
  const value = Math.fround(Number(text));
  if (!Number.isFinite(value)) throw new Error(`Value '${shown(text)}' ${where} is too large for float32`);
  return value;
}

// ---------------------------------------------------------------------------
// Formats. Each returns the rows as arrays of cell texts; toMatrix checks them.

function rowsOfCsv(source) {
  const lines = source
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const rows = lines.map((line) => line.split(/\s*[,;\t]\s*|\s+/));
  const isHeader = rows.length > 1 && rows[0].every((cell) => !NUMBER.test(cell.trim()) && !NOT_FINITE.test(cell.trim()));
  return (isHeader ? rows.slice(1) : rows).map((cells, i) => withRowNumber(cells, i + 1));
}

// Rows keep the line number they came from, so a message points at the line the user sees.
function withRowNumber(cells, number) {
  const row = [...cells];
  row.number = number;
  return row;
}

function rowsOfJsonObject(source) {
  let value;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new Error(`Not valid JSON: ${error.message}`);
  }
  if (value === null || Array.isArray(value) || !Array.isArray(value.data)) {
    throw new Error('A JSON object needs "data": nested arrays, or a flat array with "shape": [rows, cols]');
  }
  const cellsOf = (list) => list.map((x) => (typeof x === 'number' ? String(x) : JSON.stringify(x)));
  if (value.shape === undefined && value.rows === undefined) return rowsOfNested(value.data);
  const [r, c] = value.shape ?? [value.rows, value.cols];
  if (!Number.isInteger(r) || !Number.isInteger(c) || r < 1 || c < 1) {
    throw new Error('"shape" must be two positive integers [rows, cols]');
  }
  const flat = value.data.flat(Infinity);
  if (flat.length !== r * c) throw new Error(`"shape" [${r}, ${c}] needs ${r * c} values; "data" has ${flat.length}`);
  return Array.from({ length: r }, (_, i) => withRowNumber(cellsOf(flat.slice(i * c, (i + 1) * c)), i + 1));
}

// Nested JS arrays (from JSON) as the same tree rowsOfTree reads.
function rowsOfNested(data) {
  const toTree = (x) => (Array.isArray(x) ? x.map(toTree) : typeof x === 'number' ? String(x) : JSON.stringify(x));
  return rowsOfTree(toTree(data));
}

// [[1, 2], [3, 4]] with an optional np.array( ... , dtype=...) around it.
function rowsOfBracketLiteral(source) {
  const first = source.indexOf('[');
  const last = source.lastIndexOf(']');
  const before = source.slice(0, first);
  const after = source.slice(last + 1);
  if (before.trim() !== '' || after.trim() !== '') {
    if (!CALL_OPEN.test(before) || !CALL_CLOSE.test(after)) {
      throw new Error('Expected a bracketed list such as [[1, 2], [3, 4]] or np.array([[1, 2], [3, 4]])');
    }
  }
  return rowsOfTree(parseBrackets(source.slice(first, last + 1)));
}

// A tree of arrays with string leaves from text of brackets, separators
// (commas or whitespace) and values.
function parseBrackets(text) {
  const stack = [[]];
  let value = '';
  const flush = () => {
    if (value !== '') stack[stack.length - 1].push(value);
    value = '';
  };
  for (const ch of text) {
    if (ch === '[') {
      flush();
      stack.push([]);
    } else if (ch === ']') {
      flush();
      if (stack.length < 2) throw new Error("Unbalanced brackets: a ']' has no matching '['");
      const done = stack.pop();
      stack[stack.length - 1].push(done);
    } else if (ch === ',' || /\s/u.test(ch)) {
      flush();
    } else {
      value += ch;
    }
  }
  flush();
  if (stack.length !== 1) throw new Error("Unbalanced brackets: a '[' is never closed");
  return stack[0].length === 1 ? stack[0][0] : stack[0];
}

// The rows of a tree of depth 1 (one row) or 2, after dropping leading single-element levels.
function rowsOfTree(tree) {
  let node = tree;
  while (Array.isArray(node) && node.length === 1 && Array.isArray(node[0])) node = node[0];
  if (!Array.isArray(node)) throw new Error('Expected a list of rows');
  if (node.every((x) => !Array.isArray(x))) return [withRowNumber(node, 1)];
  return node.map((row, i) => {
    if (!Array.isArray(row)) throw new Error(`Row ${i + 1} is a single value '${shown(row)}'; expected a list of values`);
    const nested = row.findIndex(Array.isArray);
    if (nested >= 0) {
      throw new Error(`Row ${i + 1}, column ${nested + 1} is a list: expected a 2-D matrix (at most one level of nesting inside the rows)`);
    }
    return withRowNumber(row, i + 1);
  });
}

// ---------------------------------------------------------------------------

function toMatrix(lines, maxCells) {
  if (lines.length === 0) throw new Error('No rows found');
  const cols = lines[0].length;
  if (cols === 0) throw new Error(`Row ${lines[0].number} is empty`);
  for (const line of lines) {
    if (line.length !== cols) {
      throw new Error(`Row ${line.number} has ${line.length} value${line.length === 1 ? '' : 's'}; expected ${cols}`);
    }
  }
  const rows = lines.length;
  if (rows * cols > maxCells) throw new Error(`The matrix has ${rows} × ${cols} values; at most ${maxCells} are accepted`);
  const data = new Float32Array(rows * cols);
  lines.forEach((line, i) => {
    line.forEach((cell, j) => {
      data[i * cols + j] = parseCell(cell, line.number, j + 1);
    });
  });
  return { rows, cols, data };
}

function shown(text) {
  const value = String(text);
  return value.length > 24 ? `${value.slice(0, 23)}…` : value;
}

/** An all-zero matrix. */
export function zeroMatrix(rows, cols) {
  return { rows, cols, data: new Float32Array(rows * cols) };
}

/** matrix cut or padded (with fill) to rows × cols; the overlap keeps its values. */
export function resizeMatrix(matrix, rows, cols, fill = 0) {
  const data = new Float32Array(rows * cols).fill(fill);
  for (let i = 0; i < Math.min(rows, matrix.rows); i++) {
    for (let j = 0; j < Math.min(cols, matrix.cols); j++) data[i * cols + j] = matrix.data[i * matrix.cols + j];
  }
  return { rows, cols, data };
}

/** Lines of comma-separated values, each the shortest decimal that reads back as the same float32. */
export function formatMatrixCsv({ rows, cols, data }) {
  const lines = [];
  for (let i = 0; i < rows; i++) lines.push(Array.from(data.subarray(i * cols, (i + 1) * cols), formatWeight).join(','));
  return `${lines.join('\n')}\n`;
}

/** Nested JSON arrays, one row per line, values as in formatMatrixCsv. */
export function formatMatrixJson({ rows, cols, data }) {
  const lines = [];
  for (let i = 0; i < rows; i++) lines.push(`  [${Array.from(data.subarray(i * cols, (i + 1) * cols), formatWeight).join(', ')}]`);
  return `[\n${lines.join(',\n')}\n]\n`;
}
