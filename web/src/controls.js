// The controls: a draw-only view of the state. Every control carries
// data-prop="<state property>"; its bounds come from the state table.
import { formatValue } from './state.js';

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
    el.min = String(prop.min);
    el.max = String(prop.max);
    el.step = String(prop.step ?? 1);
  }
}

/** What a control holds: a boolean for a checkbox, else its text. */
export function readControl(el) {
  return el.type === 'checkbox' ? el.checked : el.value;
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
    if (el.type === 'checkbox') el.checked = value;
    else if (value === null) el.value = '';
    else if (el.value !== formatValue(value)) el.value = formatValue(value);
  }
  for (const el of root.querySelectorAll('[data-when-variant]')) {
    el.hidden = el.dataset.whenVariant !== state.variant;
  }
}
