// TensorFlow.js's gradients, for the training benchmark. tfjs-core's bundles
// (the Node build and the browser's UMD script) register kernels but no
// gradient functions; those are only in its ES modules, whose imports have no
// file extensions, so neither Node nor a browser can load them as they are.
// Vite bundles them once into build/bench/tfjs-gradients.mjs. The bundle
// carries its own copy of tfjs-core's ops, which is harmless: tfjs-core keeps
// its engine and its kernel and gradient registries on the global object, so
// the gradients it registers are the ones every copy of tfjs-core uses.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Builds the bundle if it is not there; returns its file URL (Node imports it; the bench page loads /build/bench/tfjs-gradients.mjs). */
export async function tfjsGradients(root) {
  const file = path.join(root, 'build', 'bench', 'tfjs-gradients.mjs');
  if (!existsSync(file)) {
    const { build } = await import('vite');
    await build({
      configFile: false,
      logLevel: 'warn',
      root,
      build: {
        outDir: path.dirname(file),
        emptyOutDir: false,
        minify: false,
        lib: {
          entry: path.join(root, 'node_modules', '@tensorflow', 'tfjs-core', 'dist', 'register_all_gradients.js'),
          formats: ['es'],
          fileName: () => path.basename(file),
        },
      },
    });
  }
  return pathToFileURL(file).href;
}
