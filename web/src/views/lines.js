// Lines view (BertViz's head view): a draw-only component. Queries on one
// side, keys on the other; a line joins query i and key j with opacity equal
// to their weight, in one colour per head. Hovering a token isolates its
// lines. It knows no attention math: it is given weights [H, N, N].
//
// Layouts: horizontal = queries in a column on the left, keys on the right;
// vertical = queries in a row on top, keys below (suits CJK, whose tokens
// are single characters).
import { HEAD_COLORS } from './colormap.js';
import { shortLabel } from './format.js';

const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "Noto Color Emoji", sans-serif';
const LABEL_PITCH = 14;
const LABEL_MAX_WIDTH = 110;
const PITCH_MAX = 22; // horizontal: CSS pixels per token
const PITCH_MIN = 2;
const SPAN_MAX = 3000; // the token axis is at most this long (it scrolls inside the view)
const GAP = 8;
const WEIGHT_FLOOR = 0.01; // lighter lines are invisible anyway; skipping them keeps N = 1024 fast
const ALPHA_LEVELS = 20; // lines are batched into this many opacities per head
const LINE_BUDGET = 12_000; // more lines than this take long to stroke: the faintest are dropped

/**
 * elements: { canvas, legend (a container for the head colour key), announcer? }.
 * onHover(row, col): a query token (row, null), a key token (null, col), or nulls;
 * onSelect(row, col) the same on a click or Enter.
 */
export function createLinesView({ canvas, legend, announcer = null, onHover = () => {}, onSelect = () => {} }) {
  const wrap = canvas.parentElement;
  let data = null;
  let layout = null;
  let own = null; // { side: 'query' | 'key', index } under this view's pointer or keyboard
  let marked = null; // { row, col } from another view
  let floorNote = document.createElement('span');

  /**
   * data: { weights [heads, queries, keys], heads, queries, keys, rowTokens,
   * colTokens (or n and tokens for self-attention), head (0-based), allHeads,
   * layout 'horizontal'|'vertical', selected? { row, col } }.
   */
  function draw(next) {
    const queries = next.queries ?? next.n;
    const keys = next.keys ?? next.n;
    // n is the longer side: the token axis is laid out for it.
    data = { ...next, queries, keys, n: Math.max(queries, keys), rowTokens: next.rowTokens ?? next.tokens, colTokens: next.colTokens ?? next.tokens };
    buildLegend();
    canvas.dataset.layout = data.layout;
    canvas.dataset.heads = data.allHeads ? 'all' : String(data.head + 1);
    canvas.setAttribute(
      'aria-label',
      `Lines from ${data.queries} queries to ${data.keys} keys, ${data.allHeads ? `all ${data.heads} heads overlaid` : `head ${data.head + 1}`}; opacity is the weight. Arrow keys pick a token.`,
    );
    render();
  }

  function buildLegend() {
    const heads = data.allHeads ? Array.from({ length: data.heads }, (_, h) => h) : [data.head];
    floorNote = document.createElement('span');
    floorNote.className = 'hint';
    floorNote.dataset.testid = 'lines-floor';
    legend.replaceChildren(
      ...heads.map((h) => {
        const item = document.createElement('span');
        item.className = 'head-key';
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = HEAD_COLORS[h % HEAD_COLORS.length];
        item.append(swatch, `head ${h + 1}`);
        return item;
      }),
      floorNote,
    );
  }

  function render() {
    if (!data || wrap.clientWidth === 0) return;
    const ctx = canvas.getContext('2d');
    layout = computeLayout(ctx, data, wrap.clientWidth);
    const dpr = window.devicePixelRatio || 1;
    canvas.style.width = `${layout.width}px`;
    canvas.style.height = `${layout.height}px`;
    canvas.width = Math.round(layout.width * dpr);
    canvas.height = Math.round(layout.height * dpr);
    for (const key of ['pitch', 'start', 'queryAt', 'keyAt']) canvas.dataset[key] = String(layout[key]);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    paint(ctx);
  }

  /** Which token lines are isolated: this view's own hover first, then another view's. */
  function focus() {
    if (own) return own;
    if (marked?.row != null) return { side: 'query', index: marked.row, key: marked.col };
    if (marked?.col != null) return { side: 'key', index: marked.col };
    return null;
  }

  function paint(ctx) {
    const { queries: nq, keys: nk, weights, rowTokens, colTokens } = data;
    const tokensOf = (side) => (side === 'query' ? rowTokens : colTokens);
    const { pitch, start, queryAt, keyAt, vertical } = layout;
    ctx.clearRect(0, 0, layout.width, layout.height);
    const at = (i) => start + (i + 0.5) * pitch;
    const point = (side, i) => (vertical ? [at(i), side === 'query' ? queryAt : keyAt] : [side === 'query' ? queryAt : keyAt, at(i)]);
    const only = focus();
    canvas.dataset.isolate = only ? `${only.side}:${only.index}` : '';

    const heads = data.allHeads ? Array.from({ length: data.heads }, (_, h) => h) : [data.head];
    const rowFrom = only?.side === 'query' ? only.index : 0;
    const rowTo = only?.side === 'query' ? only.index + 1 : nq;
    const colFrom = only?.side === 'key' ? only.index : 0;
    const colTo = only?.side === 'key' ? only.index + 1 : nk;
    // Opacity level of every line at or above WEIGHT_FLOOR, per head; then
    // the faintest levels are dropped until at most LINE_BUDGET lines remain.
    const levels = heads.map(() => Array.from({ length: ALPHA_LEVELS + 1 }, () => []));
    const counts = new Array(ALPHA_LEVELS + 1).fill(0);
    heads.forEach((h, slot) => {
      const base = h * nq * nk;
      const buckets = levels[slot];
      for (let i = rowFrom; i < rowTo; i++) {
        const row = base + i * nk;
        for (let j = colFrom; j < colTo; j++) {
          const w = weights[row + j];
          if (w < WEIGHT_FLOOR) continue;
          const level = Math.round(Math.min(1, w) * ALPHA_LEVELS);
          buckets[level].push(i, j);
          counts[level] += 1;
        }
      }
    });
    let lowest = 0;
    let kept = counts.reduce((a, b) => a + b, 0);
    while (kept > LINE_BUDGET && lowest < ALPHA_LEVELS) kept -= counts[lowest++];
    canvas.dataset.floor = lowest === 0 ? String(WEIGHT_FLOOR) : String((lowest - 0.5) / ALPHA_LEVELS);
    floorNote.textContent = lowest === 0 ? '' : `Lines of weight below ${canvas.dataset.floor} are not drawn.`;

    let drawn = 0;
    ctx.lineWidth = pitch >= 10 ? 2 : 1;
    heads.forEach((h, slot) => {
      ctx.strokeStyle = HEAD_COLORS[h % HEAD_COLORS.length];
      levels[slot].forEach((pairs, level) => {
        if (pairs.length === 0 || level < lowest) return;
        ctx.globalAlpha = Math.max(level, 1) / ALPHA_LEVELS;
        ctx.beginPath();
        for (let p = 0; p < pairs.length; p += 2) {
          const [x0, y0] = point('query', pairs[p]);
          const [x1, y1] = point('key', pairs[p + 1]);
          ctx.moveTo(x0, y0);
          ctx.lineTo(x1, y1);
        }
        ctx.stroke();
        drawn += pairs.length / 2;
      });
    });
    ctx.globalAlpha = 1;
    canvas.dataset.lines = String(drawn);

    const ink = getComputedStyle(canvas).color || '#2b2f36';
    ctx.fillStyle = ink;
    ctx.textBaseline = 'middle';
    for (const side of ['query', 'key']) {
      const labels = tokensOf(side);
      for (let i = 0; i < labels.length; i += layout.step) drawLabel(ctx, side, i, labels[i], false);
    }
    if (only) drawLabel(ctx, only.side, only.index, tokensOf(only.side)[only.index], true);
    if (only?.key != null) drawLabel(ctx, 'key', only.key, colTokens[only.key], true);
  }

  function drawLabel(ctx, side, i, token, bold) {
    const { vertical, pitch, start, queryAt, keyAt } = layout;
    const pos = start + (i + 0.5) * pitch;
    ctx.font = bold ? `bold ${FONT}` : FONT;
    ctx.save();
    if (!vertical) {
      ctx.textAlign = side === 'query' ? 'right' : 'left';
      ctx.fillText(shortLabel(token), side === 'query' ? queryAt - GAP : keyAt + GAP, pos);
    } else if (layout.rotate) {
      ctx.translate(pos, side === 'query' ? queryAt - GAP : keyAt + GAP);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = side === 'query' ? 'left' : 'right';
      ctx.fillText(shortLabel(token), 0, 0);
    } else {
      ctx.textAlign = 'center';
      ctx.textBaseline = side === 'query' ? 'bottom' : 'top';
      ctx.fillText(shortLabel(token), pos, side === 'query' ? queryAt - GAP / 2 : keyAt + GAP / 2);
    }
    ctx.restore();
    if (bold) {
      ctx.strokeStyle = '#ff4f79';
      ctx.lineWidth = 2;
      const [x, y] = vertical ? [pos, side === 'query' ? queryAt : keyAt] : [side === 'query' ? queryAt : keyAt, pos];
      ctx.beginPath();
      ctx.arc(x, y, 3, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }

  function tokenAt(clientX, clientY) {
    if (!layout) return null;
    const rect = canvas.getBoundingClientRect();
    const x = clientX - rect.left;
    const y = clientY - rect.top;
    const along = layout.vertical ? x : y;
    const across = layout.vertical ? y : x;
    const index = Math.floor((along - layout.start) / layout.pitch);
    const side = across < (layout.queryAt + layout.keyAt) / 2 ? 'query' : 'key';
    if (index < 0 || index >= countOf(side)) return null;
    return { side, index };
  }

  function countOf(side) {
    return side === 'query' ? data.queries : data.keys;
  }

  function setOwn(next) {
    const same = own && next && own.side === next.side && own.index === next.index;
    if (same || (!own && !next)) return;
    own = next;
    if (layout) paint(canvas.getContext('2d'));
    if (!next) onHover(null, null);
    else if (next.side === 'query') onHover(next.index, null);
    else onHover(null, next.index);
  }

  function highlight(row, col) {
    marked = row === null && col === null ? null : { row, col };
    canvas.dataset.markRow = row === null ? '' : String(row);
    canvas.dataset.markCol = col === null ? '' : String(col);
    if (data && layout && !own) paint(canvas.getContext('2d'));
  }

  function announce() {
    if (!announcer || !own) return;
    const { queries: nq, keys: nk, weights, rowTokens, colTokens } = data;
    const h = data.allHeads ? 0 : data.head;
    const isQuery = own.side === 'query';
    let best = -1;
    let bestW = -1;
    for (let k = 0; k < (isQuery ? nk : nq); k++) {
      const w = isQuery ? weights[h * nq * nk + own.index * nk + k] : weights[h * nq * nk + k * nk + own.index];
      if (w > bestW) [best, bestW] = [k, w];
    }
    const other = isQuery ? 'key' : 'query';
    const [mine, theirs] = isQuery ? [rowTokens, colTokens] : [colTokens, rowTokens];
    announcer.textContent = `${own.side} ${mine[own.index]} (#${own.index + 1}); strongest ${other} in head ${h + 1}: ${theirs[best]} (#${best + 1}), weight ${bestW.toPrecision(3)}`;
  }

  canvas.addEventListener('pointermove', (event) => setOwn(tokenAt(event.clientX, event.clientY)));
  canvas.addEventListener('pointerleave', () => setOwn(null));
  canvas.addEventListener('blur', () => setOwn(null));
  canvas.addEventListener('click', (event) => {
    const token = tokenAt(event.clientX, event.clientY);
    if (token) onSelect(token.side === 'query' ? token.index : null, token.side === 'key' ? token.index : null);
  });
  canvas.addEventListener('keydown', (event) => {
    if (!data) return;
    const along = layout?.vertical ? { ArrowLeft: -1, ArrowRight: 1 } : { ArrowUp: -1, ArrowDown: 1 };
    const across = layout?.vertical ? ['ArrowUp', 'ArrowDown'] : ['ArrowLeft', 'ArrowRight'];
    if ((event.key === 'Enter' || event.key === ' ') && own) {
      event.preventDefault();
      onSelect(own.side === 'query' ? own.index : null, own.side === 'key' ? own.index : null);
      return;
    }
    if (!(event.key in along) && !across.includes(event.key)) return;
    event.preventDefault();
    const from = own ?? { side: 'query', index: data.selected?.row ?? 0 };
    let { side, index } = from;
    if (own && event.key in along) index = Math.max(0, index + along[event.key]);
    if (own && across.includes(event.key)) side = event.key === across[0] ? 'query' : 'key';
    setOwn({ side, index: Math.min(index, countOf(side) - 1) });
    announce();
  });

  return { draw, render, highlight };
}

/**
 * Token positions in CSS pixels: the token axis (start + (i + 0.5) · pitch),
 * and where the query and key ends of the lines sit across it.
 */
function computeLayout(ctx, data, availableWidth) {
  ctx.font = FONT;
  let labelWidth = 0;
  for (const token of [...data.rowTokens, ...data.colTokens]) {
    labelWidth = Math.max(labelWidth, ctx.measureText(shortLabel(token)).width);
    if (labelWidth >= LABEL_MAX_WIDTH) break;
  }
  labelWidth = Math.ceil(Math.min(labelWidth, LABEL_MAX_WIDTH));
  const n = data.n;
  if (data.layout === 'vertical') {
    const pitch = Math.max(PITCH_MIN, Math.min(48, (availableWidth - 16) / n, SPAN_MAX / n));
    // Short tokens (CJK characters, emoji) stand upright; longer ones are turned.
    const rotate = labelWidth > pitch - 2;
    const labelRoom = rotate ? labelWidth + GAP : 18;
    const queryAt = labelRoom + GAP;
    const keyAt = queryAt + Math.max(160, Math.min(320, n * 12));
    const step = Math.max(1, Math.ceil((rotate ? LABEL_PITCH : labelWidth + 4) / pitch));
    return { vertical: true, rotate, pitch, step, start: 8, queryAt, keyAt, width: 16 + n * pitch, height: keyAt + labelRoom + GAP };
  }
  const pitch = Math.max(PITCH_MIN, Math.min(PITCH_MAX, SPAN_MAX / n));
  const span = Math.max(160, Math.min(360, availableWidth - 2 * (labelWidth + GAP) - 16));
  const queryAt = labelWidth + GAP + 4;
  const keyAt = queryAt + span;
  const step = Math.max(1, Math.ceil(LABEL_PITCH / pitch));
  return { vertical: false, rotate: false, pitch, step, start: 8, queryAt, keyAt, width: keyAt + GAP + labelWidth + 4, height: 16 + n * pitch };
}
