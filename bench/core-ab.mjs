// A/B timing of builds of the WASM core, for kernel work: the core call alone
// (attentionOutput on inputs already in WASM memory: no JS checks or copies),
// every build in one Node process, interleaved call by call, so the machine's
// noise falls on all builds alike. The builds must share the generated JS glue
// (the same bindings and link flags), as builds of changed kernels do.
//   node bench/core-ab.mjs N HEADS [--causal] a.wasm [b.wasm ...]
// Prints the median ms, GFLOP/s (4·N²·64·HEADS) and the ratio to the first build.
// Save a build with `cp wasm/generated/attention_core.wasm /tmp/a.wasm` before
// changing the kernel and rebuilding (npm run build:wasm).
import { readFile } from 'node:fs/promises';
import { importGlue } from '../wasm/packaged.js';
import { makeInputs, median } from './workload.mjs';

const args = process.argv.slice(2);
const causal = args.includes('--causal');
const [n, heads, ...files] = args.filter((a) => a !== '--causal');
const N = Number(n), H = Number(heads), dim = 64;
if (!(N > 0 && H > 0 && files.length > 0)) {
  console.error('usage: node bench/core-ab.mjs N HEADS [--causal] a.wasm [b.wasm ...]');
  process.exit(2);
}

const createAttentionCore = await importGlue();
const { query, key, value } = makeInputs({ n: N, heads: H, dim });
const builds = [];
for (const file of files) {
  const core = await createAttentionCore({ wasmBinary: await readFile(file) });
  const copyIn = (a) => {
    const pointer = core._malloc(a.byteLength);
    core.HEAPU8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), pointer);
    return pointer;
  };
  const call = {
    query: copyIn(query), key: copyIn(key), value: copyIn(value), mask: 0, keyPadding: 0, W: 0, Wq: 0, Wk: 0, v: 0,
    out: core._malloc(query.byteLength), weights: 0, heads: H, queries: N, keys: N, dim, valueDim: dim,
    variant: 'scaled_dot', causal, window: -1, temperature: 1, hasScale: false, scale: 0, k: 0, da: 0,
  };
  for (let i = 0; i < 10; i++) core.attentionOutput(call); // V8 tiers the kernel up
  builds.push({ file, core, call, times: [] });
}
const rounds = N >= 4096 ? 15 : N >= 1024 ? 40 : 200;
for (let round = 0; round < rounds; round++) {
  for (const b of builds) {
    const start = performance.now();
    b.core.attentionOutput(b.call);
    b.times.push(performance.now() - start);
  }
}
const first = median(builds[0].times);
for (const b of builds) {
  const ms = median(b.times);
  console.log(`${b.file}: ${ms.toFixed(3)} ms median of ${rounds}, ${((4 * N * N * dim * H) / ms / 1e6).toFixed(1)} GFLOP/s, ${(first / ms).toFixed(3)}× the first`);
}
