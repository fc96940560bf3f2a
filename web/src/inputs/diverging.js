// Diverging colour maps for signed values such as a weight difference. No DOM here.
//
// Zero is white-ish and the two signs get two hues of equal lightness steps,
// so |value| reads as darkness whatever the sign:
//   RdBu  ColorBrewer RdBu reversed: negative blue, positive red (colormap.js's 'diverging')
//   PuOr  ColorBrewer PuOr: negative orange, positive purple; safer for red–green colour blindness
// A value maps to t = 1/2 + value / (2 · maxAbs), clamped to [0, 1]; maxAbs is
// web/src/stats.js's maxAbs of the values.
import { PALETTES, sampleStops } from '../colormap.js';

// ColorBrewer PuOr (11 classes), ordered from orange (low) to purple (high).
const PUOR_STOPS = [
  [127, 59, 8],
  [179, 88, 6],
  [224, 130, 20],
  [253, 184, 99],
  [254, 224, 182],
  [247, 247, 247],
  [216, 218, 235],
  [178, 171, 210],
  [128, 115, 172],
  [84, 39, 136],
  [45, 0, 75],
];

export const DIVERGING = { RdBu: PALETTES.diverging, PuOr: PUOR_STOPS };

/** t in [0, 1] of value on a scale symmetric around 0 with bound maxAbs. */
export function divergingT(value, maxAbs) {
  if (!(maxAbs > 0)) return 0.5;
  return Math.min(1, Math.max(0, 0.5 + value / (2 * maxAbs)));
}

/** [r, g, b] of value on the named diverging map. */
export function divergingColor(value, maxAbs, name = 'RdBu') {
  return sampleStops(DIVERGING[name] ?? DIVERGING.RdBu, divergingT(value, maxAbs));
}

/** RGBA pixels of count values, one per value, for putImageData. */
export function divergingPixels(values, count, maxAbs, name = 'RdBu', pixels = new Uint8ClampedArray(count * 4)) {
  const stops = DIVERGING[name] ?? DIVERGING.RdBu;
  for (let p = 0; p < count; p++) {
    const [r, g, b] = sampleStops(stops, divergingT(values[p], maxAbs));
    pixels.set([r, g, b, 255], 4 * p);
  }
  return pixels;
}
