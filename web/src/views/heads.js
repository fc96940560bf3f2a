// Heads grid: a small heatmap per head plus their average, a draw-only
// component. Clicking a head's map focuses it; hovering a cell of any map
// marks the same cell in all of them. It is given weights [H, N, N] and
// their average [N, N]; it knows no attention math.
import { createScale, paletteTable, valuesToPixels } from './colormap.js';
import { downsampleRect } from './row-stats.js';

const TILE = 132; // CSS pixels per map

/**
 * elements: { root } (the grid container).
 * onHover(row, col) with the hovered cell or nulls; onSelectHead(h) with a 0-based head.
 */
export function createHeadsGrid({ root, onHover = () => {}, onSelectHead = () => {} }) {
  let data = null;
  let tiles = [];
  let mark = null;
  // Pooled maps of the drawn weights, by head ('average' for the average) and
  // size: redrawing the same weights (another head focused, a new selection)
  // does not pool again, which at 2048 × 2048 × 8 heads takes a while.
  let pooledOf = { weights: null, average: null, maps: new Map() };

  /**
   * data: { weights [heads, rows, cols], average [rows, cols], heads, rows,
   * cols (or n for square maps), head (0-based focused), scale, palette, max }.
   */
  function draw(next) {
    data = { ...next, rows: next.rows ?? next.n, cols: next.cols ?? next.n };
    const { heads } = data;
    const scale = createScale({ kind: data.scale, min: 0, max: data.max });
    const table = paletteTable(data.palette);
    const size = data.rows * data.cols;
    const maps = [
      ...Array.from({ length: heads }, (_, h) => ({ h, values: data.weights.subarray(h * size, (h + 1) * size) })),
      { h: null, values: data.average },
    ];
    // The tiles are rebuilt; a keyboard user who pressed Enter on one keeps focus on its successor.
    const focused = root.contains(document.activeElement) ? document.activeElement.dataset.testid : null;
    tiles = maps.map(({ h, values }) => buildTile(h, values, scale, table));
    root.replaceChildren(...tiles.map((t) => t.element));
    if (focused) tiles.find((t) => t.element.dataset.testid === focused)?.element.focus({ preventScroll: true });
    paintMarks();
  }

  function buildTile(h, values, scale, table) {
    const isAverage = h === null;
    const dpr = window.devicePixelRatio || 1;
    const element = document.createElement(isAverage ? 'figure' : 'button');
    element.className = 'head-tile';
    element.dataset.testid = isAverage ? 'head-tile-average' : `head-tile-${h + 1}`;
    if (!isAverage) {
      element.type = 'button';
      element.setAttribute('aria-pressed', String(h === data.head));
      element.addEventListener('click', () => onSelectHead(h));
    }
    const canvas = document.createElement('canvas');
    canvas.setAttribute('aria-hidden', 'true');
    canvas.width = Math.round(TILE * dpr);
    canvas.height = Math.round(TILE * dpr);
    canvas.style.width = `${TILE}px`;
    canvas.style.height = `${TILE}px`;
    // A map never shows more than about two values per device pixel: pool large matrices first.
    const pooled = pool(isAverage ? 'average' : h, values, Math.ceil(TILE * dpr));
    const image = document.createElement('canvas');
    image.width = pooled.cols;
    image.height = pooled.rows;
    const imageCtx = image.getContext('2d');
    const pixels = imageCtx.createImageData(pooled.cols, pooled.rows);
    valuesToPixels(pooled.values, pooled.rows * pooled.cols, scale, table, pixels.data);
    imageCtx.putImageData(pixels, 0, 0);
    const caption = document.createElement(isAverage ? 'figcaption' : 'span');
    caption.className = 'head-tile-caption';
    caption.textContent = isAverage ? `average of ${data.heads}` : `head ${h + 1}`;
    element.append(canvas, caption);
    canvas.addEventListener('pointermove', (event) => {
      const rect = canvas.getBoundingClientRect();
      const col = Math.floor(((event.clientX - rect.left) / rect.width) * data.cols);
      const row = Math.floor(((event.clientY - rect.top) / rect.height) * data.rows);
      if (row >= 0 && col >= 0 && row < data.rows && col < data.cols) setMark(row, col, true);
    });
    canvas.addEventListener('pointerleave', () => setMark(null, null, true));
    return { element, canvas, image, dpr };
  }

  function pool(name, values, size) {
    if (pooledOf.weights !== data.weights || pooledOf.average !== data.average) {
      pooledOf = { weights: data.weights, average: data.average, maps: new Map() };
    }
    const key = `${name}:${size}`;
    if (!pooledOf.maps.has(key)) pooledOf.maps.set(key, downsampleRect(values, data.rows, data.cols, size));
    return pooledOf.maps.get(key);
  }

  function paintTile({ canvas, image, dpr }) {
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.imageSmoothingEnabled = Math.max(image.width, image.height) > TILE;
    ctx.clearRect(0, 0, TILE, TILE);
    ctx.drawImage(image, 0, 0, TILE, TILE);
    if (!mark) return;
    const cellW = TILE / data.cols;
    const cellH = TILE / data.rows;
    ctx.strokeStyle = '#ff4f79';
    ctx.lineWidth = 2;
    if (mark.row !== null && mark.col !== null) {
      const w = Math.max(cellW, 4);
      const h = Math.max(cellH, 4);
      ctx.strokeRect((mark.col + 0.5) * cellW - w / 2, (mark.row + 0.5) * cellH - h / 2, w, h);
    } else if (mark.row !== null) {
      ctx.strokeRect(0, mark.row * cellH, TILE, Math.max(cellH, 2));
    } else if (mark.col !== null) {
      ctx.strokeRect(mark.col * cellW, 0, Math.max(cellW, 2), TILE);
    }
  }

  function paintMarks() {
    root.dataset.markRow = mark?.row == null ? '' : String(mark.row);
    root.dataset.markCol = mark?.col == null ? '' : String(mark.col);
    if (data) for (const tile of tiles) paintTile(tile);
  }

  function setMark(row, col, tell) {
    const next = row === null && col === null ? null : { row, col };
    if (mark?.row === next?.row && mark?.col === next?.col) return;
    mark = next;
    paintMarks();
    if (tell) onHover(row, col);
  }

  return {
    draw,
    render: paintMarks,
    highlight: (row, col) => setMark(row, col, false),
  };
}
