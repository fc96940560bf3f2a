// A model from disk on the page (web/src/compute/local-model.js, and its
// request through requests.js and run.js): the checkpoint's files are picked
// from a folder, a missing file is named, the size comes from config.json and
// the safetensors header alone, a model too large is refused with its sizes,
// and the runner loads the files as loadModel({ files }) does.
import { describe, expect, it } from 'vitest';
import { loadAttention, loadModel } from '../../wasm/index.js';
import { writeCheckpoint } from '../../scripts/checkpoints.mjs';
import {
  describeSize, formatBytes, inspectModel, MEMORY_CAP_BYTES, missingFile, pickModelFiles, readModelFiles,
} from '../../web/src/compute/local-model.js';
import { buildModelRequest, NO_LOCAL_MODEL_MESSAGE } from '../../web/src/compute/requests.js';
import { createRunner, modelLayerResult, modelTokenLabel } from '../../web/src/compute/run.js';
import { fromHash, pageTable } from '../../web/src/state/table.js';
import { progressOf } from '../../web/src/page/status.js';

const blobsOf = (files) => Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, new Blob([bytes])]));
const TEXT = 'The cat sat on the mat.';

describe('picking a checkpoint\'s files', () => {
  it('takes the known files of a folder, the shallowest of each name, and names the others', () => {
    const file = (path) => ({ path, file: new Blob([path]) });
    const picked = pickModelFiles([
      file('tiny/config.json'), file('tiny/onnx/config.json'), file('tiny/model.safetensors'),
      file('tiny/tokenizer.json'), file('tiny/README.md'), file('tiny/pytorch_model.bin'),
    ]);
    expect(Object.keys(picked.files).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json']);
    expect(picked.folder).toBe('tiny');
    expect(picked.ignored).toEqual(['tiny/onnx/config.json', 'tiny/README.md', 'tiny/pytorch_model.bin']);
  });

  it('names the missing file, and the tokenizer files each family needs', () => {
    const all = { 'config.json': 1, 'model.safetensors': 1, 'tokenizer.json': 1 };
    expect(missingFile(all, 'gpt2')).toBeNull();
    expect(missingFile({ 'model.safetensors': 1 })).toMatch(/^config\.json is missing/);
    expect(missingFile({ 'config.json': 1 }, null, ['pytorch_model.bin'])).toBe('model.safetensors is missing: it holds the weights (only safetensors weights are read, not pytorch_model.bin)');
    expect(missingFile({ 'config.json': 1 }, null, ['x/model-00001-of-00002.safetensors'])).toMatch(/split into shards such as model-00001-of-00002\.safetensors/);
    expect(missingFile({ 'config.json': 1, 'model.safetensors': 1 })).toBe('no tokenizer: give tokenizer.json, or vocab.json + merges.txt, or vocab.txt');
    expect(missingFile({ 'config.json': 1, 'model.safetensors': 1, 'vocab.json': 1 }, 'gpt2')).toBe('no tokenizer (vocab.json came without merges.txt): give tokenizer.json, or vocab.json + merges.txt (GPT-2)');
    expect(missingFile({ 'config.json': 1, 'model.safetensors': 1, 'vocab.json': 1, 'merges.txt': 1 }, 'bert')).toBe('no tokenizer: give tokenizer.json, or vocab.txt (BERT)');
    expect(missingFile({ 'config.json': 1, 'model.safetensors': 1, 'vocab.txt': 1 }, 'bert')).toBeNull();
  });
});

describe('inspecting a checkpoint before its weights are read', () => {
  it('gives the family, sizes, parameter count and file sizes of a GPT-2 checkpoint', async () => {
    const { files, tensors } = writeCheckpoint({ family: 'gpt2', layers: 3, heads: 2, width: 16, dtype: 'f16' });
    const summary = await inspectModel(blobsOf(files));
    const params = [...tensors.values()].reduce((sum, t) => sum + t.data.length, 0);
    expect(summary).toMatchObject({ family: 'gpt2', layers: 3, heads: 2, width: 16, params, dtypes: ['F16'] });
    expect(summary.totalBytes).toBe(Object.values(files).reduce((sum, bytes) => sum + bytes.length, 0));
    expect(summary.memoryBytes).toBe(files['model.safetensors'].length + 4 * params);
    expect(describeSize(summary)).toMatch(/^GPT-2 · 3 layers × 2 heads, width 16 · [\d,]+ parameters \(F16\) · files /);
  });

  it('refuses a model whose weights would not fit, naming its sizes and the cap', async () => {
    const { files } = writeCheckpoint({ family: 'bert' });
    const header = JSON.stringify({ w: { dtype: 'BF16', shape: [25_000, 20_000], data_offsets: [0, 1_000_000_000] } });
    const st = new Uint8Array(8 + header.length);
    new DataView(st.buffer).setBigUint64(0, BigInt(header.length), true);
    st.set(new TextEncoder().encode(header), 8);
    const error = await inspectModel(blobsOf({ ...files, 'model.safetensors': st })).catch((e) => e);
    expect(error.message).toMatch(/^This model is too large for the page: BERT · 2 layers × 2 heads, width 16 · 500\.0 million parameters \(BF16\)/);
    expect(error.message).toContain(`up to ${formatBytes(MEMORY_CAP_BYTES)}`);
    expect(error.message).toContain('Its weights were not read.');
  });

  it('refuses a header running past the file and a config of another kind, by file', async () => {
    const { files } = writeCheckpoint({ family: 'gpt2' });
    await expect(inspectModel(blobsOf({ ...files, 'model.safetensors': files['model.safetensors'].slice(0, 20) })))
      .rejects.toThrow(/^model\.safetensors: its header is \d+ bytes long, past the file's end \(20 bytes\)$/);
    const t5 = new TextEncoder().encode(JSON.stringify({ model_type: 't5' }));
    await expect(inspectModel(blobsOf({ ...files, 'config.json': t5 }))).rejects.toThrow('config.json: model_type "t5"; expected "gpt2"');
    await expect(inspectModel(blobsOf({ ...files, 'config.json': new Uint8Array([123]) }))).rejects.toThrow(/^config\.json: not JSON/);
  });
});

describe('GPT-2 token labels', () => {
  it('spell the text of a piece\'s bytes, a leading space as ␣ and newlines as ⏎', () => {
    expect(modelTokenLabel('Ġthe', 'gpt2')).toBe('␣the');
    expect(modelTokenLabel('Ã', 'gpt2')).toBe('Ã'); // the byte 0xC3 alone: the first half of a character, shown as written
    expect(modelTokenLabel('Ġcaf\u00c3\u00a9', 'gpt2')).toBe('␣café');
    expect(modelTokenLabel('ĊĊ', 'gpt2')).toBe('⏎⏎');
    expect(modelTokenLabel('\u00e6\u0139\u00a5', 'gpt2')).toBe('日');
    expect(modelTokenLabel('▁word')).toBe('␣word');
  });
});

describe('the page\'s state for a model from disk', () => {
  it('reads model=local and heads past the settings\' 8, which other modes still clamp to their heads', () => {
    const table = pageTable(['scaled_dot']);
    expect(fromHash(table, '#input=model&model=local&head=12')).toMatchObject({ model: 'local', head: 12 });
    expect(fromHash(table, '#input=text&heads=8&head=12').head).toBe(8);
    expect(fromHash(table, '#input=model&head=99').head).toBe(64);
  });
});

describe('loading a model from disk through the runner', () => {
  it('words the progress of reading its files and running it', () => {
    const request = { mode: 'model', model: 'local', name: 'tiny-gpt2', source: { id: 1 } };
    expect(progressOf(request, 0.25)).toEqual({ max: 1, value: 0.25, text: 'Loading the model tiny-gpt2 from your disk (once): 25%…' });
    expect(progressOf(request, 'attention').text).toBe('Running tiny-gpt2…');
    expect(progressOf({ mode: 'model', model: 'use-lite', name: 'use-lite', source: null }, 0.5).text).toBe('Loading the model use-lite (once): 50%…');
  });

  it('reads every file\'s bytes with progress up to the total', async () => {
    const { files } = writeCheckpoint({ family: 'bert' });
    const seen = [];
    const read = await readModelFiles(blobsOf(files), (p) => seen.push(p));
    for (const name of Object.keys(files)) expect(read[name]).toEqual(files[name]);
    const total = Object.values(files).reduce((sum, bytes) => sum + bytes.length, 0);
    expect(seen.at(-1)).toEqual({ loaded: total, total });
  });

  it('computes the API\'s attention for a GPT-2 model from disk, with its next tokens and causal layers', async () => {
    const { files } = writeCheckpoint({ family: 'gpt2', layers: 2, heads: 2, seed: 9 });
    const want = (await loadModel({ files })).run({ text: TEXT });
    const table = pageTable(['scaled_dot']);
    const state = fromHash(table, `#input=model&model=local&text=${encodeURIComponent(TEXT)}`);
    expect(state.model).toBe('local');
    expect(() => buildModelRequest(state)).toThrow(NO_LOCAL_MODEL_MESSAGE);
    const request = buildModelRequest(state, { id: 1, name: 'tiny', files: blobsOf(files) });
    expect(request.key).toContain('local:1');
    const runner = createRunner(await loadAttention());
    const result = await runner.compute(request);
    expect(result.model.local).toBe(true);
    expect(result.model.name).toBe('tiny');
    expect(result.model.attentions).toEqual(want.attentions);
    expect(result.model.next).toEqual(want.next);
    const layer = modelLayerResult(result, 1);
    expect(layer.request.causal).toBe(true);
    expect(layer.rowTokens).toEqual(want.tokens.map((t) => modelTokenLabel(t, 'gpt2')));
  });

  it('keeps the model that loaded when a newer one fails, and releases it when a newer one loads', async () => {
    const runner = createRunner(await loadAttention());
    const state = fromHash(pageTable(['scaled_dot']), `#input=model&model=local&text=${encodeURIComponent(TEXT)}`);
    const good = writeCheckpoint({ family: 'gpt2', seed: 3 }).files;
    const first = await runner.compute(buildModelRequest(state, { id: 1, name: 'a', files: blobsOf(good) }));
    const broken = { ...good, 'tokenizer.json': new TextEncoder().encode('{') };
    await expect(runner.compute(buildModelRequest(state, { id: 2, name: 'b', files: blobsOf(broken) }))).rejects.toThrow('tokenizer.json: not JSON');
    const again = await runner.compute(buildModelRequest({ ...state, text: 'the dog' }, { id: 1, name: 'a', files: blobsOf(good) }));
    expect(again.model.info.layers).toBe(first.model.info.layers);
    const bert = writeCheckpoint({ family: 'bert' }).files;
    await runner.compute(buildModelRequest(state, { id: 3, name: 'c', files: blobsOf(bert) }));
    // Model 1 was released: asking for it again reads its files anew and gives the same answer.
    const reloaded = await runner.compute(buildModelRequest(state, { id: 1, name: 'a', files: blobsOf(good) }));
    expect(reloaded.model.attentions).toEqual(first.model.attentions);
  });
});
