// Layers × heads: every head of every layer of a pretrained model as a small
// map (as BertViz's model view shows them), a draw-only component made of one
// heads grid per layer. Clicking a head's map selects that layer and head.
import { createHeadsGrid } from './heads.js';

/**
 * elements: { root }. onHover(row, col); onSelectLayerHead(layer, head), both 0-based.
 */
export function createLayersGrid({ root, onHover = () => {}, onSelectLayerHead = () => {} }) {
  let grids = [];

  /**
   * data: { layers: [{ weights, average, heads, rows, cols, max }], layer
   * (0-based, the shown one), head (0-based), scale, palette } or, when there
   * is no model, { layers: [], message }.
   */
  function draw(data) {
    if (data.layers.length === 0) {
      const note = document.createElement('p');
      note.className = 'hint';
      note.textContent = data.message;
      root.replaceChildren(note);
      grids = [];
      return;
    }
    const sections = data.layers.map((layer, l) => {
      const section = document.createElement('section');
      section.className = 'layer-row';
      section.dataset.testid = `layer-row-${l + 1}`;
      const title = document.createElement('h3');
      title.textContent = `Layer ${l + 1}${l === data.layer ? ' (shown in the other views)' : ''}`;
      const grid = document.createElement('div');
      grid.className = 'heads-grid';
      section.append(title, grid);
      return { section, grid, layer };
    });
    root.replaceChildren(...sections.map((s) => s.section));
    grids = sections.map(({ grid, layer }, l) => {
      const heads = createHeadsGrid({ root: grid, onHover, onSelectHead: (h) => onSelectLayerHead(l, h) });
      heads.draw({ ...layer, head: l === data.layer ? data.head : -1, scale: data.scale, palette: data.palette });
      return heads;
    });
  }

  return {
    draw,
    highlight(row, col) {
      for (const heads of grids) heads.highlight?.(row, col);
    },
    clear() {
      root.replaceChildren();
      grids = [];
    },
  };
}
