// Heatmap of one head's attention weights: a draw-only component. It is
// given the weights [rows, cols], the axis labels and the colour scale's top;
// it knows no attention math. Token text reaches the page only through canvas
// fillText and textContent, never as HTML.
import { viridisTable } from './colormap.js';
import { formatWeight, shortLabel } from './format.js';

const RAMP = viridisTable(256);
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "Noto Color Emoji", sans-serif';
const LABEL_PITCH = 14; // fewest CSS pixels between two drawn labels
const LABEL_MAX_WIDTH = 110;
const GAP = 6; // between labels and the plot
const PAD = 8; // right and bottom edge
const PLOT_MIN = 160;
const PLOT_MAX = 640;
const HEIGHT_RESERVE = 200; // keep the plot's bottom on screen below the panel head

/**
 * elements: { canvas, tooltip, legend }; the canvas's parent is the
 * positioned box the tooltip floats in. onHover(row, col) is called with the
 * hovered cell, or with nulls when the pointer leaves.
 */
export function createHeatmap({ canvas, tooltip, legend, onHover = () => {} }) {
  const wrap = canvas.parentElement;
  const image = document.createElement('canvas'); // one pixel per weight
  const tip = buildTooltip(tooltip);
  const legendParts = buildLegend(legend);
  let data = null;
  let layout = null;
  let hovered = null;

  function draw(next) {
    data = next;
    paintImage(image, data);
    wrap.hidden = false;
    legend.hidden = false;
    canvas.dataset.digest = data.digest;
    canvas.dataset.rows = String(data.rows);
    canvas.dataset.cols = String(data.cols);
    canvas.setAttribute(
      'aria-label',
      `Attention weights of ${data.title}: ${data.rows} queries by ${data.cols} keys`,
    );
    legendParts.max.textContent = data.max > 0 ? data.max.toPrecision(3) : '0';
    render();
    if (hovered && hovered.row < data.rows && hovered.col < data.cols) showCell(hovered);
    else hideCell();
  }

  function clear() {
    data = null;
    layout = null;
    hideCell();
    wrap.hidden = true;
    legend.hidden = true;
    for (const key of ['digest', 'rows', 'cols', 'plotLeft', 'plotTop', 'cell']) delete canvas.dataset[key];
  }

  function render() {
    if (!data) return;
    const ctx = canvas.getContext('2d');
    layout = computeLayout(ctx, data, wrap.clientWidth, window.innerHeight);
    const dpr = window.devicePixelRatio || 1;
    canvas.style.width = `${layout.width}px`;
    canvas.style.height = `${layout.height}px`;
    canvas.width = Math.round(layout.width * dpr);
    canvas.height = Math.round(layout.height * dpr);
    canvas.dataset.plotLeft = String(layout.left);
    canvas.dataset.plotTop = String(layout.top);
    canvas.dataset.cell = String(layout.cell);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    paint(ctx);
  }

  function paint(ctx) {
    const { left, top, plot, cell, step } = layout;
    ctx.clearRect(0, 0, layout.width, layout.height);
    // Upscaled cells stay crisp squares; downscaled ones are averaged.
    ctx.imageSmoothingEnabled = cell < 1;
    ctx.drawImage(image, left, top, plot, plot);

    ctx.font = FONT;
    ctx.fillStyle = '#2b2f36';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    for (let i = 0; i < data.rows; i += step) {
      const bold = hovered && hovered.row === i;
      ctx.font = bold ? `bold ${FONT}` : FONT;
      ctx.fillText(shortLabel(data.rowLabels[i]), left - GAP, top + (i + 0.5) * cell);
    }
    ctx.textAlign = 'left';
    for (let j = 0; j < data.cols; j += step) {
      const bold = hovered && hovered.col === j;
      ctx.font = bold ? `bold ${FONT}` : FONT;
      ctx.save();
      ctx.translate(left + (j + 0.5) * cell, top - GAP);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(shortLabel(data.colLabels[j]), 0, 0);
      ctx.restore();
    }

    if (hovered) {
      const size = Math.max(cell, 3);
      const x = left + (hovered.col + 0.5) * cell - size / 2;
      const y = top + (hovered.row + 0.5) * cell - size / 2;
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#ff4f79';
      ctx.strokeRect(x, y, size, size);
    }
  }

  function cellAt(clientX, clientY) {
    if (!layout) return null;
    const rect = canvas.getBoundingClientRect();
    const col = Math.floor((clientX - rect.left - layout.left) / layout.cell);
    const row = Math.floor((clientY - rect.top - layout.top) / layout.cell);
    if (row < 0 || col < 0 || row >= data.rows || col >= data.cols) return null;
    return { row, col, x: clientX - rect.left, y: clientY - rect.top };
  }

  function showCell(cell) {
    hovered = cell;
    const { row, col } = cell;
    tip.query.textContent = data.rowLabels[row];
    tip.queryIndex.textContent = `#${row + 1}`;
    tip.key.textContent = data.colLabels[col];
    tip.keyIndex.textContent = `#${col + 1}`;
    tip.weight.textContent = formatWeight(data.weights[row * data.cols + col]);
    tip.head.textContent = data.title;
    tooltip.dataset.row = String(row);
    tooltip.dataset.col = String(col);
    tooltip.hidden = false;
    placeTooltip(cell);
    paint(canvas.getContext('2d'));
    onHover(row, col);
  }

  function hideCell() {
    const had = hovered !== null;
    hovered = null;
    tooltip.hidden = true;
    if (had && data && layout) paint(canvas.getContext('2d'));
    if (had) onHover(null, null);
  }

  function placeTooltip({ row, col, x, y }) {
    // Keyboard moves have no pointer position: point at the cell's centre.
    const px = x ?? layout.left + (col + 0.5) * layout.cell;
    const py = y ?? layout.top + (row + 0.5) * layout.cell;
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
  canvas.addEventListener('pointerleave', hideCell);
  canvas.addEventListener('blur', hideCell);
  canvas.addEventListener('keydown', (event) => {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const move = moves[event.key];
    if (!data || !move) return;
    event.preventDefault();
    const from = hovered ?? { row: 0, col: 0 };
    const row = Math.min(data.rows - 1, Math.max(0, from.row + (hovered ? move[0] : 0)));
    const col = Math.min(data.cols - 1, Math.max(0, from.col + (hovered ? move[1] : 0)));
    showCell({ row, col });
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

  return { draw, clear };
}

/** Writes weights [rows, cols] into image as viridis pixels, 0 to data.max. */
function paintImage(image, { weights, rows, cols, max }) {
  image.width = cols;
  image.height = rows;
  const ctx = image.getContext('2d');
  const pixels = ctx.createImageData(cols, rows);
  const toIndex = max > 0 ? 255 / max : 0;
  for (let p = 0; p < rows * cols; p++) {
    const c = Math.min(255, Math.max(0, Math.round(weights[p] * toIndex))) * 3;
    pixels.data[4 * p] = RAMP[c];
    pixels.data[4 * p + 1] = RAMP[c + 1];
    pixels.data[4 * p + 2] = RAMP[c + 2];
    pixels.data[4 * p + 3] = 255;
  }
  ctx.putImageData(pixels, 0, 0);
}

/**
 * Where things go, in CSS pixels: labels left of and above a square plot of
 * rows x cols cells, and every step-th label drawn so labels never overlap.
 */
function computeLayout(ctx, data, availableWidth, viewportHeight) {
  ctx.font = FONT;
  let labelWidth = 0;
  for (const label of [...data.rowLabels, ...data.colLabels]) {
    labelWidth = Math.max(labelWidth, ctx.measureText(shortLabel(label)).width);
    if (labelWidth >= LABEL_MAX_WIDTH) break;
  }
  const margin = Math.ceil(Math.min(labelWidth, LABEL_MAX_WIDTH)) + GAP + 2;
  const n = Math.max(data.rows, data.cols);
  const fit = Math.min(PLOT_MAX, availableWidth - margin - PAD, viewportHeight - margin - HEIGHT_RESERVE);
  const plot = Math.max(PLOT_MIN, Math.floor(fit));
  const cell = plot / n;
  const step = Math.max(1, Math.ceil(LABEL_PITCH / cell));
  return { left: margin, top: margin, plot, cell, step, width: margin + plot + PAD, height: margin + plot + PAD };
}

function buildTooltip(tooltip) {
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
  const head = field(row('head'), 'head');
  const queryLine = row('query');
  const query = field(queryLine, 'query');
  const queryIndex = field(queryLine, 'query-index');
  const keyLine = row('key');
  const key = field(keyLine, 'key');
  const keyIndex = field(keyLine, 'key-index');
  const weight = field(row('weight'), 'weight');
  queryIndex.className = keyIndex.className = 'tooltip-index';
  return { head, query, queryIndex, key, keyIndex, weight };
}

function buildLegend(legend) {
  const min = document.createElement('span');
  min.textContent = '0';
  const bar = document.createElement('canvas');
  bar.className = 'legend-bar';
  bar.width = 256;
  bar.height = 1;
  const ctx = bar.getContext('2d');
  const pixels = ctx.createImageData(256, 1);
  for (let i = 0; i < 256; i++) {
    pixels.data.set([RAMP[3 * i], RAMP[3 * i + 1], RAMP[3 * i + 2], 255], 4 * i);
  }
  ctx.putImageData(pixels, 0, 0);
  const max = document.createElement('span');
  max.dataset.field = 'max';
  legend.replaceChildren(min, bar, max);
  return { max };
}
