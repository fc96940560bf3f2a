// Text formatting shared by the views. No DOM here.

/**
 * The shortest decimal that reads back as the same float32: exact for a
 * weight taken from a Float32Array, and short (0.25, not 0.2500000000).
 */
export function formatWeight(weight) {
  if (weight === 0) return '0';
  for (let digits = 1; digits <= 9; digits++) {
    const text = weight.toPrecision(digits);
    if (Math.fround(Number(text)) === weight) return String(Number(text));
  }
  return String(weight);
}

/** A token cut to at most max code points, for axis labels. */
export function shortLabel(token, max = 12) {
  const points = Array.from(token);
  return points.length <= max ? token : `${points.slice(0, max - 1).join('')}…`;
}

/** A duration in ms with three or four significant digits: 0.42, 12.3, 227. */
export function formatMs(ms) {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

/** A rate in GFLOP/s: 0.0027, 0.53, 9.81, 23.1. */
export function formatGflops(gflops) {
  if (gflops >= 10) return gflops.toFixed(1);
  if (gflops >= 1) return gflops.toFixed(2);
  return gflops.toPrecision(2);
}
