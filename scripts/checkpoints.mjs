// Small GPT-2 and BERT checkpoints in the Hugging Face layout, written from a
// seed so tests need no download: config.json, model.safetensors (F32, F16 or
// BF16, tensors with or without the "transformer." / "bert." prefix) and a
// real tokenizer.json (GPT-2: byte-level BPE whose merges are learnt here from
// a few sentences; BERT: WordPiece with BERT's normaliser, pre-tokeniser and
// [CLS] ... [SEP] template), or the older vocab.json + merges.txt / vocab.txt.
//
//   import { writeCheckpoint } from './scripts/checkpoints.mjs';
//   const { files, tensors, config } = writeCheckpoint({ family: 'gpt2', dtype: 'f16', prefix: true, seed: 3 });
//   files: { 'config.json': Uint8Array, 'model.safetensors': ..., 'tokenizer.json': ... }
//   tensors: Map name -> { shape, data: Float32Array }, the values as stored (after rounding to dtype)
//
// As a command, writes one such folder (the e2e test drops it on the page):
//   node scripts/checkpoints.mjs <out-dir> gpt2|bert [f32|f16|bf16]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const encoder = new TextEncoder();

// The text the GPT-2 merges are learnt from and the BERT words come from.
const CORPUS = [
  'The cat sat on the mat. The dog sat on the log.',
  'Attention lets every token look at the others, and the weights say how much.',
  'She reads the book; he writes the letter. They think, then they talk.',
  'Numbers like 12 and 345 are tokens too!',
];

// SplitMix32-style generator: the same weights for the same seed everywhere.
function random(seed) {
  let state = (seed >>> 0) || 1;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  };
}

// float32 -> IEEE half / bfloat16 bits, round to nearest even.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
export function toF16Bits(value) {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  let e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    if (rest > midpoint || (rest === midpoint && (half & 1))) half += 1;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half += 1;
  return sign | half;
}
export function fromF16Bits(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}
export function toBF16Bits(value) {
  f32[0] = value;
  const x = u32[0];
  if ((x & 0x7f800000) === 0x7f800000) return (x >>> 16) | ((x & 0xffff) ? 0x40 : 0);
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}
export function fromBF16Bits(h) {
  u32[0] = h << 16;
  return f32[0];
}

/**
 * The bytes of a safetensors file holding `tensors` (name -> { shape, data }),
 * stored as dtype 'F32', 'F16' or 'BF16'; returns the file and the values as
 * stored, read back to float32.
 */
export function safetensorsBytes(tensors, dtype = 'F32', { metadata = { format: 'pt' } } = {}) {
  const size = dtype === 'F32' ? 4 : 2;
  const header = { __metadata__: metadata };
  const stored = new Map();
  let offset = 0;
  for (const [name, { shape, data }] of tensors) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + data.length * size] };
    offset += data.length * size;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const headerBytes = encoder.encode(json);
  const bytes = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  bytes.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const [name, { shape, data }] of tensors) {
    const back = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      if (dtype === 'F32') {
        view.setFloat32(at, data[i], true);
        back[i] = view.getFloat32(at, true);
      } else {
        const bits = dtype === 'F16' ? toF16Bits(data[i]) : toBF16Bits(data[i]);
        view.setUint16(at, bits, true);
        back[i] = dtype === 'F16' ? fromF16Bits(bits) : fromBF16Bits(bits);
      }
      at += size;
    }
    stored.set(name, { shape, data: back });
  }
  return { bytes, stored };
}

// GPT-2's map from bytes to printable characters (bytes_to_unicode).
export function byteToUnicode() {
  const bs = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const map = new Array(256);
  bs.forEach((b, i) => { map[b] = String.fromCodePoint(cs[i]); });
  return map;
}

const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

// Byte-level BPE learnt from the corpus: `merges` most frequent pairs in turn.
function learnBpe(merges) {
  const chars = byteToUnicode();
  const vocab = {};
  chars.forEach((c, i) => { vocab[c] = i; });
  const words = new Map();
  for (const line of CORPUS) {
    for (const piece of line.match(GPT2_SPLIT)) {
      const symbols = Array.from(encoder.encode(piece), (b) => chars[b]);
      const key = symbols.join(' ');
      words.set(key, (words.get(key) ?? 0) + 1);
    }
  }
  let split = [...words].map(([key, count]) => [key.split(' '), count]);
  const learnt = [];
  while (learnt.length < merges) {
    const pairs = new Map();
    for (const [symbols, count] of split) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const pair = symbols[i] + ' ' + symbols[i + 1];
        pairs.set(pair, (pairs.get(pair) ?? 0) + count);
      }
    }
    let best = null;
    for (const [pair, count] of pairs) {
      if (best === null || count > best[1] || (count === best[1] && pair < best[0])) best = [pair, count];
    }
    if (!best) break;
    const [a, b] = best[0].split(' ');
    learnt.push(best[0]);
    vocab[a + b] = Object.keys(vocab).length;
    split = split.map(([symbols, count]) => {
      const out = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i + 1 < symbols.length && symbols[i] === a && symbols[i + 1] === b) {
          out.push(a + b);
          i++;
        } else out.push(symbols[i]);
      }
      return [out, count];
    });
  }
  vocab['<|endoftext|>'] = Object.keys(vocab).length;
  return { vocab, merges: learnt };
}

/** GPT-2's tokenizer.json object from a vocabulary (token -> id) and merges ("a b" each). */
export function gpt2TokenizerJson(vocab, merges) {
  const added = [];
  if (vocab['<|endoftext|>'] !== undefined) {
    added.push({ id: vocab['<|endoftext|>'], content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true });
  }
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '',
      fuse_unk: false, byte_fallback: false, vocab, merges,
    },
  };
}

const BERT_SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

// WordPiece vocabulary: the specials, single characters with and without ##,
// whole words of the corpus and a few suffixes, in id order.
function bertVocabList() {
  const list = [...BERT_SPECIAL];
  const add = (token) => { if (!list.includes(token)) list.push(token); };
  for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789.,;:!?\'') add(c);
  for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789') add('##' + c);
  for (const word of ['the', 'cat', 'sat', 'on', 'mat', 'dog', 'attention', 'token', 'look', 'at', 'and', 'read', 'write', 'think', 'talk', 'book', 'they', 'she', 'he', 'how', 'much']) add(word);
  for (const suffix of ['##s', '##ing', '##ed', '##er', '##en', '##ly']) add(suffix);
  return list;
}

/** BERT's tokenizer.json object from a vocabulary (token -> id), lowercasing or not. */
export function bertTokenizerJson(vocab, { lowercase = true } = {}) {
  for (const token of ['[CLS]', '[SEP]', '[UNK]']) {
    if (vocab[token] === undefined) throw new Error(`vocab.txt: no ${token} token; expected BERT's special tokens [CLS], [SEP] and [UNK]`);
  }
  const special = (token) => ({ id: token, ids: [vocab[token]], tokens: [token] });
  const added = BERT_SPECIAL.filter((t) => vocab[t] !== undefined).map((content) => ({
    id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  }));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': special('[CLS]'), '[SEP]': special('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}

function gpt2Tensors(rand, { layers, width: C, positions: P, vocab: V, ffn: F }, scale) {
  const t = new Map();
  const w = (name, shape, center = 0) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = center + (rand() * 2 - 1) * scale;
    t.set(name, { shape, data });
  };
  w('wte.weight', [V, C]);
  w('wpe.weight', [P, C]);
  for (let l = 0; l < layers; l++) {
    const h = `h.${l}.`;
    w(h + 'ln_1.weight', [C], 1); w(h + 'ln_1.bias', [C]);
    w(h + 'attn.c_attn.weight', [C, 3 * C]); w(h + 'attn.c_attn.bias', [3 * C]);
    w(h + 'attn.c_proj.weight', [C, C]); w(h + 'attn.c_proj.bias', [C]);
    w(h + 'ln_2.weight', [C], 1); w(h + 'ln_2.bias', [C]);
    w(h + 'mlp.c_fc.weight', [C, F]); w(h + 'mlp.c_fc.bias', [F]);
    w(h + 'mlp.c_proj.weight', [F, C]); w(h + 'mlp.c_proj.bias', [C]);
  }
  w('ln_f.weight', [C], 1); w('ln_f.bias', [C]);
  return t;
}

function bertTensors(rand, { layers, width: C, positions: P, vocab: V, ffn: F, typeVocab, pooler }, scale) {
  const t = new Map();
  const w = (name, shape, center = 0) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = center + (rand() * 2 - 1) * scale;
    t.set(name, { shape, data });
  };
  w('embeddings.word_embeddings.weight', [V, C]);
  w('embeddings.position_embeddings.weight', [P, C]);
  w('embeddings.token_type_embeddings.weight', [typeVocab, C]);
  w('embeddings.LayerNorm.weight', [C], 1); w('embeddings.LayerNorm.bias', [C]);
  for (let l = 0; l < layers; l++) {
    const e = `encoder.layer.${l}.`;
    for (const part of ['query', 'key', 'value']) {
      w(`${e}attention.self.${part}.weight`, [C, C]); w(`${e}attention.self.${part}.bias`, [C]);
    }
    w(e + 'attention.output.dense.weight', [C, C]); w(e + 'attention.output.dense.bias', [C]);
    w(e + 'attention.output.LayerNorm.weight', [C], 1); w(e + 'attention.output.LayerNorm.bias', [C]);
    w(e + 'intermediate.dense.weight', [F, C]); w(e + 'intermediate.dense.bias', [F]);
    w(e + 'output.dense.weight', [C, F]); w(e + 'output.dense.bias', [C]);
    w(e + 'output.LayerNorm.weight', [C], 1); w(e + 'output.LayerNorm.bias', [C]);
  }
  if (pooler) { w('pooler.dense.weight', [C, C]); w('pooler.dense.bias', [C]); }
  return t;
}

/**
 * A checkpoint of `family` ('gpt2' | 'bert'): files by name, the tensors as
 * stored (names without prefix), the config object and the tokenizer.json
 * object. prefix: true for "transformer." / "bert.", or a string.
 * tokenizer: 'json' (tokenizer.json) or 'files' (vocab.json + merges.txt for
 * GPT-2, vocab.txt for BERT).
 */
export function writeCheckpoint({
  family = 'gpt2', dtype = 'f32', prefix = false, layers = 2, heads = 2, width = 16, ffn, positions = 64,
  merges = 60, pooler = true, typeVocab = 2, tokenizer = 'json', scale = 0.4, seed = 1,
} = {}) {
  if (family !== 'gpt2' && family !== 'bert') throw new Error(`family: expected gpt2 or bert, got ${family}`);
  const stDtype = { f32: 'F32', f16: 'F16', bf16: 'BF16' }[String(dtype).toLowerCase()];
  if (!stDtype) throw new Error(`dtype: expected f32, f16 or bf16, got ${dtype}`);
  const rand = random(seed);
  const F = ffn ?? 4 * width;
  const files = {};
  let config, tokenizerJson, tensors;
  if (family === 'gpt2') {
    const { vocab, merges: learnt } = learnBpe(merges);
    const V = Object.keys(vocab).length;
    config = {
      architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', activation_function: 'gelu_new',
      n_layer: layers, n_head: heads, n_embd: width, n_positions: positions, n_ctx: positions, n_inner: ffn ?? null,
      vocab_size: V, layer_norm_epsilon: 1e-5, bos_token_id: V - 1, eos_token_id: V - 1,
    };
    tokenizerJson = gpt2TokenizerJson(vocab, learnt);
    tensors = gpt2Tensors(rand, { layers, width, positions, vocab: V, ffn: F }, scale);
    if (tokenizer === 'files') {
      files['vocab.json'] = encoder.encode(JSON.stringify(vocab));
      files['merges.txt'] = encoder.encode(['#version: 0.2', ...learnt].join('\n') + '\n');
    }
  } else {
    const list = bertVocabList();
    const vocab = Object.fromEntries(list.map((token, id) => [token, id]));
    config = {
      architectures: ['BertModel'], model_type: 'bert', hidden_act: 'gelu',
      num_hidden_layers: layers, num_attention_heads: heads, hidden_size: width, intermediate_size: F,
      max_position_embeddings: positions, type_vocab_size: typeVocab, vocab_size: list.length,
      layer_norm_eps: 1e-12, position_embedding_type: 'absolute', pad_token_id: 0,
    };
    tokenizerJson = bertTokenizerJson(vocab);
    tensors = bertTensors(rand, { layers, width, positions, vocab: list.length, ffn: F, typeVocab, pooler }, scale);
    if (tokenizer === 'files') files['vocab.txt'] = encoder.encode(list.join('\n') + '\n');
  }
  const pre = prefix === true ? (family === 'gpt2' ? 'transformer.' : 'bert.') : (prefix || '');
  const named = new Map([...tensors].map(([name, tensor]) => [pre + name, tensor]));
  const { bytes, stored } = safetensorsBytes(named, stDtype);
  files['config.json'] = encoder.encode(JSON.stringify(config, null, 2));
  files['model.safetensors'] = bytes;
  if (tokenizer === 'json') files['tokenizer.json'] = encoder.encode(JSON.stringify(tokenizerJson));
  const values = new Map([...tensors.keys()].map((name) => [name, stored.get(pre + name)]));
  return { files, tensors: values, config, tokenizerJson, prefix: pre };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [out, family = 'gpt2', dtype = 'f32'] = process.argv.slice(2);
  if (!out) {
    console.error('usage: node scripts/checkpoints.mjs <out-dir> gpt2|bert [f32|f16|bf16]');
    process.exit(2);
  }
  const { files } = writeCheckpoint({ family, dtype });
  mkdirSync(out, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(out, name), bytes);
  console.log(`${family} ${dtype} checkpoint in ${out}: ${Object.keys(files).join(', ')}`);
}
