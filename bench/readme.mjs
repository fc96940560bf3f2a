// The README's Speed table and its list of issue 4's targets, the GPT-2
// table with issue 15's target, the training table with issue 16's, made from bench/results/latest.json and
// written between the README's markers (<!-- bench:start --> … <!-- bench:end -->,
// <!-- targets:start --> … <!-- targets:end -->, <!-- gpt2:start --> … <!-- gpt2:end -->,
// <!-- train:start --> … <!-- train:end -->).
// npm run bench calls it after a full run; `node bench/readme.mjs` redoes it.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const ms = (r) => (r ? `${r.medianMs.toFixed(1)} ms (${r.gflops.toFixed(1)} GFLOP/s)` : '—');
const ratio = (a, b) => (a && b ? `${(b.medianMs / a.medianMs).toFixed(2)}×` : '—');
const seconds = (r) => `${(r.medianMs / 1000).toFixed(2)} s`;

/** The table rows, one per (env, shape), from the results of latest.json. */
export function speedTable(results) {
  const shapes = [...new Set(results.filter((r) => r.n).map((r) => `${r.env} ${r.n} ${r.heads}`))];
  const find = (env, n, heads, impl, threads = 1) =>
    results.find((r) => r.env === env && r.n === n && r.heads === heads && r.impl === impl && r.threads === threads);
  const lines = [
    '| env | N × heads | this engine, 1 thread | this engine, 2 threads (caller + 1 worker) | onnxruntime-web | TensorFlow.js wasm | plain JS | 1 thread vs onnxruntime-web | 2 threads vs 1 |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const key of shapes) {
    const [env, n, heads] = key.split(' ').map((x, i) => (i ? Number(x) : x));
    const one = find(env, n, heads, 'attention-playground');
    const two = find(env, n, heads, 'attention-playground', 2);
    const ort = find(env, n, heads, 'onnxruntime-web');
    lines.push(`| ${env} | ${n} × ${heads} | ${ms(one)} | ${ms(two)} | ${ms(ort)} | ${ms(find(env, n, heads, 'tfjs-wasm'))} | `
      + `${ms(find(env, n, heads, 'js'))} | ${ratio(one, ort)} | ${ratio(two, one)} |`);
  }
  return lines;
}

/** Issue 4's targets, each met or not as the results say, with the figures. */
export function targetLines(results) {
  const engine = (env, threads) => results.filter((r) => r.env === env && r.impl === 'attention-playground' && r.threads === threads);
  const peer = (r) => results.find((p) => p.env === r.env && p.n === r.n && p.heads === r.heads && p.impl === 'onnxruntime-web');
  const verdict = (label, checks) => {
    const met = checks.filter((c) => c.ok), unmet = checks.filter((c) => !c.ok);
    const list = (cs) => cs.map((c) => `N=${c.n}: ${c.value}`).join(', ');
    if (checks.length === 0) return `- ${label}: not measured.`;
    if (unmet.length === 0) return `- ${label}: met at ${list(met)}.`;
    return `- ${label}: ${met.length ? `met at ${list(met)}; ` : ''}**not yet** at ${list(unmet)}.`;
  };
  const lines = [];
  for (const env of ['node', 'chromium']) {
    lines.push(verdict(`One thread ≥ 1.5× onnxruntime-web (${env})`, engine(env, 1).filter(peer).map((r) => {
      const x = peer(r).medianMs / r.medianMs;
      return { n: r.n, ok: x >= 1.5, value: `${x.toFixed(2)}×` };
    })));
  }
  for (const env of ['node', 'chromium']) {
    lines.push(verdict(`Two threads ≥ 1.8× one thread for N ≥ 1024 (${env})`, engine(env, 2).filter((r) => r.n >= 1024).map((r) => {
      const one = engine(env, 1).find((o) => o.n === r.n && o.heads === r.heads);
      const x = one.medianMs / r.medianMs;
      return { n: r.n, ok: x >= 1.8, value: `${x.toFixed(2)}×` };
    })));
  }
  for (const env of ['node', 'chromium']) {
    const long = engine(env, 1).find((r) => r.n === 16384 && r.heads === 1);
    lines.push(long
      ? `- N = 16 384, one head, under 2.5 s on one thread (${env}): ${long.medianMs < 2500 ? 'met' : '**not yet**'}, ${seconds(long)}.`
      : `- N = 16 384, one head, under 2.5 s on one thread (${env}): not measured.`);
  }
  const repaint = results.find((r) => r.impl === 'playground-repaint');
  lines.push(repaint
    ? `- Control change to repainted heatmap under 16 ms (${repaint.tokens} tokens × ${repaint.heads} heads): `
      + `${repaint.medianMs < 16 ? 'met' : '**not yet**'}, ${repaint.medianMs.toFixed(1)} ms median.`
    : '- Control change to repainted heatmap under 16 ms: not measured.');
  return lines;
}

const MB = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/**
 * The GPT-2 benchmark's lines (bench/gpt2-lib.mjs), from its runs (one per
 * env): a table of medians, ratios and the largest differences between the
 * two; the WASM memory each held; issue 15's target, met or not.
 */
export function gpt2Lines(runs) {
  const lines = [
    '| env | tokens | this engine, 1 thread | onnxruntime-web, 1 thread | this engine vs onnxruntime-web | max attention diff | max hidden diff |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const checks = [];
  for (const run of runs) {
    for (const r of run.results.filter((x) => x.impl === 'attention-playground')) {
      const peer = run.results.find((x) => x.impl === 'onnxruntime-web' && x.tokens === r.tokens);
      const ratio = peer.medianMs / r.medianMs;
      checks.push({ env: r.env, tokens: r.tokens, ratio });
      lines.push(`| ${r.env} | ${r.tokens} | ${r.medianMs.toFixed(0)} ms | ${peer.medianMs.toFixed(0)} ms | ${ratio.toFixed(2)}× | `
        + `${r.maxAbsAttentionDiff.toExponential(1)} | ${r.maxAbsHiddenDiff.toExponential(1)} |`);
    }
  }
  lines.push('');
  for (const run of runs) {
    const env = run.results[0].env;
    const ours = run.memory['attention-playground'], theirs = run.memory['onnxruntime-web'];
    lines.push(`- WASM memory held after the runs (${env}, weights ${MB(run.weightsBytes)}): this engine ${MB(ours.wasmBytes)}, `
      + `onnxruntime-web ${MB(theirs.wasmBytes)}.`);
  }
  for (const env of [...new Set(checks.map((c) => c.env))]) {
    const mine = checks.filter((c) => c.env === env);
    const list = (cs) => cs.map((c) => `${c.tokens} tokens: ${c.ratio.toFixed(2)}×`).join(', ');
    const met = mine.filter((c) => c.ratio >= 1.5), unmet = mine.filter((c) => c.ratio < 1.5);
    lines.push(`- Target ≥ 1.5× onnxruntime-web (${env}): ${unmet.length === 0 ? `met at ${list(met)}`
      : `${met.length ? `met at ${list(met)}; ` : ''}**not yet** at ${list(unmet)}`}.`);
  }
  return lines;
}

/**
 * The training benchmark's lines (bench/train-lib.mjs), from its runs (one
 * per env): steps per second of each, their ratio, issue 16's target (3×),
 * and the WASM memory each held after the warm-up and after the last step.
 */
export function trainLines(runs) {
  const s = runs[0].settings;
  const lines = [
    `Training ${s.layers} layers × ${s.heads} heads × ${s.width}, context ${s.context}, batch ${s.batch}, vocabulary ${s.vocab}, one thread:`,
    '',
    '| env | this engine, steps/s | TensorFlow.js wasm, steps/s | this engine vs TF.js | WASM memory, this engine | WASM memory, TF.js |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  const verdicts = [];
  for (const run of runs) {
    const ours = run.results.find((r) => r.impl === 'attention-playground');
    const theirs = run.results.find((r) => r.impl === 'tfjs-wasm');
    const held = (impl) => `${MB(run.memory.start[impl].wasmBytes)} → ${MB(run.memory.end[impl].wasmBytes)}`;
    lines.push(`| ${ours.env} | ${ours.stepsPerSecond.toFixed(2)} | ${theirs.stepsPerSecond.toFixed(2)} | ${ours.ratio.toFixed(2)}× | `
      + `${held('attention-playground')} | ${held('tfjs-wasm')} |`);
    verdicts.push(`- Target ≥ 3× TensorFlow.js wasm (${ours.env}): ${ours.ratio >= 3 ? 'met' : '**not yet**'}, ${ours.ratio.toFixed(2)}×.`);
  }
  lines.push('', `WASM memory after step 2 → after step ${runs[0].memory.steps} of each.`, ...verdicts);
  for (const run of runs.filter((r) => r.memoryOverSteps)) {
    const samples = run.memoryOverSteps;
    lines.push(`- This engine alone over ${samples.at(-1).step} steps (${run.results[0].env}): WASM memory `
      + `${[...new Set(samples.map((x) => MB(x.wasmBytes)))].join(' → ')}.`);
  }
  return lines;
}

function replaceBetween(text, name, lines) {
  const start = `<!-- ${name}:start -->`, end = `<!-- ${name}:end -->`;
  const a = text.indexOf(start), b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md has no ${start} … ${end} section`);
  return `${text.slice(0, a + start.length)}\n${lines.join('\n')}\n${text.slice(b)}`;
}

/** Rewrites README.md's two sections from latest (the parsed latest.json). */
export function updateReadme(latest, readmePath = path.join(root, 'README.md')) {
  const { results, machine, date } = latest;
  const repaint = results.find((r) => r.impl === 'playground-repaint');
  const table = [
    `Measured ${date.slice(0, 16).replace('T', ' ')} UTC on ${machine.cores} cores (${machine.cpu}), `
      + `load average ${machine.loadAverageAtStart} at the start:`,
    '',
    ...speedTable(results),
    '',
    repaint
      ? `Control change to repainted heatmap (Chromium, ${repaint.tokens} tokens × ${repaint.heads} heads): `
        + `${repaint.medianMs.toFixed(1)} ms median of ${repaint.trials}.`
      : 'Control change to repainted heatmap: not measured in this run.',
  ];
  let text = readFileSync(readmePath, 'utf8');
  text = replaceBetween(text, 'bench', table);
  text = replaceBetween(text, 'targets', targetLines(results));
  // The GPT-2 section is rewritten when the run has its figures and the README its markers.
  if (latest.gpt2?.length && text.includes('<!-- gpt2:start -->')) text = replaceBetween(text, 'gpt2', gpt2Lines(latest.gpt2));
  if (latest.train?.length && text.includes('<!-- train:start -->')) text = replaceBetween(text, 'train', trainLines(latest.train));
  writeFileSync(readmePath, text);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  updateReadme(JSON.parse(readFileSync(path.join(root, 'bench', 'results', 'latest.json'), 'utf8')));
  console.log('README.md: Speed table and targets rewritten from bench/results/latest.json');
}
