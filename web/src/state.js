// The playground's whole state: one declarative table of properties, each
// parsed and clamped the same way whether it comes from a control or from the
// URL hash (#text=...&variant=...&heads=...). With the seed in it, any view is
// rebuilt exactly from its URL. No DOM here.
import { MAX_TOKENS } from './model.js';

export const DEFAULT_TEXT = "The animal didn't cross the street because it was too tired";

/**
 * The table. type is 'string' | 'enum' | 'bool' | 'int' | 'number'; numbers
 * are clamped to [min, max]; a nullable property takes null ("none" in the
 * hash, an empty control) for "unlimited".
 */
export function stateTable(variantNames) {
  return [
    { name: 'text', type: 'string', default: DEFAULT_TEXT, maxLength: 200_000 },
    {
      name: 'variant',
      type: 'enum',
      values: variantNames,
      default: variantNames.includes('scaled_dot') ? 'scaled_dot' : variantNames[0],
    },
    { name: 'heads', type: 'int', default: 2, min: 1, max: 8 },
    { name: 'head', type: 'int', default: 1, min: 1, max: 8 },
    { name: 'causal', type: 'bool', default: false },
    { name: 'window', type: 'int', default: null, nullable: true, min: 0, max: MAX_TOKENS },
    { name: 'temperature', type: 'number', default: 1, min: 0.05, max: 5, step: 0.05 },
    { name: 'seed', type: 'int', default: 0, min: 0, max: 2 ** 32 - 1 },
    { name: 'k', type: 'int', default: 2, min: 1, max: MAX_TOKENS },
  ];
}

const TRUE_WORDS = new Set(['true', '1', 'on', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'off', 'no']);
const NONE_WORDS = new Set(['', 'none', 'null', 'unlimited']);

/**
 * The value of prop read from raw (a string, or a boolean from a checkbox),
 * clamped to its bounds; undefined when raw cannot be read as one.
 */
export function parseValue(prop, raw) {
  switch (prop.type) {
    case 'string':
      return String(raw ?? '').slice(0, prop.maxLength);
    case 'enum':
      return prop.values.includes(raw) ? raw : undefined;
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const word = String(raw).trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      return undefined;
    }
    case 'int':
    case 'number': {
      const text = String(raw ?? '').trim();
      if (prop.nullable && (raw === null || NONE_WORDS.has(text.toLowerCase()))) return null;
      // Number('') is 0: an empty field means "not a number yet", not zero.
      const value = text === '' ? NaN : Number(text);
      if (!Number.isFinite(value)) return undefined;
      const rounded = prop.type === 'int' ? Math.round(value) : value;
      return Math.min(prop.max, Math.max(prop.min, rounded));
    }
    default:
      throw new Error(`unknown property type ${prop.type}`);
  }
}

export function defaultState(table) {
  return Object.fromEntries(table.map((prop) => [prop.name, prop.default]));
}

/** Constraints between properties: the displayed head is one of the heads. */
function normalize(state) {
  return state.head > state.heads ? { ...state, head: state.heads } : state;
}

/** state with property name set from raw; unchanged if raw is unreadable or name unknown. */
export function withEdit(table, state, name, raw) {
  const prop = table.find((p) => p.name === name);
  if (!prop) return state;
  const value = parseValue(prop, raw);
  if (value === undefined) return state;
  return normalize({ ...state, [name]: value });
}

/** The state a URL hash describes: defaults, then every readable known key. */
export function fromHash(table, hash) {
  const params = new URLSearchParams(String(hash).replace(/^#/, ''));
  const state = defaultState(table);
  for (const prop of table) {
    if (!params.has(prop.name)) continue;
    const value = parseValue(prop, params.get(prop.name));
    if (value !== undefined) state[prop.name] = value;
  }
  return normalize(state);
}

export function formatValue(value) {
  if (value === null) return 'none';
  return String(value);
}

export function toHash(table, state) {
  const params = new URLSearchParams();
  for (const prop of table) params.set(prop.name, formatValue(state[prop.name]));
  return `#${params}`;
}
