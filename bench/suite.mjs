// The timing loop, the same in Node and in the browser. Per shape: untimed
// warm-up rounds of every implementation, at least three and at least a
// second's worth (V8 compiles WebAssembly with a baseline compiler first and
// swaps in optimised code after a function has run a while; a worker's
// instance does this on its own; and a process's first calls map fresh
// memory), then `reps` rounds in which
// every implementation runs once, the order rotating each round so none
// always runs first (after a GC pause) or last. Machines here are shared and
// noisy; interleaving spreads the noise over all implementations alike, and
// the median ignores the odd slow run. Every run's output is checked.
import {
  checkedRows,
  gflopsOf,
  makeInputs,
  maxAbsError,
  median,
  referenceRows,
  shapeLabel,
  TOLERANCE,
} from './workload.mjs';

const WARM_UPS = 3;
// In runs of npm run bench, the first Chromium shape (N = 256, where each run
// takes a few ms, so three warm-ups are over in well under 0.1 s) was slow for
// every implementation in three runs out of five: onnxruntime-web took
// 5.9-6.1 ms instead of 4.7, and this engine 4.3-4.6 instead of 3.2 (the runs
// are in the commit that added this).
const WARM_MS = 1000;

const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/** A wrong result, as opposed to a refusal (an implementation throwing). */
class WrongResult extends Error {}

// The entry's outcome after error: `failed` for a wrong result, else `refused`.
function recordError(entry, error) {
  entry[error instanceof WrongResult ? 'failed' : 'refused'] = messageOf(error);
}

async function timed(run) {
  const start = performance.now();
  let output = run();
  if (typeof output?.then === 'function') output = await output;
  return { ms: performance.now() - start, output };
}

/**
 * Runs every implementation on every shape. Returns one entry per
 * (implementation, shape): { env, impl, threads, n, heads, dim, medianMs,
 * gflops, maxAbsError, reps } when it ran, or the same keys with
 * `refused: message` (it threw), `failed: message` (its output was wrong) or
 * `skipped: reason` instead of the figures.
 */
export async function runSuite({ env, impls, shapes, log = () => {} }) {
  const results = [];
  for (const shape of shapes) {
    const { n, heads, dim } = shape;
    const inputs = makeInputs(shape);
    const rows = checkedRows(shape);
    const reference = referenceRows(inputs, shape, rows);
    const shapeResults = [];
    const entries = []; // the ones that passed their warm-up, with what they need for timing

    for (const impl of impls) {
      const entry = { env, impl: impl.impl, threads: impl.threads, n, heads, dim };
      shapeResults.push(entry);
      const reason = impl.skip(shape);
      if (reason) {
        entry.skipped = reason;
        continue;
      }
      try {
        const run = await impl.prepare(shape, inputs);
        const check = (output) => {
          if (output?.length !== heads * n * dim) {
            throw new WrongResult(`output has ${output?.length} floats, expected ${heads * n * dim}`);
          }
          const error = maxAbsError(output, shape, rows, reference);
          entry.maxAbsError = Math.max(entry.maxAbsError ?? 0, error);
          if (!(error <= TOLERANCE)) throw new WrongResult(`max abs error ${error} is over ${TOLERANCE}`);
        };
        check((await timed(run)).output); // compiles, allocates, fills caches
        const reps = Math.min(shape.reps, impl.reps?.(shape) ?? shape.reps);
        entries.push({ entry, run, check, reps, times: [] });
      } catch (error) {
        recordError(entry, error);
      }
    }

    // the rest of the warm-up, interleaved as the timed rounds are
    const warmStart = performance.now();
    for (let round = 1; round < WARM_UPS || performance.now() - warmStart < WARM_MS; round++) {
      const live = entries.filter((e) => !e.entry.refused && !e.entry.failed);
      if (live.length === 0) break;
      for (const e of live) {
        try {
          e.check((await timed(e.run)).output);
        } catch (error) {
          recordError(e.entry, error);
        }
      }
    }

    const rounds = Math.max(0, ...entries.map((e) => e.reps));
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < entries.length; k++) {
        const e = entries[(round + k) % entries.length];
        if (e.times.length >= e.reps || e.entry.refused || e.entry.failed) continue;
        try {
          const { ms, output } = await timed(e.run);
          e.check(output);
          e.times.push(ms);
        } catch (error) {
          recordError(e.entry, error);
        }
      }
    }

    for (const entry of shapeResults) {
      const what = `${env} ${shapeLabel(shape)} ${entry.impl} ×${entry.threads}`;
      if (entry.refused || entry.failed) {
        log(`${what}: ${entry.refused ? 'refused' : 'FAILED'}: ${entry.refused ?? entry.failed}`);
        continue;
      }
      if (entry.skipped) continue;
      const { times } = entries.find((e) => e.entry === entry);
      entry.medianMs = median(times);
      entry.gflops = gflopsOf(shape, entry.medianMs);
      entry.reps = times.length;
      log(`${what}: ${entry.medianMs.toFixed(1)} ms median of ${times.length}`);
    }
    results.push(...shapeResults);
  }
  return results;
}
