// Train mode's settings (input=train): the rows of the state table that say
// what is trained, and their translation into the training API's settings
// (wasm/train.js parseTrainSettings). The table clamps each number to its
// bounds; what only the settings together can say (heads that do not divide
// the width, a recall distance past the context) is checked here, and the
// error names the page's field. No DOM here.
//
// heads and seed are the page's own properties (state/table.js): the heads of
// the model trained, and the seed of its initial weights and of its batches.
import { parseTrainSettings, trainLimits, trainTasks } from '../../../wasm/train.js';

/** The tasks, with the words the page shows for each. */
export const TASK_LABELS = {
  copy: 'copy a sequence',
  reverse: 'reverse a sequence',
  recall: 'associative recall (long range)',
  induction: 'induction (a repeated sequence)',
  sort: 'sort digits',
  text: 'character-level text (Moby-Dick or your text)',
};

/** What each task asks, and why attention matters for it (the page shows the one chosen). */
export const TASK_HINTS = {
  copy: 'A random string, a separator, then the same string again: each answer sits a fixed distance back, so a head has to look exactly there.',
  reverse: 'A random string, a separator, then the string backwards: each answer is at a position that moves as the answer goes on.',
  recall: 'Pairs of a key and its value, then one key again: the answer is the value after that key, which may be many tokens back (at least the distance).',
  induction: 'A random sequence repeated: in the second copy, the next token is the one that followed the same token the first time (the induction heads of the literature).',
  sort: 'Digits, a separator, then the same digits sorted: every answer depends on all the digits before the separator.',
  text: 'Predict the next character of the text: a model of spelling and short words. Without attention the model sees only an average of everything before.',
};

/** Train mode's properties of the page's table (besides heads and seed). */
export const TRAIN_PROPS = [
  { name: 'task', type: 'enum', values: [...trainTasks], default: 'copy' },
  { name: 'layers', type: 'int', default: 2, min: 1, max: trainLimits.layers },
  { name: 'width', type: 'int', default: 32, min: 1, max: trainLimits.width },
  { name: 'context', type: 'int', default: 24, min: 4, max: trainLimits.context },
  { name: 'batch', type: 'int', default: 16, min: 1, max: trainLimits.batch },
  { name: 'lr', type: 'number', default: 0.01, min: 1e-6, max: 1000, step: 'any' },
  { name: 'steps', type: 'int', default: 1000, min: 1, max: 100_000 },
  // blank: the API's default, min(64, context - 2)
  { name: 'distance', type: 'int', default: null, nullable: true, min: 2, max: trainLimits.context - 2 },
  // empty: Moby-Dick, bundled with the page
  { name: 'traintext', type: 'string', default: '', maxLength: 400_000 },
];

/** The page's label of each field an API message may name. */
const FIELD_LABELS = {
  task: 'Task', layers: 'Layers', heads: 'Heads', width: 'Width', context: 'Context', batch: 'Batch',
  learningRate: 'Learning rate', steps: 'Steps', seed: 'Seed', distance: 'Distance', text: 'Text',
};

/** The page's property of each API field (the API's learningRate is the link's lr, its text the link's traintext). */
const FIELD_PROPS = { learningRate: 'lr', text: 'traintext' };

/** The text of the text task that the user gave, or null for the bundled Moby-Dick. */
export function pastedText(state) {
  return state.traintext.trim() === '' ? null : state.traintext;
}

/**
 * The API's settings of a page state: { settings } (for createSideBySide;
 * the text of task text is { text: null } for Moby-Dick, which the worker
 * adds), or { error: { prop, message } } naming the field that is wrong, in
 * the page's words.
 */
export function trainSettingsOf(state) {
  const settings = {
    task: state.task,
    layers: state.layers,
    heads: state.heads,
    width: state.width,
    context: state.context,
    batch: state.batch,
    learningRate: state.lr,
    steps: state.steps,
    seed: state.seed,
    ...(state.task === 'recall' && state.distance !== null && { distance: state.distance }),
  };
  const text = state.task === 'text' ? pastedText(state) : null;
  try {
    // Moby-Dick is read by the worker; the core checks a text's length, the rest is checked here.
    parseTrainSettings({ ...settings, ...(state.task === 'text' && { text: text ?? '' }) });
  } catch (error) {
    return { error: describeSettingsError(error instanceof Error ? error.message : String(error)) };
  }
  return { settings: { ...settings, ...(state.task === 'text' && { text }) } };
}

/**
 * An API message ("heads: 3 does not divide the width 16") as the page says
 * it ("Heads: 3 does not divide the width 16"), with the page property it is
 * about (null when it names none).
 */
export function describeSettingsError(message) {
  const match = /^([A-Za-z]+): (.*)$/s.exec(message);
  if (!match || !(match[1] in FIELD_LABELS)) return { prop: null, message };
  const [, field, rest] = match;
  return { prop: FIELD_PROPS[field] ?? field, message: `${FIELD_LABELS[field]}: ${rest}` };
}

/** One string per distinct run: a change of any setting starts a new run. */
export function settingsKey(settings) {
  return JSON.stringify(settings);
}
