// A bar chart in SVG, draw-only: bars up for positive values, down for
// negative ones, from a zero line. Elements are made with createElementNS
// and text is set with textContent only.

const SVG_NS = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const HEIGHT = 220;
const LEFT = 48;
const RIGHT = 8;
const TOP = 10;
const BOTTOM = 30;

function el(name, attributes = {}, text = null) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

const short = (v) => (v === 0 ? '0' : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(3))));

/**
 * Draws values as bars into svg. data: { values, labels (one per bar),
 * label (what the chart shows, for screen readers), every (label every
 * n-th bar; default: as many as fit), marked (index of a bar to outline) }.
 */
export function drawBars(svg, { values, labels, label, every, marked = null, format = short }) {
  const n = values.length;
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (hi === lo) hi = lo + 1;
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const y = (v) => TOP + ((hi - v) / (hi - lo)) * plotH;
  const band = plotW / Math.max(n, 1);
  const barW = band >= 4 ? band * 0.8 : band;
  const step = every ?? Math.max(1, Math.ceil(28 / band));

  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  const nodes = [el('title', {}, label)];
  nodes.push(el('line', { class: 'axis', x1: LEFT, x2: WIDTH - RIGHT, y1: y(0), y2: y(0) }));
  for (const v of new Set([hi, 0, lo])) {
    nodes.push(el('text', { class: 'tick', x: LEFT - 6, y: y(v), 'text-anchor': 'end', 'dominant-baseline': 'middle' }, format(v)));
  }
  const bars = el('g', { class: 'bars' });
  values.forEach((v, i) => {
    const top = Math.min(y(v), y(0));
    const rect = el('rect', {
      class: v < 0 ? 'bar neg' : 'bar',
      x: LEFT + i * band + (band - barW) / 2,
      y: top,
      width: barW,
      height: Math.max(Math.abs(y(v) - y(0)), 0.5),
      'data-index': i,
      'data-value': v,
    });
    if (i === marked) rect.classList.add('is-marked');
    rect.append(el('title', {}, `${labels[i]}: ${format(v)}`));
    bars.append(rect);
  });
  nodes.push(bars);
  for (let i = 0; i < n; i += step) {
    nodes.push(el('text', { class: 'tick', x: LEFT + (i + 0.5) * band, y: HEIGHT - BOTTOM + 16, 'text-anchor': 'middle' }, labels[i]));
  }
  svg.replaceChildren(...nodes);
}
