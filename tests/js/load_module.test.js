// loadAttention({ wasmModule }): an engine from a core compiled once (as the
// pool shares it with its workers) computes the bits of one loaded the usual
// way; anything else given as the module is refused with a named error. And
// loadAttention({ wasmBinary }) works in a Node process that loads nothing else.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadAttention } from '../../wasm/index.js';
import { randomFloats } from './support.js';

const bytes = await readFile(new URL('../../wasm/generated/attention_core.wasm', import.meta.url));

describe('loadAttention with a compiled module', () => {
  it('gives engines with the bits of a default one, two of them from one Module', async () => {
    const wasmModule = await WebAssembly.compile(bytes);
    const [a, b, usual] = await Promise.all([loadAttention({ wasmModule }), loadAttention({ wasmModule }), loadAttention()]);
    const request = { heads: 2, queries: 33, keys: 70, dim: 9, query: randomFloats(2 * 33 * 9, 1), key: randomFloats(2 * 70 * 9, 2), value: randomFloats(2 * 70 * 9, 3), causal: true };
    const want = usual.attention(request);
    for (const engine of [a, b]) {
      const got = engine.attention(request);
      expect(got.output).toEqual(want.output);
      expect(got.weights).toEqual(want.weights);
    }
    // separate instances: one engine's memory is not the other's
    // (2048 × 2048 weights are 16 MiB, more than an engine starts with)
    a.attention({ heads: 1, queries: 2048, keys: 2048, dim: 8, query: randomFloats(16384, 4), key: randomFloats(16384, 5), value: randomFloats(16384, 6) });
    expect(a.memoryBytes).toBeGreaterThan(b.memoryBytes);
  });

  it('refuses what is not a compiled module of the core, and a module of something else', async () => {
    await expect(loadAttention({ wasmModule: bytes })).rejects.toThrow('wasmModule: expected a WebAssembly.Module, got object');
    const empty = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    await expect(loadAttention({ wasmModule: empty })).rejects.toThrow(/^wasmModule: could not be instantiated as the attention core: /);
  });

  it('loads from wasmBinary in a fresh Node process, where the Emscripten glue needs __dirname defined for it', () => {
    const index = new URL('../../wasm/index.js', import.meta.url).href;
    const wasm = new URL('../../wasm/generated/attention_core.wasm', import.meta.url).href;
    const script = `import { readFile } from 'node:fs/promises';
      const { loadAttention } = await import(${JSON.stringify(index)});
      const engine = await loadAttention({ wasmBinary: await readFile(new URL(${JSON.stringify(wasm)})) });
      const { output } = engine.attention({ queries: 1, keys: 1, dim: 1, query: new Float32Array([1]), key: new Float32Array([1]), value: new Float32Array([7]) });
      console.log(output[0]);`;
    expect(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim()).toBe('7');
  });
});
