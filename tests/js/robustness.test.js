// Many errors in a row must leave the engine (and the raw WASM core) working:
// no leaked WASM stack (a JS throw out of WASM leaves the stack pointer
// behind), no leaked heap, no poisoned state.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadAttention } from '../../wasm/index.js';
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
  // Fields of the binding's AttentionCall value object; addresses 0 are fine
  // where the core refuses the call before reading any tensor.
  const rawCall = {
    out: 0, weights: 0, query: 0, key: 0, value: 0, mask: 0, keyPadding: 0, W: 0, Wq: 0, Wk: 0, v: 0,
    heads: 1, queries: 1, keys: 2, dim: 2, valueDim: 2, variant: 'scaled_dot', causal: false, window: -1,
    temperature: 1, hasScale: false, scale: 1, k: 0, da: 0,
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
    core.attention({ ...rawCall, ...pointers });
    const weights = Array.from(core.HEAPF32.subarray(pointers.weights / 4, pointers.weights / 4 + 2));
    for (const pointer of Object.values(pointers)) core._free(pointer);
    return weights;
  }

  // Calls fn ROUNDS times the way index.js does: save the stack pointer,
  // restore it in the catch. Every call must throw an Error starting with prefix.
  function throwRepeatedly(core, fn, prefix) {
    for (let round = 0; round < ROUNDS; round++) {
      const stack = core.stackSave();
      let error = null;
      try {
        fn();
      } catch (thrown) {
        core.stackRestore(stack);
        error = thrown;
      }
      // outside the try, so this failure is not caught and re-read as the core's error
      if (error === null) expect.fail(`round ${round}: the core did not throw`);
      if (!(error instanceof Error) || !error.message.startsWith(prefix)) {
        expect.fail(`round ${round}: expected an Error starting "${prefix}", got ${String(error?.message ?? error)}`);
      }
    }
  }

  const w0 = Math.exp(Math.SQRT1_2) / (Math.exp(Math.SQRT1_2) + 1);

  it(`throws a JS Error naming the variant ${ROUNDS} times and then still computes`, async () => {
    const core = await createAttentionCore({ wasmBinary });
    const memoryBefore = core.HEAPU8.length;
    expectClose(rawOrthogonal(core), [w0, 1 - w0]);
    throwRepeatedly(core, () => core.attention({ ...rawCall, variant: 'nope' }),
      'variant: unknown variant "nope"; expected one of scaled_dot, dot, general, additive, hard, top_k');
    expectClose(rawOrthogonal(core), [w0, 1 - w0]);
    expect(core.HEAPU8.length, 'WASM memory did not grow: no heap leak per throw').toBe(memoryBefore);
  });

  it(`throws a JS Error naming heads from textQKV ${ROUNDS} times and then still computes`, async () => {
    const core = await createAttentionCore({ wasmBinary });
    throwRepeatedly(core, () => core.textQKV('a', 0, 16, 0, 0.5, 0, 0, 0), 'heads: expected an integer from 1 to 64, got 0');
    expectClose(rawOrthogonal(core), [w0, 1 - w0]);
  });

  it('names the argument in every core-side refusal', async () => {
    const core = await createAttentionCore({ wasmBinary });
    const cases = [
      [() => core.attention({ ...rawCall, heads: 0 }), 'heads: expected an integer from 1 to 65536, got 0'],
      [() => core.attention({ ...rawCall, dim: 70000 }), 'dim: expected an integer from 1 to 65536, got 70000'],
      [() => core.attention({ ...rawCall, temperature: 0 }), 'temperature: expected a finite number > 0'],
      [() => core.attention({ ...rawCall, hasScale: true, scale: NaN }), 'scale: expected a finite number'],
      [() => core.attention({ ...rawCall, window: -2 }), 'window: expected an integer >= 0, got -2'],
      [() => core.attention({ ...rawCall, variant: 'general' }), 'params.W: the general variant needs W [dim, dim]'],
      [() => core.attention({ ...rawCall, variant: 'additive' }), 'params.Wq, params.Wk, params.v: the additive variant needs all three'],
      [() => core.attention({ ...rawCall, variant: 'top_k' }), 'params.k: expected an integer >= 1, got 0'],
      [() => core.attention({ ...rawCall, heads: 8, queries: 65536, keys: 65536 }), 'weights: 34359738368 floats is over the limit of 67108864'],
      [() => core.multiHeadAttention({ ...rawCall, averageWeights: 0, inProjWeight: 0, inProjBias: 0, outProjWeight: 0, outProjBias: 0, heads: 3, queries: 1, keys: 1, embedDim: 4 }),
        'heads: expected a divisor of embedDim 4, got 3'],
      [() => core.textQKV('a', 1, 0, 0, 0.5, 0, 0, 0), 'dim: expected an integer from 1 to 4096, got 0'],
      [() => core.seededGeneral(0, 0, 0), 'dim: expected an integer from 1 to 4096, got 0'],
      [() => core.seededAdditive(0, 0, 0, 5000, 0), 'dim: expected an integer from 1 to 4096, got 5000'],
    ];
    for (const [fn, message] of cases) {
      const stack = core.stackSave();
      let error;
      try {
        fn();
      } catch (thrown) {
        error = thrown;
        core.stackRestore(stack);
      }
      expect(error, message).toBeInstanceOf(Error);
      expect(error.message).toContain(message);
    }
    expectClose(rawOrthogonal(core), [w0, 1 - w0]);
  });
});
