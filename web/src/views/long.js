// Long input's picture (compute/long.js computes it): the overview or the
// zoomed region drawn into the page's heatmap, with the note under it and
// the "Back to the overview" button shown while zoomed. Draw-only.
import { digestOf, maxOf } from '../compute/model.js';

/** heatmap: the page's heatmap view; elements: { note, back } (see index.html). */
export function createLongView({ heatmap, elements }) {
  /** Draws the result of a long request (run.js): its overview or its zoomed region. */
  function draw(state, request, result) {
    const tokens = request.rowTokens;
    const n = tokens.length;
    const head = request.head;
    const common = { max: maxOf(result.values), digest: digestOf(result.values), scale: state.scale, palette: state.palette };
    elements.back.hidden = request.plan !== 'zoom';
    if (request.plan === 'zoom') {
      const { q0, k0, size } = result;
      heatmap.draw({
        ...common,
        values: result.values,
        rows: size,
        cols: size,
        rowLabels: tokens.slice(q0, q0 + size),
        colLabels: tokens.slice(k0, k0 + size),
        rowIndex: (i) => `#${q0 + i + 1}`,
        colIndex: (j) => `#${k0 + j + 1}`,
        title: `head ${head + 1}, exact: queries ${q0 + 1}–${q0 + size}, keys ${k0 + 1}–${k0 + size}`,
      });
      elements.note.textContent = `zoomed: the exact weights of queries ${q0 + 1}–${q0 + size} and keys ${k0 + 1}–${k0 + size} of ${n} tokens, at full resolution. Click “Back to the overview” to see all of them.`;
      return;
    }
    const { grid } = request;
    const span = (i, per) => `#${i * per + 1}–${Math.min(n, (i + 1) * per)}`;
    heatmap.draw({
      ...common,
      values: result.values,
      rows: grid.rows,
      cols: grid.cols,
      rowLabels: Array.from({ length: grid.rows }, (_, i) => span(i, grid.b)),
      colLabels: Array.from({ length: grid.cols }, (_, j) => span(j, grid.c)),
      rowIndex: () => '',
      colIndex: () => '',
      valueName: 'mean weight',
      title: `head ${head + 1}, overview of ${n} tokens`,
    });
    elements.note.textContent = `overview: each cell is the mean of a ${grid.b}×${grid.c} block of weights (queries × keys). Click a cell to zoom to the exact weights around it.`;
  }

  /** While a long request is computed: only the back button follows the state. */
  function waiting(request) {
    elements.back.hidden = request.plan !== 'zoom';
  }

  return { draw, waiting };
}
