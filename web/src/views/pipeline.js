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

/** An empty tiny bar chart; drawBars fills it. */
function miniBarsBox() {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${BARS_W} ${BARS_H}`);
  svg.setAttribute('width', String(BARS_W));
  svg.setAttribute('height', String(BARS_H));
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('pipeline-bars');
  return svg;
}

/**
 * Values as a tiny bar chart (signed: bars go up or down from the middle
 * line), the bar of mark in the accent colour. The rects are kept and only
 * their attributes change, so a new result costs the strip little layout.
 */
function drawBars(svg, values, mark) {
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
  while (svg.childElementCount > bars.length) svg.lastElementChild.remove();
  while (svg.childElementCount < bars.length) svg.append(document.createElementNS(SVG, 'rect'));
  bars.forEach((v, i) => {
    const value = Number.isFinite(v) ? v : 0;
    const height = Math.max(0.5, (Math.abs(value) / span) * BARS_H);
    const rect = svg.children[i];
    rect.setAttribute('x', String(i * w + w * 0.1));
    rect.setAttribute('width', String(Math.max(0.5, w * 0.8)));
    rect.setAttribute('y', String(value >= 0 ? zero - height : zero));
    rect.setAttribute('height', String(height));
    rect.classList.toggle('is-marked', mark !== null && Math.floor(mark / per) === i);
  });
  svg.dataset.bars = String(bars.length);
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
      if (stage.values) drawBars(part.bars, stage.values, stage.mark);
      else part.bars.replaceChildren();
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
