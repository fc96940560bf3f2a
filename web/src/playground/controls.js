// The controls: a draw-only view of the state. Every control carries
// data-prop="<state property>"; its bounds come from the state table.
// Indices (query, key) are 0-based in the state and the URL; a control marked
// data-one-based shows them counted from 1, as the views number tokens.
import { setHidden } from '../views/dom.js';
import { formatValue } from '../state/table.js';

/** Replaces a select's options with items [{ value, label }]. */
export function fillOptions(select, items) {
  select.replaceChildren(
    ...items.map(({ value, label }) => {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = label;
      return option;
    }),
  );
}

/** Copies min, max and step of numeric properties onto their inputs. */
export function applyBounds(root, table) {
  for (const el of root.querySelectorAll('input[data-prop]')) {
    const prop = table.find((p) => p.name === el.dataset.prop);
    if (!prop || (prop.type !== 'int' && prop.type !== 'number')) continue;
    const shift = 'oneBased' in el.dataset ? 1 : 0;
    el.min = String(prop.min + shift);
    el.max = String(prop.max + shift);
    el.step = String(prop.step ?? 1);
  }
}

/** What a control holds: a boolean for a checkbox, else its text. */
export function readControl(el) {
  if (el.type === 'checkbox') return el.checked;
  if ('oneBased' in el.dataset && el.value.trim() !== '') return String(Number(el.value) - 1);
  return el.value;
}

/**
 * Shows state in every control except `editing`, the one the user is typing
 * in (rewriting it mid-edit would fight the cursor).
 */
export function writeControls(root, state, editing = null) {
  for (const select of root.querySelectorAll('select[data-prop="head"]')) {
    if (select.options.length !== state.heads) {
      fillOptions(
        select,
        Array.from({ length: state.heads }, (_, h) => ({ value: String(h + 1), label: `head ${h + 1}` })),
      );
    }
  }
  for (const el of root.querySelectorAll('[data-prop]')) {
    if (el === editing) continue;
    const value = state[el.dataset.prop];
    const shown = 'oneBased' in el.dataset && typeof value === 'number' ? value + 1 : value;
    if (el.type === 'checkbox') el.checked = shown;
    else if (shown === null) el.value = '';
    else if (el.value !== formatValue(shown)) el.value = formatValue(shown);
  }
  for (const el of root.querySelectorAll('[data-when-variant]')) {
    setHidden(el, el.dataset.whenVariant !== state.variant);
  }
  for (const el of root.querySelectorAll('[data-when-input]')) {
    setHidden(el, !el.dataset.whenInput.split(' ').includes(state.input));
  }
  for (const el of root.querySelectorAll('[data-when-view]')) {
    setHidden(el, !el.dataset.whenView.split(' ').includes(state.view));
  }
}
