// The pictures of the views other than a single heatmap, as SVG documents
// (strings): the lines view and the grids of small maps (heads, layers ×
// heads). No DOM here; they are given what the views are given
// (views/present.js) and draw what those views draw, without the pointer's
// marks. Every piece of user text passes escapeXml.
//
// Legend: H heads, NQ queries, NK keys; weights [H, NQ, NK] row-major.
import { createScale, HEAD_COLORS } from '../views/colormap.js';
import { formatWeight, shortLabel } from '../views/format.js';
import { blockMean, colourOf, escapeXml, hex, LEGEND_HEIGHT, legendSvg, PAD, svgHeader } from './svg.js';

const TITLE_H = 30; // the title line and the gap under it
const GAP = 8; // between a label and the end of its lines
const CHAR_W = 6.5; // a label's width per code point at font-size 11, as an estimate (no text measuring here)
const LABEL_MAX = 12; // code points of a label (views/format.js shortLabel)
const LABEL_PITCH = 14; // fewest px between two drawn labels
const PITCH_MAX = 22;
const PITCH_MIN = 2;
const SPAN_MAX = 3000;
const WEIGHT_FLOOR = 0.01; // as the lines view: lighter lines are invisible
const LINE_BUDGET = 12_000; // more lines make a file few programs open quickly: the faintest go
const TILE = 132; // px per small map, as the heads grid
const TILE_CELLS = 66; // a small map has at most this many cells a side (two px each)
const TILE_GAP = 16;
const CAPTION_H = 18;


const round = (x) => Math.round(x * 100) / 100;

/** The width the title line needs at font-size 14, estimated as the labels are. */
const titleWidth = (title) => PAD * 2 + Math.ceil(Array.from(title).length * 7.6);

/**
 * The lines view (BertViz's head view) as SVG: queries on one side, keys on
 * the other, a line from query i to key j of opacity w_ij in its head's
 * colour, and a key of the head colours. data is views/present.js
 * linesData: { weights [H, NQ, NK], heads, queries, keys, rowTokens,
 * colTokens, head (0-based), allHeads, layout 'horizontal' | 'vertical' }.
 */
export function linesSvg({ weights, heads, queries, keys, rowTokens, colTokens = rowTokens, head = 0, allHeads = false, layout = 'horizontal', title }) {
  if (weights.length !== heads * queries * keys) throw new RangeError(`weights: expected heads·queries·keys = ${heads * queries * keys}, got ${weights.length}`);
  const shown = allHeads ? Array.from({ length: heads }, (_, h) => h) : [head];
  const n = Math.max(queries, keys);
  const pitch = Math.max(PITCH_MIN, Math.min(PITCH_MAX, SPAN_MAX / n));
  const step = Math.max(1, Math.ceil(LABEL_PITCH / pitch));
  const longest = Math.max(1, ...[...rowTokens, ...colTokens].map((t) => Math.min(LABEL_MAX, Array.from(String(t)).length)));
  const labelW = Math.ceil(longest * CHAR_W);
  const vertical = layout === 'vertical';
  const span = Math.max(160, Math.min(320, n * 12)); // the length of the lines across the token axis
  const along = n * pitch; // the token axis
  const top = PAD + TITLE_H;
  // Horizontal: the query end is at x = queryAt, tokens go down; vertical: the query end at y = queryAt, tokens go right.
  const queryAt = (vertical ? top : PAD) + labelW + GAP;
  const keyAt = queryAt + span;
  const start = vertical ? PAD : top;
  const at = (i) => round(start + (i + 0.5) * pitch);
  const point = (side, i) => {
    const across = side === 'query' ? queryAt : keyAt;
    return vertical ? [at(i), across] : [across, at(i)];
  };

  // The lines at or above the floor; past the budget the faintest are dropped.
  let lines = [];
  for (const h of shown) {
    const base = h * queries * keys;
    for (let i = 0; i < queries; i++) {
      for (let j = 0; j < keys; j++) {
        const w = weights[base + i * keys + j];
        if (w >= WEIGHT_FLOOR) lines.push({ h, i, j, w });
      }
    }
  }
  let floor = WEIGHT_FLOOR;
  if (lines.length > LINE_BUDGET) {
    lines.sort((a, b) => b.w - a.w);
    lines = lines.slice(0, LINE_BUDGET);
    floor = lines[lines.length - 1].w;
  }

  const plotEnd = keyAt + GAP + labelW; // across the token axis
  const name = title ?? `Attention lines, ${allHeads ? `all ${heads} heads` : `head ${head + 1} of ${heads}`}: opacity is the weight`;
  const width = Math.ceil(Math.max(vertical ? start + along + PAD : plotEnd + PAD, PAD * 2 + shown.length * 70, titleWidth(name)));
  const keyTop = Math.ceil(vertical ? plotEnd + PAD : start + along + PAD);
  const noteLines = floor > WEIGHT_FLOOR ? 1 : 0;
  const height = keyTop + 16 + noteLines * 16 + PAD;
  const out = svgHeader(width, height, name, 'lines');

  const width1 = pitch >= 10 ? 2 : 1;
  for (const h of shown) {
    out.push(`<g stroke="${HEAD_COLORS[h % HEAD_COLORS.length]}" stroke-width="${width1}" stroke-linecap="round" data-head="${h + 1}">`);
    for (const line of lines) {
      if (line.h !== h) continue;
      const [x1, y1] = point('query', line.i);
      const [x2, y2] = point('key', line.j);
      out.push(`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke-opacity="${round(Math.min(1, line.w))}"/>`);
    }
    out.push('</g>');
  }

  for (const [side, labels, count] of [['query', rowTokens, queries], ['key', colTokens, keys]]) {
    for (let i = 0; i < count; i += step) {
      const text = escapeXml(shortLabel(String(labels[i] ?? i + 1)));
      const [x, y] = point(side, i);
      if (vertical) {
        // Turned labels reading away from the lines' ends.
        const anchor = side === 'query' ? 'start' : 'end';
        const offset = side === 'query' ? -GAP : GAP;
        out.push(`<text transform="translate(${round(x + 4)} ${round(y + offset)}) rotate(-90)" text-anchor="${anchor}">${text}</text>`);
      } else {
        const anchor = side === 'query' ? 'end' : 'start';
        out.push(`<text x="${round(side === 'query' ? x - GAP : x + GAP)}" y="${round(y + 4)}" text-anchor="${anchor}">${text}</text>`);
      }
    }
  }

  // The key of head colours.
  shown.forEach((h, slot) => {
    const x = PAD + slot * 70;
    out.push(`<rect x="${x}" y="${keyTop}" width="12" height="12" fill="${HEAD_COLORS[h % HEAD_COLORS.length]}"/>`);
    out.push(`<text x="${x + 16}" y="${keyTop + 10}">head ${h + 1}</text>`);
  });
  if (noteLines) out.push(`<text x="${PAD}" y="${keyTop + 28}">${escapeXml(`Lines of weight below ${formatWeight(Math.fround(floor))} are not drawn.`)}</text>`);
  out.push('</g>', '</svg>', '');
  return out.join('\n');
}

/**
 * Rows of small maps sharing one colour scale, as SVG: the heads grid (one
 * row: each head and their average) and layers × heads (a row per layer).
 * rows: [{ title?, tiles: [{ title, values [cells], focused? }] }], every
 * map [cellRows, cellCols]; max, scale, palette as the views'. A map larger
 * than TILE_CELLS a side is averaged down in blocks, and the picture says so.
 */
export function tilesSvg({ rows, cellRows, cellCols, max, scale = 'linear', palette = 'viridis', title }) {
  const colour = colourOf(palette);
  const colourScale = createScale({ kind: scale, min: 0, max });
  const fr = Math.ceil(cellRows / TILE_CELLS);
  const fc = Math.ceil(cellCols / TILE_CELLS);
  const reduced = fr > 1 || fc > 1;
  const gridRows = Math.ceil(cellRows / fr);
  const gridCols = Math.ceil(cellCols / fc);
  const cell = TILE / Math.max(gridRows, gridCols);
  const across = Math.max(...rows.map((row) => row.tiles.length));
  const rowTitle = rows.some((row) => row.title) ? 18 : 0;
  const rowH = rowTitle + gridRows * cell + CAPTION_H + TILE_GAP;
  const legendTop = PAD + TITLE_H + rows.length * rowH;
  const width = Math.ceil(Math.max(PAD * 2 + across * (TILE + TILE_GAP), PAD * 2 + 320, titleWidth(title)));
  const height = Math.ceil(legendTop + LEGEND_HEIGHT + (reduced ? 16 : 0) + PAD);
  const out = svgHeader(width, height, title, 'tiles');

  rows.forEach((row, r) => {
    const y0 = PAD + TITLE_H + r * rowH;
    if (row.title) out.push(`<text x="${PAD}" y="${y0 + 12}" font-size="12">${escapeXml(row.title)}</text>`);
    row.tiles.forEach((tile, t) => {
      const x = PAD + t * (TILE + TILE_GAP);
      const y = y0 + rowTitle;
      const grid = reduced ? blockMean(tile.values, cellRows, cellCols, fr, fc) : { values: tile.values, rows: cellRows, cols: cellCols };
      out.push('<g shape-rendering="crispEdges">');
      for (let i = 0; i < grid.rows; i++) {
        for (let j = 0; j < grid.cols; j++) {
          const fill = hex(colour(colourScale.t(grid.values[i * grid.cols + j])));
          out.push(`<rect x="${round(x + j * cell)}" y="${round(y + i * cell)}" width="${round(cell)}" height="${round(cell)}" fill="${fill}"/>`);
        }
      }
      out.push('</g>');
      if (tile.focused) {
        out.push(`<rect x="${x - 2}" y="${y - 2}" width="${round(grid.cols * cell + 4)}" height="${round(grid.rows * cell + 4)}" fill="none" stroke="#222222" stroke-width="2"/>`);
      }
      out.push(`<text x="${x}" y="${round(y + grid.rows * cell + 14)}">${escapeXml(tile.title)}</text>`);
    });
  });

  out.push(...legendSvg({ colour, colourScale, min: 0, top: max, x: PAD, y: legendTop, id: 'tiles-legend' }));
  if (reduced) {
    const note = `Each map is averaged down from ${cellRows} × ${cellCols} to ${gridRows} × ${gridCols}.`;
    out.push(`<text x="${PAD}" y="${legendTop + LEGEND_HEIGHT + 10}">${escapeXml(note)}</text>`);
  }
  out.push('</g>', '</svg>', '');
  return out.join('\n');
}

/** The heads grid (views/present.js headsData) as SVG: every head's map, then their average. */
export function headsSvg({ weights, average, heads, rows, cols, head, scale, palette, max }) {
  const size = rows * cols;
  const tiles = [
    ...Array.from({ length: heads }, (_, h) => ({ title: `head ${h + 1}`, values: weights.subarray(h * size, (h + 1) * size), focused: h === head })),
    { title: `average of ${heads}`, values: average },
  ];
  return tilesSvg({ rows: [{ tiles }], cellRows: rows, cellCols: cols, max, scale, palette, title: `Attention weights of each of ${heads} heads` });
}

/** Layers × heads (views/present.js layersData) as SVG: a row of maps per layer; null without a model. */
export function layersSvg({ layers, layer, head, scale, palette }) {
  if (layers.length === 0) return null;
  const { rows: cellRows, cols: cellCols } = layers[0];
  const max = Math.max(...layers.map((l) => l.max));
  const rows = layers.map((l, li) => {
    const size = cellRows * cellCols;
    return {
      title: `layer ${li + 1}`,
      tiles: [
        ...Array.from({ length: l.heads }, (_, h) => ({ title: `head ${h + 1}`, values: l.weights.subarray(h * size, (h + 1) * size), focused: li === layer && h === head })),
        { title: `average of ${l.heads}`, values: l.average },
      ],
    };
  });
  return tilesSvg({ rows, cellRows, cellCols, max, scale, palette, title: `Attention weights of every head of ${layers.length} layers` });
}
