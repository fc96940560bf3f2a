// Statistics of attention weights, for the stats and heads views. Pure
// functions over row-major Float32Array matrices; no DOM here.
//
// Shapes: weights [rows, cols] (one head: rows = queries, cols = keys), or
// [heads, rows, cols] where stated.

/**
 * Per row i of weights [rows, cols]:
 *   entropy[i] = −Σ_j w_ij log2 w_ij (bits; zero weights add nothing),
 *   max[i]     = max_j w_ij,
 *   argmax[i]  = the lowest j with w_ij = max[i], or −1 if the row is all zero
 *                (a query with no allowed key),
 *   sum[i]     = Σ_j w_ij (1 for every row with an allowed key).
 */
export function rowStats(weights, rows, cols) {
  const entropy = new Float64Array(rows);
  const max = new Float64Array(rows);
  const argmax = new Int32Array(rows).fill(-1);
  const sum = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    let h = 0;
    let best = 0;
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const w = weights[row + j];
      s += w;
      if (w > 0) h -= w * Math.log2(w);
      if (w > best) {
        best = w;
        argmax[i] = j;
      }
    }
    entropy[i] = h;
    max[i] = best;
    sum[i] = s;
  }
  return { entropy, max, argmax, sum };
}

/**
 * Mean weight by relative distance d = i − j over weights [rows, cols]:
 * offsets run from −(cols − 1) to rows − 1; mean[k] is the average of w_ij
 * over all (i, j) with i − j = offsets[k] (count[k] of them). A peak at 0
 * and fast fall-off on both sides shows locality; causal masks make every
 * negative offset 0.
 */
export function distanceProfile(weights, rows, cols) {
  const size = rows + cols - 1;
  const offsets = new Int32Array(size);
  const total = new Float64Array(size);
  const count = new Int32Array(size);
  for (let k = 0; k < size; k++) offsets[k] = k - (cols - 1);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const k = i - j + cols - 1;
      total[k] += weights[i * cols + j];
      count[k] += 1;
    }
  }
  const mean = total.map((t, k) => t / count[k]);
  return { offsets, mean, count };
}

/** The mean over heads of weights [heads, rows, cols]: [rows, cols]. */
export function averageHeads(weights, heads, rows, cols) {
  const size = rows * cols;
  const average = new Float32Array(size);
  for (let h = 0; h < heads; h++) {
    const base = h * size;
    for (let p = 0; p < size; p++) average[p] += weights[base + p];
  }
  for (let p = 0; p < size; p++) average[p] /= heads;
  return average;
}

/** { min, max } of values (0, 0 when empty). */
export function extent(values) {
  if (values.length === 0) return { min: 0, max: 0 };
  let min = Infinity;
  let max = -Infinity;
  for (let p = 0; p < values.length; p++) {
    const v = values[p];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** The largest |v| of values (0 when empty): the half-width of a diverging scale centred on 0. */
export function maxAbs(values) {
  let m = 0;
  for (let p = 0; p < values.length; p++) m = Math.max(m, Math.abs(values[p]));
  return m;
}

/**
 * Mean pooling of a square matrix values [n, n] to [m, m], m = min(n, size):
 * cell (a, b) is the mean of the rows i and columns j with
 * floor(i · m / n) = a and floor(j · m / n) = b. Small maps of large
 * matrices draw from it instead of from all n² values.
 */
export function downsample(values, n, size) {
  const pooled = downsampleRect(values, n, n, size);
  return { values: pooled.values, m: pooled.rows };
}

/**
 * The same pooling of values [rows, cols] to [min(rows, size), min(cols, size)]
 * (cross-attention and matrix inputs are not square).
 */
export function downsampleRect(values, rows, cols, size) {
  const mr = Math.min(rows, size);
  const mc = Math.min(cols, size);
  if (mr === rows && mc === cols) return { values, rows, cols };
  const total = new Float64Array(mr * mc);
  const count = new Float64Array(mr * mc);
  const colBin = new Int32Array(cols);
  for (let j = 0; j < cols; j++) colBin[j] = Math.floor((j * mc) / cols);
  for (let i = 0; i < rows; i++) {
    const out = Math.floor((i * mr) / rows) * mc;
    const row = i * cols;
    for (let j = 0; j < cols; j++) {
      total[out + colBin[j]] += values[row + j];
      count[out + colBin[j]] += 1;
    }
  }
  const pooled = new Float32Array(mr * mc);
  for (let p = 0; p < mr * mc; p++) pooled[p] = total[p] / count[p];
  return { values: pooled, rows: mr, cols: mc };
}
