// Every refusal of the JS API: a TypeError for the wrong kind of value, a
// RangeError for the right kind with the wrong size or value, and a message
// that starts with the argument's name and says what was expected.
import { describe, expect, it } from 'vitest';
import { loadAttention, variants } from '../../wasm/index.js';
import { expectError } from './support.js';

const engine = await loadAttention();
const f32 = (length) => new Float32Array(length).fill(0.5);

// heads 1, queries 2, keys 2, dim 2: query, key, value are 4 floats each.
const valid = () => ({ query: f32(4), key: f32(4), value: f32(4), queries: 2, keys: 2, dim: 2 });
const attend = (changes) => () => engine.attention({ ...valid(), ...changes });

// queries 2, keys 3, E = 4
const validMultiHead = () => ({
  query: f32(8), key: f32(12), value: f32(12), queries: 2, keys: 3, heads: 2,
  inProjWeight: f32(48), outProjWeight: f32(16),
});
const attendMultiHead = (changes) => () => engine.multiHeadAttention({ ...validMultiHead(), ...changes });

describe('attention refuses a request that is not an object', () => {
  it.each([[null, 'null'], [3, '3'], ['q', 'the string "q"'], [[], 'an Array of length 0'], [undefined, 'undefined']])(
    'request %j is a TypeError',
    (request, described) => {
      expectError(() => engine.attention(request), TypeError, `request: expected an object, got ${described}`);
    },
  );
});

describe('attention refuses tensors of the wrong length', () => {
  it('names key, the expected product and the shape: key: expected 1·2·2 = 4 floats ([heads·keys·dim]), got 3', () => {
    expectError(attend({ key: f32(3) }), RangeError, 'key: expected 1·2·2 = 4 floats ([heads·keys·dim]), got 3');
  });

  it('query', () => {
    expectError(attend({ query: f32(5) }), RangeError, 'query: expected 1·2·2 = 4 floats ([heads·queries·dim]), got 5');
  });

  it('value, sized by valueDim', () => {
    expectError(attend({ valueDim: 3 }), RangeError, 'value: expected 1·2·3 = 6 floats ([heads·keys·valueDim]), got 4');
  });

  it('query with two heads', () => {
    expectError(attend({ heads: 2 }), RangeError, 'query: expected 2·2·2 = 8 floats ([heads·queries·dim]), got 4');
  });

  it('mask', () => {
    expectError(attend({ mask: new Uint8Array(3) }), RangeError, 'mask: expected 2·2 = 4 bytes ([queries·keys]), got 3');
  });

  it('keyPadding', () => {
    expectError(attend({ keyPadding: new Uint8Array(3) }), RangeError, 'keyPadding: expected 2 bytes ([keys]), got 3');
  });

  it('params.W of general', () => {
    expectError(attend({ variant: 'general', params: { W: f32(3) } }), RangeError, 'params.W: expected 2·2 = 4 floats ([dim·dim]), got 3');
  });

  it('params.Wq and params.Wk of additive, sized by v', () => {
    expectError(
      attend({ variant: 'additive', params: { Wq: f32(4), Wk: f32(6), v: f32(3) } }),
      RangeError, 'params.Wq: expected 3·2 = 6 floats ([da·dim]), got 4',
    );
    expectError(
      attend({ variant: 'additive', params: { Wq: f32(6), Wk: f32(5), v: f32(3) } }),
      RangeError, 'params.Wk: expected 3·2 = 6 floats ([da·dim]), got 5',
    );
  });

  it('an empty params.v of additive (da = 0)', () => {
    expectError(attend({ variant: 'additive', params: { Wq: f32(0), Wk: f32(0), v: f32(0) } }), RangeError, 'params.v: expected at least 1 float');
  });
});

describe('attention refuses tensors of the wrong type', () => {
  it.each([
    ['a plain Array', [0.5, 0.5, 0.5, 0.5], 'an Array of length 4'],
    ['a Float64Array', new Float64Array(4), 'a Float64Array'],
    ['a Uint8Array', new Uint8Array(4), 'a Uint8Array'],
    ['a number', 4, '4'],
    ['null', null, 'null'],
  ])('query as %s is a TypeError', (_, query, described) => {
    expectError(attend({ query }), TypeError, `query: expected a Float32Array, got ${described}`);
  });

  it.each(['query', 'key', 'value'])('missing %s is a TypeError', (name) => {
    expectError(attend({ [name]: undefined }), TypeError, `${name}: expected a Float32Array, got undefined`);
  });

  it('mask as a number is a TypeError', () => {
    expectError(attend({ mask: 1 }), TypeError, 'mask: expected a Uint8Array, got 1');
  });

  it('mask as a plain Array is a TypeError', () => {
    expectError(attend({ mask: [1, 1, 1, 1] }), TypeError, 'mask: expected a Uint8Array, got an Array of length 4');
  });

  it('mask as a Float32Array is a TypeError', () => {
    expectError(attend({ mask: f32(4) }), TypeError, 'mask: expected a Uint8Array, got a Float32Array');
  });

  it('keyPadding as a plain Array is a TypeError', () => {
    expectError(attend({ keyPadding: [0, 0] }), TypeError, 'keyPadding: expected a Uint8Array, got an Array of length 2');
  });

  it('params.W as a Float64Array is a TypeError', () => {
    expectError(attend({ variant: 'general', params: { W: new Float64Array(4) } }), TypeError, 'params.W: expected a Float32Array, got a Float64Array');
  });

  it('params.v of additive as a plain Array is a TypeError', () => {
    expectError(attend({ variant: 'additive', params: { Wq: f32(2), Wk: f32(2), v: [1] } }), TypeError, 'params.v: expected a Float32Array');
  });

  it('causal as a string is a TypeError', () => {
    expectError(attend({ causal: 'yes' }), TypeError, 'causal: expected true or false, got the string "yes"');
  });
});

describe('attention refuses bad sizes', () => {
  it.each(['queries', 'keys', 'dim'])('missing %s is a TypeError', (name) => {
    expectError(attend({ [name]: undefined }), TypeError, `${name}: expected an integer from 1 to 65536, got undefined`);
  });

  it.each([
    ['heads', 0], ['heads', -1], ['heads', 1.5], ['heads', 65537], ['heads', NaN],
    ['queries', 0], ['queries', 2.5], ['keys', -2], ['keys', 70000], ['dim', 0], ['dim', Infinity], ['valueDim', 0],
  ])('%s = %s is a RangeError', (name, value) => {
    expectError(attend({ [name]: value }), RangeError, `${name}: expected an integer from 1 to 65536, got ${value}`);
  });

  it.each([['heads', '2'], ['dim', null], ['queries', true], ['valueDim', '3']])('%s = %j is a TypeError', (name, value) => {
    expectError(attend({ [name]: value }), TypeError, `${name}: expected an integer from 1 to 65536`);
  });

  it('a request over the weights limit (8·65536·65536 floats) is refused before anything is read or allocated', () => {
    // The tensors are tiny: only the size check, which runs first, can produce this message.
    expectError(
      attend({ heads: 8, queries: 65536, keys: 65536 }),
      RangeError, 'weights: 8·65536·65536 = 34359738368 floats is over the limit of 67108864 (256 MiB)',
    );
  });

  it('a request over the output limit is refused before anything is read', () => {
    expectError(
      attend({ queries: 65536, keys: 1, valueDim: 65536 }),
      RangeError, 'output: 1·65536·65536 = 4294967296 floats is over the limit of 67108864',
    );
  });

  it('a query over the tensor limit is refused before its elements are read', () => {
    expectError(attend({ queries: 65536, keys: 1, dim: 65536, valueDim: 1 }), RangeError, 'query: 1·65536·65536 = 4294967296 floats is over the limit');
  });

  it('the limits are published on the engine', () => {
    expect(engine.limits).toEqual({ maxExtent: 65536, maxTensorFloats: 2 ** 26 });
  });
});

describe('attention refuses bad options', () => {
  it.each([['nope', RangeError], ['SCALED_DOT', RangeError], [3, TypeError], [null, TypeError]])('variant %j', (variant, errorClass) => {
    expectError(attend({ variant }), errorClass, 'variant: unknown variant', `expected one of ${variants.join(', ')}`);
  });

  it.each([0, -1, NaN, Infinity, -Infinity])('temperature %s is a RangeError', (temperature) => {
    expectError(attend({ temperature }), RangeError, `temperature: expected a finite number > 0, got ${temperature}`);
  });

  it.each([['the string "2"', '2'], ['null', null]])('temperature as %s is a TypeError', (described, temperature) => {
    expectError(attend({ temperature }), TypeError, `temperature: expected a finite number > 0, got ${described}`);
  });

  it.each([NaN, Infinity])('scale %s is a RangeError', (scale) => {
    expectError(attend({ scale }), RangeError, `scale: expected a finite number, got ${scale}`);
  });

  it('scale as a string is a TypeError', () => {
    expectError(attend({ scale: '1' }), TypeError, 'scale: expected a finite number, got the string "1"');
  });

  it.each([-1, 1.5, 70000])('window %s is a RangeError', (window) => {
    expectError(attend({ window }), RangeError, `window: expected an integer from 0 to 65536, got ${window}`);
  });

  it('window as a string is a TypeError', () => {
    expectError(attend({ window: '2' }), TypeError, 'window: expected an integer');
  });

  it('general without W is a TypeError that says what W must be', () => {
    expectError(attend({ variant: 'general' }), TypeError, 'params.W: the general variant needs W, a Float32Array of dim·dim = 4 floats');
    expectError(attend({ variant: 'general', params: {} }), TypeError, 'params.W');
  });

  it('additive without all of Wq, Wk and v is a TypeError', () => {
    expectError(attend({ variant: 'additive' }), TypeError, 'params: the additive variant needs Wq [da, dim], Wk [da, dim] and v [da]');
    expectError(attend({ variant: 'additive', params: { Wq: f32(2), v: f32(1) } }), TypeError, 'params: the additive variant needs');
  });

  it('top_k without k is a TypeError', () => {
    expectError(attend({ variant: 'top_k' }), TypeError, 'params.k: the top_k variant needs k, an integer >= 1');
    expectError(attend({ variant: 'top_k', params: {} }), TypeError, 'params.k');
  });

  it.each([0, -1, 1.5])('top_k with k %s is a RangeError', (k) => {
    expectError(attend({ variant: 'top_k', params: { k } }), RangeError, `params.k: expected an integer from 1 to 65536, got ${k}`);
  });
});

describe('attention refuses non-finite tensor elements', () => {
  it.each([
    ['query', NaN], ['query', Infinity], ['key', -Infinity], ['value', NaN],
  ])('%s containing %s is a RangeError naming the element', (name, bad) => {
    const tensor = f32(4);
    tensor[2] = bad;
    expectError(attend({ [name]: tensor }), RangeError, `${name}: element 2 is ${bad}; expected finite numbers only`);
  });

  it.each([
    ['general', 'params.W', { W: f32(4) }, 'W'],
    ['additive', 'params.Wq', { Wq: f32(2), Wk: f32(2), v: f32(1) }, 'Wq'],
    ['additive', 'params.Wk', { Wq: f32(2), Wk: f32(2), v: f32(1) }, 'Wk'],
    ['additive', 'params.v', { Wq: f32(2), Wk: f32(2), v: f32(1) }, 'v'],
  ])('%s with a NaN in %s is a RangeError', (variant, name, params, field) => {
    params[field][0] = NaN;
    expectError(attend({ variant, params }), RangeError, `${name}: element 0 is NaN; expected finite numbers only`);
  });
});

describe('multiHeadAttention refuses bad requests', () => {
  it('a request that is not an object', () => {
    expectError(() => engine.multiHeadAttention(null), TypeError, 'request: expected an object, got null');
    expectError(() => engine.multiHeadAttention(7), TypeError, 'request: expected an object, got 7');
  });

  it('heads that do not divide embedDim', () => {
    expectError(attendMultiHead({ heads: 3 }), RangeError, 'heads: expected a divisor of embedDim 4, got 3');
  });

  it('an inProjWeight of the wrong length', () => {
    expectError(attendMultiHead({ inProjWeight: f32(47) }), RangeError, 'inProjWeight: expected 3·4·4 = 48 floats ([3·embedDim·embedDim]), got 47');
  });

  it('an outProjWeight of the wrong length', () => {
    expectError(attendMultiHead({ outProjWeight: f32(12) }), RangeError, 'outProjWeight: expected 4·4 = 16 floats ([embedDim·embedDim]), got 12');
  });

  it('biases of the wrong length', () => {
    expectError(attendMultiHead({ inProjBias: f32(4) }), RangeError, 'inProjBias: expected 3·4 = 12 floats ([3·embedDim]), got 4');
    expectError(attendMultiHead({ outProjBias: f32(3) }), RangeError, 'outProjBias: expected 4 floats ([embedDim]), got 3');
  });

  it('a key of the wrong length', () => {
    expectError(attendMultiHead({ key: f32(8) }), RangeError, 'key: expected 3·4 = 12 floats ([keys·embedDim]), got 8');
  });

  it('an explicit embedDim that disagrees with query', () => {
    expectError(attendMultiHead({ embedDim: 2 }), RangeError, 'query: expected 2·2 = 4 floats ([queries·embedDim]), got 8');
  });

  it('a query whose length is not a multiple of queries', () => {
    expectError(attendMultiHead({ query: f32(7) }), RangeError, 'embedDim: expected an integer from 1 to 65536, got 3.5');
  });

  it('a missing inProjWeight or outProjWeight', () => {
    expectError(attendMultiHead({ inProjWeight: undefined }), TypeError, 'inProjWeight: expected a Float32Array, got undefined');
    expectError(attendMultiHead({ outProjWeight: undefined }), TypeError, 'outProjWeight: expected a Float32Array, got undefined');
  });

  it('a Float64Array value', () => {
    expectError(attendMultiHead({ value: new Float64Array(12) }), TypeError, 'value: expected a Float32Array, got a Float64Array');
  });

  it('a keyPadding of the wrong length or type', () => {
    expectError(attendMultiHead({ keyPadding: new Uint8Array(2) }), RangeError, 'keyPadding: expected 3 bytes ([keys]), got 2');
    expectError(attendMultiHead({ keyPadding: [0, 0, 0] }), TypeError, 'keyPadding: expected a Uint8Array');
  });

  it('a NaN in inProjWeight', () => {
    const inProjWeight = f32(48);
    inProjWeight[47] = NaN;
    expectError(attendMultiHead({ inProjWeight }), RangeError, 'inProjWeight: element 47 is NaN; expected finite numbers only');
  });

  it('causal as a number', () => {
    expectError(attendMultiHead({ causal: 1 }), TypeError, 'causal: expected true or false, got 1');
  });

  it('a request over the weights limit, before reading any tensor', () => {
    expectError(
      attendMultiHead({ heads: 1, queries: 65536, keys: 65536, embedDim: 4 }),
      RangeError, 'weights: 1·65536·65536 = 4294967296 floats is over the limit of 67108864',
    );
  });

  it('a plain Array query with embedDim given', () => {
    expectError(attendMultiHead({ query: Array(8).fill(0), embedDim: 4 }), TypeError, 'query: expected a Float32Array, got an Array of length 8');
  });

  it('a plain Array query without embedDim names query, not the optional embedDim', () => {
    expectError(attendMultiHead({ query: Array(8).fill(0) }), TypeError, 'query: expected a Float32Array');
  });
});

describe('embedText refuses bad requests', () => {
  const embed = (changes) => () => engine.embedText({ tokens: ['the', 'cat'], ...changes });

  it('a request that is not an object', () => {
    expectError(() => engine.embedText(null), TypeError, 'request: expected an object, got null');
    expectError(() => engine.embedText('cat'), TypeError, 'request: expected an object, got the string "cat"');
  });

  it.each([['a string', 'the cat', 'string'], ['missing', undefined, 'undefined'], ['a number', 3, 'number']])(
    'tokens as %s',
    (_, tokens, described) => {
      expectError(embed({ tokens }), TypeError, `tokens: expected an array of strings, got ${described}`);
    },
  );

  it('an empty token list', () => {
    expectError(embed({ tokens: [] }), RangeError, 'tokens.length: expected an integer from 1 to 65536, got 0');
  });

  it.each([
    ['an empty string', ['the', ''], 1],
    ['a space', ['the cat'], 0],
    ['a newline', ['a', 'b\nc'], 1],
    ['a non-breaking space', ['a\u00a0b'], 0],
    ['a number', ['a', 'b', 7], 2],
    ['null', [null], 0],
  ])('a token that is %s', (_, tokens, index) => {
    expectError(embed({ tokens }), TypeError, `tokens[${index}]: expected a non-empty string without whitespace`);
  });

  it.each([-1, 2 ** 32, 1.5])('seed %s', (seed) => {
    expectError(embed({ seed }), RangeError, `seed: expected an integer from 0 to 4294967295, got ${seed}`);
  });

  it('seed as a string', () => {
    expectError(embed({ seed: '1' }), TypeError, 'seed: expected an integer from 0 to 4294967295');
  });

  it.each([0, -4, 4097, 2.5])('dim %s', (dim) => {
    expectError(embed({ dim }), RangeError, `dim: expected an integer from 1 to 4096, got ${dim}`);
  });

  it.each([0, 65])('heads %s', (heads) => {
    expectError(embed({ heads }), RangeError, `heads: expected an integer from 1 to 64, got ${heads}`);
  });

  it.each([NaN, Infinity])('positionWeight %s', (positionWeight) => {
    expectError(embed({ positionWeight }), RangeError, `positionWeight: expected a finite number, got ${positionWeight}`);
  });

  it.each([[64, 4096], [16, 4096]])('heads %i and dim %i (projections of heads·3·dim·dim floats) is refused quickly, naming heads or dim', (heads, dim) => {
    // Each size is accepted on its own; together the core's [heads, 3, dim, dim]
    // projection matrices are 3.2·10⁹ or 8·10⁸ floats, far over the tensor
    // limit. The core fails inside std::vector with "vector" or
    // "std::bad_alloc", which names no argument.
    const started = performance.now();
    const error = expectError(embed({ tokens: ['a'], heads, dim }), RangeError);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.message).toMatch(/^(heads|dim|projections)\b/);
  });
});

describe('seededParams refuses bad requests', () => {
  it('a request that is not an object', () => {
    expectError(() => engine.seededParams(undefined), TypeError, 'request: expected an object, got undefined');
  });

  it('an unknown variant', () => {
    expectError(() => engine.seededParams({ variant: 'nope', dim: 4 }), RangeError, 'variant: unknown variant "nope"; expected one of');
  });

  it('a missing variant', () => {
    expectError(() => engine.seededParams({ dim: 4 }), TypeError, 'variant: expected one of scaled_dot, dot, general, additive, hard, top_k, got undefined');
  });

  it.each([0, 4097, 1.5])('dim %s', (dim) => {
    expectError(() => engine.seededParams({ variant: 'general', dim }), RangeError, `dim: expected an integer from 1 to 4096, got ${dim}`);
  });

  it('a negative seed', () => {
    expectError(() => engine.seededParams({ variant: 'additive', dim: 4, seed: -1 }), RangeError, 'seed: expected an integer from 0 to 4294967295, got -1');
  });

  it('top_k with k 0', () => {
    expectError(() => engine.seededParams({ variant: 'top_k', dim: 4, k: 0 }), RangeError, 'k: expected an integer from 1 to 65536, got 0');
  });
});

describe('loadAttention refuses bad options', () => {
  it('options that are not an object', async () => {
    await expect(loadAttention(5)).rejects.toThrow(TypeError);
    await expect(loadAttention(5)).rejects.toThrow('options: expected an object, got 5');
  });
});
