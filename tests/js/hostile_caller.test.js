// The JS API inside somebody else's page: every argument is read once, only
// what was checked is used, anything but the documented types is refused
// with an error naming the argument, and refusals from inside the core free
// what they allocated. Each case here broke the engine, gave a wrong result
// or a bare engine error before the API read its arguments this way.
import { afterEach, describe, expect, it } from 'vitest';
import { loadAttention } from '../../wasm/index.js';
import { expectClose, expectError, randomFloats, referenceAttention } from './support.js';

const engine = await loadAttention();
const f32 = (values) => new Float32Array(values);

// query e0 against keys e0, e1 (dim 2): a request whose right answer is known.
const small = () => ({ query: f32([1, 0]), key: f32([1, 0, 0, 1]), value: f32([1, 2, 3, 4]), queries: 1, keys: 2, dim: 2 });

function expectEngineStillCorrect() {
  const request = { heads: 2, queries: 3, keys: 4, dim: 5, query: randomFloats(30, 1), key: randomFloats(40, 2), value: randomFloats(40, 3) };
  const got = engine.attention(request);
  expectClose(got.weights, referenceAttention(request).weights, { label: 'weights' });
  expectClose(got.output, referenceAttention(request).output, { label: 'output' });
}

// A Float32Array on a resizable buffer, filled with `values`.
function resizable(values, maxFloats = 64) {
  const buffer = new ArrayBuffer(values.length * 4, { maxByteLength: maxFloats * 4 });
  const array = new Float32Array(buffer);
  array.set(values);
  return { buffer, array };
}

const detach = (buffer) => structuredClone(buffer, { transfer: [buffer] });

describe('embedText reads each token once', () => {
  it('a token whose getter answers "a" first and "a\\nb" after is embedded as "a", and the engine keeps working', () => {
    let reads = 0;
    const tokens = ['x'];
    Object.defineProperty(tokens, 0, { get: () => (reads++ === 0 ? 'a' : 'a\nb'), enumerable: true });
    const got = engine.embedText({ tokens });
    expect(reads).toBe(1);
    expect(Array.from(got.query)).toEqual(Array.from(engine.embedText({ tokens: ['a'] }).query));
    expectEngineStillCorrect();
  });

  it('a Proxy that changes a token between reads is read once too', () => {
    let reads = 0;
    const tokens = new Proxy(['a', 'b'], {
      get: (target, key) => (key === '1' ? (reads++ === 0 ? 'b' : 'b\nc\nd') : target[key]),
    });
    const got = engine.embedText({ tokens });
    expect(reads).toBe(1);
    expect(got.tokens).toBe(2);
    expect(Array.from(got.key)).toEqual(Array.from(engine.embedText({ tokens: ['a', 'b'] }).key));
    expectEngineStillCorrect();
  });

  it('a token list with a hole is a TypeError naming the hole', () => {
    // eslint-disable-next-line no-sparse-arrays
    expectError(() => engine.embedText({ tokens: ['a', , 'b'] }), TypeError, 'tokens[1]: expected a non-empty string without whitespace');
  });

  it.each([['U+0085 (next line)', 'a\u0085b'], ['U+2028 (line separator)', 'a\u2028b'], ['U+00A0 (no-break space)', 'a\u00a0b']])(
    'a token containing %s is a TypeError, as any other whitespace is', (label, token) => {
      expectError(() => engine.embedText({ tokens: ['ok', token] }), TypeError, 'tokens[1]: expected a non-empty string without whitespace');
    },
  );
});

describe('tensors are read through their own typed array slots, never their properties', () => {
  it('a Float32Array subclass whose length getter says 2 while it holds 1 float is a RangeError naming query', () => {
    class Liar extends Float32Array {
      get length() { return 2; }
    }
    expectError(() => engine.attention({ ...small(), query: new Liar([1]) }), RangeError, 'query: expected 1·1·2 = 2 floats', 'got 1');
  });

  it('an option getter that shrinks the buffer behind key runs before key is checked: a RangeError naming key', () => {
    const { buffer, array } = resizable([1, 0, 0, 1]);
    const request = { ...small(), key: array };
    Object.defineProperty(request, 'causal', { get: () => { buffer.resize(4); return false; }, enumerable: true });
    expectError(() => engine.attention(request), RangeError, 'key: expected 1·2·2 = 4 floats', 'got 1');
    expectEngineStillCorrect();
  });

  it('a getter that shrinks a fixed-length view out of bounds leaves nothing to read: a RangeError naming value', () => {
    const { buffer } = resizable([1, 2, 3, 4]);
    const request = { ...small(), value: new Float32Array(buffer, 0, 4) };
    Object.defineProperty(request, 'temperature', { get: () => { buffer.resize(8); return 1; }, enumerable: true });
    expectError(() => engine.attention(request), RangeError, 'value: expected 1·2·2 = 4 floats', 'got 0');
  });

  it('the buffer behind key shrunk between prepareRows and rowsInto is a RangeError naming key, not a result from stale memory', () => {
    const { buffer, array } = resizable([1, 0, 0, 1]);
    const prepared = engine.prepareRows({ ...small(), key: new Float32Array(buffer, 0, 4) });
    buffer.resize(8);
    const into = { output: new Float32Array(2), weights: new Float32Array(2) };
    try {
      expectError(() => prepared.rowsInto({ h0: 0, h1: 1, begin: 0, end: 1 }, into), RangeError, 'key: its buffer was detached or resized');
      expect(Array.from(into.output)).toEqual([0, 0]);
    } finally {
      prepared.release();
    }
    expect(array.length).toBe(2);
  });

  it('a buffer growing behind a fixed-length view changes nothing: the checked floats are the ones used', () => {
    const { buffer } = resizable([1, 0, 0, 1]);
    const request = { ...small(), key: new Float32Array(buffer, 0, 4) };
    Object.defineProperty(request, 'causal', { get: () => { buffer.resize(64); return false; }, enumerable: true });
    expectClose(engine.attention(request).output, engine.attention(small()).output);
  });

  const uint8 = (n) => new Uint8Array(n).fill(1);
  const arguments_ = [
    ['query', 'Float32Array', () => f32([1, 0])], ['key', 'Float32Array', () => f32([1, 0, 0, 1])],
    ['value', 'Float32Array', () => f32([1, 2, 3, 4])], ['mask', 'Uint8Array', () => uint8(2)],
    ['keyPadding', 'Uint8Array', () => new Uint8Array(2)],
  ];

  it.each(arguments_)('a %s whose buffer a getter detached is a TypeError naming it', (name, kind, make) => {
    const array = make();
    const request = { ...small(), [name]: array };
    // variant is read before any tensor is checked
    Object.defineProperty(request, 'variant', { get: () => { detach(array.buffer); return 'scaled_dot'; }, enumerable: true });
    expectError(() => engine.attention(request), TypeError, `${name}: its ArrayBuffer is detached`);
    expectEngineStillCorrect();
  });

  it.each(arguments_)('a Proxy around a %s is a TypeError naming it', (name, kind, make) => {
    expectError(() => engine.attention({ ...small(), [name]: new Proxy(make(), {}) }), TypeError, `${name}: expected a ${kind}, got object`);
  });

  it.each(arguments_)('Object.create(prototype) passed as %s is a TypeError naming it', (name, kind) => {
    const fake = Object.create(globalThis[kind].prototype);
    expectError(() => engine.attention({ ...small(), [name]: fake }), TypeError, `${name}: expected a ${kind}, got object`);
  });

  it('a detached into.output is a TypeError naming it, and nothing is computed into freed memory', () => {
    const output = new Float32Array(2);
    detach(output.buffer);
    expectError(() => engine.attentionInto({ ...small(), needWeights: false }, { output }), TypeError, 'into.output: its ArrayBuffer is detached');
  });

  it('a request on a SharedArrayBuffer is accepted', () => {
    const shared = new Float32Array(new SharedArrayBuffer(16));
    shared.set([1, 0, 0, 1]);
    expectClose(engine.attention({ ...small(), key: shared }).output, engine.attention(small()).output);
  });
});

describe('each option is read once', () => {
  it('every getter of a request runs exactly once per call', () => {
    const counts = {};
    const request = {};
    for (const [name, value] of Object.entries({ ...small(), causal: false, temperature: 1, heads: 1 })) {
      Object.defineProperty(request, name, { get: () => { counts[name] = (counts[name] ?? 0) + 1; return value; }, enumerable: true });
    }
    engine.attention(request);
    for (const name of Object.keys(counts)) expect(counts[name], name).toBe(1);
    expect(Object.keys(counts).length).toBe(9);
  });

  it('options given by a class instance\'s prototype getters are read', () => {
    class Request {
      constructor() { Object.assign(this, small()); }
      get causal() { return true; }
    }
    const request = new Request();
    expectClose(engine.attention(request).weights, referenceAttention({ ...small(), causal: true }).weights);
  });
});

describe('a polluted Object.prototype', () => {
  afterEach(() => {
    delete Object.prototype.foo;
    delete Object.prototype.write;
  });

  it('an unrelated enumerable key on Object.prototype breaks no call', () => {
    Object.prototype.foo = 1;
    Object.prototype.write = 'not a function';
    expectClose(engine.attention(small()).output, referenceAttention(small()).output);
    const into = { output: new Float32Array(2), weights: new Float32Array(2) };
    engine.attentionInto(small(), into);
    expectClose(into.weights, referenceAttention(small()).weights);
    expect(engine.attentionTrace({ ...small(), head: 0, row: 0 }).weights.length).toBe(2);
    const prepared = engine.prepareRows(small());
    prepared.rowsInto({ h0: 0, h1: 1, begin: 0, end: 1 }, { output: new Float32Array(2), weights: new Float32Array(2) });
    prepared.release();
    expect(engine.embedText({ tokens: ['a', 'b'] }).tokens).toBe(2);
    const E = 2;
    expect(engine.multiHeadAttention({ query: f32([1, 0]), key: f32([1, 0]), value: f32([1, 0]), queries: 1, keys: 1,
      inProjWeight: new Float32Array(3 * E * E).fill(0.5), outProjWeight: new Float32Array(E * E).fill(0.5) }).output.length).toBe(2);
    expect(engine.seededParams({ variant: 'general', dim: 2 }).W.length).toBe(4);
  });
});

describe('refusals from inside the C++ core free what they allocated', () => {
  const ROUNDS = 20_000;
  const one = { query: f32([1]), key: f32([1]), value: f32([1]), queries: 1, keys: 1, dim: 1 };
  const coreRefusals = [
    [{ ...one, temperature: 1e-45 }, 'temperature: scale / temperature'],
    [{ ...one, query: f32([3e38]), key: f32([3e38]) }, 'score'],
    [{ ...one, scale: 1e39 }, 'scale: expected a finite number'],
  ];

  it.each(coreRefusals.map(([request, message]) => [message, request]))('the core refuses with a RangeError starting "%s"', (message, request) => {
    expectError(() => engine.attention(request), RangeError, message);
  });

  it(`${ROUNDS} refusals from the core, of every API, leave the heap in use and the WASM memory as they were`, () => {
    const calls = [
      ...coreRefusals.map(([request]) => () => engine.attention(request)),
      () => engine.attention({ ...coreRefusals[0][0], needWeights: false }),
      () => engine.attentionTrace({ ...coreRefusals[0][0], head: 0, row: 0 }),
      () => engine.attentionInto(coreRefusals[0][0], { output: new Float32Array(1), weights: new Float32Array(1) }),
    ];
    for (const call of calls) expect(call).toThrow(RangeError);  // warm: the first calls may grow the heap
    const heap = engine.heapBytesInUse, memory = engine.memoryBytes;
    for (let round = 0; round < ROUNDS; round++) {
      try {
        calls[round % calls.length]();
        expect.fail(`round ${round}: the core did not refuse`);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
      }
    }
    expect(engine.heapBytesInUse, 'heap bytes in use').toBe(heap);
    expect(engine.memoryBytes, 'WASM memory').toBe(memory);
    expectEngineStillCorrect();
  });
});
