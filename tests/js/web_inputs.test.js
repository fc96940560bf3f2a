// The playground's input modules (web/src/inputs/), pure parts only: reading
// matrices from text, seeded random Q/K/V, masks, cross-attention, variant
// comparison and the diverging colour map it is drawn with.
import { describe, expect, it } from 'vitest';
import { loadAttention, tokenize } from '../../wasm/index.js';
import { compareVariants, differenceOf } from '../../web/src/compute/compare.js';
import { crossAttention } from '../../web/src/compute/cross.js';
import { PALETTES, sampleStops } from '../../web/src/views/colormap.js';
import {
  allAllowed, allowedMask, causalMask, fullMask, fullyMaskedRows, invertMask, paddingMask, resizeMask, toggleCell, togglePadding, windowMask,
} from '../../web/src/inputs/mask.js';
import { formatMatrixCsv, formatMatrixJson, parseMatrix, resizeMatrix } from '../../web/src/inputs/matrix-parse.js';
import { seededMatrix, seededQkv } from '../../web/src/inputs/random.js';
import { maxAbs } from '../../web/src/views/row-stats.js';

const engine = await loadAttention();
const f32 = (values) => Float32Array.from(values);
const matrixOf = (rows) => ({ rows: rows.length, cols: rows[0].length, data: f32(rows.flat()) });

describe('reading a matrix from text', () => {
  it('reads CSV split by commas, tabs, semicolons or spaces', () => {
    const want = matrixOf([[1, 2, 3], [4, 5, 6]]);
    for (const text of ['1,2,3\n4,5,6', '1\t2\t3\r\n4\t5\t6\n', '1 2  3\n 4 5 6 ', '1; 2; 3\n4; 5; 6', '1, 2, 3\n\n4, 5, 6\n']) {
      expect(parseMatrix(text), JSON.stringify(text)).toEqual(want);
    }
  });

  it('skips a CSV header line that has no number in it, and comment lines', () => {
    expect(parseMatrix('x,y\n1,2\n3,4')).toEqual(matrixOf([[1, 2], [3, 4]]));
    expect(parseMatrix('# made by hand\n1,2\n3,4')).toEqual(matrixOf([[1, 2], [3, 4]]));
  });

  it('reads JSON nested arrays, {data} and a flat {data, shape}', () => {
    const want = matrixOf([[1, -2.5], [3e-3, 4]]);
    expect(parseMatrix('[[1, -2.5], [0.003, 4]]')).toEqual(want);
    expect(parseMatrix('{"data": [[1, -2.5], [3e-3, 4]]}')).toEqual(want);
    expect(parseMatrix('{"data": [1, -2.5, 0.003, 4], "shape": [2, 2]}')).toEqual(want);
  });

  it('reads a NumPy literal with dtype, trailing dots and scientific notation, rounding to float32', () => {
    const matrix = parseMatrix('np.array([[1., 2.], [3, 4e-3]], dtype=np.float32)');
    expect(matrix).toEqual({ rows: 2, cols: 2, data: f32([1, 2, 3, Math.fround(4e-3)]) });
    expect(parseMatrix('array([[ .5, -1.25E+2],\n       [+7, 0. ]], dtype=float32)').data).toEqual(f32([0.5, -125, 7, 0]));
    expect(parseMatrix('torch.tensor([[1, 2]])').data).toEqual(f32([1, 2]));
    expect(parseMatrix('numpy.asarray([[1, 2]]);').data).toEqual(f32([1, 2]));
  });

  it("reads print()'s bracket form, which has no commas", () => {
    expect(parseMatrix('[[ 1.  2.]\n [-3.  4.]]')).toEqual(matrixOf([[1, 2], [-3, 4]]));
  });

  it('drops leading dimensions of size one and reads a flat list as one row', () => {
    expect(parseMatrix('[[[1, 2], [3, 4]]]')).toEqual(matrixOf([[1, 2], [3, 4]]));
    expect(parseMatrix('[1, 2, 3]')).toEqual(matrixOf([[1, 2, 3]]));
    expect(parseMatrix('[[7]]')).toEqual(matrixOf([[7]]));
  });

  it('names the row and the counts when a row is too long or too short', () => {
    const text = ['1,2,3,4,5', '1,2,3,4,5', '1,2,3,4', '1,2,3,4,5'].join('\n');
    expect(() => parseMatrix(text)).toThrow(/row 3 has 4 values; expected 5/i);
    expect(() => parseMatrix('[[1, 2], [3]]')).toThrow(/row 2 has 1 value; expected 2/i);
  });

  it('names the value, row and column of something that is not a number', () => {
    expect(() => parseMatrix('1,2\nabc,4')).toThrow("Value 'abc' at row 2, column 1 is not a number");
    expect(() => parseMatrix('[[1, 2], [3, null]]')).toThrow("Value 'null' at row 2, column 2 is not a number");
    expect(() => parseMatrix('{"data": [[1, "2"]]}')).toThrow(/'"2"' at row 1, column 2 is not a number/);
    expect(() => parseMatrix('1,2,\n3,4,5')).toThrow('The value at row 1, column 3 is empty');
  });

  it('refuses nan and inf with a message naming row and column', () => {
    expect(() => parseMatrix('np.array([[1, 2], [3, np.nan]])')).toThrow("Value 'np.nan' at row 2, column 2 is not finite");
    expect(() => parseMatrix('[[1, nan], [3, 4]]')).toThrow("Value 'nan' at row 1, column 2 is not finite: NaN and infinity are not allowed");
    expect(() => parseMatrix('1,2\n-inf,4')).toThrow(/'-inf' at row 2, column 1 is not finite/);
    expect(() => parseMatrix('1e39')).toThrow(/too large for float32/);
  });

  it('explains empty input, unbalanced brackets, foreign calls, 3-D input and a wrong shape', () => {
    expect(() => parseMatrix('  ')).toThrow(/Nothing to read/);
    expect(() => parseMatrix('[[1, 2], [3, 4]')).toThrow(/never closed/);
    expect(() => parseMatrix('os.system([[1]])')).toThrow(/Expected a bracketed list/);
    expect(() => parseMatrix('[[[1, 2]], [[3, 4]]]')).toThrow(/2-D matrix/);
    expect(() => parseMatrix('1,2\n3,4', { cols: 3 })).toThrow('Expected 3 columns, got 2');
    expect(() => parseMatrix('[[1, 2]]', { maxCells: 1 })).toThrow(/at most 1 are accepted/);
  });

  it('writes CSV and JSON that read back as the same float32 values', () => {
    const matrix = seededMatrix({ rows: 5, cols: 7, seed: 11 });
    expect(parseMatrix(formatMatrixCsv(matrix))).toEqual(matrix);
    expect(parseMatrix(formatMatrixJson(matrix))).toEqual(matrix);
    expect(JSON.parse(formatMatrixJson(matrixOf([[0.25, -1]])))).toEqual([[0.25, -1]]);
  });

  it('keeps the overlap when a matrix is resized and fills new cells with zero', () => {
    expect(resizeMatrix(matrixOf([[1, 2], [3, 4]]), 3, 1)).toEqual(matrixOf([[1], [3], [0]]));
  });
});

describe('seeded random matrices', () => {
  it('gives the same matrix for the same seed and different ones for other seeds or roles', () => {
    const a = seededMatrix({ rows: 4, cols: 3, seed: 7 });
    expect(seededMatrix({ rows: 4, cols: 3, seed: 7 })).toEqual(a);
    expect(seededMatrix({ rows: 4, cols: 3, seed: 8 }).data).not.toEqual(a.data);
    const { query, key, value } = seededQkv({ queries: 4, keys: 4, dim: 3, seed: 7 });
    expect(query.data).not.toEqual(key.data);
    expect(key.data).not.toEqual(value.data);
  });

  it('draws Q [NQ, D], K [NK, D] and V [NK, DV] of standard normal values', () => {
    const { query, key, value } = seededQkv({ queries: 3, keys: 5, dim: 4, valueDim: 2, seed: 1 });
    expect([query.rows, query.cols, key.rows, key.cols, value.rows, value.cols]).toEqual([3, 4, 5, 4, 5, 2]);
    const { data } = seededMatrix({ rows: 100, cols: 100, seed: 3 });
    const mean = data.reduce((s, x) => s + x, 0) / data.length;
    const sd = Math.sqrt(data.reduce((s, x) => s + (x - mean) ** 2, 0) / data.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(sd - 1)).toBeLessThan(0.05);
  });

  it('draws uniform values within the scale when asked', () => {
    const { data } = seededMatrix({ rows: 10, cols: 10, seed: 2, distribution: 'uniform', scale: 0.5 });
    expect(data.every((x) => x >= -0.5 && x <= 0.5)).toBe(true);
  });

  it('refuses sizes that are not positive integers', () => {
    expect(() => seededMatrix({ rows: 0, cols: 2 })).toThrow(RangeError);
  });
});

describe('masks (1 = may attend)', () => {
  it('builds causal, window and padding masks for non-square sizes', () => {
    expect(Array.from(causalMask(2, 3))).toEqual([1, 0, 0, 1, 1, 0]);
    expect(Array.from(windowMask(3, 3, 1))).toEqual([1, 1, 0, 1, 1, 1, 0, 1, 1]);
    expect(Array.from(paddingMask(2, 3, f32([0, 1, 0])))).toEqual([1, 0, 1, 1, 0, 1]);
    expect(Array.from(fullMask(1, 2, 0))).toEqual([0, 0]);
  });

  it('combines causal, window, mask and padding exactly as the engine applies them', () => {
    const nq = 5, nk = 6, dim = 3;
    const mask = toggleCell(fullMask(nq, nk), nk, 4, 1);
    const keyPadding = Uint8Array.from([0, 0, 1, 0, 0, 0]);
    const options = { causal: true, window: 2, mask, keyPadding };
    const { query, key, value } = seededQkv({ queries: nq, keys: nk, dim, seed: 5 });
    const { weights } = engine.attention({ query: query.data, key: key.data, value: value.data, queries: nq, keys: nk, dim, ...options });
    const allowed = allowedMask(nq, nk, options);
    for (let x = 0; x < nq * nk; x++) expect(weights[x] > 0, `cell ${x}`).toBe(allowed[x] === 1);
  });

  it('toggles cells and padding keys, inverts, and resizes keeping the overlap', () => {
    const mask = toggleCell(fullMask(2, 2), 2, 0, 1);
    expect(Array.from(mask)).toEqual([1, 0, 1, 1]);
    expect(Array.from(invertMask(mask))).toEqual([0, 1, 0, 0]);
    expect(Array.from(togglePadding(new Uint8Array(3), 2))).toEqual([0, 0, 1]);
    expect(Array.from(resizeMask(mask, 2, 2, 3, 3))).toEqual([1, 0, 1, 1, 1, 1, 1, 1, 1]);
    expect(allAllowed(mask)).toBe(false);
    expect(allAllowed(fullMask(2, 2))).toBe(true);
  });

  it('finds the queries that have no allowed key', () => {
    expect(fullyMaskedRows(Uint8Array.from([1, 0, 0, 0, 0, 1]), 3, 2)).toEqual([1]);
  });
});

describe('cross-attention', () => {
  const source = 'le chat est assis sur le tapis';
  const target = 'the cat sat';

  it('gives weights [heads, target tokens, source tokens] and outputs [heads, target tokens, dim]', () => {
    const result = crossAttention(engine, { source, target, heads: 2, seed: 3 });
    expect(result.sourceTokens).toEqual(tokenize(source));
    expect(result.targetTokens).toEqual(tokenize(target));
    expect([result.queries, result.keys]).toEqual([3, 7]);
    expect(result.weights.length).toBe(2 * 3 * 7);
    expect(result.output.length).toBe(2 * 3 * 16);
    for (let row = 0; row < 2 * 3; row++) {
      const sum = result.weights.subarray(row * 7, (row + 1) * 7).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 5);
    }
  });

  it('takes queries from the target and keys and values from the source, as engine.attention does', () => {
    const result = crossAttention(engine, { source, target, heads: 2, seed: 3, variant: 'scaled_dot', temperature: 0.5 });
    const fromTarget = engine.embedText({ tokens: tokenize(target), heads: 2, dim: 16, seed: 3 });
    const fromSource = engine.embedText({ tokens: tokenize(source), heads: 2, dim: 16, seed: 3 });
    const direct = engine.attention({
      query: fromTarget.query, key: fromSource.key, value: fromSource.value,
      heads: 2, queries: 3, keys: 7, dim: 16, temperature: 0.5,
    });
    expect(result.weights).toEqual(direct.weights);
    expect(result.output).toEqual(direct.output);
  });

  it('makes seeded parameters for the variants that need them', () => {
    for (const variant of ['general', 'additive', 'top_k']) {
      const result = crossAttention(engine, { source, target, variant, k: 3, seed: 1 });
      expect(result.params, variant).toBeDefined();
      expect(result.weights.every(Number.isFinite), variant).toBe(true);
    }
    const topK = crossAttention(engine, { source, target, variant: 'top_k', k: 3 });
    for (let i = 0; i < 3; i++) expect(topK.weights.subarray(i * 7, (i + 1) * 7).filter((w) => w > 0).length).toBeLessThanOrEqual(3);
  });

  it('accepts token arrays and says which text is empty', () => {
    const result = crossAttention(engine, { source: ['a', 'b'], target: ['c'] });
    expect(result.weights.length).toBe(2);
    expect(() => crossAttention(engine, { source: '  ', target })).toThrow('The source text has no tokens');
    expect(() => crossAttention(engine, { source, target: '' })).toThrow('The target text has no tokens');
  });
});

describe('comparing two variants', () => {
  const tokens = tokenize('the quick brown fox jumps over the lazy dog');
  const n = tokens.length;
  const qkv = engine.embedText({ tokens, heads: 2, dim: 16, seed: 4 });
  const request = { query: qkv.query, key: qkv.key, value: qkv.value, heads: 2, queries: n, keys: n, dim: 16, causal: true };

  it('returns both variants\' weights and their difference a − b', () => {
    const result = compareVariants(engine, { request, a: 'scaled_dot', b: 'hard' });
    const a = engine.attention({ ...request, variant: 'scaled_dot' }).weights;
    const b = engine.attention({ ...request, variant: 'hard' }).weights;
    expect(result.a.weights).toEqual(a);
    expect(result.b.weights).toEqual(b);
    for (let x = 0; x < a.length; x++) expect(result.diff[x]).toBe(Math.fround(a[x] - b[x]));
    expect(result.maxAbsDiff).toBe(maxAbs(result.diff));
    const { head, row, col, index } = result.at;
    expect(index).toBe((head * n + row) * n + col);
    expect(Math.abs(result.diff[index])).toBe(result.maxAbsDiff);
  });

  it('uses seeded parameters for general, additive and top_k', () => {
    const result = compareVariants(engine, { request, a: 'general', b: 'top_k', seed: 2, k: 2 });
    expect(result.a.params.W).toEqual(engine.seededParams({ variant: 'general', dim: 16, seed: 2 }).W);
    expect(result.b.params).toEqual({ k: 2 });
  });

  it('finds no difference between a variant and itself', () => {
    const result = compareVariants(engine, { request, a: 'dot', b: 'dot' });
    expect(result.maxAbsDiff).toBe(0);
    expect(result.at).toBeNull();
  });

  it('refuses weight arrays of different lengths', () => {
    expect(() => differenceOf(f32([1]), f32([1, 2]))).toThrow(RangeError);
  });
});

describe('the diverging colour map the comparison draws with', () => {
  const at = (t) => sampleStops(PALETTES.diverging, t);

  it('puts zero at the light centre, negative values blue and positive values red', () => {
    const [r0, g0, b0] = at(0.5);
    expect(Math.min(r0, g0, b0)).toBeGreaterThan(240);
    const [rn, , bn] = at(0);
    const [rp, , bp] = at(1);
    expect(bn).toBeGreaterThan(rn);
    expect(rp).toBeGreaterThan(bp);
  });
});
