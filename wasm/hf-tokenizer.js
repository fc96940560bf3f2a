// The tokenizer of a Hugging Face checkpoint, run in JS by the
// @huggingface/tokenizers package (it reads tokenizer.json: GPT-2's byte-level
// BPE and BERT's WordPiece with their normalisers, pre-tokenisers and
// post-processors). The older files (vocab.json + merges.txt for GPT-2,
// vocab.txt for BERT) are turned into the tokenizer.json the newer
// checkpoints carry, so one library tokenizes every layout. Errors name the
// file and what was expected.
import { Tokenizer } from '@huggingface/tokenizers';

const decoder = new TextDecoder('utf-8', { fatal: true });

// The model types of tokenizer.json each family is written with.
const MODEL_TYPES = { gpt2: 'BPE', bert: 'WordPiece' };

function text(file, bytes) {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new Error(`${file}: not UTF-8 text`);
  }
}

function parseJson(file, bytes) {
  try {
    return JSON.parse(text(file, bytes));
  } catch (error) {
    throw new Error(`${file}: not JSON (${error.message.slice(0, 120)})`);
  }
}

const isRecord = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * GPT-2's map from bytes to the printable characters its byte-level BPE
 * writes them as (bytes_to_unicode): element b is byte b's character.
 */
export function bytesToUnicode() {
  const bs = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) if (!bs.includes(b)) { bs.push(b); cs.push(256 + n++); }
  const map = new Array(256);
  bs.forEach((b, i) => { map[b] = String.fromCodePoint(cs[i]); });
  return map;
}

/** GPT-2's tokenizer.json object from a vocabulary (token -> id) and merges ("a b" each). */
export function gpt2TokenizerJson(vocab, merges) {
  const added = [];
  if (Object.hasOwn(vocab, '<|endoftext|>')) {
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

/** BERT's tokenizer.json object from a vocabulary (token -> id): BERT's normaliser, pre-tokeniser and [CLS] ... [SEP]. */
export function bertTokenizerJson(vocab, { lowercase = true } = {}) {
  for (const token of ['[CLS]', '[SEP]', '[UNK]']) {
    if (!Object.hasOwn(vocab, token)) throw new Error(`vocab.txt: no ${token} token; expected BERT's special tokens [CLS], [SEP] and [UNK]`);
  }
  const special = (token) => ({ id: token, ids: [vocab[token]], tokens: [token] });
  const added = BERT_SPECIAL.filter((t) => Object.hasOwn(vocab, t)).map((content) => ({
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

function vocabObject(file, value) {
  if (!isRecord(value)) throw new Error(`${file}: expected an object of token -> id`);
  for (const [token, id] of Object.entries(value)) {
    if (!Number.isInteger(id) || id < 0) throw new Error(`${file}: token "${token.slice(0, 40)}" has id ${String(id).slice(0, 20)}; expected an integer >= 0`);
  }
  return value;
}

// The tokenizer.json object of the files given, and the name of the file it came from.
function tokenizerJsonOf(family, files) {
  if (files.has('tokenizer.json')) {
    const json = parseJson('tokenizer.json', files.get('tokenizer.json'));
    if (!isRecord(json) || !isRecord(json.model)) throw new Error('tokenizer.json: no "model" object; expected the Hugging Face tokenizers format');
    const type = json.model.type;
    if (type !== 'BPE' && type !== 'WordPiece') {
      throw new Error(`tokenizer.json: model type ${JSON.stringify(type)?.slice(0, 40) ?? 'missing'} is not one the playground reads; expected "BPE" (GPT-2) or "WordPiece" (BERT)`);
    }
    if (type !== MODEL_TYPES[family]) {
      throw new Error(`tokenizer.json: a ${type} tokenizer, but config.json's model_type is ${family}; expected ${MODEL_TYPES[family]}`);
    }
    for (const key of ['added_tokens', 'normalizer', 'pre_tokenizer', 'post_processor', 'decoder']) {
      if (!Object.hasOwn(json, key)) json[key] = key === 'added_tokens' ? [] : null;
    }
    return { json, file: 'tokenizer.json' };
  }
  if (family === 'gpt2') {
    if (!files.has('vocab.json') || !files.has('merges.txt')) {
      throw new Error('tokenizer.json: missing (GPT-2\'s tokenizer); expected tokenizer.json, or vocab.json and merges.txt');
    }
    const vocab = vocabObject('vocab.json', parseJson('vocab.json', files.get('vocab.json')));
    const merges = text('merges.txt', files.get('merges.txt')).split(/\r?\n/)
      .filter((line, i) => line.trim() !== '' && !(i === 0 && line.startsWith('#version')));
    merges.forEach((line, i) => {
      if (line.split(' ').length !== 2) throw new Error(`merges.txt: line ${i + 1} is "${line.slice(0, 40)}"; expected two tokens separated by a space`);
    });
    return { json: gpt2TokenizerJson(vocab, merges), file: 'vocab.json' };
  }
  if (!files.has('vocab.txt')) {
    throw new Error('tokenizer.json: missing (BERT\'s tokenizer); expected tokenizer.json or vocab.txt');
  }
  const vocab = {};
  text('vocab.txt', files.get('vocab.txt')).split(/\r?\n/).forEach((token, id, all) => {
    if (token === '' && id === all.length - 1) return;
    if (!Object.hasOwn(vocab, token)) vocab[token] = id;
  });
  // tokenizer_config.json, when there, says whether the model was trained on lowercased text.
  let lowercase = true;
  if (files.has('tokenizer_config.json')) {
    const config = parseJson('tokenizer_config.json', files.get('tokenizer_config.json'));
    if (isRecord(config) && typeof config.do_lower_case === 'boolean') lowercase = config.do_lower_case;
  }
  return { json: bertTokenizerJson(vocab, { lowercase }), file: 'vocab.txt' };
}

/**
 * The tokenizer of `family` ('gpt2' | 'bert') from `files` (a Map from base
 * name to bytes): { file, size, encode(text) -> { ids, tokens, types }, token(id) }.
 */
export function hfTokenizer(family, files) {
  const { json, file } = tokenizerJsonOf(family, files);
  let tokenizer;
  try {
    tokenizer = new Tokenizer(json, {});
  } catch (error) {
    throw new Error(`${file}: the tokenizer could not be built (${String(error?.message ?? error).slice(0, 160)})`);
  }
  let size = 0;
  for (const id of tokenizer.get_vocab(true).values()) size = Math.max(size, id + 1);
  return {
    file,
    size,
    encode(input) {
      const encoding = tokenizer.encode(input, { return_token_type_ids: true });
      return {
        ids: Int32Array.from(encoding.ids),
        tokens: encoding.tokens,
        types: Int32Array.from(encoding.token_type_ids ?? encoding.ids.map(() => 0)),
      };
    },
    token: (id) => tokenizer.id_to_token(id) ?? `[${id}]`,
    decode: (ids) => tokenizer.decode(Array.from(ids)),
  };
}
