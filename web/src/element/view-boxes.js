// The element's DOM for the views of the registry (views/registry.js): each
// view in its own box (data-view="<name>"), built the first time it is shown
// with createElement only, and shown alone. A view name this build does not
// know falls back to the heatmap with a note.
import { createViews, VIEW_REGISTRY } from '../views/registry.js';

function box(name, className = '') {
  const el = document.createElement('div');
  el.className = className;
  el.dataset.view = name;
  el.hidden = true;
  return el;
}

function canvasOf(testid) {
  const canvas = document.createElement('canvas');
  canvas.tabIndex = 0;
  canvas.setAttribute('role', 'img');
  canvas.dataset.testid = testid;
  return canvas;
}

/** A heatmap's parts in a box: its colour legend, then the canvas in a positioned wrap with the tooltip floating over it. */
function heatmapParts(el, name) {
  el.className = 'view-heatmap';
  const legend = document.createElement('div');
  legend.className = 'legend';
  legend.setAttribute('aria-label', 'Colour scale');
  legend.hidden = true;
  const wrap = document.createElement('div');
  wrap.className = 'heatmap-wrap';
  wrap.hidden = true;
  const canvas = canvasOf(name);
  const tooltip = document.createElement('div');
  tooltip.className = 'tooltip';
  tooltip.setAttribute('role', 'tooltip');
  tooltip.hidden = true;
  wrap.append(canvas, tooltip);
  el.append(legend, wrap);
  return { canvas, tooltip, legend };
}

function linesParts(el) {
  const legend = document.createElement('div');
  legend.className = 'head-keys';
  const wrap = document.createElement('div');
  wrap.className = 'canvas-wrap';
  const canvas = canvasOf('lines');
  wrap.append(canvas);
  el.append(legend, wrap);
  return { canvas, legend };
}

/**
 * Returns show(name) -> { name, view, note }: the view to draw (its box
 * shown, every other box hidden and cleared), with view.draw(frame), and ''
 * or a note saying why it is not the one asked for. hooks: { container,
 * announcer, onHover(row, col), onSelect(row, col), onSelectHead(head) }.
 */
export function createViewSet(hooks) {
  const boxes = new Map();
  const views = createViews({
    hooks,
    partsOf(name, kind) {
      const el = box(name, name === 'heads' ? 'heads-grid' : '');
      hooks.container.append(el);
      boxes.set(name, el);
      if (kind === 'heatmap') return heatmapParts(el, name);
      if (kind === 'lines') return linesParts(el);
      return { root: el };
    },
  });
  return function show(asked) {
    const name = Object.hasOwn(VIEW_REGISTRY, asked) ? asked : 'heatmap';
    views.get(name);
    for (const [other, el] of boxes) {
      if (other !== name) {
        views.clear(other);
        el.hidden = true;
      }
    }
    boxes.get(name).hidden = false;
    const note = name === asked ? '' : `The ${asked} view is not available in this build; showing the heatmap instead.`;
    return { name, view: { draw: (frame) => views.draw(name, frame), clear: () => views.clear(name) }, note };
  };
}
