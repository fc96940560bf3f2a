// The bundled Moby-Dick model (models/moby-dick, made by
// scripts/train-moby-dick.mjs): the script's run is deterministic, the
// committed files are the layout and vocabulary that script writes, and
// loadModel('moby-dick') runs it with causal attention and next-character
// predictions that show it learned the book's spelling.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../wasm/index.js';
import { bundledModelNames } from '../../wasm/model.js';
import { mobyDickSettings, modelDir, sha256, trainMobyDick } from '../../scripts/train-moby-dick.mjs';

const committed = (name) => new Uint8Array(readFileSync(path.join(modelDir, name)));
const decoder = new TextDecoder();
const safetensorsHeader = (bytes) => {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(decoder.decode(bytes.subarray(8, 8 + n)));
};

describe('scripts/train-moby-dick.mjs', () => {
  it('gives the same losses and the same files, bit for bit, when its first steps are run twice', async () => {
    const a = await trainMobyDick({ steps: 3, every: 2 });
    const b = await trainMobyDick({ steps: 3, every: 3 });
    expect(a.losses).toHaveLength(3);
    expect(Buffer.from(a.losses.buffer).equals(Buffer.from(b.losses.buffer))).toBe(true);
    for (const name of ['config.json', 'model.safetensors', 'tokenizer.json']) {
      expect(sha256(a.files[name]), name).toBe(sha256(b.files[name]));
    }
    // the committed model is this script's: the same config, characters and tensor layout
    expect(decoder.decode(a.files['config.json'])).toBe(decoder.decode(committed('config.json')));
    expect(sha256(a.files['tokenizer.json'])).toBe(sha256(committed('tokenizer.json')));
    const header = safetensorsHeader(committed('model.safetensors'));
    expect(header).toEqual(safetensorsHeader(a.files['model.safetensors']));
    expect(committed('model.safetensors')).not.toEqual(a.files['model.safetensors']);  // but trained far longer
  }, 120_000);
});

describe("loadModel('moby-dick')", () => {
  it('is a bundled model beside use-lite', () => {
    expect(bundledModelNames).toEqual(['use-lite', 'moby-dick']);
  });

  it('loads the committed files: a GPT-2 of characters with causal attention', async () => {
    const model = await loadModel('moby-dick');
    const { layers, heads, width, context } = mobyDickSettings;
    expect(model.info).toMatchObject({
      name: 'moby-dick', family: 'gpt2', layers, headsPerLayer: Array(layers).fill(heads),
      maxTokens: context,
    });
    expect(model.info.widthPerLayer).toEqual(Array(layers).fill(width));
    const text = 'Call me Ishmael.';
    const run = model.run({ text });
    expect(run.tokens.join('')).toBe(text);  // one token per character
    const T = text.length;
    for (const [l, att] of run.attentions.entries()) {
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < T; i++) {
          let sum = 0;
          for (let j = 0; j < T; j++) {
            const w = att[(h * T + i) * T + j];
            if (j > i) expect(w, `layer ${l} head ${h}: query ${i} sees key ${j} after it`).toBe(0);
            sum += w;
          }
          expect(sum).toBeCloseTo(1, 5);
        }
      }
    }
    model.release();
  });

  it('predicts the letters that finish common words of the book', async () => {
    const model = await loadModel('moby-dick');
    for (const [prefix, next] of [['the whal', 'e'], ['Captain Aha', 'b'], ['the sea an', 'd'], ['Starbuc', 'k'], ['Queeque', 'g']]) {
      const { next: top } = model.run({ text: prefix });
      expect(top[0].token, `after "${prefix}"`).toBe(next);
      expect(top[0].p).toBeGreaterThan(0.3);
    }
    model.release();
  });
});
