// loadModel('use-lite'): Universal Sentence Encoder lite run by the WASM core
// (SIMD build) against TensorFlow.js's own run of the same files on the
// parity corpus, and the model API's handling of bad files and arguments.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAttention } from '../../wasm/index.js';
import {
  computeReference, encodeReference, readCorpus, referenceTokenizer, root,
} from '../../scripts/use-lite-reference.mjs';

const modelDir = path.join(root, 'wasm', 'generated', 'models', 'use-lite');
const readModelFiles = () => Object.fromEntries(readdirSync(modelDir).map((name) => [name, new Uint8Array(readFileSync(path.join(modelDir, name)))]));

// The binary reference file scripts/use-lite-reference.mjs writes (the native
// build makes it; made here when missing).
function decodeReference(buffer) {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let at = 8;
  const u32 = () => { const v = view.getUint32(at, true); at += 4; return v; };
  const utf8 = () => { const n = u32(); const s = new TextDecoder().decode(buffer.subarray(at, at + n)); at += n; return s; };
  const f32 = (n) => { const a = new Float32Array(buffer.slice(at, at + 4 * n).buffer); at += 4 * n; return a; };
  const records = [];
  for (let count = u32(); records.length < count;) {
    const text = utf8();
    utf8();
    const idCount = u32();
    const ids = new Int32Array(buffer.slice(at, at + 4 * idCount).buffer);
    at += 4 * ids.length;
    const attentions = [];
    for (let layers = u32(); attentions.length < layers;) {
      const heads = u32(), tokens = u32();
      attentions.push({ heads, tokens, data: f32(heads * tokens * tokens) });
    }
    records.push({ text, ids, attentions, embedding: f32(u32()) });
  }
  return records;
}

async function reference() {
  const file = path.join(root, 'build', 'native', 'reference', 'use-lite-reference.bin');
  if (!existsSync(file)) {
    const corpus = readCorpus();
    const { records } = await computeReference([...corpus.sentences, ...(corpus.beyondLimit ?? [])]);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, encodeReference(records));
  }
  return decodeReference(new Uint8Array(readFileSync(file)));
}

let engine, model;
beforeAll(async () => {
  engine = await loadAttention();
  model = await engine.loadModel('use-lite');
}, 120_000);

const cosine = (a, b) => {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
};

describe('use-lite in the WASM core', () => {
  it('describes itself: two layers of four heads, 256 then 512 wide, 128 tokens at most', () => {
    expect(model.info).toEqual({
      name: 'use-lite', family: 'use', layers: 2, headsPerLayer: [4, 4], widthPerLayer: [256, 512],
      outputWidth: 512, vocabSize: 8002, maxTokens: 128,
    });
  });

  it('matches TensorFlow.js on every corpus sentence: attention within 1e-4, embedding cosine at least 0.9999', async () => {
    const records = await reference();
    expect(records.length).toBeGreaterThanOrEqual(50);
    let worst = 0, worstCosine = 1;
    for (const r of records) {
      const got = model.run({ text: r.text });
      expect(Array.from(got.ids), r.text).toEqual(Array.from(r.ids.slice(0, 128)));
      expect(got.total).toBe(r.ids.length);
      for (let l = 0; l < r.attentions.length; l++) {
        const want = r.attentions[l].data;
        expect(got.attentions[l].length).toBe(want.length);
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got.attentions[l][i] - want[i]));
      }
      worstCosine = Math.min(worstCosine, cosine(got.embedding, r.embedding));
    }
    expect(worst).toBeLessThanOrEqual(1e-4);
    expect(worstCosine).toBeGreaterThanOrEqual(0.9999);
  }, 120_000);

  it('tokenizes as the reference JS tokenizer does, through the same NFKC step', () => {
    const tokenizer = referenceTokenizer();
    for (const text of readCorpus().sentences) {
      expect(Array.from(model.tokenize(text).ids), text).toEqual(tokenizer.encode(text));
    }
  });

  it('gives the same result for ids as for the text they come from', () => {
    const text = "The animal didn't cross the street because it was too tired";
    const a = model.run({ text });
    const b = model.run({ ids: Array.from(a.ids) });
    const c = model.run({ ids: a.ids });
    expect(b.attentions).toEqual(a.attentions);
    expect(c.embedding).toEqual(a.embedding);
    expect(a.tokens.slice(0, 3)).toEqual(['▁The', '▁animal', '▁didn']);
    expect(a.hidden.length).toBe(a.ids.length * 512);
  });

  it('gives each layer\'s Q, K, V, from which the engine\'s own attention gives the same weights and outputs', () => {
    const r = model.run({ text: "The animal didn't cross the street because it was too tired" });
    const T = r.ids.length;
    r.layers.forEach((layer, l) => {
      expect(layer.heads).toBe(4);
      expect(layer.headWidth).toBe([64, 128][l]);
      expect(layer.scale).toBeCloseTo(1 / Math.sqrt(layer.headWidth), 6);
      const again = engine.attention({
        query: layer.query, key: layer.key, value: layer.value, heads: 4, queries: T, keys: T, dim: layer.headWidth, scale: layer.scale,
      });
      expect(again.weights).toEqual(r.attentions[l]);
      expect(again.output).toEqual(layer.output);
    });
  });

  it('cuts text past 128 tokens to the first 128 and says how many there were', () => {
    const r = model.run({ text: 'word '.repeat(299) + 'word' });
    expect(r.ids.length).toBe(128);
    expect(r.total).toBe(300);
    expect(r.attentions[0].length).toBe(4 * 128 * 128);
  });

  it('returns fresh arrays: changing one changes nothing else', () => {
    const a = model.run({ text: 'a small test' });
    a.attentions[0].fill(7);
    expect(model.run({ text: 'a small test' }).attentions[0][0]).not.toBe(7);
  });
});

describe('the model API refuses bad input by name and keeps working', () => {
  const expectRefusal = async (promise, Kind, message) => {
    await expect(promise).rejects.toThrow(message);
    await promise.catch((error) => expect(error).toBeInstanceOf(Kind));
  };

  it('refuses an unknown bundled model and a source without files', async () => {
    await expectRefusal(engine.loadModel('gpt-5'), RangeError, 'source: unknown model "gpt-5"; expected one of use-lite, moby-dick, or { files }');
    await expectRefusal(engine.loadModel({}), TypeError, 'source.files: expected an object, got undefined');
    await expectRefusal(engine.loadModel({ files: {} }), RangeError, 'source.files: no files');
    await expectRefusal(engine.loadModel({ files: { 'model.json': 'text' } }), TypeError, 'source.files["model.json"]: expected a Uint8Array, got the string "text"');
  });

  it('names the missing file', async () => {
    const files = readModelFiles();
    delete files['group1-shard3of7'];
    await expectRefusal(engine.loadModel({ files }), RangeError, 'group1-shard3of7: missing (a weights shard model.json lists)');
    const noVocab = readModelFiles();
    delete noVocab['vocab.json'];
    await expectRefusal(engine.loadModel({ files: noVocab }), RangeError, 'vocab.json: missing (the SentencePiece vocabulary)');
    await expectRefusal(engine.loadModel({ files: { 'notes.txt': new Uint8Array(3) } }), RangeError, 'model files: expected model.json');
  });

  it('names the file and the tensor of a truncated shard, and of a manifest whose sizes disagree', async () => {
    const files = readModelFiles();
    files['group1-shard7of7'] = files['group1-shard7of7'].subarray(0, 1000);
    await expectRefusal(engine.loadModel({ files }), RangeError, 'group1-shard7of7');
    const json = JSON.parse(new TextDecoder().decode(readModelFiles()['model.json']));
    json.weightsManifest[0].weights[0].shape = [json.weightsManifest[0].weights[0].shape[0] + 1, ...json.weightsManifest[0].weights[0].shape.slice(1)];
    const resized = { ...readModelFiles(), 'model.json': new TextEncoder().encode(JSON.stringify(json)) };
    await expectRefusal(engine.loadModel({ files: resized }), RangeError, 'model.json');
  });

  it('refuses an op the loader does not know and NaN in the weights, naming them', async () => {
    const json = JSON.parse(new TextDecoder().decode(readModelFiles()['model.json']));
    json.modelTopology.node[5].op = 'MysteryOp';
    const unknown = { ...readModelFiles(), 'model.json': new TextEncoder().encode(JSON.stringify(json)) };
    await expectRefusal(engine.loadModel({ files: unknown }), RangeError, 'MysteryOp');
    const nan = readModelFiles();
    const shard = new Uint8Array(nan['group1-shard1of7']);
    new DataView(shard.buffer).setFloat32(400, NaN, true);
    nan['group1-shard1of7'] = shard;
    await expectRefusal(engine.loadModel({ files: nan }), RangeError, /NaN|not finite/);
  });

  it('keeps the loaded model and the engine working after every refusal, with the heap flat', async () => {
    const before = model.run({ text: 'still here' });
    const heap = engine.heapBytesInUse;
    for (let i = 0; i < 3; i++) {
      const files = readModelFiles();
      files['group1-shard2of7'] = files['group1-shard2of7'].subarray(0, 10);
      await engine.loadModel({ files }).catch(() => {});
    }
    expect(engine.heapBytesInUse).toBe(heap);
    expect(model.run({ text: 'still here' }).attentions).toEqual(before.attentions);
    const { output } = engine.attention({ query: new Float32Array([1, 0]), key: new Float32Array([1, 0, 0, 1]), value: new Float32Array([1, 0, 0, 1]), queries: 1, keys: 2, dim: 2 });
    expect(output[0]).toBeGreaterThan(output[1]);
  }, 60_000);

  it('refuses bad run requests by name', () => {
    expect(() => model.run({})).toThrow('request: expected exactly one of text (a string) or ids (token ids)');
    expect(() => model.run({ text: '' })).toThrow('text: no tokens');
    expect(() => model.run({ text: 42 })).toThrow('text: expected a string, got number');
    expect(() => model.run({ ids: [1, 8002] })).toThrow('ids[1]: expected a token id from 0 to 8001, got 8002');
    expect(() => model.run({ ids: [1.5] })).toThrow('ids[0]: expected a token id from 0 to 8001, got 1.5');
    expect(() => model.run({ ids: new Float32Array(2) })).toThrow('ids: expected an Int32Array or an Array of integer token ids');
  });

  it('reads each id of a hostile array once', () => {
    let reads = 0;
    const ids = new Proxy([5, 6, 7], { get(target, key) { if (key === '0') reads++; return Reflect.get(target, key); } });
    expect(model.run({ ids }).ids.length).toBe(3);
    expect(reads).toBe(1);
  });

  it('a released model refuses to run; another loaded model does not notice', async () => {
    const second = await engine.loadModel('use-lite');
    second.release();
    expect(() => second.run({ text: 'hello' })).toThrow('model: released');
    expect(model.run({ text: 'hello' }).ids.length).toBeGreaterThan(0);
  }, 60_000);
});
