// The element's shadow DOM: controls, token chips and the figure, built with
// createElement and textContent only (nothing here parses HTML). Every
// control carries data-prop="<state property>" as on the main page, so
// web/src/controls.js reads and writes them. data-level="full" marks the
// controls that only controls="full" shows.
import { applyBounds, fillOptions } from '../playground/controls.js';
import { VARIANT_LABELS } from '../compute/model.js';

/** An element with attributes (false and null skip one) and child nodes or strings. */
function h(tag, attributes = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...children);
  return el;
}

function field({ id, label, control, level = 'minimal', className = 'field', extra = {} }) {
  return h('div', { class: className, 'data-level': level, ...extra }, h('label', { for: id }, label), control);
}

function numberInput(id, prop, attributes = {}) {
  return h('input', { id, type: 'number', inputmode: 'numeric', 'data-prop': prop, ...attributes });
}

/** A select of an enum property's values, named as they are in the hash. */
function enumSelect(table, name) {
  const select = h('select', { id: name, 'data-prop': name });
  const prop = table.find((p) => p.name === name);
  fillOptions(select, prop.values.map((value) => ({ value, label: value })));
  return select;
}

function buildControls(table, variantNames) {
  const has = (name) => table.some((prop) => prop.name === name);
  const variant = h('select', { id: 'variant', 'data-prop': 'variant' });
  fillOptions(variant, variantNames.map((name) => ({ value: name, label: VARIANT_LABELS[name] ?? name })));

  // Options that only some views use: shown with those views (data-when-view).
  const viewOptions = [
    ['scale', 'Colour scale', 'heatmap heads', () => enumSelect(table, 'scale')],
    ['palette', 'Palette', 'heatmap heads', () => enumSelect(table, 'palette')],
    ['layout', 'Layout', 'lines', () => enumSelect(table, 'layout')],
    ['query', 'Query index (from 0)', 'steps breakdown stats', () => numberInput('query', 'query')],
    ['key', 'Key index (from 0)', 'steps breakdown', () => numberInput('key', 'key')],
    ['theme', 'Theme', '', () => enumSelect(table, 'theme')],
  ]
    .filter(([name]) => has(name))
    .map(([name, label, views, control]) =>
      field({ id: name, label, level: 'full', control: control(), extra: views ? { 'data-when-view': views } : {} }),
    );

  const fieldset = h(
    'fieldset',
    { class: 'controls', disabled: true },
    h('legend', { class: 'visually-hidden' }, 'Attention settings'),
    field({
      id: 'text',
      label: 'Sentence',
      className: 'field field-wide',
      control: h('textarea', { id: 'text', 'data-prop': 'text', rows: 2, spellcheck: 'false', autocomplete: 'off' }),
      extra: has('source') ? { 'data-when-input': 'text model' } : {},
    }),
    // Cross-attention's two texts: queries from the target, keys and values from the source.
    ...(has('source')
      ? ['source', 'target'].map((name) => field({
          id: name,
          label: name === 'source' ? 'Source (keys, values)' : 'Target (queries)',
          className: 'field field-wide',
          control: h('textarea', { id: name, 'data-prop': name, rows: 2, spellcheck: 'false', autocomplete: 'off' }),
          extra: { 'data-when-input': 'cross', hidden: true },
        }))
      : []),
    field({ id: 'variant', label: 'Variant', className: 'field field-wide', control: variant }),
    field({ id: 'head', label: 'Show head', control: h('select', { id: 'head', 'data-prop': 'head' }), extra: { 'data-when-heads': 'many' } }),
    field({ id: 'heads', label: 'Heads', level: 'full', control: numberInput('heads', 'heads') }),
    field({
      id: 'window',
      label: 'Window',
      level: 'full',
      control: numberInput('window', 'window', { placeholder: 'none' }),
    }),
    field({ id: 'seed', label: 'Seed', level: 'full', control: numberInput('seed', 'seed') }),
    field({
      id: 'temperature',
      label: 'Temperature',
      level: 'full',
      control: numberInput('temperature', 'temperature', { inputmode: 'decimal' }),
    }),
    field({ id: 'k', label: 'k (keys kept)', level: 'full', control: numberInput('k', 'k'), extra: { 'data-when-variant': 'top_k', hidden: true } }),
    field({ id: 'view', label: 'View', level: 'full', control: enumSelect(table, 'view') }),
    ...(has('input') ? [field({ id: 'input', label: 'Input', level: 'full', control: enumSelect(table, 'input') })] : []),
    ...(has('compare') ? [field({ id: 'compare', label: 'Compare with', level: 'full', control: enumSelect(table, 'compare') })] : []),
    ...viewOptions,
    h(
      'div',
      { class: 'field field-check', 'data-level': 'minimal' },
      h('input', { id: 'causal', type: 'checkbox', 'data-prop': 'causal' }),
      h('label', { for: 'causal' }, 'Causal'),
    ),
    ...(has('mask')
      ? [
          h(
            'div',
            { class: 'field field-check', 'data-level': 'full' },
            h('input', { id: 'mask', type: 'checkbox', 'data-prop': 'mask' }),
            h('label', { for: 'mask' }, 'Edit the mask'),
          ),
        ]
      : []),
    ...(has('allheads')
      ? [
          h(
            'div',
            { class: 'field field-check', 'data-level': 'full', 'data-when-view': 'lines' },
            h('input', { id: 'allheads', type: 'checkbox', 'data-prop': 'allheads' }),
            h('label', { for: 'allheads' }, 'All heads'),
          ),
        ]
      : []),
  );
  applyBounds(fieldset, table);
  return fieldset;
}

/**
 * Fills shadow with the element's parts and returns them:
 * { root, controls, tokens, maskArea, title, status, error, adjusted, note,
 * views, compare, announcer }.
 * views is the box the views draw into (views.js); maskArea the box of the
 * mask editor (mask="true"); compare the section of the variant comparison
 * (compare="<variant>"); announcer is the live region a view tells the value
 * under the keyboard cursor.
 */
export function buildShell(shadow, table, variantNames) {
  const controls = buildControls(table, variantNames);
  const tokens = h('div', { class: 'tokens', 'aria-label': 'Tokens' });
  const title = h('span', { class: 'title' });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const note = h('p', { class: 'note', hidden: true });
  // What the element clamped or ignored in its attributes (element.js).
  const adjusted = h('p', { class: 'adjusted', 'data-testid': 'attribute-note', hidden: true });
  const views = h('div', { class: 'views' });
  const maskArea = h('div', { class: 'mask-area', 'data-testid': 'mask-area', hidden: true });
  const compare = h('section', { class: 'compare', 'data-testid': 'compare', 'aria-labelledby': 'compare-title', hidden: true });
  const announcer = h('p', { class: 'visually-hidden', 'aria-live': 'polite' });
  const root = h(
    'div',
    { class: 'playground', part: 'playground' },
    controls,
    tokens,
    maskArea,
    h('div', { class: 'figure' }, h('div', { class: 'figure-head' }, title), status, error, adjusted, note, views, compare, announcer),
  );
  shadow.replaceChildren(root);
  return { root, controls, tokens, maskArea, title, status, error, adjusted, note, views, compare, announcer };
}
