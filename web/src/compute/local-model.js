// A model from the user's disk: which of the picked or dropped files make a
// Hugging Face checkpoint (config.json, model.safetensors, and tokenizer.json
// or vocab.json + merges.txt or vocab.txt), what is missing, and its size,
// read from config.json and the safetensors header alone (a few kilobytes)
// so a model too large for the browser is refused before its weights are
// read. Then the files' bytes, read where the model is loaded (the worker,
// or the page without one) with progress. No DOM here: File and Blob only,
// which workers have too. The engine (loadModel({ files })) checks the
// contents; this file only decides what to give it.

/** The files the loader reads, by their names in a checkpoint folder. */
export const MODEL_FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'vocab.json', 'merges.txt', 'vocab.txt'];

/**
 * The WebAssembly memory has at most 2 GB. While a model loads it holds the
 * file's bytes and the core's float32 copy of the weights, and a run needs
 * room besides: a model is refused when those two together pass this cap.
 */
export const MEMORY_CAP_BYTES = 1.5 * 2 ** 30;

/** The loader's own limit on one model's files together (wasm/model.js). */
export const FILES_CAP_BYTES = 2 ** 30;

// config.json and the safetensors header are read whole before anything else:
// past these sizes they are not what they claim to be.
const MAX_CONFIG_BYTES = 2 ** 20;
const MAX_HEADER_BYTES = 2 ** 26;

const FAMILY_NAMES = { gpt2: 'GPT-2', bert: 'BERT' };

const baseName = (path) => path.slice(path.lastIndexOf('/') + 1);
const depthOf = (path) => path.split('/').length;

/** Bytes as people read them: 1.2 KB, 34.5 MB, 1.50 GB (powers of 1024). */
export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** A count as people read it: 7,890 or 124.4 million. */
export function formatCount(count) {
  return count >= 1e6 ? `${(count / 1e6).toFixed(1)} million` : count.toLocaleString('en-US');
}

/**
 * The checkpoint's files among entries [{ path, file }] (path relative to
 * what was picked or dropped, with "/" between folders): the known files by
 * name (the shallowest of each name, so a folder's onnx/config.json does not
 * replace its config.json), the paths of the others (ignored), and the folder
 * name when the files came in one.
 */
export function pickModelFiles(entries) {
  const chosen = new Map();
  const ignored = [];
  for (const entry of entries) {
    const name = baseName(entry.path);
    if (!MODEL_FILES.includes(name)) {
      ignored.push(entry.path);
      continue;
    }
    const earlier = chosen.get(name);
    if (!earlier || depthOf(entry.path) < depthOf(earlier.path)) {
      chosen.set(name, entry);
      if (earlier) ignored.push(earlier.path);
    } else {
      ignored.push(entry.path);
    }
  }
  const files = Object.fromEntries([...chosen].map(([name, entry]) => [name, entry.file]));
  const folders = [...chosen.values()].map((e) => e.path.split('/')).filter((parts) => parts.length > 1);
  const folder = folders.length ? folders[0][folders[0].length - 2] : null;
  return { files, ignored, folder };
}

/**
 * What is missing from files (by name) for the loader, as a sentence, or
 * null when nothing is; ignored names the other files, for the hint about
 * weights the loader does not read. The tokenizer's files depend on the
 * family, which only config.json says: without it, any of them will do.
 */
export function missingFile(files, family = null, ignored = []) {
  const has = (name) => Object.hasOwn(files, name);
  if (!has('config.json')) return 'config.json is missing: it gives the model\'s kind and sizes (model_type, layers, heads, width)';
  if (!has('model.safetensors')) {
    const others = ignored.map(baseName);
    const sharded = others.find((name) => /^model-\d+-of-\d+\.safetensors$/.test(name));
    const why = sharded
      ? ` (this checkpoint's weights are split into shards such as ${sharded}; the playground reads one model.safetensors)`
      : others.some((name) => /\.(bin|h5|msgpack|onnx|pt|pth|ckpt)$/.test(name))
        ? ` (only safetensors weights are read, not ${others.filter((name) => /\.(bin|h5|msgpack|onnx|pt|pth|ckpt)$/.test(name)).slice(0, 3).join(', ')})`
        : '';
    return `model.safetensors is missing: it holds the weights${why}`;
  }
  const gpt2Files = has('tokenizer.json') || (has('vocab.json') && has('merges.txt'));
  const bertFiles = has('tokenizer.json') || has('vocab.txt');
  if (family === 'gpt2' && !gpt2Files) {
    const half = has('vocab.json') ? ' (vocab.json came without merges.txt)' : has('merges.txt') ? ' (merges.txt came without vocab.json)' : '';
    return `no tokenizer${half}: give tokenizer.json, or vocab.json + merges.txt (GPT-2)`;
  }
  if (family === 'bert' && !bertFiles) return 'no tokenizer: give tokenizer.json, or vocab.txt (BERT)';
  if (!gpt2Files && !bertFiles) return 'no tokenizer: give tokenizer.json, or vocab.json + merges.txt, or vocab.txt';
  return null;
}

const positive = (value) => Number.isInteger(value) && value > 0;

/** The sizes a GPT-2 or BERT config.json names: { family, layers, heads, width, positions, vocab }. */
export function configSummary(config) {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new Error('config.json: expected a JSON object');
  const family = config.model_type;
  if (family !== 'gpt2' && family !== 'bert') {
    throw new Error(`config.json: model_type ${JSON.stringify(String(family)).slice(0, 40)}; expected "gpt2" (GPT-2 and its kin) or "bert" (BERT)`);
  }
  const sizes = family === 'gpt2'
    ? { layers: config.n_layer, heads: config.n_head, width: config.n_embd, positions: config.n_positions, vocab: config.vocab_size }
    : { layers: config.num_hidden_layers, heads: config.num_attention_heads, width: config.hidden_size, positions: config.max_position_embeddings, vocab: config.vocab_size };
  return { family, ...sizes, readable: Object.values(sizes).every(positive) };
}

/**
 * The parameter count and dtypes a safetensors header names: { params,
 * dtypes } (params: every tensor's element count). The engine checks the
 * header fully; this is only what the page needs to name the size.
 */
export function safetensorsSummary(header) {
  let params = 0;
  const dtypes = new Set();
  for (const [name, tensor] of Object.entries(header ?? {})) {
    if (name === '__metadata__') continue;
    const shape = tensor?.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`model.safetensors: tensor "${name.slice(0, 80)}" has no readable shape; expected a list of sizes`);
    }
    params += shape.reduce((product, d) => product * d, 1);
    dtypes.add(String(tensor.dtype));
  }
  return { params, dtypes: [...dtypes] };
}

async function bytesOfBlob(blob) {
  return new Uint8Array(await blob.arrayBuffer());
}

async function readConfig(file) {
  if (file.size > MAX_CONFIG_BYTES) throw new Error(`config.json: ${formatBytes(file.size)}; a model's config is a few kilobytes`);
  try {
    return JSON.parse(new TextDecoder().decode(await bytesOfBlob(file)));
  } catch (error) {
    throw new Error(`config.json: not JSON (${String(error.message).slice(0, 120)})`);
  }
}

/** The safetensors header of file: its first 8 bytes (little-endian length) and the JSON after them. */
async function readHeader(file) {
  if (file.size < 8) throw new Error(`model.safetensors: ${file.size} bytes; a safetensors file starts with an 8-byte header length`);
  const length = Number(new DataView((await bytesOfBlob(file.slice(0, 8))).buffer).getBigUint64(0, true));
  if (length > file.size - 8) throw new Error(`model.safetensors: its header is ${length} bytes long, past the file's end (${file.size} bytes)`);
  if (length > MAX_HEADER_BYTES) throw new Error(`model.safetensors: a header of ${formatBytes(length)}; expected at most ${formatBytes(MAX_HEADER_BYTES)}`);
  try {
    return JSON.parse(new TextDecoder().decode(await bytesOfBlob(file.slice(8, 8 + length))));
  } catch (error) {
    throw new Error(`model.safetensors: its header is not JSON (${String(error.message).slice(0, 120)})`);
  }
}

/**
 * The checkpoint in files (by name, File or Blob each), inspected without
 * reading its weights: { family, layers, heads, width, positions, vocab,
 * params, dtypes, fileBytes: { name: size }, totalBytes, memoryBytes }.
 * Throws a sentence naming the missing file, the broken one, or the sizes of
 * a model too large (memoryBytes: the weights file plus their float32 copy).
 */
export async function inspectModel(files, ignored = []) {
  const early = missingFile(files, null, ignored);
  if (early?.startsWith('config.json') || early?.startsWith('model.safetensors')) throw new Error(early);
  const config = configSummary(await readConfig(files['config.json']));
  const missing = missingFile(files, config.family, ignored);
  if (missing) throw new Error(missing);
  const weights = files['model.safetensors'];
  const fileBytes = Object.fromEntries(Object.entries(files).map(([name, file]) => [name, file.size]));
  const totalBytes = Object.values(fileBytes).reduce((sum, size) => sum + size, 0);
  const { params, dtypes } = safetensorsSummary(await readHeader(weights));
  const memoryBytes = weights.size + 4 * params;
  const summary = { ...config, params, dtypes, fileBytes, totalBytes, memoryBytes };
  if (memoryBytes > MEMORY_CAP_BYTES || totalBytes > FILES_CAP_BYTES) {
    throw new Error(`This model is too large for the page: ${describeSize(summary)}. Loading it would take about ${formatBytes(memoryBytes)} of the engine's memory (its ${formatBytes(weights.size)} of weights file and ${formatBytes(4 * params)} of float32 weights); the page takes models up to ${formatBytes(MEMORY_CAP_BYTES)} that way, with files up to ${formatBytes(FILES_CAP_BYTES)} together. Its weights were not read.`);
  }
  return summary;
}

/** One line of a model's size: its family and shape from config.json, its parameters and its files. */
export function describeSize(summary) {
  const { family, layers, heads, width, params, dtypes, fileBytes, totalBytes } = summary;
  const shape = summary.readable === false ? 'sizes unreadable in config.json' : `${layers} layers × ${heads} heads, width ${width}`;
  const files = Object.entries(fileBytes).map(([name, size]) => `${name} ${formatBytes(size)}`).join(', ');
  return `${FAMILY_NAMES[family]} · ${shape} · ${formatCount(params)} parameters (${dtypes.join(', ')}) · files ${formatBytes(totalBytes)}: ${files}`;
}

/**
 * The bytes of files (by name), read one chunk at a time so progress({ loaded,
 * total }) can follow; each file's bytes land in one buffer of its size.
 */
export async function readModelFiles(files, progress = () => {}) {
  const total = Object.values(files).reduce((sum, file) => sum + file.size, 0);
  let loaded = 0;
  const out = {};
  for (const [name, file] of Object.entries(files)) {
    const bytes = new Uint8Array(file.size);
    let at = 0;
    const reader = file.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (at + value.length > bytes.length) throw new Error(`${name}: changed on disk while it was read`);
      bytes.set(value, at);
      at += value.length;
      loaded += value.length;
      progress({ loaded, total });
    }
    if (at !== bytes.length) throw new Error(`${name}: ${at} of ${bytes.length} bytes could be read`);
    out[name] = bytes;
  }
  return out;
}
