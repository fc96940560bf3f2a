// Query–key breakdown (BertViz's neuron view), draw-only: one bar per
// dimension of a score's terms (q_d · k_d for dot-product variants), whose
// sum is the score. It is given the terms; scoreterms.js computes them.
import { formatWeight } from './format.js';
import { drawBars } from './bars.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const fixed = (v) => String(Number(v.toPrecision(4)));

export function createBreakdownView({ root }) {
  const summary = document.createElement('p');
  summary.className = 'breakdown-summary';
  summary.dataset.testid = 'breakdown-summary';
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.classList.add('bar-chart');
  svg.dataset.testid = 'breakdown-chart';
  const drivers = document.createElement('p');
  drivers.className = 'breakdown-drivers';
  drivers.dataset.testid = 'breakdown-drivers';
  root.replaceChildren(summary, svg, drivers);

  /**
   * data: { terms, total, term, score, coreScore, row, col, head, queryToken,
   * keyToken, dimName }.
   */
  function draw(data) {
    const { terms, dimName } = data;
    root.dataset.row = String(data.row);
    root.dataset.col = String(data.col);
    root.dataset.total = String(data.total);
    summary.replaceChildren(
      `Query “${data.queryToken}” (#${data.row + 1}) and key “${data.keyToken}” (#${data.col + 1}), head ${data.head}: `,
      strong(`Σ ${data.term} = ${data.score} = ${fixed(data.total)}`),
      data.coreScore === undefined ? '' : ` (the core's score: ${formatWeight(data.coreScore)})`,
    );
    drawBars(svg, {
      values: Array.from(terms),
      labels: Array.from(terms, (_, i) => `${dimName}${i}`),
      label: `Terms ${data.term} of the score ${data.score} for query #${data.row + 1} and key #${data.col + 1}, one bar per dimension; they sum to ${fixed(data.total)}`,
      every: terms.length <= 32 ? 1 : undefined,
    });
    const order = Array.from(terms.keys()).sort((a, b) => Math.abs(terms[b]) - Math.abs(terms[a])).slice(0, 3);
    drivers.textContent = `Largest terms: ${order.map((i) => `${dimName}${i} (${terms[i] >= 0 ? '+' : ''}${fixed(terms[i])})`).join(', ')}.`;
  }

  return { draw, render() {}, highlight() {} };
}

function strong(text) {
  const node = document.createElement('strong');
  node.textContent = text;
  return node;
}
