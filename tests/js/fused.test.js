// The fused kernel as built to WebAssembly SIMD (scaled_dot, dot and general),
// through engine.attention with and without weights, against the float64
// reference of support.js: sizes around the 4-lane vectors, the 4-row tiles,
// the 8-wide panels and the 128-row / 128-key blocks, every mask option, logits
// that break a naive softmax, and long sequences with needWeights: false.
// Tolerance: 1e-5 absolute + 1e-4 relative (ABS_TOL, REL_TOL in support.js).
import { describe, expect, it } from 'vitest';
import { loadAttention } from '../../wasm/index.js';
import { expectClose, expectError, expectFinite, randomBytes, randomFloats, referenceAttention } from './support.js';

const engine = await loadAttention();
const fusedVariants = ['scaled_dot', 'dot', 'general'];

function randomRequest({ heads = 1, queries, keys, dim, valueDim = dim, variant = 'scaled_dot', seed = 1, range = 1, ...rest }) {
  const request = {
    heads, queries, keys, dim, valueDim, variant,
    query: randomFloats(heads * queries * dim, seed, range),
    key: randomFloats(heads * keys * dim, seed + 1, range),
    value: randomFloats(heads * keys * valueDim, seed + 2),
    ...rest,
  };
  if (variant === 'general') request.params = { W: randomFloats(dim * dim, seed + 3) };
  return request;
}

// Both forms of engine.attention against the reference; the output without
// weights must be the very same floats as the output with them.
function expectBothMatchReference(request, tolerance = {}) {
  const want = referenceAttention(request);
  const withWeights = engine.attention(request);
  expectClose(withWeights.weights, want.weights, { ...tolerance, label: 'weights' });
  expectClose(withWeights.output, want.output, { ...tolerance, label: 'output' });
  const outputOnly = engine.attention({ ...request, needWeights: false });
  expect(outputOnly.weights).toBeNull();
  expect(outputOnly.output).toEqual(withWeights.output);
}

// The reference for chosen rows only: row i of head h is a one-query request
// whose mask row says which keys row i may attend (causal, window, mask).
function referenceRows(request, rows) {
  const { heads = 1, queries, keys, dim, valueDim = dim, causal = false, window = null, mask } = request;
  const out = new Map();
  for (const i of rows) {
    const allowed = new Uint8Array(keys);
    for (let j = 0; j < keys; j++) {
      allowed[j] = (!causal || j <= i) && (window === null || Math.abs(i - j) <= window) && (!mask || mask[i * keys + j]) ? 1 : 0;
    }
    for (let h = 0; h < heads; h++) {
      const one = referenceAttention({
        ...request, heads: 1, queries: 1, causal: false, window: null, mask: allowed,
        query: request.query.subarray((h * queries + i) * dim, (h * queries + i + 1) * dim),
        key: request.key.subarray(h * keys * dim, (h + 1) * keys * dim),
        value: request.value.subarray(h * keys * valueDim, (h + 1) * keys * valueDim),
      });
      out.set(`${h},${i}`, one.output);
    }
  }
  return out;
}

function expectRowsMatchReference(request, output, rows) {
  const { queries, dim, valueDim = dim } = request;
  for (const [at, want] of referenceRows(request, rows)) {
    const [h, i] = at.split(',').map(Number);
    expectClose(output.subarray((h * queries + i) * valueDim, (h * queries + i + 1) * valueDim), want, { label: `output row ${at}` });
  }
}

describe('fused kernel, sizes', () => {
  it('matches the reference for query and key counts around the tile, the panel and the block', () => {
    let seed = 1;
    for (const queries of [1, 3, 4, 5, 63, 64, 65, 127, 128, 129, 130, 257]) {
      // the kernel's key blocks are 128 keys (core/src/fused_tiles.h)
      for (const keys of [1, 7, 8, 9, 63, 64, 65, 127, 128, 129, 257]) {
        expectBothMatchReference(randomRequest({ heads: 1 + ((queries + keys) % 2), queries, keys, dim: 5, valueDim: 3, seed: seed++ }));
      }
    }
  });

  it('matches the reference for dim and valueDim around the vector width and the panel', () => {
    let seed = 100;
    for (const dim of [1, 2, 3, 4, 7, 8, 9, 16, 33, 64, 65]) {
      for (const valueDim of [1, 3, 4, 8, 9, 17, 64]) {
        const variant = fusedVariants[seed % 3];
        expectBothMatchReference(randomRequest({ queries: 9, keys: 70, dim, valueDim, variant, seed: seed++ }));
      }
    }
  });

  for (const variant of fusedVariants) {
    it(`${variant}: matches the reference at N = 300, d = 64 with causal, window, mask and padding`, () => {
      // general's reference costs d² per score: a smaller width keeps it quick
      const dim = variant === 'general' ? 16 : 64;
      const base = { heads: 2, queries: 300, keys: 300, dim, variant, seed: 200 };
      expectBothMatchReference(randomRequest(base));
      expectBothMatchReference(randomRequest({ ...base, causal: true }));
      expectBothMatchReference(randomRequest({ ...base, window: 70 }));
      expectBothMatchReference(randomRequest({ ...base, keyPadding: randomBytes(300, 5, 0.3) }));
      expectBothMatchReference(randomRequest({
        ...base, causal: true, window: 100, temperature: 0.6, scale: 0.3,
        mask: randomBytes(300 * 300, 6, 0.85), keyPadding: randomBytes(300, 7, 0.1),
      }));
    });
  }
});

describe('fused kernel, masks across blocks', () => {
  it('matches the reference with causal and windows on square and rectangular shapes', () => {
    let seed = 300;
    for (const [queries, keys] of [[130, 130], [70, 200], [200, 70]]) {
      for (const window of [null, 0, 1, 63, 64, 65]) {
        for (const causal of [false, true]) {
          expectBothMatchReference(randomRequest({ heads: 2, queries, keys, dim: 6, valueDim: 5, causal, window, seed: seed++ }));
        }
      }
    }
  });

  it('matches the reference with masks of every density, an empty row and an empty block', () => {
    let seed = 400;
    for (const p of [0, 0.02, 0.5, 0.98, 1]) {
      const mask = randomBytes(70 * 150, seed, p);
      mask.fill(0, 5 * 150, 6 * 150); // row 5 attends nothing
      for (let i = 8; i < 12; i++) mask.fill(0, i * 150 + 64, i * 150 + 128); // a tile sees nothing of block 2
      expectBothMatchReference(randomRequest({ heads: 2, queries: 70, keys: 150, dim: 8, valueDim: 9, mask, seed: seed++ }));
    }
  });

  it('matches the reference with a padded block, alternate padded keys and all keys padded', () => {
    const block = new Uint8Array(200).fill(1, 64, 128);
    const alternate = Uint8Array.from({ length: 200 }, (_, j) => j % 2);
    const all = new Uint8Array(200).fill(1);
    let seed = 500;
    for (const keyPadding of [block, alternate, all]) {
      for (const causal of [false, true]) {
        expectBothMatchReference(randomRequest({ heads: 2, queries: 67, keys: 200, dim: 7, valueDim: 8, keyPadding, causal, seed: seed++ }));
      }
    }
  });

  it('gives rows with no allowed key an exactly zero output and zero weights, never NaN', () => {
    const keyPadding = new Uint8Array(66);
    keyPadding[0] = 1;
    const request = randomRequest({ heads: 2, queries: 75, keys: 66, dim: 5, valueDim: 4, window: 0, keyPadding, seed: 600 });
    for (const needWeights of [true, false]) {
      const { output, weights } = engine.attention({ ...request, needWeights });
      expectFinite(output, 'output');
      for (const h of [0, 1]) {
        for (const i of [0, 66, 70, 74]) {
          expect(Array.from(output.subarray((h * 75 + i) * 4, (h * 75 + i + 1) * 4))).toEqual([0, 0, 0, 0]);
          if (weights) expect(weights.subarray((h * 75 + i) * 66, (h * 75 + i + 1) * 66).every((w) => w === 0)).toBe(true);
        }
      }
    }
  });
});

describe('fused kernel, logits that break a naive softmax', () => {
  for (const variant of fusedVariants) {
    it(`${variant}: a row maximum that jumps from -1e4 to +1e4 between key blocks`, () => {
      // dim 1, q = 100: keys of -100 then +100 give logits near -1e4, then +1e4
      const keys = 150;
      const key = Float32Array.from({ length: keys }, (_, j) => (j < 64 ? -100 : 100) + 0.01 * (j % 5));
      const request = {
        queries: 3, keys, dim: 1, valueDim: 4, variant, scale: 1,
        query: new Float32Array([100, 99, 98]), key, value: randomFloats(keys * 4, 700),
        params: variant === 'general' ? { W: new Float32Array([1]) } : undefined,
      };
      if (variant !== 'general') delete request.params;
      // float32 spacing of logits near 1e4 is ~1e-3: relative tolerance to match
      expectBothMatchReference(request, { rel: 2e-3 });
      expectBothMatchReference({ ...request, key: key.map((k) => -k) }, { rel: 2e-3 });
    });
  }

  it('q and k in [-100, 100] over several blocks give finite weights that match the reference', () => {
    const request = randomRequest({ heads: 2, queries: 7, keys: 150, dim: 4, valueDim: 5, variant: 'dot', range: 100, seed: 800 });
    const { output, weights } = engine.attention(request);
    expectFinite(output, 'output');
    expectFinite(weights, 'weights');
    expectBothMatchReference(request, { rel: 2e-2 });
  });
});

describe('needWeights: false', () => {
  it('returns the output and null weights for every variant, with the output of the full call', () => {
    for (const variant of ['scaled_dot', 'dot', 'general', 'additive', 'hard', 'top_k']) {
      const request = randomRequest({ heads: 2, queries: 9, keys: 70, dim: 4, variant, causal: true, seed: 900 });
      if (variant === 'additive') request.params = { Wq: randomFloats(12, 901), Wk: randomFloats(12, 902), v: randomFloats(3, 903) };
      if (variant === 'top_k') request.params = { k: 5 };
      const full = engine.attention(request);
      const result = engine.attention({ ...request, needWeights: false });
      expect(Object.keys(result).sort()).toEqual(['output', 'weights']);
      expect(result.weights).toBeNull();
      expect(result.output).toBeInstanceOf(Float32Array);
      expect(result.output).toEqual(full.output);
    }
  });

  it('needWeights: true is the default', () => {
    const request = randomRequest({ queries: 3, keys: 4, dim: 2, seed: 950 });
    expect(engine.attention({ ...request, needWeights: true })).toEqual(engine.attention(request));
  });

  it('refuses a needWeights that is not a boolean, naming it', () => {
    const request = randomRequest({ queries: 2, keys: 2, dim: 2, seed: 960 });
    for (const needWeights of ['no', 0, null, {}]) {
      expectError(() => engine.attention({ ...request, needWeights }), TypeError, 'needWeights: expected true or false');
    }
  });

  it('lifts the weights limit: 8193 x 8193 is refused with weights and computed without', () => {
    const n = 8193;
    const request = randomRequest({ queries: n, keys: n, dim: 1, variant: 'dot', causal: true, window: 1, seed: 970 });
    expectError(() => engine.attention(request), RangeError, 'weights:');
    const { output, weights } = engine.attention({ ...request, needWeights: false });
    expect(weights).toBeNull();
    expectRowsMatchReference(request, output, [0, 1, 63, 64, 4096, n - 1]);
  });

  for (const causal of [false, true]) {
    it(`N = 16384, d = 64, one head${causal ? ', causal' : ''}: matches the reference on sampled rows in under 64 MiB of WASM memory`, async () => {
      const fresh = await loadAttention();
      const n = 16384, dim = 64;
      const request = randomRequest({ queries: n, keys: n, dim, causal, seed: 1000 });
      const { output, weights } = fresh.attention({ ...request, needWeights: false });
      expect(weights).toBeNull();
      expect(output.length).toBe(n * dim);
      expectFinite(output, 'output');
      expectRowsMatchReference(request, output, [0, 1, 63, 64, 65, 5000, 8191, n - 1]);
      expect(fresh.memoryBytes).toBeLessThan(64 * 2 ** 20);
    });
  }
});

describe('input check', () => {
  it('names the first NaN or infinite element wherever it falls in the blocks of the scan', () => {
    const base = randomRequest({ queries: 3, keys: 7, dim: 3, seed: 1100 });  // key: 21 floats
    for (let i = 0; i < 21; i++) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const key = base.key.slice();
        key[i] = bad;
        if (i + 9 < 21) key[i + 9] = NaN;  // a later bad element is not the one named
        expectError(() => engine.attention({ ...base, key }), RangeError, `key: element ${i} is ${bad}; expected finite numbers only`);
      }
    }
  });

  it('names the first bad element around the 64-float blocks of the scan in WASM memory', () => {
    const base = randomRequest({ queries: 50, keys: 50, dim: 4, seed: 1200 });  // 200 floats each
    for (const i of [0, 62, 63, 64, 65, 127, 128, 129, 191, 192, 199]) {
      for (const name of ['query', 'key', 'value']) {
        const tensor = base[name].slice();
        tensor[i] = i % 2 ? -Infinity : NaN;
        if (i + 1 < 200) tensor[i + 1] = Infinity;
        expectError(() => engine.attention({ ...base, [name]: tensor }), RangeError,
          `${name}: element ${i} is ${tensor[i]}; expected finite numbers only`);
      }
    }
  });

  it('reports a bad element before any later error of the request, as the checks run in order', () => {
    const base = randomRequest({ queries: 3, keys: 7, dim: 3, seed: 1300 });
    const query = base.query.slice();
    query[5] = NaN;
    const key = base.key.slice();
    key[2] = Infinity;
    const message = 'query: element 5 is NaN; expected finite numbers only';
    expectError(() => engine.attention({ ...base, query, key: new Float32Array(3) }), RangeError, message);
    expectError(() => engine.attention({ ...base, query, key }), RangeError, message);
    expectError(() => engine.attention({ ...base, query, window: -1 }), RangeError, message);
    expectError(() => engine.attention({ ...base, query, temperature: 0 }), RangeError, message);
    expectError(() => engine.attention({ ...base, key, value: base.value.subarray(1) }), RangeError,
      'key: element 2 is Infinity; expected finite numbers only');
    expectError(() => engine.attention({ ...base, key, variant: 'general' }), RangeError,
      'key: element 2 is Infinity; expected finite numbers only');
  });
});
