// The views folder's entry: the one registry of the playground's views, used
// by the page (index.html), the iframe page (embed.html) and the element
// alike. Each view is a draw-only component (this folder) fed by its
// presenter (present.js): weights -> view is the last step of the data's
// walk (see ../compute/requests.js for the steps before).
//
// A host gives each view its DOM parts (partsOf(name): the page finds them
// in index.html, the element builds them, element/view-boxes.js) and the
// shared hooks { announcer, onHover(row, col), onSelect(row, col),
// onSelectHead(head), onSelectLayerHead(layer, head) } (1-based). A frame is { state, result, tokens,
// head, engine }, with state.query and state.key already inside the tokens.
import { traceRow } from '../compute/model.js';
import { createBreakdownView } from './breakdown.js';
import { createHeadsGrid } from './heads.js';
import { createHeatmap } from './heatmap.js';
import { createLayersGrid } from './layers.js';
import { createLinesView } from './lines.js';
import { breakdownData, headsData, heatmapData, layersData, linesData, outputData, statsData, stepsData } from './present.js';
import { createStatsView } from './stats.js';
import { createStepsView } from './steps.js';

/** The trace of the selected query's row, from the core (undefined if this core has none). */
export function traceOf({ engine, result, head, state }) {
  return typeof engine?.attentionTrace === 'function' ? traceRow(engine, result, head - 1, state.query) : undefined;
}

/**
 * name -> (in tab order, the state table's VIEWS) { parts (the DOM it draws into: 'heatmap' is
 * { canvas, tooltip, legend }, 'lines' is { canvas, legend }, 'root' is
 * { root }), make(parts, hooks) -> component, draw(component, frame) }.
 */
export const VIEW_REGISTRY = {
  heatmap: {
    parts: 'heatmap',
    make: (parts, hooks) => createHeatmap({ ...parts, announcer: hooks.announcer, onHover: hooks.onHover, onSelect: hooks.onSelect }),
    draw: (view, { state, result, tokens, head }) => view.draw(heatmapData(state, result, tokens, head)),
  },
  lines: {
    parts: 'lines',
    make: (parts, hooks) => createLinesView({ ...parts, announcer: hooks.announcer, onHover: hooks.onHover, onSelect: hooks.onSelect }),
    draw: (view, { state, result, tokens, head }) => view.draw(linesData(state, result, tokens, head)),
  },
  heads: {
    parts: 'root',
    make: ({ root }, hooks) => createHeadsGrid({ root, onHover: hooks.onHover, onSelectHead: (h) => hooks.onSelectHead(h + 1) }),
    draw: (view, { state, result, head }) => view.draw(headsData(state, result, head)),
  },
  steps: {
    parts: 'root',
    make: ({ root }, hooks) => createStepsView({ root, onSelect: hooks.onSelect }),
    draw: (view, frame) => view.draw(stepsData(frame.state, frame.result, frame.tokens, frame.head, traceOf(frame))),
  },
  breakdown: {
    parts: 'root',
    make: ({ root }) => createBreakdownView({ root }),
    draw: (view, frame) => view.draw(breakdownData(frame.state, frame.result, frame.tokens, frame.head, traceOf(frame)?.scores[frame.state.key])),
  },
  output: {
    parts: 'heatmap',
    // A column of the output is a dimension, not a key: share only the query.
    make: (parts, hooks) => createHeatmap({
      ...parts,
      announcer: hooks.announcer,
      names: { title: 'output', row: 'query', col: 'dimension', value: 'value' },
      onHover: (row) => hooks.onHover(row, null),
      onSelect: (row) => hooks.onSelect(row, null),
    }),
    draw: (view, { state, result, tokens, head }) => view.draw(outputData(state, result, tokens, head)),
  },
  stats: {
    parts: 'root',
    make: ({ root }, hooks) => createStatsView({ root, onSelect: hooks.onSelect }),
    draw: (view, { state, result, tokens, head }) => view.draw(statsData(state, result, tokens, head)),
  },
  layers: {
    parts: 'root',
    make: ({ root }, hooks) => createLayersGrid({
      root, onHover: hooks.onHover, onSelectLayerHead: (l, h) => hooks.onSelectLayerHead?.(l + 1, h + 1),
    }),
    draw: (view, { state, result, head }) => view.draw(layersData(state, result, head)),
  },
};

/**
 * The views of one host, each made the first time it is asked for:
 * { get(name), made(), draw(name, frame), clear(name), highlight(row, col),
 * render(name) }. partsOf(name, kind) gives a view's DOM parts.
 */
export function createViews({ partsOf, hooks }) {
  const made = new Map();
  function get(name) {
    if (!made.has(name)) {
      const entry = VIEW_REGISTRY[name];
      made.set(name, entry.make(partsOf(name, entry.parts), hooks));
    }
    return made.get(name);
  }
  return {
    get,
    made: () => [...made.keys()],
    draw: (name, frame) => VIEW_REGISTRY[name].draw(get(name), frame),
    clear: (name) => made.get(name)?.clear?.(),
    highlight(row, col) {
      for (const view of made.values()) view.highlight?.(row, col);
    },
    render: (name) => made.get(name)?.render?.(),
  };
}
