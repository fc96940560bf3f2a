// The views an element can show: the playground's draw-only views
// (web/src/views/) fed by its presenters (web/src/present.js), each behind
// one small interface, { box, draw(frame), clear() }, where frame is
// { state, result, tokens, head, engine } and state.query / state.key are
// already inside the tokens. A view is built the first time it is shown, in
// its own box, and kept. A view name this build does not know falls back to
// the heatmap with a note.
import { traceRow } from '../compute/model.js';
import { breakdownData, headsData, heatmapData, linesData, outputData, statsData, stepsData } from '../views/present.js';
import { createBreakdownView } from '../views/breakdown.js';
import { createHeadsGrid } from '../views/heads.js';
import { createHeatmap } from '../views/heatmap.js';
import { createLinesView } from '../views/lines.js';
import { createStatsView } from '../views/stats.js';
import { createStepsView } from '../views/steps.js';

function box(name, className = '') {
  const el = document.createElement('div');
  el.className = className;
  el.dataset.view = name;
  el.hidden = true;
  return el;
}

/**
 * A heatmap in its own box: its colour legend, then the canvas in a
 * positioned wrap with the tooltip floating over it.
 */
function heatmapBox(name, hooks, options = {}) {
  const el = box(name, 'view-heatmap');
  const legend = document.createElement('div');
  legend.className = 'legend';
  legend.setAttribute('aria-label', 'Colour scale');
  legend.hidden = true;
  const wrap = document.createElement('div');
  wrap.className = 'heatmap-wrap';
  wrap.hidden = true;
  const canvas = document.createElement('canvas');
  canvas.tabIndex = 0;
  canvas.setAttribute('role', 'img');
  canvas.dataset.testid = name;
  const tooltip = document.createElement('div');
  tooltip.className = 'tooltip';
  tooltip.setAttribute('role', 'tooltip');
  tooltip.hidden = true;
  wrap.append(canvas, tooltip);
  el.append(legend, wrap);
  const heatmap = createHeatmap({
    canvas,
    tooltip,
    legend,
    announcer: hooks.announcer,
    onHover: hooks.onHover,
    onSelect: hooks.onSelect,
    ...options,
  });
  return { box: el, heatmap };
}

/** The trace of the selected query's row, from the core (null if this core has none). */
function traceOf({ engine, state, result, head }) {
  return typeof engine.attentionTrace === 'function' ? traceRow(engine, state, result, head - 1, state.query) : null;
}

const FACTORIES = {
  heatmap(hooks) {
    const { box: el, heatmap } = heatmapBox('heatmap', hooks);
    return {
      box: el,
      draw: ({ state, result, tokens, head }) => heatmap.draw(heatmapData(state, result, tokens, head)),
      clear: () => heatmap.clear(),
    };
  },

  lines(hooks) {
    const el = box('lines');
    const legend = document.createElement('div');
    legend.className = 'head-keys';
    const wrap = document.createElement('div');
    wrap.className = 'canvas-wrap';
    const canvas = document.createElement('canvas');
    canvas.tabIndex = 0;
    canvas.setAttribute('role', 'img');
    canvas.dataset.testid = 'lines';
    wrap.append(canvas);
    el.append(legend, wrap);
    const lines = createLinesView({ canvas, legend, announcer: hooks.announcer, onHover: hooks.onHover, onSelect: hooks.onSelect });
    return { box: el, draw: ({ state, result, tokens, head }) => lines.draw(linesData(state, result, tokens, head)), clear() {} };
  },

  heads(hooks) {
    const el = box('heads', 'heads-grid');
    const grid = createHeadsGrid({ root: el, onHover: hooks.onHover, onSelectHead: (h) => hooks.onSelectHead(h + 1) });
    return { box: el, draw: ({ state, result, head }) => grid.draw(headsData(state, result, head)), clear() {} };
  },

  steps(hooks) {
    const el = box('steps');
    const steps = createStepsView({ root: el, onSelect: hooks.onSelect });
    return {
      box: el,
      draw: (frame) => steps.draw(stepsData(frame.state, frame.result, frame.tokens, frame.head, traceOf(frame))),
      clear() {},
    };
  },

  breakdown() {
    const el = box('breakdown');
    const breakdown = createBreakdownView({ root: el });
    return {
      box: el,
      draw(frame) {
        const trace = traceOf(frame);
        const coreScore = trace ? trace.scores[frame.state.key] : undefined;
        breakdown.draw(breakdownData(frame.state, frame.result, frame.tokens, frame.head, coreScore));
      },
      clear() {},
    };
  },

  output(hooks) {
    const { box: el, heatmap } = heatmapBox('output', hooks, {
      onHover: (row) => hooks.onHover(row, null),
      onSelect: (row) => hooks.onSelect(row, null),
      names: { title: 'output', row: 'query', col: 'dimension', value: 'value' },
    });
    return {
      box: el,
      draw: ({ state, result, tokens, head }) => heatmap.draw(outputData(state, result, tokens, head)),
      clear: () => heatmap.clear(),
    };
  },

  stats(hooks) {
    const el = box('stats');
    const stats = createStatsView({ root: el, onSelect: hooks.onSelect });
    return {
      box: el,
      draw: ({ state, result, tokens, head }) => stats.draw(statsData(state, result, tokens, head)),
      clear() {},
    };
  },
};

/**
 * Returns show(name) -> { name, view, note }: the view drawn (its box shown,
 * every other box hidden) and '' or a note saying why it is not the one asked
 * for. hooks: { container, announcer, onHover(row, col),
 * onSelect(row, col), onSelectHead(head) } (head 1-based).
 */
export function createViewSet(hooks) {
  const made = new Map();
  return function show(asked) {
    const name = Object.hasOwn(FACTORIES, asked) ? asked : 'heatmap';
    if (!made.has(name)) {
      const view = FACTORIES[name](hooks);
      hooks.container.append(view.box);
      made.set(name, view);
    }
    for (const [other, view] of made) {
      if (other !== name) {
        view.clear();
        view.box.hidden = true;
      }
    }
    const view = made.get(name);
    view.box.hidden = false;
    const note = name === asked ? '' : `The ${asked} view is not available in this build; showing the heatmap instead.`;
    return { name, view, note };
  };
}
