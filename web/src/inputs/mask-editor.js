// The mask editor: an NQ × NK grid of toggle buttons (1 = may attend), a
// padding toggle per key and presets (allow all, forbid all, causal, window,
// invert). A draw-and-callback component: the masks themselves are built by
// mask.js. Labels reach the page through textContent and attributes only.
//
// Wiring:
//   const masks = createMaskEditor({
//     container,              // element the editor is appended to
//     queries, keys,          // NQ, NK
//     rowLabels, colLabels,   // query and key tokens (strings), for names and headers
//     mask,                   // optional Uint8Array [NQ, NK], 1 = may attend (default all 1)
//     keyPadding,             // optional Uint8Array [NK], 1 = padding (default all 0)
//     gridLimit: 48,          // larger sizes hide the grid; the presets still apply
//     onChange({ mask, keyPadding }) {},  // after every click, key press or preset (fresh copies)
//   });
//   masks.setSize(queries, keys, { rowLabels, colLabels })  // keeps the overlap (new cells allowed,
//                           // new keys not padding); returns { mask, keyPadding }; no onChange
//   masks.setMask({ mask, keyPadding })   // show values (no onChange)
//   masks.getMask()         // { mask, keyPadding }, fresh copies
//   masks.setDisabled(flag); masks.destroy(); masks.element (the <fieldset>)
// Pass them to engine.attention as { mask, keyPadding }; they combine with
// causal and window (all conditions must hold).
//
// Keyboard: Tab reaches one cell of the grid; the arrow keys move between
// cells (the padding row sits above row 1), Home and End go to the row's
// ends, Enter or Space toggles.
import { causalMask, fullMask, invertMask, resizeMask, toggleCell, togglePadding, windowMask } from './mask.js';
import { el } from '../views/dom.js';

export const MASK_CONVENTION =
  '1 = may attend (PyTorch SDPA boolean mask: True = take part in attention), 0 = may not. ' +
  'A padding key is never attended (nn.MultiheadAttention key_padding_mask: True = ignore).';

const PADDING_ROW = -1;

export function createMaskEditor({
  container,
  queries,
  keys,
  rowLabels = [],
  colLabels = [],
  mask = null,
  keyPadding = null,
  gridLimit = 48,
  onChange = () => {},
}) {
  let nq = queries;
  let nk = keys;
  let rowNames = rowLabels;
  let colNames = colLabels;
  let allowed = mask ? Uint8Array.from(mask) : fullMask(nq, nk);
  let padding = keyPadding ? Uint8Array.from(keyPadding) : new Uint8Array(nk);
  let focus = { row: 0, col: 0 };

  const windowInput = el('input', { type: 'number', min: '0', step: '1', value: '1' });
  const presets = [
    ['Allow all', () => fullMask(nq, nk, 1)],
    ['Forbid all', () => fullMask(nq, nk, 0)],
    ['Causal', () => causalMask(nq, nk)],
    ['Invert', () => invertMask(allowed)],
  ].map(([text, make]) => {
    const button = el('button', { type: 'button', textContent: text });
    button.addEventListener('click', () => change(make(), padding));
    return button;
  });
  const windowButton = el('button', { type: 'button', textContent: 'Window' });
  windowButton.setAttribute('aria-label', 'Allow only keys within the window of each query');
  windowButton.addEventListener('click', () => {
    const w = Math.max(0, Math.round(Number(windowInput.value)) || 0);
    windowInput.value = String(w);
    change(windowMask(nq, nk, w), padding);
  });

  const table = el('table', { className: 'mask-grid' });
  const note = el('p', { className: 'mask-note', hidden: true });
  const element = el('fieldset', { className: 'mask-editor' }, [
    el('legend', { textContent: 'Mask' }),
    el('p', { className: 'mask-convention', textContent: MASK_CONVENTION }),
    el('div', { className: 'mask-presets' }, [
      ...presets,
      el('label', { className: 'mask-window' }, [el('span', { textContent: 'Window ±' }), windowInput]),
      windowButton,
    ]),
    el('div', { className: 'mask-grid-wrap' }, [table]),
    note,
  ]);
  container.append(element);

  const rowName = (i) => `query ${i + 1} “${rowNames[i] ?? ''}”`;
  const colName = (j) => `key ${j + 1} “${colNames[j] ?? ''}”`;

  function change(nextMask, nextPadding) {
    allowed = nextMask;
    padding = nextPadding;
    draw();
    onChange({ mask: allowed.slice(), keyPadding: padding.slice() });
  }

  function cellButton(row, col) {
    const isPadding = row === PADDING_ROW;
    const on = isPadding ? padding[col] !== 0 : allowed[row * nk + col] !== 0;
    const button = el('button', {
      type: 'button',
      className: isPadding ? 'mask-padding' : 'mask-cell',
      textContent: isPadding ? (on ? 'pad' : '·') : String(on ? 1 : 0),
      tabIndex: row === focus.row && col === focus.col ? 0 : -1,
    });
    button.dataset.row = String(row);
    button.dataset.col = String(col);
    button.setAttribute('aria-pressed', String(on));
    // The name starts with the visible text (1, 0 or pad) so speech input can say it too.
    button.setAttribute('aria-label', isPadding ? `pad: ${colName(col)} is padding` : `${on ? 1 : 0}: ${rowName(row)} may attend ${colName(col)}`);
    if (!isPadding && padding[col]) button.classList.add('is-padded');
    return button;
  }

  function draw() {
    const tooLarge = nq > gridLimit || nk > gridLimit;
    note.hidden = !tooLarge;
    note.textContent = tooLarge
      ? `${nq} × ${nk} is too large to edit cell by cell (up to ${gridLimit} × ${gridLimit}); the buttons above still apply.`
      : '';
    if (tooLarge) {
      table.replaceChildren();
      return;
    }
    focus = { row: Math.min(focus.row, nq - 1), col: Math.min(focus.col, nk - 1) };
    const head = el('tr', {}, [el('th', { scope: 'col', textContent: 'query \\ key' })]);
    const pads = el('tr', { className: 'mask-padding-row' }, [el('th', { scope: 'row', textContent: 'padding' })]);
    for (let j = 0; j < nk; j++) {
      head.append(el('th', { scope: 'col', textContent: colNames[j] ?? String(j + 1) }));
      pads.append(el('td', {}, [cellButton(PADDING_ROW, j)]));
    }
    const body = [pads];
    for (let i = 0; i < nq; i++) {
      const tr = el('tr', {}, [el('th', { scope: 'row', textContent: rowNames[i] ?? String(i + 1) })]);
      for (let j = 0; j < nk; j++) tr.append(el('td', {}, [cellButton(i, j)]));
      body.push(tr);
    }
    table.replaceChildren(
      el('caption', { className: 'visually-hidden', textContent: 'Mask: rows are queries, columns are keys; a pressed cell may attend' }),
      el('thead', {}, [head]),
      el('tbody', {}, body),
    );
  }

  function buttonAt(row, col) {
    return table.querySelector(`button[data-row="${row}"][data-col="${col}"]`);
  }

  function onClick(event) {
    const button = event.target.closest('button[data-row]');
    if (!button) return;
    const row = Number(button.dataset.row);
    const col = Number(button.dataset.col);
    focus = { row, col };
    if (row === PADDING_ROW) change(allowed, togglePadding(padding, col));
    else change(toggleCell(allowed, nk, row, col), padding);
    buttonAt(row, col)?.focus();
  }

  function onKeyDown(event) {
    const button = event.target.closest('button[data-row]');
    if (!button) return;
    let row = Number(button.dataset.row);
    let col = Number(button.dataset.col);
    switch (event.key) {
      case 'ArrowUp': row = Math.max(PADDING_ROW, row - 1); break;
      case 'ArrowDown': row = Math.min(nq - 1, row + 1); break;
      case 'ArrowLeft': col = Math.max(0, col - 1); break;
      case 'ArrowRight': col = Math.min(nk - 1, col + 1); break;
      case 'Home': col = 0; break;
      case 'End': col = nk - 1; break;
      default: return;
    }
    event.preventDefault();
    const next = buttonAt(row, col);
    if (!next) return;
    button.tabIndex = -1;
    next.tabIndex = 0;
    focus = { row, col };
    next.focus();
  }

  table.addEventListener('click', onClick);
  table.addEventListener('keydown', onKeyDown);
  draw();

  return {
    element,
    setSize(queriesNext, keysNext, { rowLabels: rows = rowNames, colLabels: cols = colNames } = {}) {
      allowed = resizeMask(allowed, nq, nk, queriesNext, keysNext, 1);
      const nextPadding = new Uint8Array(keysNext);
      nextPadding.set(padding.subarray(0, Math.min(keysNext, nk)));
      padding = nextPadding;
      nq = queriesNext;
      nk = keysNext;
      rowNames = rows;
      colNames = cols;
      draw();
      return { mask: allowed.slice(), keyPadding: padding.slice() };
    },
    setMask({ mask: nextMask = allowed, keyPadding: nextPadding = padding }) {
      allowed = Uint8Array.from(nextMask);
      padding = Uint8Array.from(nextPadding);
      draw();
    },
    getMask: () => ({ mask: allowed.slice(), keyPadding: padding.slice() }),
    setDisabled(flag) {
      element.disabled = Boolean(flag);
    },
    destroy() {
      element.remove();
    },
  };
}
