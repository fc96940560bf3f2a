// engine.prepareRows: one request computed in pieces (heads × query rows),
// as the worker pool's threads do. Every piece gives the bits of attention(),
// in any order; a head's tensors are copied and checked when a piece first
// needs them; bad pieces are refused by name and write nothing; release()
// frees the memory and the engine keeps working.
import { describe, expect, it } from 'vitest';
import { loadAttention } from '../../wasm/index.js';
import { expectSameBits, randomBytes, randomFloats } from './support.js';

const engine = await loadAttention();

const H = 3, NQ = 150, NK = 140, D = 6, DV = 5;
const request = (rest = {}) => ({
  heads: H, queries: NQ, keys: NK, dim: D, valueDim: DV,
  query: randomFloats(H * NQ * D, 1), key: randomFloats(H * NK * D, 2), value: randomFloats(H * NK * DV, 3), ...rest,
});

// rows [begin, end) of heads [h0, h1) of a whole [H, NQ, width] result
function rowsOf(whole, { h0, h1, begin, end }, width) {
  const out = [];
  for (let h = h0; h < h1; h++) out.push(...whole.subarray((h * NQ + begin) * width, (h * NQ + end) * width));
  return Float32Array.from(out);
}

// later rows first, pieces across heads, one row, and a head that earlier pieces packed
const pieces = [
  { h0: 1, h1: 2, begin: 100, end: NQ }, { h0: 0, h1: 3, begin: 0, end: 1 }, { h0: 0, h1: 2, begin: 1, end: 100 },
  { h0: 2, h1: 3, begin: 1, end: NQ }, { h0: 1, h1: 2, begin: 64, end: 65 },
];

describe('prepareRows', () => {
  it('gives every piece the bits of attention(), in any order, with and without weights', () => {
    const variants = [
      {}, { variant: 'dot', causal: true, window: 40 }, { mask: randomBytes(NQ * NK, 4, 0.8), keyPadding: randomBytes(NK, 5, 0.1) },
      { variant: 'general', params: { W: randomFloats(D * D, 6) }, temperature: 0.5 },
      { variant: 'additive', params: { Wq: randomFloats(4 * D, 7), Wk: randomFloats(4 * D, 8), v: randomFloats(4, 9) } },
      { variant: 'top_k', params: { k: 3 } }, { needWeights: false, scale: 0.2 },
    ];
    for (const extra of variants) {
      const whole = engine.attention(request(extra));
      const prepared = engine.prepareRows(request(extra));
      for (const piece of pieces) {
        const count = (piece.h1 - piece.h0) * (piece.end - piece.begin);
        const into = { output: new Float32Array(count * DV), weights: whole.weights ? new Float32Array(count * NK) : null };
        const got = prepared.rowsInto(piece, into);
        expect(got.output).toBe(into.output);
        const label = `${JSON.stringify(Object.keys(extra))} ${JSON.stringify(piece)}`;
        expectSameBits(got.output, rowsOf(whole.output, piece, DV), `output ${label}`);
        if (whole.weights) expectSameBits(got.weights, rowsOf(whole.weights, piece, NK), `weights ${label}`);
        else expect(got.weights).toBeNull();
      }
      prepared.release();
    }
  });

  it('checks a head when a piece first needs it, naming the element of the whole tensor', () => {
    const key = request().key.slice();
    key[2 * NK * D + 11] = NaN;  // head 2
    const prepared = engine.prepareRows(request({ key, needWeights: false }));
    const output = new Float32Array(NQ * DV);
    expect(() => prepared.rowsInto({ h0: 0, h1: 1, begin: 0, end: NQ }, { output })).not.toThrow();
    expect(() => prepared.rowsInto({ h0: 2, h1: 3, begin: 0, end: NQ }, { output })).toThrow(
      new RangeError(`key: element ${2 * NK * D + 11} is NaN; expected finite numbers only`),
    );
    prepared.release();
  });

  it('refuses pieces outside the request and arrays of other lengths by name, writing nothing', () => {
    const prepared = engine.prepareRows(request({ needWeights: false }));
    const output = new Float32Array(NQ * DV).fill(7);
    const bad = [
      [{ h0: -1, h1: 1, begin: 0, end: NQ }, /^piece\.h0: /], [{ h0: 0, h1: 4, begin: 0, end: NQ }, /^piece\.h1: /],
      [{ h0: 1, h1: 1, begin: 0, end: NQ }, /^piece\.h1: /], [{ h0: 0, h1: 1, begin: 5, end: 5 }, /^piece\.end: /],
      [{ h0: 0, h1: 1, begin: 0, end: NQ + 1 }, /^piece\.end: /], [{ h0: 0, h1: 1, begin: 0, end: 10 }, /^into\.output: /],
      [null, /^piece: /],
    ];
    for (const [piece, message] of bad) expect(() => prepared.rowsInto(piece, { output }), JSON.stringify(piece)).toThrow(message);
    expect(() => prepared.rowsInto(pieces[1], { output: output.subarray(0, 3 * DV), weights: new Float32Array(3 * NK) }))
      .toThrow(/^into\.weights: needWeights is false/);
    expect(output.every((x) => x === 7)).toBe(true);
    const withWeights = engine.prepareRows(request());
    const shared = new Float32Array(NQ * DV + NQ * NK);
    expect(() => withWeights.rowsInto({ h0: 0, h1: 1, begin: 0, end: NQ }, { output: shared.subarray(0, NQ * DV), weights: shared.subarray(10, 10 + NQ * NK) }))
      .toThrow(/^into: output and weights overlap/);
    withWeights.release();
    expect(() => engine.prepareRows(request({ rows: { begin: 0, end: 2 } }))).toThrow(/^rows: prepareRows takes a whole request/);
    expect(() => engine.prepareRows(null)).toThrow(/^request: /);
    prepared.release();
  });

  it('applies the weights limit to each piece, not to the whole request', () => {
    const n = 16384;  // whole weights 2^28 floats, over the limit of 2^26
    const long = { heads: 1, queries: n, keys: n, dim: 2, query: randomFloats(2 * n, 20), key: randomFloats(2 * n, 21), value: randomFloats(2 * n, 22) };
    expect(() => engine.attention(long)).toThrow(/^weights: /);
    const prepared = engine.prepareRows(long);
    const piece = { h0: 0, h1: 1, begin: n - 4, end: n };
    const got = prepared.rowsInto(piece, { output: new Float32Array(4 * 2), weights: new Float32Array(4 * n) });
    const want = engine.attention({ ...long, rows: { begin: n - 4, end: n } });
    expectSameBits(got.weights, want.weights, 'weights of the last 4 rows');
    expect(() => prepared.rowsInto({ h0: 0, h1: 1, begin: 0, end: 4097 }, { output: new Float32Array(4097 * 2), weights: new Float32Array(1) }))
      .toThrow(/^weights: 1·4097·16384 = \d+ floats is over the limit/);
    prepared.release();
  });

  it('frees its memory on release: later pieces throw, the engine works, and memory stays put over many requests', () => {
    const prepared = engine.prepareRows(request({ needWeights: false }));
    prepared.release();
    prepared.release();  // twice is harmless
    expect(() => prepared.rowsInto(pieces[0], { output: new Float32Array(50 * DV) })).toThrow(/released/);
    // 4096 keys of width 64: each prepared request packs 2 MiB of keys and values
    const n = 4096, big = {
      heads: 1, queries: n, keys: n, dim: 64, needWeights: false,
      query: randomFloats(n * 64, 10), key: randomFloats(n * 64, 11), value: randomFloats(n * 64, 12),
    };
    const cycle = () => {
      const p = engine.prepareRows(big);
      p.rowsInto({ h0: 0, h1: 1, begin: 0, end: 4 }, { output: new Float32Array(4 * 64) });
      p.release();
    };
    cycle();
    const bytes = engine.memoryBytes;
    for (let k = 0; k < 40; k++) cycle();
    expect(engine.memoryBytes).toBe(bytes);
    expectSameBits(engine.attention(request()).output, engine.attention(request()).output, 'output after');
  });
});
