// Wiring of the export toolbar (web/src/export/toolbar.js): it asks the page
// for what is shown right now. SVG and PNG are the picture of the open view
// (the heatmap of the shown head, the lines, the heads grid, the output map
// on its diverging scale, layers × heads), drawn from the same data the view
// is given, so the file has the legend and none of the pointer's or the
// selection's marks; CSV and JSON are all heads' weights; "Copy as PyTorch"
// rebuilds the current request (Q, K, V, mask, options) in Python.
import { heatmapSvg } from './svg.js';
import { createExportToolbar } from './toolbar.js';
import { headsSvg, layersSvg, linesSvg } from './view-svg.js';
import { requestOf } from '../compute/model.js';
import { allWeightsOf, headsData, heatmapData, layersData, linesData, outputData } from '../views/present.js';

/** view -> ({ state, result, tokens, head }) -> SVG text; views of numbers and text have no picture. */
const PICTURES = {
  heatmap({ state, result, tokens, head }) {
    const data = heatmapData(state, result, tokens, head);
    return heatmapSvg({ ...data, colormap: data.palette, title: `Attention weights, ${data.title}` });
  },
  lines: ({ state, result, tokens, head }) => linesSvg(linesData(state, result, tokens, head)),
  heads: ({ state, result, head }) => headsSvg(headsData(state, result, head)),
  output({ state, result, tokens, head }) {
    const data = outputData(state, result, tokens, head);
    return heatmapSvg({ ...data, colormap: 'diverging', colName: 'dim', rowName: 'query', title: `Output of head ${head}` });
  },
  layers: ({ state, result, head }) => layersSvg(layersData(state, result, head)),
};

/** The SVG of the drawn view ({ result, tokens, head, state }), or null when it has no picture. */
export function pictureOf(shown) {
  const draw = PICTURES[shown.state.view];
  return draw ? draw(shown) : null;
}

/** container: the mount point; current() is { result, tokens, head, state } of the drawn view, or null. */
export function createExport({ container, current }) {
  const exportable = () => {
    const shown = current();
    return shown?.result ? shown : null;
  };

  const toolbar = createExportToolbar({
    container,
    getSvg() {
      const shown = exportable();
      if (!shown) throw new Error('There is nothing to export yet');
      return pictureOf(shown);
    },
    getExportData() {
      const shown = exportable();
      if (!shown) return null;
      const { result, tokens, state } = shown;
      return {
        ...allWeightsOf(result, tokens),
        state,
        request: requestOf(result),
        output: result.output,
      };
    },
    fileName() {
      const shown = exportable();
      return shown ? `attention-${shown.state.input}-${shown.state.variant}-head${shown.head}` : 'attention';
    },
  });
  container.hidden = false;
  return toolbar;
}
