// The printed table: one Markdown table of every (env, shape, implementation),
// ready to paste into a README.

export const IMPL_ORDER = ['attention-playground', 'onnxruntime-web', 'tfjs-wasm', 'js'];
export const ENV_ORDER = ['node', 'chromium'];

const fixed = (value, digits) => (value == null ? '' : value.toFixed(digits));

/** Sorts results by env, shape (as listed in shapes), implementation and threads. */
export function sortResults(results, shapes) {
  const shapeIndex = (r) => shapes.findIndex((s) => s.n === r.n && s.heads === r.heads && s.dim === r.dim);
  const rank = (r) => [ENV_ORDER.indexOf(r.env), shapeIndex(r), IMPL_ORDER.indexOf(r.impl), r.threads];
  return [...results].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
    return 0;
  });
}

/**
 * The ratio column: onnxruntime-web's median divided by this median in the
 * same env and shape, so above 1 means faster than onnxruntime-web.
 */
export function ratioToOrt(results, r) {
  const ort = results.find((o) => o.env === r.env && o.impl === 'onnxruntime-web' && o.n === r.n
    && o.heads === r.heads && o.dim === r.dim && o.medianMs != null);
  return ort && r.medianMs != null ? ort.medianMs / r.medianMs : null;
}

/** Markdown table lines; shapes only one implementation was asked to run show its line alone. */
export function formatTable(results) {
  const header = ['env', 'N', 'heads', 'D', 'implementation', 'threads', 'median ms', 'GFLOP/s', '× vs onnxruntime-web', 'max abs error', 'runs'];
  const rows = results.filter((r) => r.skipped !== 'engine-only shape').map((r) => {
    const ratio = ratioToOrt(results, r);
    const outcome = r.medianMs != null
      ? [fixed(r.medianMs, 1), fixed(r.gflops, 1), ratio == null ? '' : `${ratio.toFixed(2)}×`]
      : [r.refused ? `refused: ${r.refused}` : `skipped: ${r.skipped}`, '', ''];
    const error = r.maxAbsError == null ? '' : r.maxAbsError.toExponential(1);
    return [r.env, String(r.n), String(r.heads), String(r.dim), r.impl, String(r.threads), ...outcome, error, r.reps == null ? '' : String(r.reps)];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c].length > 40 ? 0 : row[c].length))));
  const numeric = new Set([1, 2, 3, 5, 6, 7, 8, 9, 10]);
  const line = (cells) => `| ${cells.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, c) => (numeric.has(c) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)];
}
