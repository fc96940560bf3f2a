// Wiring of the export toolbar (web/src/export/toolbar.js): it asks the page
// for what is shown right now. PNG is the current view's canvas; SVG is the
// heatmap of the shown head (the output view: the output map on its
// diverging scale); CSV and JSON are all heads' weights; "Copy as PyTorch"
// rebuilds the current request (Q, K, V, mask, options) in Python.
import { heatmapSvg } from './svg.js';
import { createExportToolbar } from './toolbar.js';
import { requestOf } from '../compute/model.js';
import { allWeightsOf, outputData } from '../views/present.js';

/** The canvas each view draws on; views without one (steps, breakdown, stats) have no PNG. */
const CANVAS_OF = {
  heatmap: '[data-testid="heatmap"]',
  lines: '[data-testid="lines"]',
  heads: '[data-testid="heads-grid"] canvas',
  output: '[data-testid="output-map"]',
};

/** container: the mount point; current() is { result, tokens, head, state } of the drawn view, or null. */
export function createExport({ container, current }) {
  const exportable = () => {
    const shown = current();
    return shown?.result ? shown : null;
  };

  const toolbar = createExportToolbar({
    container,
    getCanvas() {
      const shown = exportable();
      const selector = shown && CANVAS_OF[shown.state.view];
      return selector ? document.querySelector(selector) : null;
    },
    getExportData() {
      const shown = exportable();
      if (!shown) return null;
      const { result, tokens, head, state } = shown;
      return {
        ...allWeightsOf(result, tokens),
        head,
        palette: state.palette,
        scale: state.scale,
        state,
        request: requestOf(result),
        output: result.output,
      };
    },
    getSvg() {
      const shown = exportable();
      if (shown?.state.view !== 'output') return null;
      const data = outputData(shown.state, shown.result, shown.tokens, shown.head);
      return heatmapSvg({ ...data, colormap: 'diverging', colName: 'dim', rowName: 'query', title: `Output of head ${shown.head}` });
    },
    fileName() {
      const shown = exportable();
      return shown ? `attention-${shown.state.input}-${shown.state.variant}-head${shown.head}` : 'attention';
    },
  });
  container.hidden = false;
  return toolbar;
}
