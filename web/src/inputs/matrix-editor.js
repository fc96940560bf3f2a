// The inputs folder's entry. In the data's walk (compute/requests.js names
// the file of each step) these editors replace the first steps: Q, K and V
// typed or pasted by hand (this file) and the mask (mask-editor.js) go
// straight into the request, with no text and no embeddings.
//
// The matrix editor: one matrix (Q, K or V) as an editable grid, with its
// size, a paste box for CSV / JSON / NumPy text and a seeded random fill.
// A draw-and-callback component: it parses with matrix-parse.js and fills
// with random.js, and knows nothing of attention. All text reaches the page
// through textContent and input values.
//
// Wiring:
//   const q = createMatrixEditor({
//     container,            // element the editor is appended to
//     label: 'Q',           // legend and prefix of every cell's accessible name
//     description: 'queries × dim',  // optional, shown after the label
//     role: 'query',        // 'query' | 'key' | 'value': which seeded stream fills it
//     matrix,               // optional start value { rows, cols, data: Float32Array }
//     maxRows: 64, maxCols: 64,   // size bounds of the size inputs and of pasted text
//     gridLimit: 32,        // larger matrices show their top-left gridLimit² cells to edit
//     lockRows, lockCols,   // true: that size follows setShape() only (e.g. K's cols = Q's)
//     seed: 0,
//     onChange(matrix) {},  // every accepted edit: typed cell, resize, paste, random fill
//   });
//   q.setMatrix(matrix)     // show a matrix (no onChange)
//   q.setShape(rows, cols)  // resize, keeping the overlap, and fire onChange
//   q.getMatrix()           // a copy of the current matrix
//   q.showError(message)    // '' hides it
//   q.setDisabled(flag); q.destroy(); q.element (the <fieldset>)
import { formatWeight } from '../views/format.js';
import { formatMatrixCsv, parseCell, parseMatrix, resizeMatrix, zeroMatrix } from './matrix-parse.js';
import { ROLE_STREAMS, seededMatrix } from './random.js';
import { el } from '../views/dom.js';

const labelled = (text, input) => el('label', { className: 'matrix-field' }, [el('span', { textContent: text }), input]);

export function createMatrixEditor({
  container,
  label,
  description = '',
  role = 'query',
  matrix: start = null,
  maxRows = 64,
  maxCols = 64,
  gridLimit = 32,
  lockRows = false,
  lockCols = false,
  seed = 0,
  onChange = () => {},
}) {
  let matrix = start ? copy(start) : zeroMatrix(2, 2);

  const rowsInput = el('input', { type: 'number', min: '1', max: String(maxRows), step: '1', disabled: lockRows });
  const colsInput = el('input', { type: 'number', min: '1', max: String(maxCols), step: '1', disabled: lockCols });
  const seedInput = el('input', { type: 'number', min: '0', max: String(2 ** 32 - 1), step: '1', value: String(seed) });
  const randomButton = el('button', { type: 'button', textContent: 'Seeded random' });
  const table = el('table', { className: 'matrix-grid' });
  const note = el('p', { className: 'matrix-note', hidden: true });
  const paste = el('textarea', { rows: 4, spellcheck: false, autocomplete: 'off', placeholder: '1, 0.5\n-2, 3e-2' });
  paste.setAttribute('aria-label', `${label} as CSV, JSON or a NumPy array`);
  const loadButton = el('button', { type: 'button', textContent: 'Load' });
  const showButton = el('button', { type: 'button', textContent: 'Show as CSV' });
  const error = el('p', { className: 'error matrix-error', hidden: true });
  error.setAttribute('role', 'alert');

  const legend = el('legend', { textContent: description ? `${label} (${description})` : label });
  const element = el('fieldset', { className: 'matrix-editor' }, [
    legend,
    el('div', { className: 'matrix-size' }, [
      labelled('Rows', rowsInput),
      labelled('Columns', colsInput),
      labelled('Seed', seedInput),
      randomButton,
    ]),
    el('div', { className: 'matrix-grid-wrap' }, [table]),
    note,
    el('details', { className: 'matrix-import' }, [
      el('summary', { textContent: 'Paste CSV, JSON or a NumPy array' }),
      paste,
      el('div', { className: 'matrix-import-actions' }, [loadButton, showButton]),
    ]),
    error,
  ]);
  element.dataset.matrix = role;
  container.append(element);

  function showError(message) {
    error.textContent = message;
    error.hidden = message === '';
  }

  function commit(next) {
    matrix = next;
    showError('');
    draw();
    onChange(copy(matrix));
  }

  function draw() {
    rowsInput.value = String(matrix.rows);
    colsInput.value = String(matrix.cols);
    const shownRows = Math.min(matrix.rows, gridLimit);
    const shownCols = Math.min(matrix.cols, gridLimit);
    const head = el('tr', {}, [el('td')]);
    for (let j = 0; j < shownCols; j++) head.append(el('th', { scope: 'col', textContent: String(j + 1) }));
    const body = [];
    for (let i = 0; i < shownRows; i++) {
      const tr = el('tr', {}, [el('th', { scope: 'row', textContent: String(i + 1) })]);
      for (let j = 0; j < shownCols; j++) {
        const input = el('input', { type: 'number', step: 'any', value: formatWeight(matrix.data[i * matrix.cols + j]) });
        input.dataset.row = String(i);
        input.dataset.col = String(j);
        input.setAttribute('aria-label', `${label} row ${i + 1}, column ${j + 1}`);
        tr.append(el('td', {}, [input]));
      }
      body.push(tr);
    }
    table.replaceChildren(el('thead', {}, [head]), el('tbody', {}, body));
    const cut = shownRows < matrix.rows || shownCols < matrix.cols;
    note.hidden = !cut;
    note.textContent = cut
      ? `Showing the first ${shownRows} × ${shownCols} of ${matrix.rows} × ${matrix.cols} values; paste text to change the rest.`
      : '';
  }

  // A typed cell: accepted as soon as it is a number; an unreadable value is
  // reported when the edit is committed (change), and the matrix keeps its old value.
  function onCellInput(event) {
    const input = event.target.closest('input[data-row]');
    if (!input) return;
    const i = Number(input.dataset.row);
    const j = Number(input.dataset.col);
    let value;
    try {
      value = parseCell(input.value, i + 1, j + 1);
    } catch (problem) {
      if (event.type === 'change') {
        const message = input.validity?.badInput ? `The value at row ${i + 1}, column ${j + 1} is not a number` : problem.message;
        showError(`${label}: ${message}`);
      }
      return;
    }
    if (matrix.data[i * matrix.cols + j] === value) return;
    matrix.data[i * matrix.cols + j] = value;
    showError('');
    onChange(copy(matrix));
  }

  function onSizeChange() {
    const rows = clampInt(rowsInput.value, 1, maxRows, matrix.rows);
    const cols = clampInt(colsInput.value, 1, maxCols, matrix.cols);
    if (rows === matrix.rows && cols === matrix.cols) {
      draw();
      return;
    }
    commit(resizeMatrix(matrix, rows, cols));
  }

  function onLoad() {
    try {
      const next = parseMatrix(paste.value, {
        rows: lockRows ? matrix.rows : undefined,
        cols: lockCols ? matrix.cols : undefined,
        maxCells: maxRows * maxCols,
      });
      if (next.rows > maxRows || next.cols > maxCols) {
        throw new Error(`${next.rows} × ${next.cols} is too large: at most ${maxRows} rows and ${maxCols} columns`);
      }
      commit(next);
    } catch (problem) {
      showError(`${label}: ${problem.message}`);
    }
  }

  function onRandom() {
    const value = clampInt(seedInput.value, 0, 2 ** 32 - 1, 0);
    seedInput.value = String(value);
    commit(seededMatrix({ rows: matrix.rows, cols: matrix.cols, seed: value, stream: ROLE_STREAMS[role] ?? 0 }));
  }

  function onShow() {
    paste.value = formatMatrixCsv(matrix);
  }

  table.addEventListener('input', onCellInput);
  table.addEventListener('change', onCellInput);
  rowsInput.addEventListener('change', onSizeChange);
  colsInput.addEventListener('change', onSizeChange);
  loadButton.addEventListener('click', onLoad);
  randomButton.addEventListener('click', onRandom);
  showButton.addEventListener('click', onShow);
  draw();

  return {
    element,
    setMatrix(next) {
      matrix = copy(next);
      showError('');
      draw();
    },
    setShape(rows, cols) {
      if (rows !== matrix.rows || cols !== matrix.cols) commit(resizeMatrix(matrix, rows, cols));
    },
    getMatrix: () => copy(matrix),
    showError,
    setDisabled(flag) {
      element.disabled = Boolean(flag);
    },
    destroy() {
      element.remove();
    },
  };
}

function copy({ rows, cols, data }) {
  return { rows, cols, data: Float32Array.from(data) };
}

function clampInt(text, min, max, fallback) {
  const value = Math.round(Number(text));
  if (String(text).trim() === '' || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, value));
}
