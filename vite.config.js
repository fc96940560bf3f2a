// Vite serves and builds the playground in web/; the app imports the JS API
// from ../wasm, so the dev server may read the whole repository. base './'
// makes dist/ work from any static server and any subfolder. Vite keeps
// Emscripten's new URL('attention_core.wasm', import.meta.url) and emits the
// .wasm as a hashed asset.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: 'web',
  base: './',
  build: {
    outDir: '../dist',
    emptyOutDir: true,
  },
  server: {
    host: '127.0.0.1',
    fs: { allow: [repoRoot] },
  },
  preview: {
    host: '127.0.0.1',
  },
});
