// loadModel({ files }) of GPT-2 and BERT checkpoints in the Hugging Face
// layout, written by scripts/checkpoints.mjs from a seed: the ids are the
// tokenizer library's, every layer's attention and the last hidden states
// match a plain float64 forward pass written here from the checkpoint's own
// tensors (Conv1D [in, out] for GPT-2, Linear [out, in] for BERT), and every
// bad file is refused by name with the engine and a loaded model still working.
import { Tokenizer } from '@huggingface/tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAttention } from '../../wasm/index.js';
import { safetensorsBytes, writeCheckpoint } from '../../scripts/checkpoints.mjs';

const encoder = new TextEncoder();
const TEXT = 'The cat sat on the mat, and the dog read a book!';

// ---------------------------------------------------------------------------
// float64 reference of both architectures, one plain loop per formula.

// erf by its Taylor series (converges everywhere; beyond |x| = 5, erf is 1 to double precision).
function erf(x) {
  if (Math.abs(x) > 5) return Math.sign(x);
  let term = x, sum = x;
  for (let n = 1; n < 200; n++) {
    term *= -x * x / n;
    sum += term / (2 * n + 1);
    if (Math.abs(term) < 1e-17) break;
  }
  return 2 / Math.sqrt(Math.PI) * sum;
}
const geluTanh = (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
const geluErf = (x) => 0.5 * x * (1 + erf(x / Math.SQRT2));

function layerNorm(x, T, C, scale, bias, eps) {
  const y = new Float64Array(T * C);
  for (let t = 0; t < T; t++) {
    let mean = 0, variance = 0;
    for (let i = 0; i < C; i++) mean += x[t * C + i] / C;
    for (let i = 0; i < C; i++) variance += (x[t * C + i] - mean) ** 2 / C;
    for (let i = 0; i < C; i++) y[t * C + i] = scale[i] * (x[t * C + i] - mean) / Math.sqrt(variance + eps) + bias[i];
  }
  return y;
}

// y [T, N] = x [T, K] W + b, W stored [K, N] (GPT-2's Conv1D) or [N, K] (BERT's Linear, transposed = true).
function project(x, T, K, N, W, b, transposed) {
  const y = new Float64Array(T * N);
  for (let t = 0; t < T; t++) {
    for (let n = 0; n < N; n++) {
      let s = b ? b[n] : 0;
      for (let k = 0; k < K; k++) s += x[t * K + k] * (transposed ? W[n * K + k] : W[k * N + n]);
      y[t * N + n] = s;
    }
  }
  return y;
}

// Multi-head attention of q, k, v [T, C] (head h in columns h*HS ...): the weights [NH, T, T] and merged output [T, C].
function attend(q, k, v, T, C, NH, causal) {
  const HS = C / NH;
  const weights = new Float64Array(NH * T * T);
  const merged = new Float64Array(T * C);
  for (let h = 0; h < NH; h++) {
    for (let i = 0; i < T; i++) {
      const allowed = causal ? i + 1 : T;
      const row = new Float64Array(allowed);
      let max = -Infinity;
      for (let j = 0; j < allowed; j++) {
        let s = 0;
        for (let d = 0; d < HS; d++) s += q[i * C + h * HS + d] * k[j * C + h * HS + d];
        row[j] = s / Math.sqrt(HS);
        max = Math.max(max, row[j]);
      }
      let sum = 0;
      for (let j = 0; j < allowed; j++) sum += (row[j] = Math.exp(row[j] - max));
      for (let j = 0; j < allowed; j++) {
        const w = row[j] / sum;
        weights[(h * T + i) * T + j] = w;
        for (let d = 0; d < HS; d++) merged[i * C + h * HS + d] += w * v[j * C + h * HS + d];
      }
    }
  }
  return { weights, merged };
}

const add = (a, b) => a.map((value, i) => value + b[i]);

function gpt2Reference(tensors, config, ids) {
  const p = (name) => tensors.get(name).data;
  const { n_layer: L, n_head: NH, n_embd: C, layer_norm_epsilon: eps, vocab_size: V } = config;
  const F = config.n_inner ?? 4 * C;
  const T = ids.length;
  let x = new Float64Array(T * C);
  for (let t = 0; t < T; t++) for (let i = 0; i < C; i++) x[t * C + i] = p('wte.weight')[ids[t] * C + i] + p('wpe.weight')[t * C + i];
  const attentions = [];
  for (let l = 0; l < L; l++) {
    const h = `h.${l}.`;
    const a = layerNorm(x, T, C, p(h + 'ln_1.weight'), p(h + 'ln_1.bias'), eps);
    const qkv = project(a, T, C, 3 * C, p(h + 'attn.c_attn.weight'), p(h + 'attn.c_attn.bias'), false);
    const part = (s) => Float64Array.from({ length: T * C }, (_, n) => qkv[Math.floor(n / C) * 3 * C + s * C + (n % C)]);
    const { weights, merged } = attend(part(0), part(1), part(2), T, C, NH, true);
    attentions.push(weights);
    x = add(x, project(merged, T, C, C, p(h + 'attn.c_proj.weight'), p(h + 'attn.c_proj.bias'), false));
    const m = layerNorm(x, T, C, p(h + 'ln_2.weight'), p(h + 'ln_2.bias'), eps);
    const up = project(m, T, C, F, p(h + 'mlp.c_fc.weight'), p(h + 'mlp.c_fc.bias'), false).map(geluTanh);
    x = add(x, project(up, T, F, C, p(h + 'mlp.c_proj.weight'), p(h + 'mlp.c_proj.bias'), false));
  }
  const hidden = layerNorm(x, T, C, p('ln_f.weight'), p('ln_f.bias'), eps);
  const logits = project(hidden.subarray((T - 1) * C), 1, C, V, p('wte.weight'), null, true);
  return { attentions, hidden, logits };
}

function bertReference(tensors, config, ids) {
  const p = (name) => tensors.get(name).data;
  const { num_hidden_layers: L, num_attention_heads: NH, hidden_size: C, intermediate_size: F, layer_norm_eps: eps } = config;
  const T = ids.length;
  const e = new Float64Array(T * C);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < C; i++) {
      e[t * C + i] = p('embeddings.word_embeddings.weight')[ids[t] * C + i] + p('embeddings.position_embeddings.weight')[t * C + i]
        + p('embeddings.token_type_embeddings.weight')[i];
    }
  }
  let x = layerNorm(e, T, C, p('embeddings.LayerNorm.weight'), p('embeddings.LayerNorm.bias'), eps);
  const attentions = [];
  for (let l = 0; l < L; l++) {
    const n = `encoder.layer.${l}.`;
    const lin = (input, K, N, name) => project(input, T, K, N, p(n + name + '.weight'), p(n + name + '.bias'), true);
    const { weights, merged } = attend(lin(x, C, C, 'attention.self.query'), lin(x, C, C, 'attention.self.key'), lin(x, C, C, 'attention.self.value'), T, C, NH, false);
    attentions.push(weights);
    const h = layerNorm(add(x, lin(merged, C, C, 'attention.output.dense')), T, C,
      p(n + 'attention.output.LayerNorm.weight'), p(n + 'attention.output.LayerNorm.bias'), eps);
    const up = lin(h, C, F, 'intermediate.dense').map(geluErf);
    x = layerNorm(add(h, lin(up, F, C, 'output.dense')), T, C, p(n + 'output.LayerNorm.weight'), p(n + 'output.LayerNorm.bias'), eps);
  }
  const pooled = tensors.has('pooler.dense.weight')
    ? project(x.subarray(0, C), 1, C, C, p('pooler.dense.weight'), p('pooler.dense.bias'), true).map(Math.tanh)
    : null;
  return { attentions, hidden: x, pooled };
}

function expectClose(got, want, tolerance, what) {
  expect(got.length, `${what}: length`).toBe(want.length);
  let worst = 0, at = 0;
  for (let i = 0; i < want.length; i++) {
    const error = Math.abs(got[i] - want[i]);
    if (!(error <= worst)) { worst = error; at = i; }
  }
  expect(worst, `${what}: worst error at index ${at} of ${want.length} (got ${got[at]}, want ${want[at]})`).toBeLessThanOrEqual(tolerance);
}

const withFolder = (files, folder) => Object.fromEntries(Object.entries(files).map(([name, bytes]) => [`${folder}/${name}`, bytes]));

let engine;
beforeAll(async () => {
  engine = await loadAttention();
});

describe.each([
  { family: 'gpt2', dtype: 'f32', prefix: false },
  { family: 'gpt2', dtype: 'f16', prefix: true },
  { family: 'gpt2', dtype: 'bf16', prefix: false, layers: 3, heads: 3, width: 24, ffn: 40 },
  { family: 'bert', dtype: 'f32', prefix: true },
  { family: 'bert', dtype: 'f16', prefix: false },
  { family: 'bert', dtype: 'bf16', prefix: true, layers: 3, heads: 3, width: 24, ffn: 40, pooler: false },
])('a $family checkpoint in $dtype, prefix $prefix', (options) => {
  let checkpoint, model, result, want;
  beforeAll(async () => {
    checkpoint = writeCheckpoint({ ...options, seed: 7 });
    model = await engine.loadModel({ files: withFolder(checkpoint.files, 'my-model') });
    result = model.run({ text: TEXT });
    const reference = options.family === 'gpt2' ? gpt2Reference : bertReference;
    want = reference(checkpoint.tensors, checkpoint.config, Array.from(result.ids));
  });

  it('describes itself from config.json', () => {
    expect(model.info.family).toBe(options.family);
    expect(model.info.layers).toBe(options.layers ?? 2);
    expect(model.info.headsPerLayer).toEqual(Array(options.layers ?? 2).fill(options.heads ?? 2));
    expect(model.info.vocabSize).toBe(checkpoint.config.vocab_size);
    expect(model.info.maxTokens).toBe(64);
  });

  it('tokenizes as the tokenizer library does on the same tokenizer.json', () => {
    const library = new Tokenizer(checkpoint.tokenizerJson, {}).encode(TEXT);
    expect(Array.from(result.ids)).toEqual(library.ids);
    expect(result.tokens).toEqual(library.tokens);
  });

  it('gives every layer\'s attention [heads, T, T] and the last hidden states within 1e-4 of the float64 reference', () => {
    const T = result.ids.length;
    expect(result.attentions.length).toBe(want.attentions.length);
    result.attentions.forEach((layer, l) => {
      expect(layer.length).toBe(model.info.headsPerLayer[l] * T * T);
      expectClose(layer, want.attentions[l], 1e-4, `layer ${l} attention`);
    });
    expectClose(result.hidden, want.hidden, 1e-4, 'hidden');
    expect(result.layers.length).toBe(want.attentions.length);
  });

  if (options.family === 'gpt2') {
    it('is causal: every weight above the diagonal is zero and every row sums to one', () => {
      const T = result.ids.length;
      for (const layer of result.attentions) {
        for (let h = 0; h < layer.length / (T * T); h++) {
          for (let i = 0; i < T; i++) {
            let sum = 0;
            for (let j = 0; j < T; j++) {
              const w = layer[(h * T + i) * T + j];
              if (j > i) expect(w).toBe(0);
              sum += w;
            }
            expect(sum).toBeCloseTo(1, 5);
          }
        }
      }
    });

    it('gives the last position\'s logits over the vocabulary and the ten likeliest next tokens', () => {
      expect(result.logits).toBeInstanceOf(Float32Array);
      expectClose(result.logits, want.logits, 1e-4, 'logits');
      expect(result.next.length).toBe(10);
      const order = Array.from(want.logits.keys()).sort((a, b) => want.logits[b] - want.logits[a]);
      expect(result.next[0].id).toBe(order[0]);
      let max = -Infinity, sum = 0;
      for (const v of want.logits) max = Math.max(max, v);
      for (const v of want.logits) sum += Math.exp(v - max);
      result.next.forEach((entry, i) => {
        expect(entry.p).toBeCloseTo(Math.exp(want.logits[entry.id] - max) / sum, 5);
        if (i > 0) expect(entry.p).toBeLessThanOrEqual(result.next[i - 1].p);
        expect(typeof entry.token).toBe('string');
      });
    });
  } else {
    it('puts [CLS] first and [SEP] last around the text, and has no logits', () => {
      expect(result.tokens[0]).toBe('[CLS]');
      expect(result.tokens.at(-1)).toBe('[SEP]');
      expect(result.logits).toBeUndefined();
      expect(result.next).toBeUndefined();
    });

    it('pools [CLS] through its pooler when the checkpoint has one', () => {
      if (want.pooled) expectClose(result.embedding, want.pooled, 1e-4, 'pooled');
      else expect(result.embedding).toBeNull();
    });
  }

  it('runs on ids too, with the same attention', () => {
    const again = model.run({ ids: result.ids });
    expect(again.attentions).toEqual(result.attentions);
    expect(again.tokens).toEqual(result.tokens);
  });
});

describe('the older tokenizer files', () => {
  const texts = [TEXT, 'Numbers like 12 and 345, they think.', '  spaces   and\ttabs\n'];

  it('GPT-2\'s vocab.json and merges.txt tokenize as its tokenizer.json', async () => {
    const json = writeCheckpoint({ family: 'gpt2' });
    const files = writeCheckpoint({ family: 'gpt2', tokenizer: 'files' });
    expect(Object.keys(files.files).sort()).toEqual(['config.json', 'merges.txt', 'model.safetensors', 'vocab.json']);
    const library = new Tokenizer(json.tokenizerJson, {});
    const model = await engine.loadModel({ files: files.files });
    for (const text of texts) expect(Array.from(model.run({ text }).ids)).toEqual(library.encode(text).ids);
    model.release();
  });

  it('BERT\'s vocab.txt tokenizes as its tokenizer.json, [CLS] and [SEP] included', async () => {
    const json = writeCheckpoint({ family: 'bert' });
    const files = writeCheckpoint({ family: 'bert', tokenizer: 'files' });
    expect(Object.keys(files.files).sort()).toEqual(['config.json', 'model.safetensors', 'vocab.txt']);
    const library = new Tokenizer(json.tokenizerJson, {});
    const model = await engine.loadModel({ files: files.files });
    for (const text of texts) {
      const { ids, tokens } = model.run({ text });
      expect(Array.from(ids)).toEqual(library.encode(text).ids);
      expect([tokens[0], tokens.at(-1)]).toEqual(['[CLS]', '[SEP]']);
    }
    model.release();
  });
});

// ---------------------------------------------------------------------------
// Bad files.

const decoder = new TextDecoder();

// The safetensors file with its header changed by edit(header object), data kept.
function rewriteHeader(bytes, edit) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(decoder.decode(bytes.subarray(8, 8 + n)));
  edit(header);
  const json = encoder.encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + n), 8 + json.length);
  return out;
}

const editJson = (bytes, edit) => {
  const value = JSON.parse(decoder.decode(bytes));
  edit(value);
  return encoder.encode(JSON.stringify(value));
};

describe('bad checkpoints are refused by name, and the engine and a loaded model keep working', () => {
  let kept, keptRun;
  const gpt2 = () => writeCheckpoint({ family: 'gpt2', seed: 3 }).files;
  const bert = () => writeCheckpoint({ family: 'bert', seed: 3 }).files;
  beforeAll(async () => {
    kept = await engine.loadModel({ files: writeCheckpoint({ family: 'gpt2', seed: 11 }).files });
    keptRun = kept.run({ text: TEXT });
  });

  const cases = [
    ['a header length past the end of the file', () => {
      const files = gpt2();
      new DataView(files['model.safetensors'].buffer).setBigUint64(0, BigInt(files['model.safetensors'].length), true);
      return files;
    }, /model\.safetensors: the header length \d+ runs past the end of the file \(\d+ bytes/],
    ['offsets that overlap another tensor', () => {
      const files = gpt2();
      files['model.safetensors'] = rewriteHeader(files['model.safetensors'], (h) => {
        const [begin] = h['wpe.weight'].data_offsets;
        const size = h['ln_f.bias'].data_offsets[1] - h['ln_f.bias'].data_offsets[0];
        h['ln_f.bias'].data_offsets = [begin, begin + size];
      });
      return files;
    }, /model\.safetensors: tensor "(wpe\.weight|ln_f\.bias)": data_offsets \[\d+, \d+\] overlap tensor "(ln_f\.bias|wpe\.weight)"'s \[\d+, \d+\]; expected each tensor's bytes to be its own/],
    ['offsets that leave the data section', () => {
      const files = gpt2();
      files['model.safetensors'] = rewriteHeader(files['model.safetensors'], (h) => {
        const [begin, end] = h['ln_f.bias'].data_offsets;
        h['ln_f.bias'].data_offsets = [begin + 1000, end + 1000];
      });
      return files;
    }, /model\.safetensors: tensor "ln_f\.bias": data_offsets \[\d+, \d+\] leave the data section; expected begin <= end <= \d+/],
    ['a byte size that does not match the shape', () => {
      const files = gpt2();
      files['model.safetensors'] = rewriteHeader(files['model.safetensors'], (h) => { h['ln_f.bias'].shape = [15]; });
      return files;
    }, 'model.safetensors: tensor "ln_f.bias": 64 bytes, but shape [15] of F32 takes 60'],
    ['a dtype it does not know', () => {
      const files = gpt2();
      files['model.safetensors'] = rewriteHeader(files['model.safetensors'], (h) => { h['wte.weight'].dtype = 'I64'; });
      return files;
    }, 'model.safetensors: tensor "wte.weight": dtype "I64" is not one the loader reads; expected "F32", "F16" or "BF16"'],
    ['a shape absurd for the file', () => {
      const files = gpt2();
      files['model.safetensors'] = rewriteHeader(files['model.safetensors'], (h) => { h['wte.weight'].shape = [1e9, 1e9]; });
      return files;
    }, /model\.safetensors: tensor "wte\.weight": shape \[1000000000\]\.\.\. holds more F32 values than the data section's \d+ bytes/],
    ['a tensor missing', () => {
      const files = gpt2();
      files['model.safetensors'] = rewriteHeader(files['model.safetensors'], (h) => { h['h.1.ln_2.beta'] = h['h.1.ln_2.bias']; delete h['h.1.ln_2.bias']; });
      return files;
    }, 'model.safetensors: tensor "h.1.ln_2.bias" missing (nor "transformer.h.1.ln_2.bias"); expected [16], layer 1\'s feed-forward norm bias [n_embd] (from config.json)'],
    ['a tensor of the wrong shape for the config', () => {
      const files = gpt2();
      files['config.json'] = editJson(files['config.json'], (c) => { c.n_positions = 32; });
      return files;
    }, 'model.safetensors: tensor "wpe.weight" has shape [64, 16], expected [32, 16], the position embedding [n_positions, n_embd] (from config.json)'],
    ['a BERT tensor of the wrong shape, with its prefix', () => {
      const { files } = writeCheckpoint({ family: 'bert', prefix: true });
      files['config.json'] = editJson(files['config.json'], (c) => { c.intermediate_size = 48; });
      return files;
    }, 'model.safetensors: tensor "bert.encoder.layer.0.intermediate.dense.weight" has shape [64, 16], expected [48, 16]'],
    ['zero heads', () => {
      const files = gpt2();
      files['config.json'] = editJson(files['config.json'], (c) => { c.n_head = 0; });
      return files;
    }, 'config.json: n_head: expected an integer from 1 to 256, got 0'],
    ['10^9 heads', () => {
      const files = bert();
      files['config.json'] = editJson(files['config.json'], (c) => { c.num_attention_heads = 1e9; });
      return files;
    }, 'config.json: num_attention_heads: expected an integer from 1 to 256, got 1000000000'],
    ['heads that do not divide the width', () => {
      const files = gpt2();
      files['config.json'] = editJson(files['config.json'], (c) => { c.n_head = 3; });
      return files;
    }, 'config.json: n_head: 3 does not divide n_embd 16'],
    ['an activation the core does not run', () => {
      const files = bert();
      files['config.json'] = editJson(files['config.json'], (c) => { c.hidden_act = 'swish'; });
      return files;
    }, 'config.json: hidden_act: "swish" is not one the core runs; expected gelu, gelu_new or relu'],
    ['a model type the playground does not run', () => {
      const files = gpt2();
      files['config.json'] = editJson(files['config.json'], (c) => { c.model_type = 'llama'; });
      return files;
    }, 'config.json: model_type "llama" is not one the playground runs; expected "gpt2" or "bert"'],
    ['a tokenizer.json of an unknown kind', () => {
      const files = gpt2();
      files['tokenizer.json'] = editJson(files['tokenizer.json'], (t) => { t.model.type = 'Unigram'; });
      return files;
    }, 'tokenizer.json: model type "Unigram" is not one the playground reads; expected "BPE" (GPT-2) or "WordPiece" (BERT)'],
    ['a tokenizer.json of the other family', () => {
      const files = gpt2();
      files['tokenizer.json'] = bert()['tokenizer.json'];
      return files;
    }, 'tokenizer.json: a WordPiece tokenizer, but config.json\'s model_type is gpt2; expected BPE'],
    ['a tokenizer.json that is not JSON', () => {
      const files = bert();
      files['tokenizer.json'] = encoder.encode('{"model": ');
      return files;
    }, 'tokenizer.json: not JSON'],
    ['NaN in the weights', () => {
      const files = gpt2();
      const st = files['model.safetensors'];
      const view = new DataView(st.buffer);
      const n = Number(view.getBigUint64(0, true));
      view.setFloat32(8 + n + 4 * 5, NaN, true);
      return files;
    }, 'model.safetensors: tensor "wte.weight": element 5 is NaN; expected finite weights'],
    ['infinity in F16 weights', () => {
      const { files } = writeCheckpoint({ family: 'bert', dtype: 'f16' });
      const st = files['model.safetensors'];
      const view = new DataView(st.buffer);
      const n = Number(view.getBigUint64(0, true));
      view.setUint16(8 + n + 2 * 3, 0x7c00, true);
      return files;
    }, 'model.safetensors: tensor "embeddings.word_embeddings.weight": element 3 is infinite; expected finite weights'],
    ['no model.safetensors', () => {
      const files = gpt2();
      delete files['model.safetensors'];
      files['pytorch_model.bin'] = new Uint8Array(10);
      return files;
    }, 'model.safetensors: missing (the weights of the gpt2 model config.json describes); pytorch_model.bin is not read'],
    ['no config.json', () => {
      const files = gpt2();
      delete files['config.json'];
      return files;
    }, 'config.json: missing (the sizes of the model in model.safetensors)'],
    ['no tokenizer', () => {
      const files = bert();
      delete files['tokenizer.json'];
      return files;
    }, 'tokenizer.json: missing (BERT\'s tokenizer); expected tokenizer.json or vocab.txt'],
    ['merges.txt without vocab.json', () => {
      const { files } = writeCheckpoint({ family: 'gpt2', tokenizer: 'files' });
      delete files['vocab.json'];
      return files;
    }, 'tokenizer.json: missing (GPT-2\'s tokenizer); expected tokenizer.json, or vocab.json and merges.txt'],
    ['a vocab.txt without [CLS]', () => {
      const { files } = writeCheckpoint({ family: 'bert', tokenizer: 'files' });
      files['vocab.txt'] = encoder.encode(decoder.decode(files['vocab.txt']).replace('[CLS]', '[CLX]'));
      return files;
    }, 'vocab.txt: no [CLS] token; expected BERT\'s special tokens [CLS], [SEP] and [UNK]'],
    ['a tokenizer larger than the vocabulary', () => {
      const files = gpt2();
      files['tokenizer.json'] = editJson(files['tokenizer.json'], (t) => { t.added_tokens.push({ ...t.added_tokens[0], id: 5000, content: '<|pad|>' }); });
      return files;
    }, 'tokenizer.json: token ids up to 5000, but config.json\'s vocab_size is 317; the files are not one model'],
  ];

  it.each(cases)('refuses %s', async (_, files, message) => {
    await expect(engine.loadModel({ files: files() })).rejects.toThrow(message);
    expect(kept.run({ text: TEXT }).attentions).toEqual(keptRun.attentions);
  });

  it('leaves the heap as it was after every refusal, and the engine working', async () => {
    for (const [, files] of cases) await engine.loadModel({ files: files() }).catch(() => {});
    const heap = engine.heapBytesInUse;
    for (const [, files] of cases) await engine.loadModel({ files: files() }).catch(() => {});
    expect(engine.heapBytesInUse).toBe(heap);
    expect(kept.run({ text: TEXT }).logits).toEqual(keptRun.logits);
    const { output } = engine.attention({ query: new Float32Array([1, 0]), key: new Float32Array([1, 0, 0, 1]), value: new Float32Array([1, 0, 0, 1]), queries: 1, keys: 2, dim: 2 });
    expect(output[0]).toBeGreaterThan(output[1]);
  });

  it('safetensorsBytes and the loader agree on F16 and BF16 rounding (the writer stores what it says)', () => {
    const tensors = new Map([['x', { shape: [4], data: new Float32Array([1 / 3, -2.5e-6, 65504, 1e-8]) }]]);
    const f16 = safetensorsBytes(tensors, 'F16').stored.get('x').data;
    expect(Array.from(f16)).toEqual([0.333251953125, -2.5033950805664062e-6, 65504, 0]);
    const bf16 = safetensorsBytes(tensors, 'BF16').stored.get('x').data;
    expect(bf16[0]).toBe(0.333984375);
  });
});
