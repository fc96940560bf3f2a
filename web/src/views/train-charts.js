// Train mode's two charts, drawn by uPlot: the loss and the accuracy of the
// model with attention and of the baseline, per training step. A draw-only
// component: it is given the curves' points (compute/train-history.js) and
// knows nothing of training. uPlot styles its elements through the DOM's
// style properties and its stylesheet is bundled, so the page's Content
// Security Policy (style-src 'self') holds.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLOURS = { attention: '#1f77b4', baseline: '#d62728' };
const HEIGHT = 200;

/** The page theme's ink and line colours (style.css), which canvas text cannot inherit. */
function themeColours(el) {
  const style = getComputedStyle(el);
  return { ink: style.getPropertyValue('--ink').trim() || '#1f2329', line: style.getPropertyValue('--line').trim() || '#dde1e7' };
}

function chartOptions(title, yLabel, width, range, { ink, line }) {
  const axis = (label, extra = {}) => ({ label, stroke: ink, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 }, ...extra });
  return {
    title,
    width,
    height: HEIGHT,
    scales: { x: { time: false }, y: range ? { range } : {} },
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    series: [
      { label: 'step' },
      { label: 'with attention', stroke: COLOURS.attention, width: 1.5, points: { show: false } },
      { label: 'baseline (uniform average)', stroke: COLOURS.baseline, width: 1.5, dash: [6, 4], points: { show: false } },
    ],
    axes: [axis('step'), axis(yLabel, { size: 60 })],
  };
}

/** elements: { loss, accuracy } (the two containers). */
export function createTrainCharts({ loss, accuracy }) {
  const widthOf = (el) => Math.max(240, Math.floor(el.clientWidth || 480));
  let charts = null;
  let theme = null;
  let drawn = null;

  function make() {
    charts?.loss.destroy();
    charts?.accuracy.destroy();
    theme = document.documentElement.dataset.theme ?? 'light';
    const colours = themeColours(loss);
    charts = {
      loss: new uPlot(chartOptions('Loss (cross-entropy of the answers)', 'loss', widthOf(loss), null, colours), [[], [], []], loss),
      accuracy: new uPlot(
        chartOptions('Accuracy (answers whose most likely token is right)', 'accuracy', widthOf(accuracy), [0, 1], colours),
        [[], [], []],
        accuracy,
      ),
    };
  }
  make();

  return {
    /** points: { step, attentionLoss, baselineLoss, attentionAccuracy, baselineAccuracy } arrays. */
    draw(points) {
      // The axes' colours are the theme's: a new theme draws new charts.
      if ((document.documentElement.dataset.theme ?? 'light') !== theme) make();
      drawn = points;
      charts.loss.setData([points.step, points.attentionLoss, points.baselineLoss]);
      charts.accuracy.setData([points.step, points.attentionAccuracy, points.baselineAccuracy]);
      loss.dataset.points = String(points.step.length);
      accuracy.dataset.points = String(points.step.length);
    },
    resize() {
      charts.loss.setSize({ width: widthOf(loss), height: HEIGHT });
      charts.accuracy.setSize({ width: widthOf(accuracy), height: HEIGHT });
      if (drawn) this.draw(drawn);
    },
  };
}
