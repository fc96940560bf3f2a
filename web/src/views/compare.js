// The variant comparison under the heatmap: the same request under the
// state's variant (a) and state.compare (b) side by side, and a − b on a
// diverging map (red: a gives the key more weight, blue: b does) with the
// largest |a − b| of the shown head. Draw-only: compare(state, result, head)
// gives the numbers (compute/compare.js comparisonOf); built with
// createElement only.
import { digestOf, headSlice, maxOf } from '../compute/model.js';
import { formatWeight } from './format.js';
import { createHeatmap } from './heatmap.js';
import { el, setHidden } from './dom.js';

/** root: the <section data-testid="compare">; onHover(row, col) shares the hovered cell. */
export function createComparison({ root, compare, announcer, onHover }) {
  const title = el('h3', { id: 'compare-title', className: 'view-heading' });
  const summary = el('p', { className: 'compare-max' });
  summary.dataset.testid = 'compare-max';
  const panes = ['a', 'b', 'diff'].map((name) => {
    const caption = el('figcaption');
    const canvas = el('canvas', { tabIndex: 0 });
    canvas.setAttribute('role', 'img');
    canvas.dataset.testid = `compare-${name}`;
    const tooltip = el('div', { className: 'tooltip', hidden: true });
    tooltip.setAttribute('role', 'tooltip');
    const wrap = el('div', { className: 'heatmap-wrap', hidden: true }, [canvas, tooltip]);
    const legend = name === 'diff' ? el('div', { className: 'legend', hidden: true }) : null;
    if (legend) {
      legend.setAttribute('role', 'img');
      legend.setAttribute('aria-label', 'Diverging colour scale: blue where b gives more weight, red where a does');
    }
    const figure = el('figure', { className: `compare-pane compare-${name}` }, [caption, ...(legend ? [legend] : []), wrap]);
    const map = createHeatmap({
      canvas, tooltip, legend, announcer, onHover,
      names: name === 'diff' ? { title: 'difference', row: 'query', col: 'key', value: 'a − b' } : undefined,
    });
    return { name, caption, map, figure };
  });
  root.replaceChildren(title, summary, el('div', { className: 'compare-grid' }, panes.map((p) => p.figure)));
  let last = { result: null, key: '', run: null };

  /** Draws the comparison of result (a page result with its request), or hides it when state.compare is none. */
  function draw(state, result, tokens, head) {
    const on = state.compare !== 'none' && Boolean(result?.request);
    setHidden(root, !on);
    if (!on) return null;
    const key = [state.variant, state.compare, head].join('|');
    if (last.result !== result || last.key !== key) last = { result, key, run: compare(state, result, head) };
    const { run } = last;
    const labels = { rows: result.queries, cols: result.keys, rowLabels: tokens, colLabels: result.colTokens ?? tokens, scale: state.scale, palette: state.palette };
    title.textContent = `${state.variant} (a) and ${state.compare} (b) on the same inputs, head ${head}`;
    const weightsOf = (side) => headSlice(run[side].weights, result.queries, result.keys, head - 1);
    for (const side of ['a', 'b']) {
      const pane = panes.find((p) => p.name === side);
      const weights = weightsOf(side);
      pane.caption.textContent = `${side}: ${run[side].variant}`;
      pane.map.draw({ ...labels, weights, max: maxOf(weights), digest: digestOf(weights), title: `${run[side].variant}, head ${head}`, selected: { row: state.query, col: state.key } });
    }
    const diffPane = panes.find((p) => p.name === 'diff');
    const m = run.headMaxAbsDiff;
    diffPane.caption.textContent = `a − b (red: ${run.a.variant} gives more weight, blue: ${run.b.variant} does)`;
    diffPane.map.draw({
      ...labels, values: run.headDiff, min: -m, max: m, palette: 'diverging', scale: 'linear',
      digest: digestOf(run.headDiff), title: `${run.a.variant} minus ${run.b.variant}, head ${head}`, selected: { row: state.query, col: state.key },
    });
    summary.dataset.max = String(m);
    summary.textContent = `Largest |a − b| in head ${head}: ${formatWeight(m)}`;
    return run;
  }

  return {
    draw,
    hide() {
      root.hidden = true;
    },
    highlight(row, col) {
      for (const pane of panes) pane.map.highlight(row, col);
    },
    render() {
      for (const pane of panes) pane.map.render();
    },
  };
}
