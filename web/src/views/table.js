// A paged data table, draw-only: a <table> with row and column headers that
// shows rowPage rows and colPage columns at a time, with buttons to page. It
// is the accessible alternative to a canvas (screen readers read tables
// well) and keeps the page light for large N. Text is set with textContent.

/**
 * elements: { root }; name: what the table is (used in button labels);
 * onSelect(i) when a row header is clicked (optional).
 */
export function createPagedTable({ root, name, rowNoun = 'rows', colNoun = 'columns', onSelect = null }) {
  const status = document.createElement('p');
  status.className = 'pager-status';
  status.dataset.testid = `${name}-pager-status`;
  const buttons = {};
  const pager = document.createElement('div');
  pager.className = 'pager';
  for (const [key, text] of [
    ['rowPrev', `Previous ${rowNoun}`],
    ['rowNext', `Next ${rowNoun}`],
    ['colPrev', `Previous ${colNoun}`],
    ['colNext', `Next ${colNoun}`],
  ]) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = text;
    button.dataset.testid = `${name}-${key}`;
    button.addEventListener('click', () => move(key));
    buttons[key] = button;
    pager.append(button);
  }
  const scroll = document.createElement('div');
  scroll.className = 'table-scroll';
  // A scrolling box must be reachable by keyboard to be scrolled.
  scroll.tabIndex = 0;
  scroll.setAttribute('role', 'region');
  const table = document.createElement('table');
  table.className = 'data-table';
  table.dataset.testid = `${name}-table`;
  scroll.append(table);
  root.replaceChildren(pager, status, scroll);

  let data = null;
  let rowStart = 0;
  let colStart = 0;
  let sizeKey = '';
  let marked = null;

  function move(key) {
    const { rowCount, colCount, rowPage, colPage } = data;
    if (key === 'rowPrev') rowStart = Math.max(0, rowStart - rowPage);
    if (key === 'rowNext') rowStart = Math.min(rowStart + rowPage, Math.max(0, rowCount - 1));
    if (key === 'colPrev') colStart = Math.max(0, colStart - colPage);
    if (key === 'colNext') colStart = Math.min(colStart + colPage, Math.max(0, colCount - 1));
    paint();
  }

  /**
   * data: { rowCount, colCount, rowHeader(i), colHeader(j), cell(i, j),
   * caption, rowPage (default 32), colPage (default 16), rowHeading (top-left cell) }.
   */
  function draw(next) {
    data = { rowPage: 32, colPage: 16, rowHeading: '', ...next };
    const key = `${data.rowCount}x${data.colCount}`;
    if (key !== sizeKey) {
      sizeKey = key;
      rowStart = 0;
      colStart = 0;
    }
    paint();
  }

  /** Shows the page holding row i, and marks it. */
  function showRow(i) {
    if (!data || i === null || i < 0 || i >= data.rowCount) return;
    rowStart = Math.floor(i / data.rowPage) * data.rowPage;
    marked = i;
    paint();
  }

  function paint() {
    const { rowCount, colCount, rowPage, colPage } = data;
    const rowEnd = Math.min(rowCount, rowStart + rowPage);
    const colEnd = Math.min(colCount, colStart + colPage);
    const caption = document.createElement('caption');
    caption.textContent = data.caption;
    const head = document.createElement('thead');
    const headRow = document.createElement('tr');
    const corner = document.createElement('th');
    corner.scope = 'col';
    corner.textContent = data.rowHeading;
    headRow.append(corner);
    for (let j = colStart; j < colEnd; j++) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = data.colHeader(j);
      headRow.append(th);
    }
    head.append(headRow);
    const body = document.createElement('tbody');
    for (let i = rowStart; i < rowEnd; i++) {
      const tr = document.createElement('tr');
      tr.dataset.row = String(i);
      if (i === marked) tr.className = 'is-marked';
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = data.rowHeader(i);
      if (onSelect) th.addEventListener('click', () => onSelect(i));
      tr.append(th);
      for (let j = colStart; j < colEnd; j++) {
        const td = document.createElement('td');
        td.textContent = data.cell(i, j);
        tr.append(td);
      }
      body.append(tr);
    }
    table.replaceChildren(caption, head, body);
    scroll.setAttribute('aria-label', data.caption);
    const rowsPaged = rowCount > rowPage;
    const colsPaged = colCount > colPage;
    buttons.rowPrev.hidden = buttons.rowNext.hidden = !rowsPaged;
    buttons.colPrev.hidden = buttons.colNext.hidden = !colsPaged;
    buttons.rowPrev.disabled = rowStart === 0;
    buttons.rowNext.disabled = rowEnd >= rowCount;
    buttons.colPrev.disabled = colStart === 0;
    buttons.colNext.disabled = colEnd >= colCount;
    pager.hidden = !rowsPaged && !colsPaged;
    status.textContent =
      `${rowNoun[0].toUpperCase()}${rowNoun.slice(1)} ${rowStart + 1}–${rowEnd} of ${rowCount}` +
      (colsPaged ? `, ${colNoun} ${colStart + 1}–${colEnd} of ${colCount}` : '');
  }

  function highlight(row) {
    if (!data) return;
    const before = table.querySelector('tr.is-marked');
    if (before) before.classList.remove('is-marked');
    marked = row;
    const tr = row === null ? null : table.querySelector(`tr[data-row="${row}"]`);
    if (tr) tr.classList.add('is-marked');
  }

  return { draw, showRow, highlight };
}
