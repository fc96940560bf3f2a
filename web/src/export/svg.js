// A heatmap as an SVG document (a string). No DOM here.
//
// values [rows, cols] row-major; one <rect> per cell, a colour legend and the
// axis labels. Every piece of user text (labels, title) passes escapeXml, so
// a token like <script> or & is text in the file, never markup.
// Larger than maxCells on a side, the matrix is averaged down in blocks and
// the picture says so.
import { createScale, PALETTES, sampleStops } from '../views/colormap.js';
import { formatWeight, shortLabel } from '../views/format.js';

export const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, sans-serif';
const PLOT = 640; // largest side of the plot, px
const CELL_MAX = 28;
const LABEL_GAP = 12; // fewest px between two drawn labels
const LABEL_SPACE = 96; // px reserved for a label column or row
export const PAD = 12;
const LEGEND_W = 200;
const LEGEND_H = 12;
const TITLED_CELLS = 4096; // up to this many cells each gets a <title> (hover text)

// Code points XML 1.0 does not allow in a document, and the five it escapes.
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** text safe inside an XML element or a quoted attribute. */
export function escapeXml(text) {
  return String(text)
    .replace(INVALID_XML, '\uFFFD')
    .replace(/[&<>"']/g, (ch) => ENTITIES[ch]);
}

/** An exported picture's opening lines: the SVG element, its title, a white ground, the text group and the title line. */
export function svgHeader(width, height, title, id) {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-title">`,
    `<title id="${id}-title">${escapeXml(title)}</title>`,
    '<rect width="100%" height="100%" fill="#ffffff"/>',
    `<g font-family="${FONT}" font-size="11" fill="#222222">`,
    `<text x="${PAD}" y="${PAD + 12}" font-size="14">${escapeXml(title)}</text>`,
  ];
}

export const hex = ([r, g, b]) => `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;

// Masked cells: the neutral grey and darker strokes the heatmap view uses (views/heatmap.js).
const MASKED_FILL = '#c8c8c8';
const MASKED_STROKE = '#5a5a5a';

/** palette: a colormap.js name or a function t in [0, 1] -> [r, g, b]; returns such a function. */
export function colourOf(palette) {
  return typeof palette === 'function' ? palette : (t) => sampleStops(PALETTES[palette] ?? PALETTES.viridis, t);
}

/**
 * The colour legend's SVG lines at (x, y): the ramp from the scale's low end
 * to top, its two end values and the scale's kind; masked adds a grey,
 * hatched swatch named "masked (not allowed)". id names the gradient (unique
 * in its document).
 */
export function legendSvg({ colour, colourScale, min, top, x, y, id = 'heatmap-legend', masked = false }) {
  const out = [`<defs><linearGradient id="${id}" x1="0" x2="1" y1="0" y2="0">`];
  for (let s = 0; s <= 10; s++) out.push(`<stop offset="${s / 10}" stop-color="${hex(colour(s / 10))}"/>`);
  out.push('</linearGradient></defs>');
  out.push(`<rect x="${x}" y="${y}" width="${LEGEND_W}" height="${LEGEND_H}" fill="url(#${id})" stroke="#888888" stroke-width="0.5"/>`);
  const text = y + LEGEND_H + 13;
  const lowText = colourScale.kind === 'log' ? `≤ ${formatWeight(colourScale.lo)}` : formatWeight(min);
  out.push(`<text x="${x}" y="${text}">${escapeXml(lowText)}</text>`);
  out.push(`<text x="${x + LEGEND_W}" y="${text}" text-anchor="end">${escapeXml(formatWeight(top))}</text>`);
  out.push(`<text x="${x + LEGEND_W + 8}" y="${y + LEGEND_H - 1}">${escapeXml(colourScale.kind === 'log' ? 'log scale' : 'linear scale')}</text>`);
  if (masked) {
    const sx = x + LEGEND_W + 90;
    out.push(`<rect x="${sx}" y="${y}" width="${LEGEND_H}" height="${LEGEND_H}" fill="url(#${id}-masked)" stroke="#888888" stroke-width="0.5"/>`);
    out.push(`<text x="${sx + LEGEND_H + 4}" y="${y + LEGEND_H - 1}">masked (not allowed)</text>`);
  }
  return out;
}

/** A hatch pattern for masked cells, named id. */
function maskedPattern(id) {
  return [
    `<defs><pattern id="${id}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">`,
    `<rect width="6" height="6" fill="${MASKED_FILL}"/><line x1="0" y1="0" x2="0" y2="6" stroke="${MASKED_STROKE}" stroke-width="1.5"/>`,
    '</pattern></defs>',
  ];
}

/** The legend's height, with the line of its end values. */
export const LEGEND_HEIGHT = LEGEND_H + 18;

/** values [rows, cols] averaged over blocks of fr × fc into [ceil(rows/fr), ceil(cols/fc)]. */
export function blockMean(values, rows, cols, fr, fc) {
  const outRows = Math.ceil(rows / fr);
  const outCols = Math.ceil(cols / fc);
  const out = new Float64Array(outRows * outCols);
  for (let r = 0; r < outRows; r++) {
    for (let c = 0; c < outCols; c++) {
      let sum = 0;
      let n = 0;
      for (let i = r * fr; i < Math.min(rows, (r + 1) * fr); i++) {
        for (let j = c * fc; j < Math.min(cols, (c + 1) * fc); j++) {
          sum += values[i * cols + j];
          n++;
        }
      }
      out[r * outCols + c] = sum / n;
    }
  }
  return { values: out, rows: outRows, cols: outCols };
}

/**
 * The SVG text of a heatmap.
 * options: weights (or values) [rows, cols], rows, cols, rowLabels [rows],
 * colLabels [cols], colormap: a palette name of colormap.js ('viridis',
 * 'cividis', 'diverging') or a function t in [0, 1] -> [r, g, b];
 * min (default 0) and max (default the largest value), scale 'linear' | 'log',
 * title, rowName / colName (axis names, default 'query' / 'key'),
 * maxCells (default 256) per side; allowed [rows, cols] of 0/1 (0: the key
 * is masked for that query): masked cells are drawn hatched grey and the
 * legend names them, as in the heatmap view.
 */
export function heatmapSvg({
  weights,
  values = weights,
  rows,
  cols,
  rowLabels = [],
  colLabels = [],
  colormap = 'viridis',
  min = 0,
  max,
  scale = 'linear',
  title = 'Attention weights',
  rowName = 'query',
  colName = 'key',
  maxCells = 256,
  allowed = null,
}) {
  if (values.length !== rows * cols) throw new RangeError(`values: expected rows·cols = ${rows * cols}, got ${values.length}`);
  const top = max ?? values.reduce((a, b) => Math.max(a, b), min);
  const colour = colourOf(colormap);
  const colourScale = createScale({ kind: scale, min, max: top });

  const fr = Math.ceil(rows / maxCells);
  const fc = Math.ceil(cols / maxCells);
  const reduced = fr > 1 || fc > 1;
  const grid = reduced ? blockMean(values, rows, cols, fr, fc) : { values, rows, cols };
  const cell = Math.max(1, Math.min(CELL_MAX, Math.floor(PLOT / Math.max(grid.rows, grid.cols))));
  const showLabels = !reduced && (rowLabels.length > 0 || colLabels.length > 0);
  // Averaged blocks mix allowed and masked cells: only a full-resolution picture marks them.
  const masked = !reduced && allowed !== null && allowed.some((a) => a === 0);
  const step = Math.ceil(LABEL_GAP / cell); // draw every step-th label

  const left = PAD + (showLabels ? LABEL_SPACE : 0);
  const plotTop = PAD + 24 + (showLabels ? LABEL_SPACE : 0);
  const plotW = grid.cols * cell;
  const plotH = grid.rows * cell;
  const legendTop = plotTop + plotH + PAD;
  const noteLines = reduced ? 1 : 0;
  const width = Math.max(left + plotW + PAD, PAD * 2 + LEGEND_W + (masked ? 260 : 120));
  const height = legendTop + LEGEND_HEIGHT + noteLines * 16 + PAD;

  const out = svgHeader(width, height, title, 'heatmap');

  // Cells: row i is query i, column j key j.
  const titled = grid.rows * grid.cols <= TITLED_CELLS;
  if (masked) out.push(...maskedPattern('heatmap-legend-masked'));
  out.push(`<g shape-rendering="crispEdges">`);
  for (let i = 0; i < grid.rows; i++) {
    for (let j = 0; j < grid.cols; j++) {
      const v = grid.values[i * grid.cols + j];
      const off = masked && allowed[i * grid.cols + j] === 0;
      const fill = off ? 'url(#heatmap-legend-masked)' : hex(colour(colourScale.t(v)));
      const rect = `<rect x="${left + j * cell}" y="${plotTop + i * cell}" width="${cell}" height="${cell}" fill="${fill}"`;
      if (titled) {
        const label = `${rowName} ${i + 1} ${rowLabels[i] ?? ''} → ${colName} ${j + 1} ${colLabels[j] ?? ''}: ${formatWeight(v)}${off ? ' (masked: not allowed)' : ''}`;
        out.push(`${rect}><title>${escapeXml(label)}</title></rect>`);
      } else {
        out.push(`${rect}/>`);
      }
    }
  }
  out.push('</g>');

  if (showLabels) {
    for (let i = 0; i < grid.rows; i += step) {
      const y = plotTop + i * cell + cell / 2 + 4;
      out.push(`<text x="${left - 4}" y="${y}" text-anchor="end">${escapeXml(shortLabel(String(rowLabels[i] ?? i + 1)))}</text>`);
    }
    for (let j = 0; j < grid.cols; j += step) {
      const x = left + j * cell + cell / 2 + 4;
      out.push(`<text transform="translate(${x} ${plotTop - 4}) rotate(-90)">${escapeXml(shortLabel(String(colLabels[j] ?? j + 1)))}</text>`);
    }
  }

  // Legend: the ramp from min to max.
  out.push(...legendSvg({ colour, colourScale, min, top, x: PAD, y: legendTop, masked }));
  const legendText = legendTop + LEGEND_H + 13;
  if (reduced) {
    const note = `Averaged down from ${rows} × ${cols} to ${grid.rows} × ${grid.cols}: each cell is the mean of a ${fr} × ${fc} block.`;
    out.push(`<text x="${PAD}" y="${legendText + 16}">${escapeXml(note)}</text>`);
  }
  out.push('</g>', '</svg>', '');
  return out.join('\n');
}
