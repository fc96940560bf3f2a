// Many errors in a row must leave the engine (and the raw WASM core) working:
// no leaked WASM stack (a JS throw out of WASM leaves the stack pointer
// behind), no leaked heap, no poisoned state.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ATTENTION_RECORD, MULTI_HEAD_RECORD, check, recordBytes, writeRecord } from '../../wasm/call-records.js';
import { loadAttention, variants } from '../../wasm/index.js';
import { expectClose, randomFloats, referenceAttention } from './support.js';

const ROUNDS = 20_000;

const engine = await loadAttention();
// loadAttention has defined globalThis.__dirname, which the generated module's Node path reads.
const { default: createAttentionCore } = await import('../../wasm/generated/attention_core.js');
const wasmBinary = readFileSync(new URL('../../wasm/generated/attention_core.wasm', import.meta.url));

const f32 = (values) => new Float32Array(values);
const request = {
  heads: 2, queries: 3, keys: 4, dim: 5, valueDim: 3, causal: true,
  query: randomFloats(30, 1), key: randomFloats(40, 2), value: randomFloats(24, 3),
};

function expectEngineStillCorrect(target = engine) {
  const got = target.attention(request);
  const want = referenceAttention(request);
  expectClose(got.weights, want.weights, { label: 'weights' });
  expectClose(got.output, want.output, { label: 'output' });
  // and a call large enough to need fresh stack and heap
  const big = { queries: 64, keys: 256, dim: 64, query: randomFloats(64 * 64, 4), key: randomFloats(256 * 64, 5), value: randomFloats(256 * 64, 6) };
  expectClose(target.attention(big).output, referenceAttention(big).output, { label: 'big output' });
}

// Runs fn, which must throw; returns the error.
function caught(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('the engine after many errors', () => {
  it(`computes correctly after ${ROUNDS} mixed argument errors`, () => {
    const good = { query: f32([1, 0]), key: f32([1, 0, 0, 1]), value: f32([1, 2, 3, 4]), queries: 1, keys: 2, dim: 2 };
    const failing = [
      [() => engine.attention({ ...good, key: f32([1, 0, 0]) }), RangeError, 'key:'],
      [() => engine.attention({ ...good, query: [1, 0] }), TypeError, 'query:'],
      [() => engine.attention({ ...good, value: f32([1, NaN, 3, 4]) }), RangeError, 'value:'],
      [() => engine.attention({ ...good, variant: 'nope' }), RangeError, 'variant:'],
      [() => engine.attention({ ...good, temperature: 0 }), RangeError, 'temperature:'],
      [() => engine.attention({ ...good, heads: 8, queries: 65536, keys: 65536 }), RangeError, 'weights:'],
      [() => engine.attention(null), TypeError, 'request:'],
      [() => engine.attention({ ...good, temperature: 1e-50 }), RangeError, 'temperature:'], // refused by the core
      [() => engine.multiHeadAttention({ ...good, heads: 3, inProjWeight: f32(12), outProjWeight: f32(4) }), RangeError, 'heads:'],
      [() => engine.embedText({ tokens: ['a b'] }), TypeError, 'tokens[0]:'],
      [() => engine.seededParams({ variant: 'nope', dim: 2 }), RangeError, 'variant:'],
    ];
    for (let round = 0; round < ROUNDS; round++) {
      const [fn, errorClass, prefix] = failing[round % failing.length];
      const error = caught(fn);
      if (!(error instanceof errorClass) || !error.message.startsWith(prefix)) {
        expect.fail(`round ${round}: expected ${errorClass.name} starting "${prefix}", got ${error.constructor.name}: ${error.message}`);
      }
    }
    expectEngineStillCorrect();
    expect(engine.embedText({ tokens: ['still', 'fine'] }).query.every(Number.isFinite)).toBe(true);
  });

  it(`computes correctly after ${ROUNDS} errors thrown by the C++ core itself (no JS pre-validation)`, async () => {
    // Values the JS layer accepts (finite float64) but the core refuses once
    // they are float32: temperature 1e-50 becomes 0, 1e39 becomes Infinity,
    // scale 1e39 becomes Infinity; and an additive hidden width da = 65537,
    // which only the core bounds. Each throw crosses WASM → JS as an Error.
    const fresh = await loadAttention();
    const base = { query: f32([1]), key: f32([1]), value: f32([1]), queries: 1, keys: 1, dim: 1 };
    const wide = new Float32Array(65537);
    const coreRefusals = [
      [{ ...base, temperature: 1e-50 }, 'temperature: expected a finite number > 0'],
      [{ ...base, temperature: 1e39 }, 'temperature: expected a finite number > 0'],
      [{ ...base, scale: 1e39 }, 'scale: expected a finite number'],
      [{ ...base, variant: 'additive', params: { Wq: wide, Wk: wide, v: wide } }, 'params.v length (da): expected an integer from 1 to 65536, got 65537'],
    ];
    for (let round = 0; round < ROUNDS; round++) {
      // the wide additive case copies 768 KiB per call: run it only now and then
      const [bad, message] = coreRefusals[round % 100 === 99 ? 3 : round % 3];
      const error = caught(() => fresh.attention(bad));
      if (!(error instanceof RangeError) || !error.message.startsWith(message)) {
        expect.fail(`round ${round}: expected RangeError "${message}", got ${error.constructor.name}: ${error.message}`);
      }
    }
    expectEngineStillCorrect(fresh);
  });
});

describe('the raw WASM core', () => {
  // A record of the binding's attention call (call-records.js); addresses 0
  // are fine where the core refuses the call before reading any tensor.
  const rawCall = {
    heads: 1, queries: 1, keys: 2, dim: 2, value_dim: 2, variant: 0, temperature: 1, scale: 1,
  };
  const record = (core, layout, values) => {
    const pointer = core._malloc(recordBytes(layout));
    writeRecord(core, pointer, layout, values);
    return pointer;
  };

  // One valid attention call through the raw binding: query e0 against keys e0, e1.
  function rawOrthogonal(core) {
    const floats = (values) => {
      const pointer = core._malloc(values.length * 4);
      core.HEAPF32.set(values, pointer / 4);
      return pointer;
    };
    const pointers = {
      query: floats([1, 0]), key: floats([1, 0, 0, 1]), value: floats([1, 2, 3, 4]),
      out: floats([0, 0]), weights: floats([0, 0]),
    };
    const call = record(core, ATTENTION_RECORD, { ...rawCall, ...pointers });
    check(core, core.attention(call));
    const weights = Array.from(core.HEAPF32.subarray(pointers.weights / 4, pointers.weights / 4 + 2));
    for (const pointer of [...Object.values(pointers), call]) core._free(pointer);
    return weights;
  }

  // Calls fn ROUNDS times; every call must fail with a status whose message
  // starts with prefix, and leave the heap as it found it.
  function failRepeatedly(core, fn, prefix) {
    const heapBefore = core.heapBytesInUse();
    for (let round = 0; round < ROUNDS; round++) {
      const status = fn();
      if (status === 0) expect.fail(`round ${round}: the core did not refuse the call`);
      const error = caught(() => check(core, status));
      if (!(error instanceof RangeError) || !error.message.startsWith(prefix)) {
        expect.fail(`round ${round}: expected a RangeError starting "${prefix}", got ${String(error?.message ?? error)}`);
      }
    }
    expect(core.heapBytesInUse(), 'heap in use after the refusals').toBe(heapBefore);
  }

  const w0 = Math.exp(Math.SQRT1_2) / (Math.exp(Math.SQRT1_2) + 1);

  it(`refuses an unknown variant code ${ROUNDS} times with a named message, leaking nothing, and then still computes`, async () => {
    const core = await createAttentionCore({ wasmBinary });
    const memoryBefore = core.HEAPU8.length;
    expectClose(rawOrthogonal(core), [w0, 1 - w0]);
    const call = record(core, ATTENTION_RECORD, { ...rawCall, variant: 99 });
    failRepeatedly(core, () => core.attention(call), 'variant: expected a variant code from 0 to 5, got 99');
    expectClose(rawOrthogonal(core), [w0, 1 - w0]);
    expect(core.HEAPU8.length, 'WASM memory did not grow: no heap leak per refusal').toBe(memoryBefore);
  });

  it(`refuses heads 0 from textQKV ${ROUNDS} times with a named message, leaking nothing, and then still computes`, async () => {
    const core = await createAttentionCore({ wasmBinary });
    const text = core._malloc(1);
    core.HEAPU8[text] = 97;  // "a"
    failRepeatedly(core, () => core.textQKV(text, 1, 1, 0, 16, 0, 0.5, 0, 0, 0), 'heads: expected an integer from 1 to 64, got 0');
    expectClose(rawOrthogonal(core), [w0, 1 - w0]);
  });

  it('refuses text whose tokens do not number what q, k and v were sized for, before writing anything', async () => {
    const core = await createAttentionCore({ wasmBinary });
    const text = core._malloc(3);
    core.HEAPU8.set([97, 10, 98], text);  // "a\nb": two tokens
    failRepeatedly(core, () => core.textQKV(text, 3, 1, 1, 16, 0, 0.5, 0, 0, 0), 'tokens: the text holds 2 tokens, expected 1');
  });

  it('names the argument in every core-side refusal', async () => {
    const core = await createAttentionCore({ wasmBinary });
    const attention = (changes) => core.attention(record(core, ATTENTION_RECORD, { ...rawCall, ...changes }));
    const cases = [
      [() => attention({ heads: 0 }), 'heads: expected an integer from 1 to 65536, got 0'],
      [() => attention({ dim: 70000 }), 'dim: expected an integer from 1 to 65536, got 70000'],
      [() => attention({ temperature: 0 }), 'temperature: expected a finite number > 0'],
      [() => attention({ has_scale: true, scale: NaN }), 'scale: expected a finite number'],
      [() => attention({ has_window: true, window: -2 }), 'window: expected an integer >= 0, got -2'],
      [() => attention({ has_window: true, window: -1 }), 'window: expected an integer >= 0, got -1'],
      [() => attention({ variant: variants.indexOf('general') }), 'params.W: the general variant needs W [dim, dim]'],
      [() => attention({ variant: variants.indexOf('additive') }), 'params.Wq, params.Wk, params.v: the additive variant needs all three'],
      [() => attention({ variant: variants.indexOf('top_k') }), 'params.k: expected an integer >= 1, got 0'],
      [() => attention({ heads: 8, queries: 65536, keys: 65536 }), 'weights: 34359738368 floats is over the limit of 67108864'],
      [() => core.multiHeadAttention(record(core, MULTI_HEAD_RECORD, { heads: 3, queries: 1, keys: 1, embed_dim: 4 })),
        'heads: expected a divisor of embedDim 4, got 3'],
      [() => core.textQKV(0, 0, 1, 1, 0, 0, 0.5, 0, 0, 0), 'dim: expected an integer from 1 to 4096, got 0'],
      [() => core.seededGeneral(0, 0, 0), 'dim: expected an integer from 1 to 4096, got 0'],
      [() => core.seededAdditive(0, 0, 0, 5000, 0), 'dim: expected an integer from 1 to 4096, got 5000'],
    ];
    for (const [fn, message] of cases) {
      const error = caught(() => check(core, fn()));
      expect(error, message).toBeInstanceOf(RangeError);
      expect(error.message).toContain(message);
    }
    expectClose(rawOrthogonal(core), [w0, 1 - w0]);
  });
});
