// Wiring of the inputs panel: the Q, K and V matrix editors and the mask
// editor (web/src/inputs/). The plain controls of the panel (input mode,
// source, target, sizes, mask toggle) are data-prop controls that main.js
// reads like every other; this module adds what is not in the state:
// matrices edited by hand and the edited mask. Neither is in the link, and
// the page says so. It computes nothing: inputsOf gives the controller
// (playground/controller.js) what compute/requests.js builds a request of.
//
// Shapes: Q [NQ, D], K [NK, D], V [NK, DV] as { rows, cols, data }; mask
// [NQ, NK] (1 = may attend), keyPadding [NK] (1 = never attended).
import { createMaskArea } from '../inputs/mask-area.js';
import { createMatrixEditor } from '../inputs/matrix-editor.js';
import { resizeMatrix } from '../inputs/matrix-parse.js';
import { MATRIX_MAX } from '../state/table.js';
import { crossTokens, inputShape, seededMatrices } from '../compute/requests.js';

const ROLES = [
  { role: 'query', label: 'Q', description: 'queries × D: one row per query' },
  { role: 'key', label: 'K', description: 'keys × D: one row per key' },
  { role: 'value', label: 'V', description: 'keys × DV: one row per key' },
];

/**
 * elements: { editors, maskArea, origin, reseed } (see index.html).
 * onSizes({ nq, nk, d, dv }) when an editor changed a matrix's shape (a
 * paste of another size); refresh() when matrices or the mask changed.
 */
export function createInputs({ tokenize, elements, onSizes, refresh }) {
  let version = 0; // edits to matrices, which are not in the state (the mask area counts its own)
  let edited = null; // { query, key, value } typed or pasted by hand; null: seeded from the state
  let seeded = { key: '', matrices: null };
  const shown = {}; // the matrix each editor shows, by role

  const editors = Object.fromEntries(ROLES.map(({ role, label, description }) => [role, createMatrixEditor({
    container: elements.editors,
    label,
    description,
    role,
    maxRows: MATRIX_MAX,
    maxCols: MATRIX_MAX,
    onChange: (matrix) => edit(role, matrix),
  })]));

  elements.reseed.addEventListener('click', () => {
    edited = null;
    version++;
    refresh();
  });

  function seededOf(state) {
    const key = [state.nq, state.nk, state.d, state.dv, state.seed].join(',');
    if (seeded.key !== key) seeded = { key, matrices: seededMatrices(state) };
    return seeded.matrices;
  }

  /** The matrices of the state: edited ones (cut or padded to the state's sizes) or seeded ones. */
  function matricesOf(state) {
    if (!edited) return seededOf(state);
    const want = { query: [state.nq, state.d], key: [state.nk, state.d], value: [state.nk, state.dv] };
    for (const [role, [rows, cols]] of Object.entries(want)) {
      if (edited[role].rows !== rows || edited[role].cols !== cols) {
        edited = { ...edited, [role]: resizeMatrix(edited[role], rows, cols) };
        version++;
      }
    }
    return edited;
  }

  /** An editor's new matrix; the other two follow its shape (shared D, one value per key). */
  function edit(role, matrix) {
    const current = edited ?? seeded.matrices;
    const next = { ...current, [role]: matrix };
    const d = role === 'value' ? next.query.cols : matrix.cols;
    const nk = role === 'query' ? next.key.rows : matrix.rows;
    const fit = (m, rows, cols) => (m.rows === rows && m.cols === cols ? m : resizeMatrix(m, rows, cols));
    next.query = fit(next.query, next.query.rows, d);
    next.key = fit(next.key, nk, d);
    next.value = fit(next.value, nk, next.value.cols);
    edited = next;
    shown[role] = matrix;
    version++;
    onSizes({ nq: next.query.rows, nk, d, dv: next.value.cols });
    refresh();
  }

  function showMatrices(state, matrices) {
    for (const { role } of ROLES) {
      if (shown[role] !== matrices[role]) {
        editors[role].setMatrix(matrices[role]);
        shown[role] = matrices[role];
      }
    }
    elements.origin.textContent = edited
      ? 'Q, K and V are edited by hand: edited matrices are not in the link (it holds the sizes and the seed only).'
      : `Q, K and V are seeded random from seed ${state.seed}: the link rebuilds exactly these matrices.`;
  }

  const maskArea = createMaskArea({ area: elements.maskArea, onChange: refresh });

  return {
    /**
     * The inputs of the state for buildRequest: { inputs, mask }, inputs
     * being { tokens } (text: textTokens, the sentence's tokens), { matrices }
     * or { sourceTokens, targetTokens }, with version, the count of edits to
     * matrices and mask. Shows the matrices and the mask editor as it goes.
     */
    inputsOf(state, textTokens) {
      let inputs;
      if (state.input === 'matrix') {
        inputs = { matrices: matricesOf(state) };
        showMatrices(state, inputs.matrices);
      } else if (state.input === 'cross') {
        inputs = crossTokens(tokenize, state);
      } else {
        inputs = { tokens: textTokens };
      }
      const mask = maskArea.maskOf(state, inputShape(state, inputs));
      // Either kind of edit moves the count on, so the request's key changes with each.
      return { inputs: { ...inputs, version: version + maskArea.edits() }, mask };
    },

    /** Hides the mask editor when the state does not use it (long input, an empty text). */
    idle: (state) => maskArea.idle(state),
  };
}
