// Where the packaged WASM core is, for index.js and pool.js: in Node it is read
// from disk (Node cannot fetch it by path), and Emscripten's Node path reads
// __dirname, which ES modules do not define. In browsers Emscripten fetches the
// file itself, beside its generated JS.
export const isNode = typeof process === 'object' && typeof process.versions?.node === 'string' && typeof window === 'undefined';

/** Node only: defines __dirname for Emscripten's glue (before it is imported). */
export function defineDirnameForGlue() {
  globalThis.__dirname ??= decodeURIComponent(new URL(/* @vite-ignore */ './generated/', import.meta.url).pathname);
}

/** Node only: the packaged .wasm's bytes (and __dirname defined for the glue). */
export async function readPackagedWasm() {
  defineDirnameForGlue();
  const fsModule = 'node:fs/promises';
  const { readFile } = await import(/* @vite-ignore */ fsModule);
  return readFile(new URL(/* @vite-ignore */ './generated/attention_core.wasm', import.meta.url));
}
