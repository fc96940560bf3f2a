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
//     getSvg: () => svgText,     // the current view's picture as SVG, or null when it has none
//                                //   (PNG is that picture too, rasterised: the same look,
//                                //   with its legend and without the pointer's marks)
//     getExportData: () => ({
//       weights, heads, queries, keys,    // Float32Array [H, NQ, NK] and its sizes
//       rowTokens, colTokens,             // query and key tokens (colTokens defaults to rowTokens)
//       state,                            // the URL state object, stored in the JSON
//       request, output,                  // the engine.attention request and its output: PyTorch
//       multiHead: { request, weights, output },  // instead of request: an nn.MultiheadAttention run
//     }),                        // return null when there is nothing to export
//     fileName: () => 'attention',  // optional base of the file names
//     clipboard: navigator.clipboard,  // optional, for tests
//     onExport(kind) {},         // optional: after a successful export ('png' | 'svg' | ...)
//   });
//   toolbar.setDisabled(flag); toolbar.destroy(); toolbar.element (a <div role="toolbar">)
// Errors (nothing to export, a too large PyTorch script) are shown in the
// toolbar's own role="alert" line; when the clipboard is not available the
// script is shown in a read-only text box to copy by hand.
import { weightsToCsv } from './csv.js';
import { downloadBlob, downloadText, safeFilename, svgToPngBlob } from './image.js';
import { weightsToJson } from './json.js';
import { pytorchMultiheadSnippet, pytorchSnippet } from './pytorch.js';
import { el } from '../views/dom.js';

export function createExportToolbar({
  container,
  getSvg,
  getExportData,
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
    ['svg', 'SVG', 'Download the picture as SVG', exportSvg],
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
    return { ...current, colTokens: current.colTokens ?? current.rowTokens };
  }

  const base = () => safeFilename(fileName());

  /** The current view's picture; a view of numbers or text (steps, breakdown, stats) has none. */
  function picture(format) {
    const svg = getSvg();
    if (!svg) throw new Error(`This view has no picture to save as ${format}: the heatmap, lines, heads and output views have one`);
    return svg;
  }

  async function exportPng() {
    downloadBlob(await svgToPngBlob(picture('PNG')), `${base()}.png`);
    return 'Saved the picture as PNG';
  }

  function exportSvg() {
    downloadText(picture('SVG'), `${base()}.svg`, 'image/svg+xml');
    return 'Saved the picture as SVG';
  }

  function exportCsv() {
    // No byte order mark: pandas, csv.reader and R would read it into the first header's name.
    downloadText(weightsToCsv(data()), `${base()}.csv`, 'text/csv');
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
