// Colour ramps and colour scales, as lookup tables and pure functions. No DOM here.
//
// viridis and cividis are perceptually uniform and readable in grey and by
// most colour-blind readers (cividis was designed for deuteranopia);
// the diverging ramp is ColorBrewer's RdBu (colour-blind safe), blue for
// negative, white at zero, red for positive.

// Matplotlib's viridis sampled at t = 0, 1/8, ..., 1; linear in between.
const VIRIDIS_STOPS = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

// Matplotlib's cividis sampled at t = 0, 1/9, ..., 1.
const CIVIDIS_STOPS = [
  [0, 34, 78],
  [18, 53, 112],
  [59, 73, 108],
  [87, 93, 109],
  [112, 113, 115],
  [138, 134, 120],
  [165, 156, 116],
  [195, 179, 105],
  [225, 204, 85],
  [254, 232, 56],
];

// ColorBrewer RdBu (11 classes), reversed so that low is blue.
const DIVERGING_STOPS = [
  [5, 48, 97],
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
  [103, 0, 31],
];

export const PALETTES = { viridis: VIRIDIS_STOPS, cividis: CIVIDIS_STOPS, diverging: DIVERGING_STOPS };

/** [r, g, b] of a ramp given by evenly spaced stops at t in [0, 1] (clamped). */
export function sampleStops(stops, t) {
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f));
}

/** [r, g, b] of viridis at t in [0, 1] (clamped). */
export function viridis(t) {
  return sampleStops(VIRIDIS_STOPS, t);
}

/** size colours as [r0, g0, b0, r1, ...]: entry i is the palette at i / (size - 1). */
export function paletteTable(name = 'viridis', size = 256) {
  const stops = PALETTES[name] ?? VIRIDIS_STOPS;
  const table = new Uint8ClampedArray(size * 3);
  for (let i = 0; i < size; i++) table.set(sampleStops(stops, i / (size - 1)), i * 3);
  return table;
}

export function viridisTable(size = 256) {
  return paletteTable('viridis', size);
}

/** On a log scale, values below max · LOG_FLOOR share the lowest colour. */
export const LOG_FLOOR = 1e-4;

/**
 * A colour scale: value -> t in [0, 1].
 * linear: t = (v − min) / (max − min).
 * log: t = (log v − log lo) / (log max − log lo), lo = max · LOG_FLOOR, and
 *      v <= lo (zeros included) gives 0; it spreads small weights apart.
 * Returns { kind, min, max, lo, t }.
 */
export function createScale({ kind = 'linear', min = 0, max = 1 }) {
  if (kind === 'log' && max > 0) {
    const lo = max * LOG_FLOOR;
    const logLo = Math.log(lo);
    const span = Math.log(max) - logLo;
    return { kind, min: 0, max, lo, t: (v) => (v <= lo ? 0 : Math.min(1, (Math.log(v) - logLo) / span)) };
  }
  const span = max - min;
  return { kind: 'linear', min, max, lo: min, t: span > 0 ? (v) => Math.min(1, Math.max(0, (v - min) / span)) : () => 0 };
}

/**
 * The RGBA pixels of values [rows, cols] under scale and palette table:
 * one pixel per value, for putImageData.
 */
export function valuesToPixels(values, count, scale, table, pixels = new Uint8ClampedArray(count * 4)) {
  const levels = table.length / 3 - 1;
  for (let p = 0; p < count; p++) {
    const c = Math.round(scale.t(values[p]) * levels) * 3;
    pixels[4 * p] = table[c];
    pixels[4 * p + 1] = table[c + 1];
    pixels[4 * p + 2] = table[c + 2];
    pixels[4 * p + 3] = 255;
  }
  return pixels;
}

/** Distinct colours for up to 8 heads (Okabe–Ito, colour-blind safe), as CSS rgb() strings. */
export const HEAD_COLORS = [
  'rgb(0, 114, 178)',
  'rgb(213, 94, 0)',
  'rgb(0, 158, 115)',
  'rgb(204, 121, 167)',
  'rgb(230, 159, 0)',
  'rgb(86, 180, 233)',
  'rgb(120, 120, 120)',
  'rgb(240, 228, 66)',
];
