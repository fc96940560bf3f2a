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
