// The shipped .wasm is really SIMD: binaryen's disassembler (installed with
// Debian's emscripten) finds f32x4 instructions in it.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const wasmFile = fileURLToPath(new URL('../../wasm/generated/attention_core.wasm', import.meta.url));

describe('the built WebAssembly module', () => {
  it('contains f32x4 multiply and add instructions', () => {
    const text = execFileSync('wasm-dis', [wasmFile], { maxBuffer: 256 * 1024 * 1024 }).toString();
    expect(text).toMatch(/f32x4\.mul/);
    expect(text).toMatch(/f32x4\.add/);
  });

  it('validates in this Node as WebAssembly with SIMD', async () => {
    const { readFile } = await import('node:fs/promises');
    expect(WebAssembly.validate(await readFile(wasmFile))).toBe(true);
  });
});
