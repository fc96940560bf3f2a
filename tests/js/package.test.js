// The package as its users see it: imported by name, from plain Node, and
// through its shipped types.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as byName from 'attention-playground';
import * as byPath from '../../wasm/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const w0 = Math.exp(Math.SQRT1_2) / (Math.exp(Math.SQRT1_2) + 1); // softmax of [1/sqrt2, 0]

describe('the attention-playground package', () => {
  it('exports loadAttention, tokenize and variants', () => {
    expect(typeof byPath.loadAttention).toBe('function');
    expect(typeof byPath.tokenize).toBe('function');
    expect(byPath.variants).toBeDefined();
  });

  it('lists the six variants in the playground order, frozen', () => {
    expect(byPath.variants).toEqual(['scaled_dot', 'dot', 'general', 'additive', 'hard', 'top_k']);
    expect(Object.isFrozen(byPath.variants)).toBe(true);
  });

  it('ships every module that a shipped module imports (package.json files)', async () => {
    const { readFileSync } = await import('node:fs');
    const { files } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const shipped = (file) => files.some((entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry));
    const modules = files.filter((file) => file.endsWith('.js'));
    for (const module of modules) {
      const source = readFileSync(new URL(`../../${module}`, import.meta.url), 'utf8');
      // static imports and new URL('./x.js', import.meta.url) (the pool's worker)
      const targets = [...source.matchAll(/(?:from\s+|new URL\(\s*(?:\/\*[^*]*\*\/\s*)?)'(\.\/[^']+)'/g)].map((m) => m[1]);
      for (const target of targets) {
        const file = new URL(target, new URL(`../../${module}`, import.meta.url)).pathname.slice(root.length);
        expect(shipped(file), `${module} imports ${target}, which package.json files leaves out`).toBe(true);
      }
    }
    expect(modules).toContain('wasm/pool.js');
  });

  it('resolves by its own name to wasm/index.js', () => {
    expect(byName.loadAttention).toBe(byPath.loadAttention);
    expect(byName.variants).toBe(byPath.variants);
  });

  it('loads by name and computes in Vitest', async () => {
    const engine = await byName.loadAttention();
    const { weights } = engine.attention({
      query: new Float32Array([1, 0]), key: new Float32Array([1, 0, 0, 1]), value: new Float32Array(4), queries: 1, keys: 2, dim: 2,
    });
    expect(weights[0]).toBeCloseTo(w0, 6);
  });

  it('loads from wasmBinary bytes passed in', async () => {
    const { readFile } = await import('node:fs/promises');
    const wasmBinary = await readFile(new URL('../../wasm/generated/attention_core.wasm', import.meta.url));
    const engine = await byPath.loadAttention({ wasmBinary });
    expect(engine.seededParams({ variant: 'top_k', dim: 1 })).toEqual({ k: 2 });
  });

  it('gives independent engines for two loads', async () => {
    const [a, b] = await Promise.all([byPath.loadAttention(), byPath.loadAttention()]);
    expect(a).not.toBe(b);
    const request = { tokens: ['x', 'y'], dim: 4 };
    expect(a.embedText(request)).toEqual(b.embedText(request));
  });

  it('imports by name and computes in plain Node (no Vitest)', () => {
    const printed = execFileSync(process.execPath, [fixture('plain-node.mjs')], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    const result = JSON.parse(printed);
    expect(result.variants).toEqual(['scaled_dot', 'dot', 'general', 'additive', 'hard', 'top_k']);
    expect(result.weights[0]).toBeCloseTo(w0, 6);
    expect(result.weights[1]).toBeCloseTo(1 - w0, 6);
    expect(result.output[0]).toBeCloseTo(w0 * 1 + (1 - w0) * 3, 5);
    expect(result.output[1]).toBeCloseTo(w0 * 2 + (1 - w0) * 4, 5);
    expect(result.textShape).toEqual([1, 2, 16, 32]);
    expect(result.modelTokens).toEqual(['▁H', 'ello', ',', '▁world', '!']);
    expect(result.modelLayers).toBe(2);
  });

  it('type-checks a caller against the shipped index.d.ts', () => {
    // tsc exits non-zero (and execFileSync throws with its report) on any type error,
    // including an unused @ts-expect-error, so wrong calls must also be rejected.
    const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
    const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--skipLibCheck', 'false', fixture('types-check.ts')];
    let report = '';
    try {
      execFileSync(process.execPath, [tsc, ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    } catch (error) {
      report = `${error.stdout ?? ''}${error.stderr ?? ''}` || error.message;
    }
    expect(report).toBe('');
  });
});
