// The A/B timing of builds of the WASM core, shared by bench/core-ab.mjs (Node)
// and bench/core-ab-chromium.mjs (the page bench/chromium/core-ab.html): no
// Node or DOM imports here. A build is timed on the core call alone
// (attentionOutput on inputs already in WASM memory: no JS checks or copies);
// the label `engine` times the packaged engine's engine.attention instead, the
// whole call a user makes (checks, copies in and the output copied out).
import { importGlue } from '../wasm/packaged.js';
import { ATTENTION_RECORD, recordBytes, variantCode, writeRecord } from '../wasm/call-records.js';
import { loadAttention } from '../wasm/index.js';
import { makeInputs, median } from './workload.mjs';

export const DIM = 64;
export const ENGINE = 'engine';

/**
 * The command line of core-ab.mjs and core-ab-chromium.mjs,
 * `N HEADS [--causal] a.wasm [b.wasm ...]`: { n, heads, causal, files }, or
 * { usage } naming the script when it does not read.
 */
export function readArgs(args, script) {
  const causal = args.includes('--causal');
  const [n, heads, ...files] = args.filter((a) => a !== '--causal');
  if (Number(n) > 0 && Number(heads) > 0 && files.length > 0) return { n: Number(n), heads: Number(heads), causal, files };
  return { usage: `usage: node bench/${script} N HEADS [--causal] a.wasm [b.wasm ...]   (a file may be \`${ENGINE}\`)` };
}

/** Timed rounds: fewer for big shapes, whose noise is relatively smaller. */
export const roundsFor = (n) => (n >= 4096 ? 15 : n >= 1024 ? 40 : 200);

/**
 * builds: [{ label, wasmBinary }] (wasmBinary absent for ENGINE). Runs them
 * interleaved call by call, so the machine's noise falls on all alike, and
 * returns one line per build: median ms, GFLOP/s (4·N²·64·H) and the ratio to
 * the first. The builds must share the generated JS glue (the same bindings
 * and link flags), as builds of changed kernels do.
 */
export async function compareBuilds({ n, heads, causal = false, builds, rounds = roundsFor(n) }) {
  const createAttentionCore = await importGlue();
  const inputs = makeInputs({ n, heads, dim: DIM });
  const timed = [];
  for (const { label, wasmBinary } of builds) {
    const run = label === ENGINE
      ? engineRun(await loadAttention(), inputs, { n, heads, causal })
      : coreRun(await createAttentionCore({ wasmBinary }), inputs, { n, heads, causal });
    for (let i = 0; i < 10; i++) run(); // V8 tiers the kernel up
    timed.push({ label, run, times: [] });
  }
  for (let round = 0; round < rounds; round++) {
    for (const b of timed) {
      const start = performance.now();
      b.run();
      b.times.push(performance.now() - start);
    }
  }
  const first = median(timed[0].times);
  return timed.map((b) => {
    const ms = median(b.times);
    const gflops = (4 * n * n * DIM * heads) / ms / 1e6;
    return `${b.label}: ${ms.toFixed(3)} ms median of ${rounds}, ${gflops.toFixed(1)} GFLOP/s, ${(first / ms).toFixed(3)}× the first`;
  });
}

// The core call on inputs copied into the instance's memory once.
function coreRun(core, { query, key, value }, { n, heads, causal }) {
  const copyIn = (a) => {
    const pointer = core._malloc(a.byteLength);
    core.HEAPU8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), pointer);
    return pointer;
  };
  const call = core._malloc(recordBytes(ATTENTION_RECORD));
  writeRecord(core, call, ATTENTION_RECORD, {
    query: copyIn(query), key: copyIn(key), value: copyIn(value), out: core._malloc(query.byteLength),
    heads, queries: n, keys: n, dim: DIM, value_dim: DIM, variant: variantCode('scaled_dot'), causal, temperature: 1,
  });
  return () => core.attentionOutput(call);
}

// The JS API's call, as npm run bench makes it.
function engineRun(engine, { query, key, value }, { n, heads, causal }) {
  const request = { query, key, value, heads, queries: n, keys: n, dim: DIM, causal, needWeights: false };
  return () => engine.attention(request);
}
