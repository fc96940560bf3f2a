// The export folder's entry. It takes the data's walk (compute/requests.js
// names the file of each step) at its end, the weights and the request that
// made them, and writes them out instead of drawing them.
//
// The export toolbar: PNG, SVG, CSV, JSON and "Copy as PyTorch" buttons. A
// component with no state of its own: each click asks the page for the
// current data through the getters it was given, formats it with the pure
// modules (svg.js, csv.js, json.js, pytorch.js) and saves or copies it.
// Built with createElement and textContent only.
//
// Wiring:
//   const toolbar = createExportToolbar({
//     container,                 // element the toolbar is appended to
//     getCanvas: () => canvas,   // the canvas of the current view (PNG); null disables PNG
//     getExportData: () => ({
//       weights, heads, queries, keys,    // Float32Array [H, NQ, NK] and its sizes
//       rowTokens, colTokens,             // query and key tokens (colTokens defaults to rowTokens)
//       head: 1,                          // 1-based head drawn in the SVG (default 1)
//       palette: 'viridis', scale: 'linear', title,   // SVG look, as the heatmap view's
//       state,                            // the URL state object, stored in the JSON
//       request, output,                  // the engine.attention request and its output: PyTorch
//       multiHead: { request, weights, output },  // instead of request: an nn.MultiheadAttention run
//     }),                        // return null when there is nothing to export
//     getSvg: () => svgText,     // optional: the SVG of a view other than the heatmap
//     fileName: () => 'attention',  // optional base of the file names
//     clipboard: navigator.clipboard,  // optional, for tests
//     onExport(kind) {},         // optional: after a successful export ('png' | 'svg' | ...)
//   });
//   toolbar.setDisabled(flag); toolbar.destroy(); toolbar.element (a <div role="toolbar">)
// Errors (nothing to export, a too large PyTorch script) are shown in the
// toolbar's own role="alert" line; when the clipboard is not available the
// script is shown in a read-only text box to copy by hand.
import { weightsToCsv } from './csv.js';
import { downloadBlob, downloadText, canvasToPngBlob, safeFilename } from './image.js';
import { weightsToJson } from './json.js';
import { pytorchMultiheadSnippet, pytorchSnippet } from './pytorch.js';
import { heatmapSvg } from './svg.js';
import { el } from '../views/dom.js';

export function createExportToolbar({
  container,
  getCanvas = () => null,
  getExportData,
  getSvg = null,
  fileName = () => 'attention',
  clipboard = globalThis.navigator?.clipboard,
  onExport = () => {},
}) {
  const status = el('p', { className: 'export-status' });
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  const error = el('p', { className: 'error export-error', hidden: true });
  error.setAttribute('role', 'alert');
  const manual = el('textarea', { className: 'export-manual', readOnly: true, rows: 8, hidden: true, spellcheck: false });
  manual.setAttribute('aria-label', 'PyTorch script to copy');

  const actions = [
    ['png', 'PNG', 'Download the picture as PNG', exportPng],
    ['svg', 'SVG', 'Download the heatmap as SVG', exportSvg],
    ['csv', 'CSV', 'Download the weights as CSV', exportCsv],
    ['json', 'JSON', 'Download the weights and settings as JSON', exportJson],
    ['pytorch', 'Copy as PyTorch', 'Copy as PyTorch: a script that rebuilds and checks these weights', copyPytorch],
  ];
  const buttons = actions.map(([kind, text, description, run]) => {
    const button = el('button', { type: 'button', textContent: text, title: description });
    button.dataset.export = kind;
    button.setAttribute('aria-label', description);
    button.addEventListener('click', () => perform(kind, run));
    return button;
  });
  const bar = el('div', { className: 'export-buttons' }, buttons);
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', 'Export');
  const element = el('div', { className: 'export-toolbar' }, [bar, status, error, manual]);
  container.append(element);

  function say(message, problem = '') {
    status.textContent = message;
    error.textContent = problem;
    error.hidden = problem === '';
  }

  async function perform(kind, run) {
    manual.hidden = true;
    say('');
    try {
      const message = await run();
      say(message);
      onExport(kind);
    } catch (problem) {
      say('', problem instanceof Error ? problem.message : String(problem));
    }
  }

  function data() {
    const current = getExportData();
    if (!current || !current.weights) throw new Error('There is nothing to export yet');
    return { head: 1, ...current, colTokens: current.colTokens ?? current.rowTokens };
  }

  const base = () => safeFilename(fileName());

  async function exportPng() {
    const canvas = getCanvas();
    if (!canvas) throw new Error('This view has no picture to save as PNG');
    downloadBlob(await canvasToPngBlob(canvas), `${base()}.png`);
    return 'Saved the picture as PNG';
  }

  function exportSvg() {
    let svg = getSvg?.();
    if (!svg) {
      const d = data();
      const size = d.queries * d.keys;
      const h = Math.min(Math.max(1, d.head), d.heads) - 1;
      svg = heatmapSvg({
        weights: d.weights.subarray(h * size, (h + 1) * size),
        rows: d.queries,
        cols: d.keys,
        rowLabels: d.rowTokens,
        colLabels: d.colTokens,
        colormap: d.palette ?? 'viridis',
        scale: d.scale ?? 'linear',
        title: d.title ?? `Attention weights, head ${h + 1} of ${d.heads}`,
      });
    }
    downloadText(svg, `${base()}.svg`, 'image/svg+xml');
    return 'Saved the picture as SVG';
  }

  function exportCsv() {
    downloadText(weightsToCsv(data()), `${base()}.csv`, 'text/csv', { bom: true });
    return 'Saved the weights as CSV';
  }

  function exportJson() {
    downloadText(weightsToJson(data()), `${base()}.json`, 'application/json');
    return 'Saved the weights as JSON';
  }

  async function copyPytorch() {
    const d = data();
    const script = d.multiHead
      ? pytorchMultiheadSnippet({ ...d.multiHead.request, weights: d.multiHead.weights, output: d.multiHead.output, rowTokens: d.rowTokens, colTokens: d.colTokens })
      : pytorchScript(d);
    try {
      if (!clipboard?.writeText) throw new Error('no clipboard');
      await clipboard.writeText(script);
      return `Copied a PyTorch script (${script.split('\n').length} lines) to the clipboard`;
    } catch {
      manual.value = script;
      manual.hidden = false;
      manual.focus();
      manual.select();
      return 'The clipboard is not available here: the script is in the box below, selected, to copy by hand';
    }
  }

  function pytorchScript(d) {
    if (!d.request) throw new Error('Copy as PyTorch needs the inputs of the current computation');
    return pytorchSnippet({ ...d.request, weights: d.weights, output: d.output, rowTokens: d.rowTokens, colTokens: d.colTokens });
  }

  return {
    element,
    setDisabled(flag) {
      for (const button of buttons) button.disabled = Boolean(flag);
    },
    destroy() {
      element.remove();
    },
  };
}
