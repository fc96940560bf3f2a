// Where the packaged WASM core is, for index.js and pool.js: in Node it is read
// from disk (Node cannot fetch it by path), and Emscripten's Node path reads
// __dirname, which ES modules do not define. In browsers Emscripten fetches the
// file itself, beside its generated JS.
export const isNode = typeof process === 'object' && typeof process.versions?.node === 'string' && typeof window === 'undefined';

/** Emscripten's factory of the core (createAttentionCore), ready to run here: in Node, __dirname is defined first. */
export async function importGlue() {
  if (isNode) globalThis.__dirname ??= decodeURIComponent(new URL(/* @vite-ignore */ './generated/', import.meta.url).pathname);
  return (await import('./generated/attention_core.js')).default;
}

/** Node only: the packaged .wasm's bytes. */
export async function readPackagedWasm() {
  const fsModule = 'node:fs/promises';
  const { readFile } = await import(/* @vite-ignore */ fsModule);
  return readFile(new URL(/* @vite-ignore */ './generated/attention_core.wasm', import.meta.url));
}
