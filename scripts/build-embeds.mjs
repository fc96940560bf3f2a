// The embeddable builds that `vite build` makes after the site (vite.config.js
// calls these from its closeBundle hook):
//   attention-playground.js + attention-playground.wasm  the custom element
//       and the JS API as ONE ES module with its .wasm beside it;
//   attention-playground.html  the playground in one file, the WASM inlined as
//       base64, that works opened from disk (file://), with no server.
// Each is its own build with one entry and no code splitting: the multi-page
// site build would share chunks between pages, and a tutorial author must be
// able to copy one file (or two).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webDir = path.join(repoRoot, 'web');
const elementDir = path.join(webDir, 'src', 'element');
const wasmFile = path.join(repoRoot, 'wasm', 'generated', 'attention_core.wasm');

export const ELEMENT_FILE = 'attention-playground.js';
export const SINGLE_FILE = 'attention-playground.html';
export const WASM_MODULE_ID = 'virtual:attention-wasm-base64';

/**
 * `import base64 from 'virtual:attention-wasm-base64'`: the WASM core's bytes
 * as one base64 string, read when the build (or dev server) loads it.
 */
export function inlineWasmPlugin() {
  const resolved = `\0${WASM_MODULE_ID}`;
  return {
    name: 'attention-playground:inline-wasm',
    resolveId: (id) => (id === WASM_MODULE_ID ? resolved : undefined),
    load(id) {
      if (id !== resolved) return undefined;
      this.addWatchFile?.(wasmFile);
      return `export default ${JSON.stringify(readFileSync(wasmFile).toString('base64'))};`;
    },
  };
}

/** The config both builds share: one entry, one chunk, nothing from web/public. */
function oneChunkConfig({ entry, outDir, write, output = {} }) {
  return {
    configFile: false,
    root: webDir,
    base: './',
    publicDir: false,
    // Only errors: the site build has already printed the same warnings (Emscripten's Node-only fs and path).
    logLevel: 'error',
    plugins: [inlineWasmPlugin()],
    build: {
      outDir,
      emptyOutDir: false,
      copyPublicDir: false,
      write,
      reportCompressedSize: false,
      // Nothing to preload: the one chunk has every module in it.
      modulePreload: false,
      rolldownOptions: {
        input: { 'attention-playground': entry },
        // Keep the entry's exports (loadAttention, ...): a site build drops them.
        preserveEntrySignatures: 'strict',
        output: { codeSplitting: false, ...output },
      },
    },
  };
}

/** The one entry chunk of a build's output; throws if the build made more. */
function onlyChunk(result, what) {
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
  const chunks = outputs.filter((item) => item.type === 'chunk');
  // An inlined dynamic import is listed as an import of the chunk itself.
  const importsOf = (chunk) => [...chunk.imports, ...chunk.dynamicImports].filter((file) => file !== chunk.fileName);
  if (chunks.length !== 1 || importsOf(chunks[0]).length > 0) {
    const names = chunks.map((chunk) => `${chunk.fileName} (imports ${importsOf(chunk).join(', ') || 'nothing'})`);
    throw new Error(`${what}: expected one self-contained chunk, got ${names.join('; ')}`);
  }
  return { chunk: chunks[0], assets: outputs.filter((item) => item.type === 'asset') };
}

const ELEMENT_MODELS = 'attention-playground-models';

// models/<name>/<file> for a bundled model's file, else attention-playground.<ext>
function elementAssetName(asset) {
  const source = (asset.originalFileNames ?? [])[0] ?? '';
  const model = source.match(/wasm\/generated\/models\/([^/]+)\/([^/]+)$/);
  return model ? `${ELEMENT_MODELS}/${model[1]}/${model[2]}` : 'attention-playground[extname]';
}

/** dist/attention-playground.js and, beside it, the .wasm its code points at. */
export async function buildElementModule(outDir) {
  const result = await build(
    oneChunkConfig({
      entry: path.join(elementDir, 'index.js'),
      outDir,
      write: true,
      // Emscripten's new URL('attention_core.wasm', import.meta.url) becomes
      // new URL('attention-playground.wasm', import.meta.url): the two files
      // move together.
      // The bundled models' files (wasm/bundled-models.js) keep their names
      // in a folder of their own beside it, for a page that opens model mode.
      output: { entryFileNames: ELEMENT_FILE, assetFileNames: elementAssetName },
    }),
  );
  const { assets } = onlyChunk(result, ELEMENT_FILE);
  const names = assets.map((asset) => asset.fileName);
  const unexpected = names.filter((name) => name !== 'attention-playground.wasm' && !name.startsWith(`${ELEMENT_MODELS}/`));
  if (!names.includes('attention-playground.wasm') || unexpected.length > 0) {
    throw new Error(`${ELEMENT_FILE}: expected attention-playground.wasm and ${ELEMENT_MODELS}/ beside it, got ${names.join(', ')}`);
  }
}

/**
 * A module script's text made safe to sit inside <script>...</script>: the
 * HTML parser ends the script at the first "</script", whatever JS context it
 * is in. "<\/" means "</" in JS strings, templates and regular expressions.
 */
function inlineScriptText(code) {
  if (/<!--/.test(code)) throw new Error(`${SINGLE_FILE}: the inlined module contains "<!--"`);
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

/** dist/attention-playground.html from web/src/element/single-file.html and single-file.js. */
export async function buildSingleFile(outDir) {
  const result = await build(
    oneChunkConfig({ entry: path.join(elementDir, 'single-file.js'), outDir, write: false }),
  );
  const { chunk } = onlyChunk(result, SINGLE_FILE);
  const template = readFileSync(path.join(elementDir, 'single-file.html'), 'utf8');
  const tag = '<script type="module" src="./single-file.js"></script>';
  if (!template.includes(tag)) throw new Error(`single-file.html: expected the tag ${tag}`);
  const html = template.replace(tag, () => `<script type="module">\n${inlineScriptText(chunk.code)}</script>`);
  writeFileSync(path.join(outDir, SINGLE_FILE), html);
}
