// The chart, written by hand as SVG: grouped bars of GFLOP/s, one group per
// shape, one bar per implementation and environment (solid = Node, hatched =
// Chromium). Runs an engine refused are marked "refused" at the baseline.
import { ENV_ORDER, IMPL_ORDER } from './report.mjs';

const COLOURS = {
  'attention-playground': '#3b6fb6',
  'attention-playground-workers': '#17365f',
  'onnxruntime-web': '#e8862a',
  'tfjs-wasm': '#4e9a46',
  js: '#9b6fa8',
};
const GREY = '#777';
const ENV_LABELS = { node: 'Node 20', chromium: 'Chromium' };

const WIDTH = 960;
const HEIGHT = 480;
const MARGIN = { left: 64, right: 16, top: 106, bottom: 64 };
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"';

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const colourKey = (r) => (r.impl === 'attention-playground' && r.threads > 1 ? 'attention-playground-workers' : r.impl);
const seriesLabel = (impl, threads) => (impl === 'attention-playground' ? `${impl} (${threads === 1 ? '1 thread' : `${threads} workers`})` : impl);

/** A round axis top and step: 1, 2 or 5 times a power of ten, about five ticks. */
function axis(max) {
  const raw = Math.max(max, 1) / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return { top: Math.ceil(max / step) * step || step, step };
}

/** The SVG text of the chart of results (entries as in latest.json's results plus refused ones). */
export function chartSvg({ results, shapes, title, subtitle }) {
  const series = [];
  for (const env of ENV_ORDER) {
    const impls = results.filter((r) => r.env === env)
      .map((r) => [r.impl, r.threads])
      .sort((a, b) => IMPL_ORDER.indexOf(a[0]) - IMPL_ORDER.indexOf(b[0]) || a[1] - b[1]);
    for (const [impl, threads] of impls) {
      if (!series.some((s) => s.env === env && s.impl === impl && s.threads === threads)) series.push({ env, impl, threads });
    }
  }
  const entryOf = (s, shape) => results.find((r) => r.env === s.env && r.impl === s.impl && r.threads === s.threads
    && r.n === shape.n && r.heads === shape.heads && r.dim === shape.dim && !r.skipped);
  const groups = shapes.map((shape) => ({ shape, bars: series.map((s) => entryOf(s, shape)).filter(Boolean) }))
    .filter((g) => g.bars.length > 0);

  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const gap = 1.2; // between groups, in bar widths
  const MIN_SLOTS = 5; // so a group of one or two bars still has room for its label
  const slotsOf = (g) => Math.max(g.bars.length, MIN_SLOTS);
  const slots = groups.reduce((sum, g) => sum + slotsOf(g), 0) + gap * groups.length;
  const barW = plotW / slots;
  const { top, step } = axis(Math.max(0, ...results.map((r) => r.gflops ?? 0)));
  const y = (value) => MARGIN.top + plotH - (value / top) * plotH;

  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ${FONT} font-size="12">`);
  out.push(`<title>${escape(title)}</title>`);
  out.push('<defs>');
  for (const [key, colour] of [...Object.entries(COLOURS), ['grey', GREY]]) {
    out.push(`<pattern id="hatch-${key}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`
      + `<rect width="6" height="6" fill="${colour}" fill-opacity="0.35"/><rect width="3" height="6" fill="${colour}"/></pattern>`);
  }
  out.push('</defs>');
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  out.push(`<text x="${MARGIN.left}" y="22" font-size="15" font-weight="600">${escape(title)}</text>`);
  out.push(`<text x="${MARGIN.left}" y="40" fill="#555">${escape(subtitle)}</text>`);

  // Legend: implementations by colour (first row), environments by fill (second row).
  const legendRows = [
    series
      .filter((s, i) => series.findIndex((t) => t.impl === s.impl && t.threads === s.threads) === i)
      .map((s) => ({ fill: COLOURS[colourKey(s)], label: seriesLabel(s.impl, s.threads) })),
    ENV_ORDER.filter((env) => series.some((s) => s.env === env)).map((env) => (env === 'node'
      ? { fill: GREY, label: `solid: ${ENV_LABELS[env]}` }
      : { fill: 'url(#hatch-grey)', label: `hatched: ${ENV_LABELS[env]}` })),
  ];
  legendRows.forEach((items, row) => {
    let lx = MARGIN.left;
    const ly = 54 + row * 18;
    for (const { fill, label } of items) {
      out.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${fill}"/>`);
      out.push(`<text x="${lx + 16}" y="${ly + 10}">${escape(label)}</text>`);
      lx += 16 + label.length * 6.3 + 18; // about 6.3 px per character at 12 px
    }
  });

  // Axis and grid.
  for (let v = 0; v <= top + 1e-9; v += step) {
    const gy = y(v).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${gy}" y2="${gy}" stroke="${v === 0 ? '#333' : '#ddd'}"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${gy}" dy="4" text-anchor="end" fill="#333">${+v.toFixed(6)}</text>`);
  }
  out.push(`<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#333">GFLOP/s (4·N²·D·heads / time)</text>`);

  // Bars.
  let x = MARGIN.left + (gap / 2) * barW;
  for (const group of groups) {
    const { shape, bars } = group;
    const groupX = x;
    const groupEnd = x + slotsOf(group) * barW;
    x += ((slotsOf(group) - bars.length) / 2) * barW;
    for (const r of bars) {
      const key = colourKey(r);
      const fill = r.env === 'node' ? COLOURS[key] : `url(#hatch-${key})`;
      const bx = x + barW * 0.08;
      const bw = barW * 0.84;
      const label = `${r.env} · ${seriesLabel(r.impl, r.threads)} · N=${r.n}, ${r.heads} head${r.heads > 1 ? 's' : ''}`;
      if (r.gflops != null) {
        const by = y(r.gflops);
        out.push(`<rect x="${bx.toFixed(1)}" y="${by.toFixed(1)}" width="${bw.toFixed(1)}" height="${(y(0) - by).toFixed(1)}" fill="${fill}">`
          + `<title>${escape(`${label}: ${r.gflops.toFixed(1)} GFLOP/s, ${r.medianMs.toFixed(1)} ms`)}</title></rect>`);
        out.push(`<text x="${(bx + bw / 2).toFixed(1)}" y="${(by - 4).toFixed(1)}" text-anchor="middle" font-size="10" fill="#333">${r.gflops.toFixed(r.gflops < 10 ? 1 : 0)}</text>`);
      } else {
        const cx = (bx + bw / 2).toFixed(1);
        out.push(`<text transform="translate(${cx} ${y(0) - 6}) rotate(-90)" font-size="10" fill="#a00">refused<title>${escape(`${label}: refused: ${r.refused}`)}</title></text>`);
      }
      x += barW;
    }
    x = groupEnd;
    const centre = (groupX + groupEnd) / 2;
    out.push(`<text x="${centre.toFixed(1)}" y="${y(0) + 18}" text-anchor="middle" fill="#111">N = ${shape.n}, ${shape.heads} head${shape.heads > 1 ? 's' : ''}</text>`);
    out.push(`<text x="${centre.toFixed(1)}" y="${y(0) + 34}" text-anchor="middle" fill="#666">D = ${shape.dim}</text>`);
    x += gap * barW;
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
