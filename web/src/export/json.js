// Attention weights as JSON, and back. No DOM here.
//
// Legend: H heads, NQ queries, NK keys.
//   {
//     "format": "attention-playground/weights", "version": 1,
//     "tokens": [NQ query tokens], "keyTokens": [NK key tokens],
//     "heads": H, "queries": NQ, "keys": NK,
//     "weights": [H][NQ][NK] nested arrays,
//     "state": { the playground state that produced them }
//   }
// Numbers are the shortest decimals that read back as the same float32.
import { formatWeight } from '../views/format.js';

export const WEIGHTS_FORMAT = 'attention-playground/weights';

/** JSON text of weights [H, NQ, NK], the tokens and the state (any JSON-able object). */
export function weightsToJson({ weights, heads, queries, keys, rowTokens, colTokens = rowTokens, state = {} }) {
  if (weights.length !== heads * queries * keys) {
    throw new RangeError(`weights: expected heads·queries·keys = ${heads * queries * keys} values, got ${weights.length}`);
  }
  const number = (x) => (Number.isFinite(x) ? formatWeight(x) : 'null');
  const blocks = [];
  for (let h = 0; h < heads; h++) {
    const rows = [];
    for (let i = 0; i < queries; i++) {
      const start = (h * queries + i) * keys;
      rows.push(`      [${Array.from(weights.subarray(start, start + keys), number).join(', ')}]`);
    }
    blocks.push(`    [\n${rows.join(',\n')}\n    ]`);
  }
  // Strings and the state go through JSON.stringify (it escapes quotes and
  // control characters); only the numbers are written by hand.
  return [
    '{',
    `  "format": ${JSON.stringify(WEIGHTS_FORMAT)},`,
    '  "version": 1,',
    `  "tokens": ${JSON.stringify(Array.from(rowTokens, String))},`,
    `  "keyTokens": ${JSON.stringify(Array.from(colTokens, String))},`,
    `  "heads": ${heads},`,
    `  "queries": ${queries},`,
    `  "keys": ${keys},`,
    `  "weights": [\n${blocks.join(',\n')}\n  ],`,
    `  "state": ${JSON.stringify(state ?? {})}`,
    '}',
    '',
  ].join('\n');
}

/** weightsToJson's text read back, weights as a Float32Array [H, NQ, NK]. */
export function parseWeightsJson(text) {
  const value = JSON.parse(text);
  if (value?.format !== WEIGHTS_FORMAT) throw new Error(`Expected "format": "${WEIGHTS_FORMAT}"`);
  const { heads, queries, keys } = value;
  const flat = value.weights.flat(2);
  if (flat.length !== heads * queries * keys) {
    throw new Error(`"weights" has ${flat.length} values; heads·queries·keys is ${heads * queries * keys}`);
  }
  return {
    heads, queries, keys,
    rowTokens: value.tokens,
    colTokens: value.keyTokens,
    weights: Float32Array.from(flat),
    state: value.state,
  };
}
