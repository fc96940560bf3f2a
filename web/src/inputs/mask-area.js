// The mask editor in its box, for a host that shows it while state.mask is
// on: the page's inputs panel (page/inputs-panel.js) and the element
// (element/element.js). The editor (mask-editor.js) is made the first time
// it is needed and keeps its cells while the shape changes; the edited mask
// is not in the state, so this counts its edits (edits()) for the request's
// key. Built with createElement and textContent only.
//
// Shapes: mask [NQ, NK] (1 = may attend), keyPadding [NK] (1 = never attended).
import { createMaskEditor } from './mask-editor.js';

/** area: the box the editor goes into (hidden while unused); onChange() after each edit. */
export function createMaskArea({ area, onChange }) {
  let masks = null;
  let value = null;
  let shapeKey = '';
  let edits = 0;

  return {
    /**
     * The edited { mask, keyPadding } for shape { queries, keys, rowTokens,
     * colTokens }, or null when state.mask is off or there is nothing to mask;
     * shows or hides the area.
     */
    maskOf(state, shape) {
      const usable = state.mask && shape.queries > 0 && shape.keys > 0;
      area.hidden = !usable;
      if (!usable) return null;
      const key = JSON.stringify([shape.rowTokens, shape.colTokens, shape.queries, shape.keys]);
      if (!masks) {
        const note = document.createElement('p');
        note.className = 'hint';
        note.textContent = 'Click a cell to forbid or allow it, or a padding cell to make that key padding. Edited masks are not in the link.';
        area.append(note);
        masks = createMaskEditor({
          container: area,
          queries: shape.queries,
          keys: shape.keys,
          rowLabels: shape.rowTokens,
          colLabels: shape.colTokens,
          onChange: (next) => {
            value = next;
            edits++;
            onChange();
          },
        });
        masks.element.dataset.testid = 'mask-editor';
        value = masks.getMask();
      } else if (key !== shapeKey) {
        const before = value;
        value = masks.setSize(shape.queries, shape.keys, { rowLabels: shape.rowTokens, colLabels: shape.colTokens });
        if (before.mask.length !== value.mask.length || before.keyPadding.length !== value.keyPadding.length) edits++;
      }
      shapeKey = key;
      return value;
    },
    /** How many times the mask changed (edits and resizes that changed its cells). */
    edits: () => edits,
    /** Hides the area when the state does not use it. */
    idle(state) {
      if (!state.mask) area.hidden = true;
    },
  };
}
