// Vite serves and builds the playground in web/; the app imports the JS API
// from ../wasm, so the dev server may read the whole repository. base './'
// makes dist/ work from any static server and any subfolder. Vite keeps
// Emscripten's new URL('attention_core.wasm', import.meta.url) and emits the
// .wasm as a hashed asset.
//
// `vite build` writes the site (the playground, embed.html and the examples)
// and then, from closeBundle, the embeddable builds of scripts/build-embeds.mjs:
// dist/attention-playground.js (+ .wasm) and dist/attention-playground.html.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { buildElementModule, buildSingleFile, ELEMENT_FILE, inlineWasmPlugin } from './scripts/build-embeds.mjs';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));
const webDir = path.join(repoRoot, 'web');
const examplesDir = path.join(webDir, 'examples');

/**
 * The example pages load the built element exactly as a tutorial author
 * would: <script type="module" vite-ignore src="../attention-playground.js">
 * and scripts that import '../attention-playground.js'. Their scripts are
 * copied as written; in dev that path is served from the element's source.
 */
function embedsPlugin() {
  let outDir = null;
  let serving = false;
  let failed = false;
  return {
    name: 'attention-playground:embeds',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
      serving = config.command === 'serve';
    },
    resolveId(source, importer) {
      if (!serving || !source.endsWith(ELEMENT_FILE)) return undefined;
      const file = source.startsWith('/')
        ? path.join(webDir, source)
        : path.resolve(importer ? path.dirname(importer) : webDir, source);
      return file === path.join(webDir, ELEMENT_FILE) ? path.join(webDir, 'src', 'element', 'index.js') : undefined;
    },
    generateBundle() {
      for (const name of readdirSync(examplesDir).filter((file) => file.endsWith('.js'))) {
        this.emitFile({ type: 'asset', fileName: `examples/${name}`, source: readFileSync(path.join(examplesDir, name)) });
      }
    },
    buildEnd(error) {
      failed = Boolean(error);
    },
    async closeBundle() {
      if (failed) return;
      await buildElementModule(outDir);
      await buildSingleFile(outDir);
    },
  };
}

export default defineConfig({
  root: 'web',
  base: './',
  plugins: [inlineWasmPlugin(), embedsPlugin()],
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    rolldownOptions: {
      input: {
        index: path.join(webDir, 'index.html'),
        embed: path.join(webDir, 'embed.html'),
        tutorial: path.join(examplesDir, 'tutorial.html'),
        csp: path.join(examplesDir, 'csp.html'),
      },
    },
  },
  server: {
    host: '127.0.0.1',
    fs: { allow: [repoRoot] },
  },
  preview: {
    host: '127.0.0.1',
  },
});
