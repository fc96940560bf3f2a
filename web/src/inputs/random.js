// Seeded random matrices for the matrix editor: the same seed and sizes always
// give the same Q, K and V, so a URL with the seed rebuilds them. No DOM here.
//
// Legend: NQ queries, NK keys, D query/key width, DV value width.
// Entries are Normal(0, 1): with scaled_dot, q·k/√D is then about Normal(0, 1)
// too, so the weights are neither uniform nor one-hot.

/** mulberry32: a 32-bit state, uniform numbers in [0, 1). Small, fast and plenty for pictures. */
export function mulberry32(seed) {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Normal(0, 1) by Box–Muller from a uniform source (u1 kept away from 0 so log is finite). */
function normalFrom(uniform) {
  const u1 = 1 - uniform();
  const u2 = uniform();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * A rows × cols matrix of Normal(0, scale²) (or Uniform(−scale, scale))
 * float32 values from seed; stream separates matrices made from one seed.
 */
export function seededMatrix({ rows, cols, seed = 0, stream = 0, scale = 1, distribution = 'normal' }) {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(`rows and cols: expected positive integers, got ${rows} × ${cols}`);
  }
  // Mix the stream into the seed with a Weyl step so streams 0, 1, 2 are unrelated.
  const uniform = mulberry32((seed >>> 0) ^ Math.imul((stream + 1) >>> 0, 0x9e3779b9));
  const draw = distribution === 'uniform' ? () => (2 * uniform() - 1) * scale : () => normalFrom(uniform) * scale;
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = draw();
  return { rows, cols, data };
}

/** The stream of each role, so Q, K and V of one seed differ. */
export const ROLE_STREAMS = { query: 1, key: 2, value: 3 };

/**
 * Seeded Q [NQ, D], K [NK, D] and V [NK, DV] as matrices { rows, cols, data }.
 */
export function seededQkv({ queries, keys, dim, valueDim = dim, seed = 0, scale = 1 }) {
  return {
    query: seededMatrix({ rows: queries, cols: dim, seed, stream: ROLE_STREAMS.query, scale }),
    key: seededMatrix({ rows: keys, cols: dim, seed, stream: ROLE_STREAMS.key, scale }),
    value: seededMatrix({ rows: keys, cols: valueDim, seed, stream: ROLE_STREAMS.value, scale }),
  };
}
