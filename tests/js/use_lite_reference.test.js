// The TensorFlow.js reference for USE lite (scripts/use-lite-reference.mjs):
// its two ways of running the graph agree, so the CPU reference can check the
// core and the wasm backend can stand for TF.js in speed comparisons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCorpus, referenceModel, referenceTokenizer } from '../../scripts/use-lite-reference.mjs';

const corpus = readCorpus();
const tokenizer = referenceTokenizer();
const texts = [corpus.sentences[0], corpus.sentences[2], corpus.sentences[32], corpus.beyondLimit[0]];

describe('USE lite TF.js reference', () => {
  let cpu;
  let wasm;
  beforeAll(async () => {
    cpu = await referenceModel({ backend: 'cpu' });
    wasm = await referenceModel({ backend: 'wasm' });
  });
  afterAll(() => {
    cpu?.dispose();
    wasm?.dispose();
  });

  it('the wasm backend fed dense ids gives the CPU backend\'s attention and embedding, long text cut at 128', async () => {
    for (const text of texts) {
      const ids = tokenizer.encode(text);
      const want = await cpu.run(ids);
      const got = await wasm.run(ids);
      expect(got.attentions.length).toBe(2);
      for (let layer = 0; layer < 2; layer++) {
        expect(got.attentions[layer].tokens).toBe(Math.min(ids.length, 128));
        expect(got.attentions[layer].heads).toBe(4);
        let worst = 0;
        for (let i = 0; i < want.attentions[layer].data.length; i++) {
          worst = Math.max(worst, Math.abs(got.attentions[layer].data[i] - want.attentions[layer].data[i]));
        }
        expect(worst, `layer ${layer} of "${text.slice(0, 40)}"`).toBeLessThan(1e-5);
      }
      let dot = 0;
      for (let i = 0; i < 512; i++) dot += got.embedding[i] * want.embedding[i];
      expect(dot).toBeGreaterThan(0.99999);
    }
  }, 120_000);

  it('every attention row is a distribution over the keys', async () => {
    const { attentions } = await cpu.run(tokenizer.encode(corpus.sentences[0]));
    for (const { heads, tokens, data } of attentions) {
      for (let row = 0; row < heads * tokens; row++) {
        let sum = 0;
        for (let col = 0; col < tokens; col++) sum += data[row * tokens + col];
        expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
      }
    }
  });
});
