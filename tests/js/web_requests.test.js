// The page's request building (web/src/compute/requests.js buildRequest, run
// by compute/run.js) and its state table (web/src/state/table.js pageTable):
// every input mode gives the engine's own numbers, the edited mask applies
// only when the editor is open, and the comparison's difference is a − b.
import { describe, expect, it } from 'vitest';
import { loadAttention, tokenize, variants } from '../../wasm/index.js';
import { comparisonOf } from '../../web/src/compute/compare.js';
import { shapeOf, requestOf } from '../../web/src/compute/model.js';
import {
  buildRequest, CROSS_MAX_TOKENS, crossTokens, inputShape, matrixLabels, seededMatrices,
} from '../../web/src/compute/requests.js';
import { createRunner } from '../../web/src/compute/run.js';
import { defaultState, fromHash, pageTable, stateTable, toHash } from '../../web/src/state/table.js';

const engine = await loadAttention();
const table = pageTable([...variants]);
const stateOf = (hash) => fromHash(table, hash);
// One request of the state's inputs, run on a fresh runner.
const computeInputs = (state, inputs, mask = null) => createRunner(engine).compute(buildRequest(state, inputs, mask));

describe('the page state table', () => {
  it('adds the inputs to the element\'s table without changing it', () => {
    const names = table.map((p) => p.name);
    expect(names.slice(0, stateTable([...variants]).length)).toEqual(stateTable([...variants]).map((p) => p.name));
    expect(names).toEqual(expect.arrayContaining(['input', 'source', 'target', 'nq', 'nk', 'd', 'dv', 'mask', 'compare']));
  });

  it('reads the input mode, the sizes and the comparison from a link and clamps them', () => {
    const state = stateOf('#input=matrix&nq=999&nk=0&d=3&compare=dot&input=bogus');
    expect(state.input).toBe('matrix');
    expect([state.nq, state.nk, state.d]).toEqual([64, 1, 3]);
    expect(state.compare).toBe('dot');
    expect(stateOf('#input=nonsense').input).toBe('text');
  });

  it('writes every input property back into the hash', () => {
    const hash = toHash(table, { ...defaultState(table), input: 'cross', source: 'a b', target: 'c' });
    expect(fromHash(table, hash)).toMatchObject({ input: 'cross', source: 'a b', target: 'c' });
  });
});

describe('building the request of each input mode', () => {
  it('matrix mode computes the seeded Q, K and V of the sizes and seed, one head', () => {
    const state = stateOf('#input=matrix&nq=3&nk=4&d=2&dv=5&seed=7');
    const matrices = seededMatrices(state);
    const result = computeInputs(state, { matrices });
    expect(shapeOf(result)).toEqual({ queries: 3, keys: 4, dim: 2, valueDim: 5 });
    expect(result.heads).toBe(1);
    expect(result.colTokens).toEqual(['k1', 'k2', 'k3', 'k4']);
    const direct = engine.attention({
      query: matrices.query.data, key: matrices.key.data, value: matrices.value.data, queries: 3, keys: 4, dim: 2, valueDim: 5,
    });
    expect(result.weights).toEqual(direct.weights);
    expect(result.output).toEqual(direct.output);
    expect(seededMatrices(state)).toEqual(matrices);
  });

  it('matrix mode says which sizes disagree', () => {
    const state = stateOf('#input=matrix');
    const m = seededMatrices(state);
    const wide = { ...m.key, cols: m.key.cols + 1, data: new Float32Array(m.key.rows * (m.key.cols + 1)) };
    expect(() => computeInputs(state, { matrices: { ...m, key: wide } })).toThrow(/Q has 4 columns and K has 5/);
  });

  it('cross mode takes queries from the target and keys and values from the source', () => {
    const state = stateOf('#input=cross&source=le+chat&target=the+black+cat&heads=2&seed=3');
    const inputs = crossTokens(tokenize, state);
    expect(inputShape(state, inputs)).toMatchObject({ queries: 3, keys: 2, rowTokens: ['the', 'black', 'cat'], colTokens: ['le', 'chat'] });
    const result = computeInputs(state, inputs);
    const t = engine.embedText({ tokens: ['the', 'black', 'cat'], heads: 2, dim: 16, seed: 3 });
    const s = engine.embedText({ tokens: ['le', 'chat'], heads: 2, dim: 16, seed: 3 });
    const direct = engine.attention({ query: t.query, key: s.key, value: s.value, heads: 2, queries: 3, keys: 2, dim: 16 });
    expect(result.weights).toEqual(direct.weights);
  });

  it('cross mode cuts each text to its first CROSS_MAX_TOKENS tokens', () => {
    const long = Array.from({ length: CROSS_MAX_TOKENS + 5 }, (_, i) => `w${i}`).join(' ');
    const inputs = crossTokens(tokenize, { source: long, target: 'a' });
    expect(inputs.sourceTokens).toHaveLength(CROSS_MAX_TOKENS);
    expect(inputs.sourceTotal).toBe(CROSS_MAX_TOKENS + 5);
  });

  it('text mode gives what the text model gives, and requestOf rebuilds the request', () => {
    const state = stateOf('#text=a+b+c&heads=2&variant=general&seed=5');
    const result = computeInputs(state, { tokens: ['a', 'b', 'c'] });
    const again = engine.attention(requestOf(result));
    expect(again.weights).toEqual(result.weights);
    expect(result.params).toBeDefined();
  });

  it('applies the edited mask and padding only while the mask editor is open', () => {
    const mask = { mask: Uint8Array.from([1, 0, 1, 1, 1, 1]), keyPadding: Uint8Array.from([0, 0, 1]) };
    const state = stateOf('#input=matrix&nq=2&nk=3&d=2&dv=2&mask=true');
    const inputs = { matrices: seededMatrices(state) };
    const on = computeInputs(state, inputs, mask);
    expect(on.weights[1]).toBe(0);
    expect(on.weights[2]).toBe(0);
    expect(on.weights[5]).toBe(0);
    const off = computeInputs({ ...state, mask: false }, inputs, mask);
    expect(off.request.mask).toBeUndefined();
    expect(off.weights[1]).toBeGreaterThan(0);
  });

  it('ignores a mask of another size instead of failing', () => {
    const state = stateOf('#input=matrix&nq=2&nk=3&mask=true');
    const result = computeInputs(state, { matrices: seededMatrices(state) }, { mask: new Uint8Array(4), keyPadding: new Uint8Array(2) });
    expect(result.request.mask).toBeUndefined();
  });

  it('remembers the last result until the state or the edit version changes', () => {
    const runner = createRunner(engine);
    const compute = (state, inputs, mask, version) => runner.compute(buildRequest(state, { ...inputs, version }, mask));
    const state = stateOf('#input=matrix');
    const inputs = { matrices: seededMatrices(state) };
    const first = compute(state, inputs, null, 0);
    expect(compute({ ...state, view: 'lines' }, inputs, null, 0)).toBe(first);
    expect(compute(state, inputs, null, 1)).not.toBe(first);
  });

  it('labels matrix rows and columns q1… and k1…', () => {
    expect(matrixLabels(3, 'q')).toEqual(['q1', 'q2', 'q3']);
  });
});

describe('comparing two variants', () => {
  it('the difference of the shown head is a − b and its largest |value| is reported', () => {
    const state = stateOf('#text=the+cat+sat&heads=2&compare=dot');
    const result = computeInputs(state, { tokens: ['the', 'cat', 'sat'] });
    const run = comparisonOf(engine, state, result, 2);
    const b = engine.attention({ ...result.request, variant: 'dot' }).weights;
    let max = 0;
    for (let p = 9; p < 18; p++) {
      expect(run.headDiff[p - 9]).toBe(Math.fround(result.weights[p] - b[p]));
      max = Math.max(max, Math.abs(run.headDiff[p - 9]));
    }
    expect(run.headMaxAbsDiff).toBe(max);
    expect(run.a.weights).toEqual(result.weights);
  });
});
