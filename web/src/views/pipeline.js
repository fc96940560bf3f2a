// The pipeline strip: the whole of attention for the selected query in one
// row, x → q, k, v → score → scale → softmax → Σ w·v, each stage with that
// query's numbers as a mini bar chart and one number, and a button that opens
// the view showing the stage. A draw-only component: it is given
// present.js pipelineData and computes nothing. Built with createElement and
// textContent only (token text never becomes markup).
import { el } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const BARS_W = 56;
const BARS_H = 16;
const BARS_MAX = 32; // more values than this are pooled into this many bars (their mean)

/** values as at most BARS_MAX numbers: the means of equal runs. */
function pooled(values) {
  if (values.length <= BARS_MAX) return { bars: Array.from(values), per: 1 };
  const per = Math.ceil(values.length / BARS_MAX);
  const bars = [];
  for (let i = 0; i < values.length; i += per) {
    let sum = 0;
    const end = Math.min(values.length, i + per);
    for (let j = i; j < end; j++) sum += values[j];
    bars.push(sum / (end - i));
  }
  return { bars, per };
}

/** An empty tiny bar chart (all bars one path, the marked bar one rect over it); drawBars fills it. */
function miniBarsBox() {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${BARS_W} ${BARS_H}`);
  svg.setAttribute('width', String(BARS_W));
  svg.setAttribute('height', String(BARS_H));
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('pipeline-bars');
  const bars = document.createElementNS(SVG, 'path');
  const marked = document.createElementNS(SVG, 'rect');
  marked.classList.add('is-marked');
  svg.append(bars, marked);
  return svg;
}

const fixed = (x) => x.toFixed(2);

/**
 * Values as a tiny bar chart (signed: bars go up or down from the middle
 * line), the bar of mark in the accent colour. Two elements whatever the
 * number of bars, changed in place, so a new result costs the strip little
 * style, layout and paint. data-bars and data-marked say what is drawn.
 */
function drawBars(svg, values, mark) {
  const [path, markRect] = svg.children;
  if (values === null) {
    path.setAttribute('d', '');
    markRect.setAttribute('height', '0');
    svg.dataset.bars = '0';
    svg.dataset.marked = '-1';
    return;
  }
  const { bars, per } = pooled(values);
  let top = 0;
  let low = 0;
  for (const v of bars) {
    if (Number.isFinite(v)) {
      top = Math.max(top, v);
      low = Math.min(low, v);
    }
  }
  const span = top - low || 1;
  const zero = (top / span) * BARS_H;
  const w = BARS_W / bars.length;
  const markedBar = mark !== null && mark >= 0 ? Math.floor(mark / per) : -1;
  let d = '';
  bars.forEach((v, i) => {
    const value = Number.isFinite(v) ? v : 0;
    const height = Math.max(0.5, (Math.abs(value) / span) * BARS_H);
    const x = i * w + w * 0.1;
    const y = value >= 0 ? zero - height : zero;
    const width = Math.max(0.5, w * 0.8);
    d += `M${fixed(x)} ${fixed(y)}h${fixed(width)}v${fixed(height)}h${fixed(-width)}z`;
    if (i === markedBar) {
      markRect.setAttribute('x', fixed(x));
      markRect.setAttribute('y', fixed(y));
      markRect.setAttribute('width', fixed(width));
      markRect.setAttribute('height', fixed(height));
    }
  });
  if (markedBar < 0 || markedBar >= bars.length) markRect.setAttribute('height', '0');
  path.setAttribute('d', d);
  svg.dataset.bars = String(bars.length);
  svg.dataset.marked = String(markedBar < bars.length ? markedBar : -1);
}

/** root: the strip's container; onOpen(view) when a stage's button is pressed. */
export function createPipelineStrip({ root, onOpen = () => {} }) {
  const list = el('ol', { className: 'pipeline-stages' });
  const note = el('p', { className: 'pipeline-note hint' });
  note.dataset.testid = 'pipeline-note';
  root.replaceChildren(list, note);

  // The stages' buttons, kept while the stages stay the same (by id), so a
  // new result only changes their text and bars.
  let built = { key: '', stages: [] };

  function build(stages) {
    const parts = stages.map((stage, i) => {
      const name = el('span', { className: 'pipeline-name' });
      const bars = miniBarsBox();
      const detail = el('span', { className: 'pipeline-detail' });
      // The name is the visible text (speech input says what it sees), then where the button leads.
      const opens = el('span', { className: 'visually-hidden' });
      const button = el('button', { type: 'button', className: 'pipeline-stage' }, [name, ' ', bars, detail, opens]);
      button.dataset.testid = `pipeline-${stage.id}`;
      button.addEventListener('click', () => onOpen(button.dataset.view));
      const item = el('li', {}, [button]);
      if (i > 0) item.classList.add('has-arrow');
      return { item, button, name, bars, detail, opens };
    });
    list.replaceChildren(...parts.map((part) => part.item));
    return parts;
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  /** data: present.js pipelineData; view: the open view, whose stages are marked as shown. */
  function draw(data, view) {
    root.hidden = false;
    root.dataset.row = String(data.row);
    root.dataset.variant = data.variant;
    const key = data.stages.map((stage) => stage.id).join(' ');
    if (built.key !== key) built = { key, stages: build(data.stages) };
    data.stages.forEach((stage, i) => {
      const part = built.stages[i];
      setText(part.name, stage.name);
      setText(part.detail, stage.detail);
      setText(part.opens, `, opens the ${stage.view} view`);
      part.bars.style.display = stage.values ? '' : 'none';
      drawBars(part.bars, stage.values ?? null, stage.mark);
      part.button.dataset.view = stage.view;
      part.button.title = `Open the ${stage.view} view`;
      if (stage.view === view) part.button.setAttribute('aria-current', 'true');
      else part.button.removeAttribute('aria-current');
      part.button.classList.toggle('is-different', Boolean(stage.differs));
    });
    setText(note, data.note);
  }

  return {
    draw,
    hide() {
      root.hidden = true;
    },
  };
}
