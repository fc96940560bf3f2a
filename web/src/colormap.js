// The viridis colour ramp (perceptually uniform, readable in grey and by
// most colour-blind readers), as a lookup table. No DOM here.

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

/** [r, g, b] of viridis at t in [0, 1] (clamped). */
export function viridis(t) {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS_STOPS.length - 1);
  const i = Math.min(VIRIDIS_STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS_STOPS[i];
  const b = VIRIDIS_STOPS[i + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f));
}

/** size colours as [r0, g0, b0, r1, ...]: entry i is viridis(i / (size - 1)). */
export function viridisTable(size = 256) {
  const table = new Uint8ClampedArray(size * 3);
  for (let i = 0; i < size; i++) table.set(viridis(i / (size - 1)), i * 3);
  return table;
}
