// The element's attributes are the playground's URL state: the same table
// (web/src/state.js), the same names, the same parsing and clamping, plus
// the one property only an embedded playground has, controls. No DOM here.
import { describeHashChanges, formatValue, listChanges, MODEL_PROPS, pageTable, readHash, stateTable } from '../state/table.js';

/** full: every setting; minimal: text, variant, causal and the shown head; none: the figure alone. */
export const CONTROL_MODES = ['full', 'minimal', 'none'];

/**
 * The inputs an element takes: its text, two texts (cross-attention: source
 * and target), or its text through a pretrained model. Edited matrices and
 * long input are the page's alone (they need its editors and its worker).
 */
export const ELEMENT_INPUTS = ['text', 'cross', 'model'];

/** The page's keys the element takes too, defined once (state/table.js pageTable). */
const SHARED_PAGE_KEYS = ['source', 'target', 'mask', 'compare'];

export function elementTable(variantNames) {
  const page = pageTable(variantNames);
  return [
    ...stateTable(variantNames),
    { name: 'input', type: 'enum', values: ELEMENT_INPUTS, default: 'text' },
    ...SHARED_PAGE_KEYS.map((name) => page.find((prop) => prop.name === name)),
    ...MODEL_PROPS,
    { name: 'controls', type: 'enum', values: CONTROL_MODES, default: 'minimal' },
  ];
}

/**
 * The state that attributes describe, and what was clamped or ignored to get
 * it, in readHash's form: read(name) returns an attribute's
 * value or null when it is absent. A boolean attribute that is present but
 * empty (`<attention-playground causal>`) is true, as in HTML.
 */
export function readAttributes(table, read) {
  const params = new URLSearchParams();
  for (const prop of table) {
    const value = read(prop.name);
    if (value === null) continue;
    params.set(prop.name, prop.type === 'bool' && value.trim() === '' ? 'true' : value);
  }
  return readHash(table, params.toString());
}

/** The state alone (readAttributes(...).state). */
export function stateFromAttributes(table, read) {
  return readAttributes(table, read).state;
}

/**
 * What readAttributes had to change, told as the page tells a link's changes:
 * note, one line for the element ('' when nothing changed); warnings, one
 * console line a changed attribute { name, text }, naming the attribute, the
 * value it was given and the value used.
 */
export function describeAttributeChanges(read) {
  const warnings = listChanges(read).map(({ name, from, to, unreadable }) => ({
    name,
    text: unreadable
      ? `<attention-playground>: attribute ${name}="${from}" is not a value it takes; using ${to}`
      : `<attention-playground>: attribute ${name}="${from}" is out of range; using ${to}`,
  }));
  return { note: describeHashChanges(read, 'the attributes'), warnings };
}

/**
 * The attribute value that stands for value of prop: null means "remove the
 * attribute". A true boolean is the bare attribute; a false one whose
 * default is false is no attribute at all.
 */
export function attributeValue(prop, value) {
  if (prop.type === 'bool') {
    if (value) return '';
    return prop.default === false ? null : 'false';
  }
  return formatValue(value);
}
