// What is measured, the same in Node and in the browser: the shapes, their
// inputs, the float64 reference the results are checked against, and the
// statistics. No Node or DOM imports here.
//
// Legend: H heads, N tokens (queries = keys = N), D width (dim = valueDim).
// query, key, value and output are [H, N, D] row-major float32; one
// attention is 4·N²·D·H flops (Q·Kᵀ and P·V, a multiply and an add each).

export const DIM = 64;

/**
 * The shapes, smallest first. reps is how many interleaved rounds are timed
 * (fewer for big shapes: the noise is relatively smaller and time is short);
 * jsReps caps the plain-JavaScript implementation, which is the slowest.
 */
export const SHAPES = [
  { n: 256, heads: 8, dim: DIM, reps: 31, jsReps: 7 },
  { n: 1024, heads: 8, dim: DIM, reps: 15, jsReps: 3 },
  { n: 4096, heads: 1, dim: DIM, reps: 11, jsReps: 3 },
  // Only this engine is asked to go this far (its goal is long sequences).
  { n: 16384, heads: 1, dim: DIM, reps: 5, jsReps: 0, engineOnly: true },
];

/** An output differing from the float64 reference by more than this is a failure. */
export const TOLERANCE = 1e-3;

export const shapeLabel = ({ n, heads, dim }) => `N=${n} H=${heads} D=${dim}`;

export const flopsOf = ({ n, heads, dim }) => 4 * n * n * dim * heads;

export const gflopsOf = (shape, ms) => flopsOf(shape) / (ms * 1e6);

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Deterministic standard-normal floats: SplitMix32 for uniforms, Box-Muller
 * for normals. Normal(0, 1) entries make q·k/√D about Normal(0, 1), so the
 * softmax rows are neither one-hot nor uniform.
 */
function normals(count, seed) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return (z + 0.5) / 2 ** 32; // in (0, 1): log(0) cannot happen
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(uniform()));
    const angle = 2 * Math.PI * uniform();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

/** query, key, value [H, N, D] for a shape; the same numbers in every environment. */
export function makeInputs({ n, heads, dim }) {
  const size = heads * n * dim;
  return { query: normals(size, 1), key: normals(size, 2), value: normals(size, 3) };
}

/**
 * The (head, row) pairs whose output is checked: every row of small shapes,
 * else 8 rows spread over the heads and the sequence (first and last included).
 */
export function checkedRows({ n, heads }) {
  if (heads * n <= 2048) {
    return Array.from({ length: heads * n }, (_, index) => [Math.floor(index / n), index % n]);
  }
  const rows = [];
  for (let s = 0; s < 8; s++) rows.push([s % heads, Math.round((s * (n - 1)) / 7)]);
  return rows;
}

/**
 * Float64 reference of the checked rows: output_i = Σ_j softmax_j(q_i·k_j/√D) v_j,
 * with the row maximum subtracted before exp. Returns one Float64Array(D) per row.
 */
export function referenceRows({ query, key, value }, { n, dim }, rows) {
  const scale = 1 / Math.sqrt(dim);
  const scores = new Float64Array(n);
  return rows.map(([h, i]) => {
    const q = (h * n + i) * dim;
    let max = -Infinity;
    for (let j = 0; j < n; j++) {
      const k = (h * n + j) * dim;
      let dot = 0;
      for (let c = 0; c < dim; c++) dot += query[q + c] * key[k + c];
      scores[j] = dot * scale;
      if (scores[j] > max) max = scores[j];
    }
    let sum = 0;
    for (let j = 0; j < n; j++) {
      scores[j] = Math.exp(scores[j] - max);
      sum += scores[j];
    }
    const out = new Float64Array(dim);
    for (let j = 0; j < n; j++) {
      const v = (h * n + j) * dim;
      const w = scores[j] / sum;
      for (let c = 0; c < dim; c++) out[c] += w * value[v + c];
    }
    return out;
  });
}

/** Largest |output − reference| over the checked rows (NaN anywhere gives Infinity). */
export function maxAbsError(output, { n, dim }, rows, reference) {
  let worst = 0;
  rows.forEach(([h, i], r) => {
    const o = (h * n + i) * dim;
    for (let c = 0; c < dim; c++) {
      const error = Math.abs(output[o + c] - reference[r][c]);
      worst = Number.isNaN(error) ? Infinity : Math.max(worst, error);
    }
  });
  return worst;
}

/** xorshift32 from seed: numbers in [0, 1), the same for the same seed in Node and in the browser. */
export function xorshift32(seed) {
  let s = (seed >>> 0) || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}
