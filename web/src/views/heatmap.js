// A matrix as a heatmap: a draw-only component. It is given the values
// [rows, cols], the axis labels and the colour scale; it knows no attention
// math. The values become one pixel each (ImageData into an offscreen canvas)
// and that image is drawn scaled, so 2048 × 2048 stays smooth. Token text
// reaches the page only through canvas fillText and textContent, never as HTML.
import { createScale, paletteTable, valuesToPixels } from './colormap.js';
import { setHidden, setText } from './dom.js';
import { formatWeight, shortLabel } from './format.js';

const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "Noto Color Emoji", sans-serif';
const LABEL_PITCH = 14; // fewest CSS pixels between two drawn labels
const LABEL_MAX_WIDTH = 110;
const GAP = 6; // between labels and the plot
const PAD = 8; // right and bottom edge
const PLOT_MIN = 160;
const PLOT_MAX = 640;
const CELL_MAX = 40; // non-square matrices: largest cell side
const SQUARE_CELL_MAX = 64; // square ones: a few tokens get readable cells, not panel-sized ones
const HEIGHT_RESERVE = 200; // keep the plot's bottom on screen below the panel head
const CAPTION_GAP = 16; // between the plot and what its view shows under it
const HOVER_COLOR = '#ff4f79';
// Masked cells: a neutral grey no palette uses, with darker strokes (style.css's .is-masked swatch matches).
const MASKED_RGB = [200, 200, 200, 255];
const MASKED_STROKE = 'rgba(90, 90, 90, 0.8)';
const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

/**
 * elements: { canvas, tooltip, legend, announcer? }; the canvas's parent is the
 * positioned box the tooltip floats in; announcer is an aria-live region that
 * is told the value under the keyboard cursor.
 * onHover(row, col) is called with the hovered cell, or with nulls when the
 * pointer leaves; onSelect(row, col) on a click or Enter.
 * names: how the tooltip calls a row, a column and a value.
 */
export function createHeatmap({
  canvas,
  tooltip,
  legend,
  announcer = null,
  onHover = () => {},
  onSelect = () => {},
  names = { title: 'head', row: 'query', col: 'key', value: 'weight' },
}) {
  const wrap = canvas.parentElement;
  const image = document.createElement('canvas'); // one pixel per value
  const tip = buildTooltip(tooltip, names);
  const legendParts = legend ? buildLegend(legend) : null;
  let data = null;
  let layout = null;
  let hovered = null; // this view's own pointer or keyboard cell, with the tooltip
  let marked = null; // a cell, row or column hovered in another view
  let paintedKey = ''; // what the image holds, to skip repainting the same values
  let legendPalette = ''; // the palette the legend bar shows, likewise
  // The widest label of the drawn label arrays. Measuring 2 × 128 labels takes
  // a fifth of a millisecond, and a temperature change keeps the same arrays
  // (callers never change one in place), so it is measured once per pair.
  let measured = { rowLabels: null, colLabels: null, width: 0 };

  /**
   * data: { weights (or values) [rows, cols], rows, cols, rowLabels, colLabels,
   * max, min? (default 0), scale? 'linear'|'log', palette? (a colormap name),
   * square? (default true), selected? { row, col }, digest, title,
   * allowed? [rows, cols] of 0/1 (0: the key is masked for that query, drawn
   * hatched in a neutral grey rather than as a weight of 0),
   * rowIndex?(i) and colIndex?(j): how the tooltip numbers a row and a column
   * (default "#i+1"; a zoomed region numbers from its first token) }.
   */
  function draw(next) {
    data = { min: 0, scale: 'linear', palette: 'viridis', square: true, rowIndex: (i) => `#${i + 1}`, colIndex: (j) => `#${j + 1}`, ...next };
    data.values = data.values ?? data.weights;
    const colourScale = createScale({ kind: data.scale, min: data.min, max: data.max });
    const table = paletteTable(data.palette);
    data.maskedCount = data.allowed ? countZeros(data.allowed) : 0;
    const key = [data.digest, data.scale, data.palette, data.min, data.max, data.rows, data.cols, data.maskedCount].join('|');
    if (key !== paintedKey) {
      paintImage(image, data, colourScale, table);
      paintedKey = key;
    }
    setHidden(wrap, false);
    if (legend) {
      setHidden(legend, false);
      if (data.palette !== legendPalette) paintLegendBar(legendParts, table);
      legendPalette = data.palette;
      labelLegend(legendParts, colourScale);
      setHidden(legendParts.masked, data.maskedCount === 0);
    }
    canvas.dataset.digest = data.digest;
    canvas.dataset.rows = String(data.rows);
    canvas.dataset.cols = String(data.cols);
    canvas.dataset.scale = colourScale.kind;
    canvas.dataset.palette = data.palette;
    canvas.dataset.masked = String(data.maskedCount);
    canvas.setAttribute('aria-label', `${data.title}: ${data.rows} ${names.row} rows by ${data.cols} ${names.col} columns. Use the arrow keys to read values.`);
    render();
    if (hovered && hovered.row < data.rows && hovered.col < data.cols) showCell(hovered, false);
    else hideCell();
  }

  function clear() {
    data = null;
    paintedKey = '';
    layout = null;
    hideCell();
    wrap.hidden = true;
    if (legend) legend.hidden = true;
    for (const key of ['digest', 'masked', 'rows', 'cols', 'plotLeft', 'plotTop', 'cell', 'cellW', 'cellH']) delete canvas.dataset[key];
  }

  /**
   * The height the whole canvas may take: the window's less the panel head
   * and, inside a scrolling view box, that box's height less everything else
   * shown in the map's panel (notes above it, the caption under it) and the
   * box's padding, so the last row and the caption are seen without
   * scrolling the box.
   */
  function roomHeight() {
    let room = window.innerHeight - HEIGHT_RESERVE;
    const box = canvas.closest('.view-area');
    const most = box ? parseFloat(getComputedStyle(box).maxHeight) : NaN;
    if (Number.isFinite(most)) {
      const boxStyle = getComputedStyle(box);
      let others = parseFloat(boxStyle.paddingTop) + parseFloat(boxStyle.paddingBottom) + CAPTION_GAP;
      for (const sibling of wrap.parentElement.children) {
        if (sibling === wrap || sibling.offsetHeight === 0) continue;
        const style = getComputedStyle(sibling);
        others += sibling.offsetHeight + parseFloat(style.marginTop) + parseFloat(style.marginBottom);
      }
      room = Math.min(room, most - others);
    }
    return room;
  }

  /** Scrolls the view box and the window so the keyboard cursor's cell is seen. */
  function revealCell({ row, col }) {
    if (!layout) return;
    const rect = canvas.getBoundingClientRect();
    const top = rect.top + layout.top + row * layout.cellH;
    const bottom = top + Math.max(layout.cellH, 1);
    const left = rect.left + layout.left + col * layout.cellW;
    const right = left + Math.max(layout.cellW, 1);
    const box = canvas.closest('.view-area');
    if (box) {
      const b = box.getBoundingClientRect();
      if (bottom > b.bottom) box.scrollTop += bottom - b.bottom + PAD;
      else if (top < b.top) box.scrollTop -= b.top - top + PAD;
      if (right > b.right) box.scrollLeft += right - b.right + PAD;
      else if (left < b.left) box.scrollLeft -= b.left - left + PAD;
    }
    const moved = canvas.getBoundingClientRect().top - rect.top;
    if (bottom + moved > window.innerHeight) window.scrollBy(0, bottom + moved - window.innerHeight + PAD);
    else if (top + moved < 0) window.scrollBy(0, top + moved - PAD);
  }

  /** Paints again at the current size (after the view becomes visible, or the window resizes). */
  function render() {
    if (!data || wrap.clientWidth === 0) return;
    const ctx = canvas.getContext('2d');
    if (measured.rowLabels !== data.rowLabels || measured.colLabels !== data.colLabels) {
      measured = { rowLabels: data.rowLabels, colLabels: data.colLabels, width: widestLabel(ctx, data) };
    }
    layout = computeLayout(data, measured.width, wrap.clientWidth, roomHeight());
    const dpr = window.devicePixelRatio || 1;
    canvas.style.width = `${layout.width}px`;
    canvas.style.height = `${layout.height}px`;
    // Assigning a canvas's size, even the one it has, restyles it and resets
    // its context; paint() clears it and sets every context property it uses.
    const width = Math.round(layout.width * dpr);
    const height = Math.round(layout.height * dpr);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    canvas.dataset.plotLeft = String(layout.left);
    canvas.dataset.plotTop = String(layout.top);
    canvas.dataset.cell = String(layout.cellW);
    canvas.dataset.cellW = String(layout.cellW);
    canvas.dataset.cellH = String(layout.cellH);
    canvas.dataset.labelStep = String(layout.rowStep);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    paint(ctx);
  }

  function paint(ctx) {
    const { left, top, cellW, cellH, rowStep, colStep } = layout;
    const plotW = cellW * data.cols;
    const plotH = cellH * data.rows;
    ctx.clearRect(0, 0, layout.width, layout.height);
    // Upscaled cells stay crisp; downscaled ones are averaged.
    ctx.imageSmoothingEnabled = cellW < 1 || cellH < 1;
    ctx.drawImage(image, left, top, plotW, plotH);
    if (data.maskedCount > 0) hatchMasked(ctx, data, layout);

    const ink = getComputedStyle(canvas).color || '#2b2f36';
    const focusRow = hovered?.row ?? marked?.row ?? null;
    const focusCol = hovered?.col ?? marked?.col ?? null;
    ctx.fillStyle = ink;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    for (let i = 0; i < data.rows; i += rowStep) {
      ctx.font = focusRow === i ? `bold ${FONT}` : FONT;
      ctx.fillText(shortLabel(data.rowLabels[i]), left - GAP, top + (i + 0.5) * cellH);
    }
    ctx.textAlign = 'left';
    for (let j = 0; j < data.cols; j += colStep) {
      ctx.font = focusCol === j ? `bold ${FONT}` : FONT;
      ctx.save();
      ctx.translate(left + (j + 0.5) * cellW, top - GAP);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(shortLabel(data.colLabels[j]), 0, 0);
      ctx.restore();
    }

    ctx.lineWidth = 2;
    const sel = data.selected;
    if (sel && sel.row < data.rows && sel.col < data.cols) {
      ctx.setLineDash([4, 3]);
      ctx.strokeStyle = ink;
      outline(ctx, sel.row, sel.col, 4);
      ctx.setLineDash([]);
    }
    const mark = hovered ?? marked;
    if (mark) {
      ctx.strokeStyle = HOVER_COLOR;
      if (mark.row !== null && mark.col !== null) outline(ctx, mark.row, mark.col, 3);
      else if (mark.row !== null) ctx.strokeRect(left, top + mark.row * cellH, plotW, Math.max(cellH, 2));
      else if (mark.col !== null) ctx.strokeRect(left + mark.col * cellW, top, Math.max(cellW, 2), plotH);
    }
  }

  function outline(ctx, row, col, least) {
    const { left, top, cellW, cellH } = layout;
    const w = Math.max(cellW, least);
    const h = Math.max(cellH, least);
    ctx.strokeRect(left + (col + 0.5) * cellW - w / 2, top + (row + 0.5) * cellH - h / 2, w, h);
  }

  function cellAt(clientX, clientY) {
    if (!layout) return null;
    const rect = canvas.getBoundingClientRect();
    const col = Math.floor((clientX - rect.left - layout.left) / layout.cellW);
    const row = Math.floor((clientY - rect.top - layout.top) / layout.cellH);
    if (row < 0 || col < 0 || row >= data.rows || col >= data.cols) return null;
    return { row, col, x: clientX - rect.left, y: clientY - rect.top };
  }

  function describe(row, col) {
    return `${names.row} ${data.rowLabels[row]} (${data.rowIndex(row)}), ${names.col} ${data.colLabels[col]} (${data.colIndex(col)}), ${names.value} ${formatWeight(data.values[row * data.cols + col])}`;
  }

  function showCell(cell, tell = true) {
    hovered = cell;
    const { row, col } = cell;
    tip.query.textContent = data.rowLabels[row];
    tip.queryIndex.textContent = data.rowIndex(row);
    tip.key.textContent = data.colLabels[col];
    tip.keyIndex.textContent = data.colIndex(col);
    const value = data.values[row * data.cols + col];
    const masked = data.allowed ? data.allowed[row * data.cols + col] === 0 : false;
    tip.weight.textContent = masked ? `${formatWeight(value)} (masked: not allowed)` : formatWeight(value);
    tooltip.dataset.value = String(value); // exact, for tests and the console
    tooltip.dataset.masked = String(masked);
    tip.head.textContent = data.title;
    tooltip.dataset.row = String(row);
    tooltip.dataset.col = String(col);
    tooltip.hidden = false;
    if (layout) {
      placeTooltip(cell);
      paint(canvas.getContext('2d'));
    }
    if (tell) onHover(row, col);
  }

  function hideCell() {
    const had = hovered !== null;
    hovered = null;
    setHidden(tooltip, true);
    if (had && data && layout) paint(canvas.getContext('2d'));
    if (had) onHover(null, null);
  }

  /** Marks a cell (or a whole row or column, when the other is null) hovered elsewhere; nulls clear. */
  function highlight(row, col) {
    marked = row === null && col === null ? null : { row, col };
    canvas.dataset.markRow = row === null ? '' : String(row);
    canvas.dataset.markCol = col === null ? '' : String(col);
    if (data && layout && !hovered) paint(canvas.getContext('2d'));
  }

  function placeTooltip({ row, col, x, y }) {
    // Keyboard moves have no pointer position: point at the cell's centre.
    const px = x ?? layout.left + (col + 0.5) * layout.cellW;
    const py = y ?? layout.top + (row + 0.5) * layout.cellH;
    const width = tooltip.offsetWidth;
    const height = tooltip.offsetHeight;
    const room = wrap.clientWidth;
    let left = px + 14;
    if (left + width > room) left = Math.max(0, px - 14 - width);
    let top = py + 14;
    if (top + height > layout.height) top = Math.max(0, py - 14 - height);
    tooltip.style.left = `${left}px`;
    tooltip.style.top = `${top}px`;
  }

  canvas.addEventListener('pointermove', (event) => {
    const cell = cellAt(event.clientX, event.clientY);
    if (cell) showCell(cell);
    else hideCell();
  });
  // A finger leaves the screen after every tap: the tapped cell's value stays until the next tap.
  canvas.addEventListener('pointerleave', (event) => {
    if (event.pointerType !== 'touch') hideCell();
  });
  canvas.addEventListener('blur', hideCell);
  canvas.addEventListener('click', (event) => {
    const cell = cellAt(event.clientX, event.clientY);
    if (cell) showCell(cell);
    if (cell) onSelect(cell.row, cell.col);
  });
  canvas.addEventListener('keydown', (event) => {
    if (!data) return;
    if ((event.key === 'Enter' || event.key === ' ') && hovered) {
      event.preventDefault();
      onSelect(hovered.row, hovered.col);
      return;
    }
    const move = MOVES[event.key];
    const jump = { Home: 'first', End: 'last', PageUp: 'top', PageDown: 'bottom' }[event.key];
    if (!move && !jump) return;
    event.preventDefault();
    // The first key press shows the selected cell (or the first); later ones move.
    const start = data.selected && data.selected.row < data.rows && data.selected.col < data.cols ? data.selected : { row: 0, col: 0 };
    const from = hovered ?? start;
    let row = from.row;
    let col = from.col;
    if (hovered && move) {
      row += move[0];
      col += move[1];
    } else if (hovered && jump) {
      if (jump === 'first') col = 0;
      if (jump === 'last') col = data.cols - 1;
      if (jump === 'top') row = 0;
      if (jump === 'bottom') row = data.rows - 1;
    }
    row = Math.min(data.rows - 1, Math.max(0, row));
    col = Math.min(data.cols - 1, Math.max(0, col));
    showCell({ row, col });
    revealCell({ row, col });
    if (announcer) announcer.textContent = describe(row, col);
  });

  // The panel's width follows the window's; redraw when it changes.
  let drawnFor = `${window.innerWidth}x${window.innerHeight}`;
  window.addEventListener('resize', () => {
    requestAnimationFrame(() => {
      const size = `${window.innerWidth}x${window.innerHeight}`;
      if (size === drawnFor) return;
      drawnFor = size;
      render();
    });
  });

  return { draw, clear, render, highlight };
}

/** Writes values [rows, cols] into image as one pixel each. */
function paintImage(image, { values, rows, cols, allowed }, scale, table) {
  image.width = cols;
  image.height = rows;
  const ctx = image.getContext('2d');
  const pixels = ctx.createImageData(cols, rows);
  valuesToPixels(values, rows * cols, scale, table, pixels.data);
  if (allowed) {
    for (let p = 0; p < rows * cols; p++) {
      if (allowed[p] === 0) pixels.data.set(MASKED_RGB, 4 * p);
    }
  }
  ctx.putImageData(pixels, 0, 0);
}

function countZeros(array) {
  let zeros = 0;
  for (let p = 0; p < array.length; p++) if (array[p] === 0) zeros++;
  return zeros;
}

/**
 * Diagonal strokes over the masked cells, so that "not allowed" reads as a
 * different thing from "allowed, weight 0" even to a reader who cannot tell
 * the grey from the palette's dark end. Cells too small to hold a stroke keep
 * the grey alone.
 */
function hatchMasked(ctx, { allowed, rows, cols }, { left, top, cellW, cellH }) {
  if (cellW < 4 || cellH < 4) return;
  ctx.save();
  ctx.beginPath();
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (allowed[i * cols + j] === 0) ctx.rect(left + j * cellW, top + i * cellH, cellW, cellH);
    }
  }
  ctx.clip();
  ctx.strokeStyle = MASKED_STROKE;
  ctx.lineWidth = 1;
  ctx.beginPath();
  const w = cols * cellW;
  const h = rows * cellH;
  const step = Math.max(4, Math.min(8, Math.min(cellW, cellH) / 2));
  for (let d = -h; d < w; d += step) {
    ctx.moveTo(left + d, top + h);
    ctx.lineTo(left + d + h, top);
  }
  ctx.stroke();
  ctx.restore();
}

/** The width of the widest drawn label, in CSS pixels (at least LABEL_MAX_WIDTH counts as that). */
function widestLabel(ctx, { rowLabels, colLabels }) {
  ctx.font = FONT;
  let labelWidth = 0;
  for (const label of [...rowLabels, ...colLabels]) {
    labelWidth = Math.max(labelWidth, ctx.measureText(shortLabel(label)).width);
    if (labelWidth >= LABEL_MAX_WIDTH) break;
  }
  return labelWidth;
}

/**
 * Where things go, in CSS pixels: labels (labelWidth wide at most) left of
 * and above the plot, and every step-th label drawn so labels never overlap.
 * A square matrix gets a square plot; others get cells of their own width
 * and height.
 */
function computeLayout(data, labelWidth, availableWidth, roomHeight) {
  const margin = Math.ceil(Math.min(labelWidth, LABEL_MAX_WIDTH)) + GAP + 2;
  const fitW = Math.max(PLOT_MIN / 2, availableWidth - margin - PAD);
  const fitH = roomHeight - margin - PAD;
  let cellW;
  let cellH;
  if (data.square) {
    const n = Math.max(data.rows, data.cols);
    const plot = Math.min(n * SQUARE_CELL_MAX, Math.max(PLOT_MIN, Math.floor(Math.min(PLOT_MAX, fitW, fitH))));
    cellW = cellH = plot / n;
  } else {
    cellW = Math.min(CELL_MAX, Math.min(PLOT_MAX, fitW) / data.cols);
    cellH = Math.min(CELL_MAX, Math.max(PLOT_MIN, Math.min(PLOT_MAX, fitH)) / data.rows);
  }
  const rowStep = Math.max(1, Math.ceil(LABEL_PITCH / cellH));
  const colStep = Math.max(1, Math.ceil(LABEL_PITCH / cellW));
  const width = margin + cellW * data.cols + PAD;
  const height = margin + cellH * data.rows + PAD;
  return { left: margin, top: margin, cellW, cellH, rowStep, colStep, width, height };
}

function buildTooltip(tooltip, names) {
  const field = (parent, name) => {
    const span = document.createElement('span');
    span.dataset.field = name;
    parent.append(span);
    return span;
  };
  const row = (title) => {
    const line = document.createElement('div');
    const name = document.createElement('span');
    name.className = 'tooltip-name';
    name.textContent = title;
    line.append(name);
    tooltip.append(line);
    return line;
  };
  tooltip.replaceChildren();
  const head = field(row(names.title ?? 'head'), 'head');
  const queryLine = row(names.row);
  const query = field(queryLine, 'query');
  const queryIndex = field(queryLine, 'query-index');
  const keyLine = row(names.col);
  const key = field(keyLine, 'key');
  const keyIndex = field(keyLine, 'key-index');
  const weight = field(row(names.value), 'weight');
  queryIndex.className = keyIndex.className = 'tooltip-index';
  return { head, query, queryIndex, key, keyIndex, weight };
}

function buildLegend(legend) {
  const min = document.createElement('span');
  min.dataset.field = 'min';
  const bar = document.createElement('canvas');
  bar.className = 'legend-bar';
  bar.width = 256;
  bar.height = 1;
  bar.setAttribute('aria-hidden', 'true');
  const max = document.createElement('span');
  max.dataset.field = 'max';
  const kind = document.createElement('span');
  kind.className = 'legend-kind';
  kind.dataset.field = 'scale';
  const masked = document.createElement('span');
  masked.className = 'legend-masked';
  masked.dataset.testid = 'legend-masked';
  const swatch = document.createElement('span');
  swatch.className = 'legend-swatch is-masked';
  swatch.setAttribute('aria-hidden', 'true');
  masked.append(swatch, 'masked (not allowed)');
  masked.hidden = true;
  legend.replaceChildren(min, bar, max, kind, masked);
  return { min, bar, max, kind, masked };
}

function paintLegendBar(parts, table) {
  const ctx = parts.bar.getContext('2d');
  const pixels = ctx.createImageData(256, 1);
  for (let i = 0; i < 256; i++) {
    const c = Math.round((i / 255) * (table.length / 3 - 1)) * 3;
    pixels.data.set([table[c], table[c + 1], table[c + 2], 255], 4 * i);
  }
  ctx.putImageData(pixels, 0, 0);
}

function labelLegend(parts, scale) {
  const short = (v) => (v === 0 ? '0' : Math.abs(v) < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(3))));
  setText(parts.min, scale.kind === 'log' ? `≤${short(scale.lo)}` : short(scale.min));
  setText(parts.max, scale.max > 0 || scale.max < 0 ? short(scale.max) : '0');
  setText(parts.kind, scale.kind === 'log' ? '(log)' : '');
}
