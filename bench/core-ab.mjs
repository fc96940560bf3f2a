// A/B timing of builds of the WASM core, for kernel work, in Node: every build
// in one process, interleaved call by call (bench/core-ab-lib.mjs).
//   node bench/core-ab.mjs N HEADS [--causal] a.wasm [b.wasm ...]
// A file named `engine` times the packaged engine's whole engine.attention
// call instead. Prints the median ms, GFLOP/s (4·N²·64·HEADS) and the ratio to
// the first build. Save a build with `cp wasm/generated/attention_core.wasm
// /tmp/a.wasm` before changing the kernel and rebuilding (npm run build:wasm);
// bench/core-ab-chromium.mjs does the same in headless Chromium.
import { readFile } from 'node:fs/promises';
import { compareBuilds, ENGINE, readArgs } from './core-ab-lib.mjs';

const { n, heads, causal, files, usage } = readArgs(process.argv.slice(2), 'core-ab.mjs');
if (usage) {
  console.error(usage);
  process.exit(2);
}
const builds = [];
for (const file of files) builds.push({ label: file, wasmBinary: file === ENGINE ? undefined : await readFile(file) });
for (const line of await compareBuilds({ n, heads, causal, builds })) console.log(line);
