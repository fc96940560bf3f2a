// Long-input mode: up to 16384 tokens, where the weights [N, N] of one head
// (16384² floats = 1 GiB) are never held whole. No DOM here; the computing
// functions run in the worker (worker.js).
//
// Legend: N tokens (queries = keys = N), D = DIM, G = the overview's side
// (at most OVERVIEW_MAX), b = queries and c = keys per overview cell, Z = the
// zoomed region's side (at most ZOOM_MAX).
//
// Long input is a row plan over the same request (requests.js
// buildLongRequest, run.js): rows come from a rows source, this thread's
// engine (engineRows) or the worker pool (poolRows, the rows of each block
// split across its threads).
// overview: pass 1 walks the queries in blocks of R rows (a multiple of b),
// each from the rows source as weights [R, N]; pass 2 adds each block into
// the cells it covers, so memory stays O(R·N). Each cell is the MEAN of the weights of its b × c block
// (edge cells: of the rows and keys they have).
// zoom: the exact weights of queries q0 .. q0+Z−1 and keys k0 .. k0+Z−1, one
// block of rows and a key slice.
import { mulberry32 } from '../inputs/random.js';
import { DIM } from './model.js';

export const LONG_MAX_TOKENS = 16384;
export const OVERVIEW_MAX = 512;
export const ZOOM_MAX = 256;
const BLOCK_FLOATS = 2 ** 22; // weights of one query block: 16 MiB

const WORDS = (
  'the a of and to in is was it that he she they we you for on with as at by this from or an be are not ' +
  'animal street cat dog mat river bank money tree house road city king queen child water fire light night ' +
  'day time year world word book paper model head query key value weight token sequence long short tired ' +
  'cross sat ran saw found made gave took because but while when where which who what'
).split(' ');

/** n words drawn from a fixed word list by a generator seeded with seed: the same n and seed, the same tokens. */
export function generateTokens(n, seed) {
  const next = mulberry32(seed ^ 0x9e3779b9);
  return Array.from({ length: n }, () => WORDS[Math.floor(next() * WORDS.length)]);
}

/** The overview grid of N tokens: b queries × c keys per cell, rows × cols cells. */
export function overviewGrid(n) {
  const b = Math.ceil(n / OVERVIEW_MAX);
  const c = b;
  return { b, c, rows: Math.ceil(n / b), cols: Math.ceil(n / c) };
}

/** The zoomed region centred on overview cell (row, col), moved inside [0, N). */
export function zoomAround(n, grid, row, col) {
  const size = Math.min(ZOOM_MAX, n);
  const centre = (cell, per) => Math.round(cell * per + per / 2 - size / 2);
  const clamp = (v) => Math.min(n - size, Math.max(0, v));
  return { q0: clamp(centre(row, grid.b)), k0: clamp(centre(col, grid.c)), size };
}

/**
 * The engine request of one head (0-based) of Q/K/V [H, N, D] under the
 * request's options: a one-head request [1, N, D] on views of the tensors.
 */
export function headRequest(request, qkv, head, params) {
  const n = request.queries;
  const slice = (t) => t.subarray(head * n * DIM, (head + 1) * n * DIM);
  return {
    query: slice(qkv.query), key: slice(qkv.key), value: slice(qkv.value),
    heads: 1, queries: n, keys: n, dim: DIM,
    variant: request.variant, causal: request.causal, window: request.window, temperature: request.temperature, params,
  };
}

/**
 * Rows of a one-head request from this thread's engine: rows(begin, end) ->
 * { output [end − begin, D], weights [end − begin, N] }, views into buffers
 * reused by the next call (engine.prepareRows: the head's Q, K and V copied
 * and K packed once, not per block; no fresh array per block). release()
 * frees the prepared copies.
 */
export function engineRows(engine, request) {
  const prepared = engine.prepareRows({ ...request, needWeights: true });
  let block = new Float32Array(0);
  let output = new Float32Array(0);
  return {
    rows(begin, end) {
      const count = end - begin;
      if (block.length < count * request.keys) block = new Float32Array(count * request.keys);
      if (output.length < count * DIM) output = new Float32Array(count * DIM);
      const into = { output: output.subarray(0, count * DIM), weights: block.subarray(0, count * request.keys) };
      prepared.rowsInto({ h0: 0, h1: 1, begin, end }, into);
      return into;
    },
    release: () => prepared.release(),
  };
}

/** Rows of a one-head request from the worker pool (wasm/pool.js): the rows split across its threads. */
export function poolRows(pool, request) {
  return {
    rows: (begin, end) => pool.attention({ ...request, needWeights: true, rows: { begin, end } }),
    release() {},
  };
}

/** How many query rows one overview block has: a multiple of b, about BLOCK_FLOATS weights. */
export function blockRowsOf(n) {
  const { b } = overviewGrid(n);
  return Math.min(n, Math.max(b, Math.floor(BLOCK_FLOATS / n / b) * b));
}

// pass 2: adds the weights [end − begin, N] of queries begin .. end−1 into
// the cells they fall in (sums [rows, cols]).
function addToCells(sums, grid, weights, begin, end, n) {
  for (let i = begin; i < end; i++) {
    const row = weights.subarray((i - begin) * n, (i - begin + 1) * n);
    const cellRow = Math.floor(i / grid.b) * grid.cols;
    for (let cj = 0; cj < grid.cols; cj++) {
      let s = 0;
      const stop = Math.min(n, (cj + 1) * grid.c);
      for (let j = cj * grid.c; j < stop; j++) s += row[j];
      sums[cellRow + cj] += s;
    }
  }
}

/**
 * The overview of N tokens from a rows source (engineRows or poolRows; its
 * rows may be a value or a promise): { values [rows, cols] (means), rows,
 * cols, b, c, output [N, D], n }. progress(fraction) after each block.
 */
export async function computeOverview(source, n, progress = () => {}) {
  const grid = overviewGrid(n);
  const sums = new Float64Array(grid.rows * grid.cols);
  const output = new Float32Array(n * DIM);
  const blockRows = blockRowsOf(n);
  for (let begin = 0; begin < n; begin += blockRows) {
    const end = Math.min(n, begin + blockRows);
    // pass 1: the exact weights [end − begin, N] of this block of queries
    const block = await source.rows(begin, end);
    output.set(block.output, begin * DIM);
    addToCells(sums, grid, block.weights, begin, end, n);
    progress(end / n);
  }
  const values = new Float32Array(sums.length);
  for (let ci = 0; ci < grid.rows; ci++) {
    const rowsIn = Math.min(n, (ci + 1) * grid.b) - ci * grid.b;
    for (let cj = 0; cj < grid.cols; cj++) {
      const keysIn = Math.min(n, (cj + 1) * grid.c) - cj * grid.c;
      values[ci * grid.cols + cj] = sums[ci * grid.cols + cj] / (rowsIn * keysIn);
    }
  }
  return { values, ...grid, output, n };
}

/** The exact weights [Z, Z] of queries q0 .. q0+Z−1 and keys k0 .. k0+Z−1, from a rows source. */
export async function computeZoom(source, n, { q0, k0, size }) {
  const { weights } = await source.rows(q0, q0 + size);
  const values = new Float32Array(size * size);
  for (let i = 0; i < size; i++) values.set(weights.subarray(i * n + k0, i * n + k0 + size), i * size);
  return { values, q0, k0, size, n };
}
