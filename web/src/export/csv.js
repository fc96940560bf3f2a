// Attention weights as CSV, and back. No DOM here.
//
// Legend: H heads, NQ queries, NK keys; weights [H, NQ, NK] row-major.
// Layout (RFC 4180, CRLF line ends, no byte order mark), one block of NQ
// lines per head:
//   head,query,<key token 1>,…,<key token NK>
//   1,<query token 1>,w,…,w
//   …
//   H,<query token NQ>,w,…,w
// A token that occurs more than once among the keys (or among the queries)
// is labelled with its 1-based position, "the (1)" … "the (5)", so a
// spreadsheet's columns can be told apart; so is a token that already ends
// in " (digits)", so that reading back strips exactly what was added.
// Values are the shortest decimals that read back as the same float32, so
// parsing the file gives the engine's weights bit for bit.
//
// Tokens are user text. A cell with a comma, quote, CR or LF is quoted (quotes
// doubled). A token a spreadsheet would run as a formula (starting with
// = + - @, tab or CR) gets a leading apostrophe, as OWASP advises; so does a
// token that already starts with one, so reading back is lossless.
import { formatWeight } from '../views/format.js';

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell made safe: formula-neutralised, then quoted when needed. */
export function csvTextCell(text) {
  let value = String(text);
  if (FORMULA_START.test(value) || value.startsWith("'")) value = `'${value}`;
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The text csvTextCell was given, from a cell as parseCsv returned it. */
export function csvTextValue(cell) {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

const POSITIONED = / \(\d+\)$/;

/** Each token, labelled with its position (1-based) when it repeats or already looks labelled. */
export function positionLabels(tokens) {
  const count = new Map();
  for (const token of tokens) count.set(String(token), (count.get(String(token)) ?? 0) + 1);
  return tokens.map((token, i) => {
    const text = String(token);
    return count.get(text) > 1 || POSITIONED.test(text) ? `${text} (${i + 1})` : text;
  });
}

/** The token positionLabels labelled at position i (0-based). */
export function tokenOfLabel(label, i) {
  const suffix = ` (${i + 1})`;
  return label.endsWith(suffix) ? label.slice(0, -suffix.length) : label;
}

/**
 * CSV of weights [H, NQ, NK] with query tokens rowTokens [NQ] and key tokens
 * colTokens [NK] (default: rowTokens, as in self-attention).
 */
export function weightsToCsv({ weights, heads, queries, keys, rowTokens, colTokens = rowTokens }) {
  checkShape({ weights, heads, queries, keys, rowTokens, colTokens });
  const rowLabels = positionLabels(rowTokens).map(csvTextCell);
  const lines = [['head', 'query', ...positionLabels(colTokens).map(csvTextCell)].join(',')];
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < queries; i++) {
      const start = (h * queries + i) * keys;
      const values = Array.from(weights.subarray(start, start + keys), formatWeight);
      lines.push([String(h + 1), rowLabels[i], ...values].join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

function checkShape({ weights, heads, queries, keys, rowTokens, colTokens }) {
  if (weights.length !== heads * queries * keys) {
    throw new RangeError(`weights: expected heads·queries·keys = ${heads * queries * keys} values, got ${weights.length}`);
  }
  if (rowTokens.length !== queries) throw new RangeError(`rowTokens: expected ${queries} tokens, got ${rowTokens.length}`);
  if (colTokens.length !== keys) throw new RangeError(`colTokens: expected ${keys} tokens, got ${colTokens.length}`);
}

/** RFC 4180 records: an array of rows, each an array of cell strings (quotes removed). */
export function parseCsv(text) {
  const source = String(text).replace(/^\uFEFF/, '');
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let p = 0; p < source.length; p++) {
    const ch = source[p];
    if (quoted) {
      if (ch === '"' && source[p + 1] === '"') {
        cell += '"';
        p++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch === '"' && cell === '') {
      quoted = true;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && source[p + 1] === '\n') p++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += ch;
    }
  }
  if (quoted) throw new Error('The CSV ends inside a quoted cell');
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/**
 * weightsToCsv's text read back: { heads, queries, keys, rowTokens,
 * colTokens, weights: Float32Array [H, NQ, NK] }.
 */
export function parseWeightsCsv(text) {
  const [header, ...lines] = parseCsv(text);
  if (!header || header[0] !== 'head' || header[1] !== 'query') {
    throw new Error('Expected a header line starting with "head,query"');
  }
  const colTokens = header.slice(2).map((cell, j) => tokenOfLabel(csvTextValue(cell), j));
  const keys = colTokens.length;
  const heads = lines.length === 0 ? 0 : Number(lines[lines.length - 1][0]);
  if (!Number.isInteger(heads) || heads < 1 || lines.length % heads !== 0) {
    throw new Error(`Expected one block of lines per head; got ${lines.length} lines and ${heads} heads`);
  }
  const queries = lines.length / heads;
  const weights = new Float32Array(heads * queries * keys);
  lines.forEach((cells, line) => {
    if (cells.length !== keys + 2) throw new Error(`Line ${line + 2} has ${cells.length} cells; expected ${keys + 2}`);
    if (Number(cells[0]) !== Math.floor(line / queries) + 1) throw new Error(`Line ${line + 2} is in the wrong head block`);
    cells.slice(2).forEach((cell, j) => {
      weights[line * keys + j] = Number(cell);
    });
  });
  const rowTokens = lines.slice(0, queries).map((cells, i) => tokenOfLabel(csvTextValue(cells[1]), i));
  return { heads, queries, keys, rowTokens, colTokens, weights };
}
