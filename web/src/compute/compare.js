// Variant comparison: the same inputs under two variants, and how their
// weights differ. No DOM here.
//
// Legend: H heads, NQ queries, NK keys. weights a, b and diff are [H, NQ, NK];
// diff = a − b, so positive (red on the diverging map) means variant a gives
// that key more weight than variant b does.
import { headSlice, paramsFor } from './model.js';
import { maxAbs } from '../views/row-stats.js';

/**
 * diff = a − b elementwise, the largest |diff| and where it is
 * ({ index, head, row, col } for [H, NQ, NK] of the given sizes, or index only).
 */
export function differenceOf(a, b, { queries, keys } = {}) {
  if (a.length !== b.length) throw new RangeError(`the two weight arrays differ in length: ${a.length} and ${b.length}`);
  const diff = new Float32Array(a.length);
  let maxAbsDiff = 0;
  let at = -1;
  for (let x = 0; x < a.length; x++) {
    diff[x] = a[x] - b[x];
    const size = Math.abs(diff[x]);
    if (size > maxAbsDiff) {
      maxAbsDiff = size;
      at = x;
    }
  }
  return { diff, maxAbsDiff, at: at < 0 ? null : locate(at, queries, keys) };
}

function locate(index, queries, keys) {
  if (!queries || !keys) return { index };
  const col = index % keys;
  const row = Math.floor(index / keys) % queries;
  const head = Math.floor(index / (keys * queries));
  return { index, head, row, col };
}

/**
 * Runs request (an engine.attention request; its variant and params are
 * replaced) under variants a and b. params: { [variant]: VariantParams }
 * for variants that need them; missing ones come from
 * engine.seededParams({ variant, dim, seed, k }).
 * Returns { a: { variant, params, weights, output }, b: { ... }, diff,
 * maxAbsDiff, at }.
 */
export function compareVariants(engine, { request, a, b, params = {}, seed = 0, k = 2 }) {
  const run = (variant) => {
    const chosen = params[variant] ?? paramsFor(engine, { variant, seed, k }, request.keys, request.dim);
    const { weights, output } = engine.attention({ ...request, variant, params: chosen });
    return { variant, params: chosen, weights, output };
  };
  const first = run(a);
  const second = run(b);
  return { a: first, b: second, ...differenceOf(first.weights, second.weights, request) };
}

/**
 * The result's request under state.variant (a) and state.compare (b):
 * compareVariants' { a, b, diff [H, NQ, NK], maxAbsDiff, at }, and for the
 * shown head (1-based) its diff [NQ, NK] and largest |a − b|.
 */
export function comparisonOf(engine, state, result, head) {
  const run = compareVariants(engine, {
    request: result.request,
    a: state.variant,
    b: state.compare,
    params: result.params === undefined ? {} : { [state.variant]: result.params },
    seed: state.seed,
    k: state.k,
  });
  const headDiff = headSlice(run.diff, result.queries, result.keys, head - 1);
  return { ...run, head, headDiff, headMaxAbsDiff: maxAbs(headDiff) };
}
