// The state folder's entry. In the data's walk (text -> tokens -> request ->
// embeddings, Q, K, V -> kernel -> weights -> view; compute/requests.js names
// the file of each step) the state is where it starts: the text and every
// setting the walk reads, as the page's controls, a link or the element's
// attributes give them.
//
// The playground's whole state: one declarative table of properties, each
// parsed and clamped the same way whether it comes from a control or from the
// URL hash (#text=...&variant=...&heads=...). With the seed in it, any view is
// rebuilt exactly from its URL. No DOM here.
//
// A hash is untrusted input: unknown keys are ignored, unreadable values are
// dropped, out-of-range values are clamped, and readHash reports every such
// adjustment so the page can say so. Values are only ever parsed, never run or
// inserted as HTML.
import { LONG_MAX_TOKENS } from '../compute/long.js';
import { MAX_TOKENS } from '../compute/model.js';
import { TRAIN_PROPS } from './train.js';

export const DEFAULT_TEXT = "The animal didn't cross the street because it was too tired";

/** The views of the figure, in tab order. */
export const VIEWS = ['heatmap', 'lines', 'heads', 'steps', 'breakdown', 'output', 'stats', 'layers'];

/**
 * The table. type is 'string' | 'enum' | 'bool' | 'int' | 'number'; numbers
 * are clamped to [min, max]; a nullable property takes null ("none" in the
 * hash, an empty control) for "unlimited".
 */
export function stateTable(variantNames) {
  return [
    // What is computed.
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
    // How it is shown.
    { name: 'view', type: 'enum', values: VIEWS, default: 'heatmap' },
    { name: 'query', type: 'int', default: 0, min: 0, max: MAX_TOKENS - 1 },
    { name: 'key', type: 'int', default: 0, min: 0, max: MAX_TOKENS - 1 },
    { name: 'scale', type: 'enum', values: ['linear', 'log'], default: 'linear' },
    { name: 'palette', type: 'enum', values: ['viridis', 'cividis'], default: 'viridis' },
    { name: 'theme', type: 'enum', values: ['light', 'dark'], default: 'light' },
    { name: 'layout', type: 'enum', values: ['horizontal', 'vertical'], default: 'horizontal' },
    { name: 'allheads', type: 'bool', default: true },
    { name: 'table', type: 'bool', default: false },
  ];
}

/**
 * Where Q, K and V come from: a text, edited matrices, two texts
 * (cross-attention), a long input (long.js: a pasted article or a
 * generated sequence, shown as an overview and zoomed regions), or a
 * pretrained model run on the text (compute/run.js: its own tokens, Q, K, V
 * and weights, layer by layer); or no input at all: train mode trains a
 * small transformer in the page (state/train.js) and shows what its heads
 * learn.
 */
export const INPUT_MODES = ['text', 'matrix', 'cross', 'long', 'model', 'train'];

/** The pretrained models the page bundles (wasm/bundled-models.js). */
export const MODELS = ['use-lite', 'moby-dick'];

/**
 * The page's model value for a model opened from the user's disk: its files
 * cannot travel in a link, so a link says only that it was one.
 */
export const LOCAL_MODEL = 'local';

/** The most heads a layer of a model from disk may show: its head is clamped to its own count by the frame. */
export const MODEL_MAX_HEADS = 64;

/** The second sentence model mode compares the text with (the sentence embeddings' cosine). */
export const DEFAULT_TEXT2 = 'The tired dog stayed on the road.';

/**
 * Model mode's properties, the page's and the element's alike: which bundled
 * model, the shown layer (1-based, clamped to the model's layers by the
 * frame) and the second sentence.
 */
export const MODEL_PROPS = [
  { name: 'model', type: 'enum', values: MODELS, default: 'use-lite' },
  { name: 'layer', type: 'int', default: 1, min: 1, max: 48 },
  { name: 'text2', type: 'string', default: DEFAULT_TEXT2, maxLength: 200_000 },
];

/** Largest NQ, NK, D and DV of matrix inputs: grids of that size are still editable. */
export const MATRIX_MAX = 64;

export const DEFAULT_SOURCE = 'le chat est assis sur le tapis';
export const DEFAULT_TARGET = 'the cat sat on the mat';

/**
 * The main page's table: stateTable and the inputs only the page has (the
 * embeddable element keeps stateTable's names as its attributes).
 * input: text | matrix | cross; source and target: the texts of
 * cross-attention (keys and values from source, queries from target);
 * nq, nk, d, dv: sizes of seeded random matrices (with the seed, a link
 * rebuilds them exactly); mask: the mask editor is open and its mask applies;
 * compare: a second variant run on the same inputs, or none.
 * Long mode: longtext, a pasted article (empty: generate gen words from the
 * seed); zq and zk, the first query and key of the zoomed region (none: the
 * overview). model may also be LOCAL_MODEL (the element has no files to open).
 * Train mode: task, layers, width, context, batch, lr, steps, distance and
 * traintext (state/train.js), with heads and seed.
 */
export function pageTable(variantNames) {
  return [
    // A model from disk may have more heads than the settings' 8 (GPT-2 and BERT base have 12).
    ...stateTable(variantNames).map((prop) => (prop.name === 'head' ? { ...prop, max: MODEL_MAX_HEADS } : prop)),
    { name: 'input', type: 'enum', values: INPUT_MODES, default: 'text' },
    { name: 'source', type: 'string', default: DEFAULT_SOURCE, maxLength: 200_000 },
    { name: 'target', type: 'string', default: DEFAULT_TARGET, maxLength: 200_000 },
    { name: 'nq', type: 'int', default: 4, min: 1, max: MATRIX_MAX },
    { name: 'nk', type: 'int', default: 5, min: 1, max: MATRIX_MAX },
    { name: 'd', type: 'int', default: 4, min: 1, max: MATRIX_MAX },
    { name: 'dv', type: 'int', default: 3, min: 1, max: MATRIX_MAX },
    { name: 'mask', type: 'bool', default: false },
    { name: 'compare', type: 'enum', values: ['none', ...variantNames], default: 'none' },
    { name: 'longtext', type: 'string', default: '', maxLength: 400_000 },
    { name: 'gen', type: 'int', default: 4096, min: 16, max: LONG_MAX_TOKENS },
    { name: 'zq', type: 'int', default: null, nullable: true, min: 0, max: LONG_MAX_TOKENS - 1 },
    { name: 'zk', type: 'int', default: null, nullable: true, min: 0, max: LONG_MAX_TOKENS - 1 },
    ...MODEL_PROPS.map((prop) => (prop.name === 'model' ? { ...prop, values: [...MODELS, LOCAL_MODEL] } : prop)),
    ...TRAIN_PROPS,
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
// The shown head is one of the heads; a pretrained model has its own count,
// which the frame clamps to (its heads are not the heads setting).
function normalize(state) {
  return state.input !== 'model' && state.head > state.heads ? { ...state, head: state.heads } : state;
}

/** state with property name set from raw; unchanged if raw is unreadable or name unknown. */
export function withEdit(table, state, name, raw) {
  const prop = table.find((p) => p.name === name);
  if (!prop) return state;
  const value = parseValue(prop, raw);
  if (value === undefined) return state;
  return normalize({ ...state, [name]: value });
}

/** state with several properties set at once from values already in range (e.g. a click's selection). */
export function withValues(table, state, values) {
  let next = state;
  for (const [name, value] of Object.entries(values)) next = withEdit(table, next, name, value);
  return next;
}

const MAX_SHOWN = 24; // a hash value quoted in a note is cut to this many characters

function quoted(raw) {
  const text = String(raw);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

/**
 * The state a URL hash describes, and what had to be changed to get it:
 * adjustments [{ name, from, to }] for values clamped or cut to their bounds
 * (from is the hash's text, to the value used), ignored [{ name, from }] for
 * known keys whose value could not be read. Unknown keys are ignored silently
 * (other tools may add their own).
 */
export function readHash(table, hash) {
  const params = new URLSearchParams(String(hash ?? '').replace(/^#/, ''));
  const state = defaultState(table);
  const adjustments = [];
  const ignored = [];
  for (const prop of table) {
    if (!params.has(prop.name)) continue;
    const raw = params.get(prop.name);
    const value = parseValue(prop, raw);
    if (value === undefined) {
      ignored.push({ name: prop.name, from: quoted(raw) });
      continue;
    }
    state[prop.name] = value;
    if (wasAdjusted(prop, raw, value)) {
      adjustments.push({ name: prop.name, from: quoted(raw), to: prop.type === 'string' ? `${value.length} characters` : formatValue(value) });
    }
  }
  const normalized = normalize(state);
  if (normalized.head !== state.head) {
    const earlier = adjustments.find((a) => a.name === 'head');
    if (earlier) earlier.to = formatValue(normalized.head);
    else {
      // In the table's order, as if the head had been clamped where it is read.
      const order = table.map((p) => p.name);
      const after = adjustments.findIndex((a) => order.indexOf(a.name) > order.indexOf('head'));
      adjustments.splice(after === -1 ? adjustments.length : after, 0, { name: 'head', from: formatValue(state.head), to: formatValue(normalized.head) });
    }
  }
  return { state: normalized, adjustments, ignored };
}

/** True when value is not what raw literally says (clamped, rounded or cut). */
function wasAdjusted(prop, raw, value) {
  switch (prop.type) {
    case 'string':
      return value.length !== raw.length;
    case 'int':
    case 'number':
      return value !== null && value !== Number(String(raw).trim());
    default:
      return false;
  }
}

/** The state a URL hash describes: defaults, then every readable known key. */
export function fromHash(table, hash) {
  return readHash(table, hash).state;
}

/**
 * The selection moved into range: query into [0, n − 1], key into
 * [0, keys − 1] (keys = n for self-attention); and the adjustments made,
 * in readHash's form.
 */
export function clampSelection(state, n, keys = n) {
  const adjustments = [];
  let next = state;
  for (const name of ['query', 'key']) {
    const limit = Math.max(0, (name === 'query' ? n : keys) - 1);
    if (next[name] > limit) {
      adjustments.push({ name, from: formatValue(next[name]), to: formatValue(limit) });
      next = { ...next, [name]: limit };
    }
  }
  return { state: next, adjustments };
}

/**
 * Adjustments a then b, in readHash's form; a property adjusted twice (a
 * query clamped to the table's bound, then to the token count) is one entry
 * from the first from to the last to.
 */
export function mergeAdjustments(a, b) {
  const merged = a.map((entry) => ({ ...entry }));
  for (const entry of b) {
    const earlier = merged.find((m) => m.name === entry.name);
    if (earlier) earlier.to = entry.to;
    else merged.push({ ...entry });
  }
  return merged;
}

/**
 * One line for the page, e.g. "Adjusted from the link: heads 99 → 8. Ignored
 * unreadable values: seed "abc"". source names where the values came from
 * (the element says "the attributes").
 */
export function describeHashChanges({ adjustments = [], ignored = [] }, source = 'the link') {
  const parts = [];
  if (adjustments.length) {
    parts.push(`Adjusted from ${source}: ${adjustments.map((a) => `${a.name} ${a.from} → ${a.to}`).join(', ')}`);
  }
  if (ignored.length) {
    parts.push(`Ignored unreadable values: ${ignored.map((i) => `${i.name} "${i.from}"`).join(', ')}`);
  }
  return parts.join('. ');
}

/**
 * Every change readHash made, one entry a property: { name, from, to,
 * unreadable }, where to is the value used instead (for an unreadable value,
 * the default).
 */
export function listChanges({ state, adjustments = [], ignored = [] }) {
  return [
    ...adjustments.map(({ name, from, to }) => ({ name, from, to, unreadable: false })),
    ...ignored.map(({ name, from }) => ({ name, from, to: formatValue(state[name]), unreadable: true })),
  ];
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
