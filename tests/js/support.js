// Shared helpers of the JS API tests: seeded inputs, plain float64
// references of the documented formulas, and comparisons that say where they
// fail.
//
// Dimension legend (as in core/include/attention/attention.h):
//   H heads, NQ queries, NK keys, D query/key width, DV value width,
//   DA additive hidden width, E model width of multi-head attention.
// All tensors are dense and row-major.
import { expect } from 'vitest';
import { mulberry32 } from '../../web/src/inputs/random.js';

// Tolerance of float32 WASM results against float64 references:
// |got - want| <= ABS_TOL + REL_TOL * |want|. The kernel accumulates in
// float32 (WASM SIMD has no fused multiply-add, and its summation order
// differs from the reference's), so a few ulps of float32 per dot product
// are expected; 1e-5 absolute + 1e-4 relative covers rows of a few hundred
// terms with values of order 1.
export const ABS_TOL = 1e-5;
export const REL_TOL = 1e-4;

/** Deterministic uniform numbers in [0, 1): mulberry32, the page's own generator. */
export const rng = mulberry32;

/** count floats uniform in [-range, range), from a seed. */
export function randomFloats(count, seed, range = 1) {
  const next = rng(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (2 * next() - 1) * range;
  return out;
}

/**
 * count floats that are multiples of 1/8 in [-1, 1]. Dot products of such
 * values are exact in float32, so score ties and orderings (hard, top_k) are
 * the same in the float32 kernel and the float64 reference.
 */
export function quantizedFloats(count, seed) {
  const next = rng(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.round((2 * next() - 1) * 8) / 8;
  return out;
}

/** count bytes, each 1 with probability p. */
export function randomBytes(count, seed, p = 0.5) {
  const next = rng(seed);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = next() < p ? 1 : 0;
  return out;
}

/**
 * Asserts got ≈ want elementwise within ABS_TOL + REL_TOL·|want|; a failure
 * names the index, the size and both values.
 */
export function expectClose(got, want, { abs = ABS_TOL, rel = REL_TOL, label = 'tensor' } = {}) {
  expect(got.length, `${label}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const ok = Math.abs(got[i] - want[i]) <= abs + rel * Math.abs(want[i]);
    if (!ok) {
      expect.fail(`${label}[${i}] of ${want.length}: got ${got[i]}, want ${want[i]} (tolerance ${abs} + ${rel}·|want|)`);
    }
  }
}

/**
 * Same bits: Object.is on every element (so -0 and 0 differ, and NaN would
 * match NaN); a failure names the index, the size and both values.
 */
export function expectSameBits(got, want, label = 'tensor') {
  expect(got.length, `${label}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${label}[${i}] of ${want.length}: got ${got[i]}, want ${want[i]}`);
  }
}

/** Every element is a finite number (no NaN, no ±Infinity). */
export function expectFinite(values, label = 'tensor') {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) expect.fail(`${label}[${i}] of ${values.length} is ${values[i]}`);
  }
}

/**
 * Asserts fn throws an instance of errorClass (and not merely a subclass of
 * the other error class) whose message contains every fragment (strings) or
 * matches it (RegExps). Returns the error for further checks.
 */
export function expectError(fn, errorClass, ...fragments) {
  let thrown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a throw').toBeDefined();
  expect(thrown.constructor.name, `class of "${thrown.message}"`).toBe(errorClass.name);
  expect(thrown).toBeInstanceOf(errorClass);
  for (const fragment of fragments) {
    if (fragment instanceof RegExp) expect(thrown.message).toMatch(fragment);
    else expect(thrown.message).toContain(fragment);
  }
  return thrown;
}

/** The row-major slice [start, start + length) as a plain Array (for toEqual). */
export function row(values, index, length) {
  return Array.from(values.subarray(index * length, (index + 1) * length));
}

export function cosine(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

const scaledVariants = new Set(['scaled_dot', 'hard', 'top_k']);

/**
 * Float64 reference of engine.attention, written from index.d.ts and
 * attention.h rather than from the kernel:
 *   allowed(i, j) = (!causal || j <= i) && (window == null || |i - j| <= window)
 *                   && (!mask || mask[i, j]) && (!keyPadding || !keyPadding[j])
 *   s_j = score(q_i, k_j) / temperature
 *         scaled_dot, hard, top_k: q·k · scale (scale = 1/sqrt(D) unless given)
 *         dot: q·k;  general: qᵀ W k;  additive: vᵀ tanh(Wq q + Wk k)
 *   kept = all allowed keys; hard: the first allowed key with the highest s;
 *          top_k: the k highest allowed s, lower index first on ties
 *   w = softmax of s over kept (max subtracted), 0 elsewhere; a row with no
 *       allowed key is all zero
 *   out_i = Σ_j w_j v_j
 * Returns { output [H, NQ, DV], weights [H, NQ, NK] } as Float64Arrays.
 */
export function referenceAttention(request) {
  const { query, key, value, queries: NQ, keys: NK, dim: D } = request;
  const H = request.heads ?? 1;
  const DV = request.valueDim ?? D;
  const variant = request.variant ?? 'scaled_dot';
  const temperature = request.temperature ?? 1;
  const scale = request.scale ?? 1 / Math.sqrt(D);
  const window = request.window ?? null;
  const { mask, keyPadding, causal = false } = request;
  const params = request.params ?? {};
  const DA = params.v ? params.v.length : 0;

  const output = new Float64Array(H * NQ * DV);
  const weights = new Float64Array(H * NQ * NK);
  const allowed = (i, j) =>
    (!causal || j <= i) && (window === null || Math.abs(i - j) <= window) &&
    (!mask || mask[i * NK + j] !== 0) && (!keyPadding || keyPadding[j] === 0);

  const dot = (a, aOffset, b, bOffset, n) => {
    let sum = 0;
    for (let d = 0; d < n; d++) sum += a[aOffset + d] * b[bOffset + d];
    return sum;
  };

  const score = (q0, k0) => {
    if (scaledVariants.has(variant)) return dot(query, q0, key, k0, D) * scale;
    if (variant === 'dot') return dot(query, q0, key, k0, D);
    if (variant === 'general') {
      let s = 0;
      for (let a = 0; a < D; a++) s += query[q0 + a] * dot(params.W, a * D, key, k0, D);
      return s;
    }
    // additive
    let s = 0;
    for (let c = 0; c < DA; c++) {
      s += params.v[c] * Math.tanh(dot(params.Wq, c * D, query, q0, D) + dot(params.Wk, c * D, key, k0, D));
    }
    return s;
  };

  for (let h = 0; h < H; h++) {
    for (let i = 0; i < NQ; i++) {
      const s = new Float64Array(NK);
      let kept = [];
      for (let j = 0; j < NK; j++) {
        if (!allowed(i, j)) continue;
        kept.push(j);
        s[j] = score((h * NQ + i) * D, (h * NK + j) * D) / temperature;
      }
      if (variant === 'hard' && kept.length > 0) {
        let best = kept[0];
        for (const j of kept) if (s[j] > s[best]) best = j;
        kept = [best];
      } else if (variant === 'top_k') {
        // Array.prototype.sort is stable: equal scores keep the lower index first
        kept.sort((a, b) => s[b] - s[a]);
        kept = kept.slice(0, params.k);
      }
      const w = weights.subarray((h * NQ + i) * NK, (h * NQ + i + 1) * NK);
      if (kept.length > 0) {
        const max = Math.max(...kept.map((j) => s[j]));
        let sum = 0;
        for (const j of kept) {
          w[j] = Math.exp(s[j] - max);
          sum += w[j];
        }
        for (const j of kept) w[j] /= sum;
      }
      const out = output.subarray((h * NQ + i) * DV, (h * NQ + i + 1) * DV);
      for (let j = 0; j < NK; j++) {
        for (let e = 0; e < DV; e++) out[e] += w[j] * value[(h * NK + j) * DV + e];
      }
    }
  }
  return { output, weights };
}

/**
 * Float64 reference of torch.nn.MultiheadAttention with a batch of one:
 *   Q = query Wqᵀ + bq, K = key Wkᵀ + bk, V = value Wvᵀ + bv      [N, E]
 *     (Wq, Wk, Wv = rows 0..E-1, E..2E-1, 2E..3E-1 of inProjWeight [3E, E])
 *   head h takes columns h·E/H .. (h+1)·E/H - 1, scores scaled by 1/sqrt(E/H),
 *   masked by causal and keyPadding (a row with no allowed key is zero)
 *   out = concat_h(head_h) Woᵀ + bo                                  [NQ, E]
 *   averageWeights = mean over heads of the weights                  [NQ, NK]
 */
export function referenceMultiHead(request) {
  const { query, key, value, queries: NQ, keys: NK, inProjWeight, outProjWeight } = request;
  const H = request.heads ?? 1;
  const E = request.embedDim ?? query.length / NQ;
  const Eh = E / H;
  const inBias = request.inProjBias ?? new Float32Array(3 * E);
  const outBias = request.outProjBias ?? new Float32Array(E);

  // y [n, E] = x [n, E] W[r0 .. r0+E-1]ᵀ + b[r0 ..]
  const project = (x, n, W, b, r0) => {
    const y = new Float64Array(n * E);
    for (let t = 0; t < n; t++) {
      for (let r = 0; r < E; r++) {
        let sum = b[r0 + r];
        for (let c = 0; c < E; c++) sum += x[t * E + c] * W[(r0 + r) * E + c];
        y[t * E + r] = sum;
      }
    }
    return y;
  };
  const Q = project(query, NQ, inProjWeight, inBias, 0);
  const K = project(key, NK, inProjWeight, inBias, E);
  const V = project(value, NK, inProjWeight, inBias, 2 * E);

  const weights = new Float64Array(H * NQ * NK);
  const concat = new Float64Array(NQ * E);
  for (let h = 0; h < H; h++) {
    for (let i = 0; i < NQ; i++) {
      const w = weights.subarray((h * NQ + i) * NK, (h * NQ + i + 1) * NK);
      const allowedKeys = [];
      const s = new Float64Array(NK);
      for (let j = 0; j < NK; j++) {
        if (request.causal && j > i) continue;
        if (request.keyPadding && request.keyPadding[j]) continue;
        allowedKeys.push(j);
        for (let c = 0; c < Eh; c++) s[j] += Q[i * E + h * Eh + c] * K[j * E + h * Eh + c];
        s[j] /= Math.sqrt(Eh);
      }
      if (allowedKeys.length > 0) {
        const max = Math.max(...allowedKeys.map((j) => s[j]));
        let sum = 0;
        for (const j of allowedKeys) sum += (w[j] = Math.exp(s[j] - max));
        for (const j of allowedKeys) w[j] /= sum;
      }
      for (let j = 0; j < NK; j++) {
        for (let c = 0; c < Eh; c++) concat[i * E + h * Eh + c] += w[j] * V[j * E + h * Eh + c];
      }
    }
  }

  const output = new Float64Array(NQ * E);
  for (let i = 0; i < NQ; i++) {
    for (let r = 0; r < E; r++) {
      let sum = outBias[r];
      for (let c = 0; c < E; c++) sum += concat[i * E + c] * outProjWeight[r * E + c];
      output[i * E + r] = sum;
    }
  }
  const averageWeights = new Float64Array(NQ * NK);
  for (let h = 0; h < H; h++) {
    for (let x = 0; x < NQ * NK; x++) averageWeights[x] += weights[h * NQ * NK + x] / H;
  }
  return { output, weights, averageWeights };
}

// ---------------------------------------------------------------------------
// A float64 re-implementation of core/include/attention/text.h, steps 1-5,
// and of its seeded variant parameters. Integer steps (FNV-1a, fmix32,
// SplitMix64) are exact; the Gaussian draws go through Math.log/cos/sqrt, which
// may differ from the core's libm in the last bit, hence a tolerance.

const MASK64 = (1n << 64n) - 1n;

class SplitMix64 {
  constructor(seed, stream) {
    this.state = (BigInt(seed) ^ ((BigInt(stream) * 0xd1342543de82ef95n) & MASK64)) & MASK64;
  }

  next() {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  }

  // uniform in (0, 1]: 53 random bits + 1, times 2^-53
  uniform() {
    return (Number(this.next() >> 11n) + 1) * 2 ** -53;
  }

  // Box-Muller, the second value of the pair discarded
  normal() {
    const u1 = this.uniform(), u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(6.283185307179586 * u2);
  }
}

// w [D, D] = I + 0.5 · G, G ~ Normal(0, 1/D), rounded to float32
function nearIdentity(dim, generator) {
  const sd = 0.5 / Math.sqrt(dim);
  const w = new Float32Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < dim; j++) w[i * dim + j] = (i === j ? 1 : 0) + sd * generator.normal();
  }
  return w;
}

function fnv1aFmix32(bytes) {
  let h = 2166136261;
  for (const c of bytes) h = Math.imul(h ^ c, 16777619) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** Step 1: every 1-, 2- and 3-code-point run of "<token>" except bare "<", ">", plus the whole if longer than 3. */
export function referenceTokenFeatures(token) {
  const points = [...`<${token}>`];
  const m = points.length;
  const features = [];
  for (let n = 1; n <= 3; n++) {
    for (let start = 0; start + n <= m; start++) {
      if (n === 1 && (start === 0 || start === m - 1)) continue;
      features.push(points.slice(start, start + n).join(''));
    }
  }
  if (m > 3) features.push(`<${token}>`);
  return features;
}

/** Steps 1-5 for tokens as the core receives them (NFKC, lower case). Returns { query, key, value } [H, T, D]. */
export function referenceTextQKV(tokens, { heads = 1, dim = 16, seed = 0, positionWeight = 0.5 } = {}) {
  const T = tokens.length;
  const encoder = new TextEncoder();
  const x = new Float32Array(T * dim);
  for (let t = 0; t < T; t++) {
    const token = tokens[t].normalize('NFKC').toLowerCase();
    const hashed = new Float64Array(dim);
    for (const feature of referenceTokenFeatures(token)) {
      const h = fnv1aFmix32(encoder.encode(feature));
      hashed[h % dim] += h & 0x80000000 ? -1 : 1;
    }
    const position = new Float64Array(dim);
    let hashedNorm = 0, positionNorm = 0;
    for (let i = 0; i < dim; i++) {
      const angle = t / 10000 ** ((i - (i % 2)) / dim);
      position[i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
      hashedNorm += hashed[i] ** 2;
      positionNorm += position[i] ** 2;
    }
    const hs = hashedNorm > 0 ? 1 / Math.sqrt(hashedNorm) : 0;
    const ps = positionNorm > 0 ? Math.fround(positionWeight) / Math.sqrt(positionNorm) : 0;
    for (let i = 0; i < dim; i++) x[t * dim + i] = Math.sqrt(dim) * (hashed[i] * hs + position[i] * ps);
  }
  const roles = [new Float32Array(heads * T * dim), new Float32Array(heads * T * dim), new Float32Array(heads * T * dim)];
  for (let h = 0; h < heads; h++) {
    for (let r = 0; r < 3; r++) {
      const w = nearIdentity(dim, new SplitMix64(seed, h * 3 + r + 1));
      for (let t = 0; t < T; t++) {
        for (let i = 0; i < dim; i++) {
          let sum = 0;
          for (let j = 0; j < dim; j++) sum += w[i * dim + j] * x[t * dim + j];
          roles[r][(h * T + t) * dim + i] = sum;
        }
      }
    }
  }
  return { query: roles[0], key: roles[1], value: roles[2] };
}

const GENERAL_STREAM = 0x67656e6572616cn; // "general"
const ADDITIVE_STREAM = 0x6164646974697665n; // "additive"

/** seededParams of text.h: general W [D, D]; additive Wq, Wk [D, D] then v [D] from one stream. */
export function referenceSeededParams(variant, dim, seed = 0) {
  if (variant === 'general') return { W: nearIdentity(dim, new SplitMix64(seed, GENERAL_STREAM)) };
  const generator = new SplitMix64(seed, ADDITIVE_STREAM);
  const Wq = nearIdentity(dim, generator);
  const Wk = nearIdentity(dim, generator);
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = generator.normal();
  return { Wq, Wk, v };
}
