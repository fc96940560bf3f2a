// npm run bench: the attention benchmark in Node 20 and in headless Chromium,
// the whole forward pass of two models against a peer running the same
// weights (USE lite against TF.js, bench/model.mjs; GPT-2 small against
// onnxruntime-web, bench/gpt2.mjs), training steps per second against TF.js
// (bench/train.mjs), then the playground's control-to-repaint benchmark; prints a table, writes
// bench/results/latest.json and bench/results/chart.svg, and rewrites the
// Speed table and targets of README.md from them (bench/readme.mjs). See
// bench/README.md for what is measured.
//   node bench/run.mjs [--quick] [--no-build]
//     --quick     two timed runs per shape, nothing written (a smoke test)
//     --no-build  skip the set-up step (Debian packages, npm ci, WASM build)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup } from '../scripts/setup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(root, 'bench', 'results');
const args = process.argv.slice(2);
const quick = args.includes('--quick');

const started = performance.now();
// Other work on a shared machine slows everything; say so next to the figures.
const loadAtStart = os.loadavg()[0];
const log = (line) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

// The same set-up as npm start and npm test: what is missing gets installed,
// and the WASM core is rebuilt if its sources changed, so the figures are of
// the current sources. Everything below needs node_modules, so it is imported after.
if (!args.includes('--no-build')) setup();
const { runNode } = await import('./node.mjs');
const { runChromium, withChromium } = await import('./chromium.mjs');
const { runRepaint } = await import('./repaint.mjs');
const { SHAPES } = await import('./workload.mjs');
const { formatTable, sortResults } = await import('./report.mjs');
const { chartSvg } = await import('./chart.mjs');
const { updateReadme } = await import('./readme.mjs');
const { gpt2Options } = await import('./gpt2-lib.mjs');
const childFlags = quick ? ['--quick'] : [];

const shapes = quick ? SHAPES.map((s) => ({ ...s, reps: 2, jsReps: Math.min(s.jsReps, 1) })) : SHAPES;
const notes = [];
let results = [];
let repaint = null;
let chromiumVersion = null;
const features = {};

log('Node: every implementation, shape by shape');
const node = await runNode({ shapes, log });
results.push(...node.results);
features.node = node.features;
notes.push(...node.notes.map((note) => `node: ${note}`));

log('Node: USE lite forward pass, this core against TF.js wasm (bench/model.mjs)');
let model = null;
let modelChromium = null;
try {
  const { runModelNode } = await import('./model.mjs');
  model = await runModelNode({ log, rounds: quick ? 3 : 15 });
} catch (error) {
  notes.push(`node: the model benchmark did not run: ${messageOf(error)}`);
}

// GPT-2 and training in processes of their own: GPT-2's two engines hold
// over a gigabyte each, and each library's WASM memory is then its own, not
// grown by what ran before in this process.
function runChild(script, what) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-child-'));
  const file = path.join(dir, 'node.json');
  const child = spawnSync(process.execPath, [path.join(root, 'bench', script), '--node-only', '--json', file, ...childFlags], { stdio: 'inherit' });
  try {
    if (child.status !== 0) throw new Error(`bench/${script} exited with ${child.status ?? child.signal}`);
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    notes.push(`node: the ${what} benchmark did not run: ${messageOf(error)}`);
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
log('Node: GPT-2 small forward pass, this core against onnxruntime-web (bench/gpt2.mjs, a child process)');
const gpt2 = runChild('gpt2.mjs', 'GPT-2');
let gpt2Chromium = null;
log('Node: training steps per second, this trainer against TF.js wasm (bench/train.mjs, a child process)');
const train = runChild('train.mjs', 'training');
let trainChromium = null;

// A pause before the browser: started right after the Node phase (whose last
// runs keep both cores busy for seconds), the first Chromium shape ran slower
// for every implementation, though the Node process used no CPU in the
// meantime (the figures are in the commit that added the pause). The cause is
// not known; the pause lets the browser's figures be of a settled machine.
const SETTLE_MS = 5000;
log(`pause of ${SETTLE_MS / 1000} s before the browser`);
await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

try {
  await withChromium(async (browser) => {
    chromiumVersion = browser.version();
    log(`Chromium ${chromiumVersion}: every implementation, shape by shape`);
    const run = await runChromium(browser, { root, shapes, log });
    results.push(...run.results);
    features.chromium = run.features;
    notes.push(...run.notes.map((note) => `chromium: ${note}`));
    log('Chromium: USE lite forward pass, this core against TF.js wasm');
    try {
      const { runModelChromium } = await import('./chromium.mjs');
      modelChromium = await runModelChromium(browser, { root, log, rounds: quick ? 3 : 15 });
    } catch (error) {
      notes.push(`chromium: the model benchmark did not run: ${messageOf(error)}`);
    }
    log('Chromium: GPT-2 small forward pass, this core against onnxruntime-web');
    try {
      const { runGpt2Chromium } = await import('./chromium.mjs');
      gpt2Chromium = await runGpt2Chromium(browser, { root, log, ...gpt2Options(childFlags) });
    } catch (error) {
      notes.push(`chromium: the GPT-2 benchmark did not run: ${messageOf(error)}`);
    }
    log('Chromium: training steps per second, this trainer against TF.js wasm');
    try {
      const { runTrainChromium } = await import('./chromium.mjs');
      const { tfjsGradients } = await import('./tfjs-gradients.mjs');
      await tfjsGradients(root);
      trainChromium = await runTrainChromium(browser, { root, log, rounds: quick ? 2 : 6 });
    } catch (error) {
      notes.push(`chromium: the training benchmark did not run: ${messageOf(error)}`);
    }
    log('Chromium: control change to repainted heatmap (vite build, then the page)');
    try {
      repaint = await runRepaint(browser, { root, log });
    } catch (error) {
      notes.push(`chromium: playground repaint benchmark did not run: ${messageOf(error)}`);
    }
  });
} catch (error) {
  notes.push(`chromium: the browser benchmark did not run: ${messageOf(error)}`);
}

results = sortResults(results, shapes);
const ran = results.filter((r) => r.medianMs != null);
const notRun = results.filter((r) => r.medianMs == null && r.skipped !== 'engine-only shape');
if (shapes.some((s) => s.engineOnly)) notes.push('N = 16384 runs this engine only (the peers are not asked to go there)');

console.log('');
console.log('Attention, float32, D = 64, one thread unless marked; median of interleaved runs.');
console.log('"× vs onnxruntime-web" = onnxruntime-web median / this median in the same env (above 1 = faster).');
console.log('');
for (const line of formatTable(results)) console.log(line);
console.log('');
if (repaint) {
  const { waitForFrameMs, computeAndDrawMs, paintMs } = repaint.breakdown;
  console.log(`Playground, control change to repainted heatmap (Chromium, ${repaint.tokens} tokens × ${repaint.heads} heads): `
    + `${repaint.medianMs.toFixed(1)} ms median of ${repaint.trials} to the frame after the repaint; `
    + `${repaint.medianToPaintMs.toFixed(1)} ms to the end of the repaint (parts: wait for frame ${waitForFrameMs.toFixed(1)} ms, `
    + `compute and draw ${computeAndDrawMs.toFixed(1)} ms, browser paint ${paintMs.toFixed(1)} ms)`);
}
const modelRuns = [model, modelChromium].filter(Boolean);
if (modelRuns.length) {
  console.log('');
  console.log('USE lite, whole forward pass (ids to every layer\'s attention and the embedding), one thread; median of interleaved runs.');
  console.log('| env | tokens | attention-playground ms | tfjs-wasm ms | × vs tfjs-wasm | max attention diff |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const run of modelRuns) {
    for (const r of run.results.filter((x) => x.impl === 'attention-playground')) {
      const peer = run.results.find((x) => x.impl === 'tfjs-wasm' && x.tokens === r.tokens);
      console.log(`| ${r.env} | ${r.tokens} | ${r.medianMs.toFixed(2)} | ${peer.medianMs.toFixed(2)} | ${r.ratio.toFixed(2)} | ${r.maxAbsAttentionDiff.toExponential(1)} |`);
    }
    console.log(`${run.results[0].env}: model load, bytes in memory to the first result: ${run.loadMs.toFixed(0)} ms (median of 5).`);
  }
}
const gpt2Runs = [gpt2, gpt2Chromium].filter(Boolean);
if (gpt2Runs.length) {
  const { gpt2Lines } = await import('./readme.mjs');
  console.log('');
  for (const line of gpt2Lines(gpt2Runs)) console.log(line);
}
const trainRuns = [train, trainChromium].filter(Boolean);
if (trainRuns.length) {
  const { trainLines } = await import('./readme.mjs');
  console.log('');
  for (const line of trainLines(trainRuns)) console.log(line);
}
if (loadAtStart > 1) {
  notes.push(`the machine was busy: 1-minute load average ${loadAtStart.toFixed(2)} at the start `
    + `(${os.availableParallelism()} cores); figures are slower and noisier than on a quiet machine`);
}
for (const note of notes) console.log(`Note: ${note}`);

const version = (pkg) => JSON.parse(readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
const date = new Date().toISOString();
const keep = ['env', 'impl', 'threads', 'n', 'heads', 'dim', 'medianMs', 'gflops', 'maxAbsError', 'reps'];
// Rounded to what the timers can tell apart, so results diff cleanly.
const round = (value) => (typeof value !== 'number' || Number.isInteger(value) ? value
  : Math.abs(value) < 0.01 ? Number(value.toPrecision(2)) : Number(value.toFixed(3)));
const pick = (r, keys) => Object.fromEntries(keys.filter((k) => r[k] !== undefined).map((k) => [k, round(r[k])]));
const roundAll = (object) => JSON.parse(JSON.stringify(object, (k, v) => round(v)));

if (quick) {
  log('quick run: bench/results/ left as it was');
} else {
  mkdirSync(resultsDir, { recursive: true });
  const latest = {
    date,
    machine: {
      cpu,
      cores: os.availableParallelism(),
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      loadAverageAtStart: Number(loadAtStart.toFixed(2)),
    },
    versions: {
      node: process.versions.node,
      chromium: chromiumVersion,
      'onnxruntime-web': version('onnxruntime-web'),
      '@tensorflow/tfjs-core': version('@tensorflow/tfjs-core'),
      '@tensorflow/tfjs-backend-wasm': version('@tensorflow/tfjs-backend-wasm'),
    },
    engineFeatures: features,
    results: [...ran.map((r) => pick(r, keep)), ...(repaint ? [roundAll(repaint)] : [])],
    model: modelRuns.map(roundAll),
    gpt2: gpt2Runs.map(roundAll),
    train: trainRuns.map(roundAll),
    notRun: notRun.map((r) => pick(r, ['env', 'impl', 'threads', 'n', 'heads', 'dim', 'refused', 'failed', 'skipped'])),
    notes,
  };
  writeFileSync(path.join(resultsDir, 'latest.json'), `${JSON.stringify(latest, null, 2)}\n`);
  writeFileSync(path.join(resultsDir, 'chart.svg'), chartSvg({
    results: results.filter((r) => r.medianMs != null || r.refused),
    shapes,
    title: 'Attention GFLOP/s (higher is better): float32, D = 64, one thread unless marked',
    subtitle: `${cpu}, ${os.availableParallelism()} cores · Node ${process.versions.node}, Chromium ${chromiumVersion ?? '—'} · `
      + `medians of interleaved runs · ${date.slice(0, 10)}`,
  }));
  updateReadme(latest);
  log(`wrote ${path.relative(root, path.join(resultsDir, 'latest.json'))}, ${path.relative(root, path.join(resultsDir, 'chart.svg'))} `
    + 'and the Speed table and targets of README.md');
}

const failed = results.filter((r) => r.failed);
if (failed.length > 0) {
  console.error(`${failed.length} result(s) were wrong: ${failed.map((r) => `${r.env} ${r.impl} N=${r.n}`).join(', ')}`);
  process.exitCode = 1;
}
const gpt2Apart = gpt2Runs.flatMap((run) => run.results.filter((r) => r.parityOk === false));
if (gpt2Apart.length > 0) {
  console.error(`GPT-2: this core and onnxruntime-web disagree beyond 1e-3: ${gpt2Apart.map((r) => `${r.env} T=${r.tokens}`).join(', ')}`);
  process.exitCode = 1;
}
