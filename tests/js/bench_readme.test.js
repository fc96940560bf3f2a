// bench/readme.mjs: the README's Speed table and targets say what the results
// say: a target is "met" only when its figure passes, and every figure shown
// is the ratio of the medians it names.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gpt2Lines, speedTable, targetLines, trainLines, updateReadme } from '../../bench/readme.mjs';

const row = (env, impl, threads, n, heads, medianMs) => ({ env, impl, threads, n, heads, dim: 64, medianMs, gflops: (4 * n * n * 64 * heads) / (medianMs * 1e6) });
const results = [
  row('node', 'attention-playground', 1, 256, 8, 3.4), row('node', 'attention-playground', 2, 256, 8, 3.0),
  row('node', 'onnxruntime-web', 1, 256, 8, 5.0),
  row('node', 'attention-playground', 1, 1024, 8, 48), row('node', 'attention-playground', 2, 1024, 8, 27),
  row('node', 'onnxruntime-web', 1, 1024, 8, 80),
  row('node', 'attention-playground', 1, 16384, 1, 2600),
  { env: 'chromium', impl: 'playground-repaint', tokens: 128, heads: 8, medianMs: 12.5, trials: 60 },
];

describe('bench README section', () => {
  it('calls a target met only where its figure passes, with the figure', () => {
    const lines = targetLines(results);
    // 5.0 / 3.4 = 1.47: not yet; 80 / 48 = 1.67: met
    expect(lines[0]).toBe('- One thread ≥ 1.5× onnxruntime-web (node): met at N=1024: 1.67×; **not yet** at N=256: 1.47×.');
    expect(lines[1]).toBe('- One thread ≥ 1.5× onnxruntime-web (chromium): not measured.');
    // 48 / 27 = 1.78: not yet (N = 256 is not a two-thread target)
    expect(lines[2]).toBe('- Two threads ≥ 1.8× one thread for N ≥ 1024 (node): **not yet** at N=1024: 1.78×.');
    expect(lines).toContain('- N = 16 384, one head, under 2.5 s on one thread (node): **not yet**, 2.60 s.');
    expect(lines.at(-1)).toBe('- Control change to repainted heatmap under 16 ms (128 tokens × 8 heads): met, 12.5 ms median.');
  });

  it('puts one row per environment and shape, with the ratios of its medians', () => {
    const table = speedTable(results);
    expect(table).toHaveLength(2 + 3);
    expect(table[3]).toBe('| node | 1024 × 8 | 48.0 ms (44.7 GFLOP/s) | 27.0 ms (79.5 GFLOP/s) | 80.0 ms (26.8 GFLOP/s) | — | — | 1.67× | 1.78× |');
  });

  it('rewrites only what lies between the markers', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'readme-')), 'README.md');
    writeFileSync(file, 'before\n<!-- bench:start -->\nold\n<!-- bench:end -->\nmiddle\n<!-- targets:start -->\nold\n<!-- targets:end -->\nafter\n');
    updateReadme({ results, machine: { cores: 2, cpu: 'CPU', loadAverageAtStart: 0.5 }, date: '2026-11-23T23:00:00.000Z' }, file);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('before\n<!-- bench:start -->\nMeasured 2026-11-23 23:00 UTC on 2 cores (CPU)')).toBe(true);
    expect(text).toContain('<!-- bench:end -->\nmiddle\n<!-- targets:start -->\n- One thread');
    expect(text.endsWith('<!-- targets:end -->\nafter\n')).toBe(true);
    expect(text).not.toContain('old');
  });

  const gpt2Run = (env, ours128, theirs128, ours512, theirs512) => ({
    results: [
      { env, tokens: 128, impl: 'attention-playground', medianMs: ours128, maxAbsAttentionDiff: 2e-6, maxAbsHiddenDiff: 3e-5 },
      { env, tokens: 128, impl: 'onnxruntime-web', medianMs: theirs128 },
      { env, tokens: 512, impl: 'attention-playground', medianMs: ours512, maxAbsAttentionDiff: 4e-6, maxAbsHiddenDiff: 5e-5 },
      { env, tokens: 512, impl: 'onnxruntime-web', medianMs: theirs512 },
    ],
    memory: { 'attention-playground': { wasmBytes: 900 * 2 ** 20 }, 'onnxruntime-web': { wasmBytes: 1200 * 2 ** 20 } },
    weightsBytes: 475 * 2 ** 20,
  });

  it('gives GPT-2\'s rows with the ratio of their medians, the memory, and issue 15\'s target met only where it passes', () => {
    const lines = gpt2Lines([gpt2Run('node', 1000, 1600, 4000, 5000), gpt2Run('chromium', 1000, 1500, 4000, 6400)]);
    // 1600 / 1000 = 1.60: met; 5000 / 4000 = 1.25: not yet
    expect(lines[2]).toBe('| node | 128 | 1000 ms | 1600 ms | 1.60× | 2.0e-6 | 3.0e-5 |');
    expect(lines[3]).toBe('| node | 512 | 4000 ms | 5000 ms | 1.25× | 4.0e-6 | 5.0e-5 |');
    expect(lines).toContain('- WASM memory held after the runs (node, weights 475 MB): this engine 900 MB, onnxruntime-web 1200 MB.');
    expect(lines).toContain('- Target ≥ 1.5× onnxruntime-web (node): met at 128 tokens: 1.60×; **not yet** at 512 tokens: 1.25×.');
    expect(lines).toContain('- Target ≥ 1.5× onnxruntime-web (chromium): met at 128 tokens: 1.50×, 512 tokens: 1.60×.');
  });

  it('writes the GPT-2 section only where the README has its markers', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'readme-')), 'README.md');
    const base = '<!-- bench:start -->\n<!-- bench:end -->\n<!-- targets:start -->\n<!-- targets:end -->\n';
    const latest = { results, gpt2: [gpt2Run('node', 1000, 1600, 4000, 5000)], machine: { cores: 2, cpu: 'CPU', loadAverageAtStart: 0.5 }, date: '2026-11-23T23:00:00.000Z' };
    writeFileSync(file, base);
    updateReadme(latest, file);
    expect(readFileSync(file, 'utf8')).not.toContain('| node | 128 |');
    writeFileSync(file, `${base}<!-- gpt2:start -->\nold\n<!-- gpt2:end -->\n`);
    updateReadme(latest, file);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('<!-- gpt2:start -->\n| env | tokens |');
    expect(text).toContain('| node | 128 | 1000 ms | 1600 ms | 1.60× |');
    expect(text).not.toContain('old');
  });

  it('gives training\'s steps per second, the ratio, issue 16\'s target and the memory before and after', () => {
    const run = (env, ours, theirs) => ({
      settings: { layers: 2, heads: 4, width: 128, context: 128, batch: 16, vocab: 33 },
      results: [
        { env, impl: 'attention-playground', stepsPerSecond: 1000 / ours, ratio: theirs / ours },
        { env, impl: 'tfjs-wasm', stepsPerSecond: 1000 / theirs },
      ],
      memory: {
        steps: 8,
        start: { 'attention-playground': { wasmBytes: 104 * 2 ** 20 }, 'tfjs-wasm': { wasmBytes: 515 * 2 ** 20 } },
        end: { 'attention-playground': { wasmBytes: 104 * 2 ** 20 }, 'tfjs-wasm': { wasmBytes: 530 * 2 ** 20 } },
      },
    });
    const lines = trainLines([run('node', 250, 1000), run('chromium', 400, 1000)]);
    // 1000 / 250 = 4.00: met; 1000 / 400 = 2.50: not yet
    expect(lines).toContain('| node | 4.00 | 1.00 | 4.00× | 104 MB → 104 MB | 515 MB → 530 MB |');
    expect(lines).toContain('- Target ≥ 3× TensorFlow.js wasm (node): met, 4.00×.');
    expect(lines).toContain('- Target ≥ 3× TensorFlow.js wasm (chromium): **not yet**, 2.50×.');
  });
});
