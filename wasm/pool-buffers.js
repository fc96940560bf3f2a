// The buffers the pool (pool.js) keeps between calls, and the layout of a
// call's shared memory, which its workers (pool-worker.js) read too.
import { rowSpan } from './pool-plan.js';

// The ArrayBuffers a worker sent back after use, refilled for its next call:
// a fresh buffer costs a page fault per 4 KiB on first touch (megabytes per
// call at N = 1024, 8 heads), a refilled one only the copy. A call
// sends a worker five arrays per piece (query, key and value to read, output
// and weights to write); the ten largest are kept.
export class SpareBuffers {
  static kept = 10;
  #buffers = [];  // largest first

  keep(buffers) {
    this.#buffers.push(...buffers);
    this.#buffers.sort((a, b) => b.byteLength - a.byteLength).splice(SpareBuffers.kept);
  }

  /** `count` floats: the smallest spare buffer big enough, else a new one. */
  floats(count) {
    let k = this.#buffers.length - 1;
    while (k >= 0 && this.#buffers[k].byteLength < count * 4) k--;
    return new Float32Array(k >= 0 ? this.#buffers.splice(k, 1)[0] : new ArrayBuffer(count * 4), 0, count);
  }

  copyOf(floats) {
    const copy = this.floats(floats.length);
    copy.set(floats);
    return copy;
  }
}

// A call's shared memory (#runShared): its chunk counters, inputs, outputs.
//   ints [4 + chunks]: [CLAIMED] chunks claimed so far (the next one to take),
//        [READY] heads whose inputs are in place, [FAILED] 1 once a worker has
//        failed, [EXITED] workers that will not touch the buffer again,
//        [DONE + k] 1 once a worker has written chunk k
//   query, key, value, output, weights: the request's tensors (output and
//        weights of the rows it computes; weights null without needWeights)
export const CLAIMED = 0, READY = 1, FAILED = 2, EXITED = 3, DONE = 4;

// Shared buffers kept for the next call when done: a fresh buffer costs a
// page fault per 4 KiB on first touch, a reused one only the copy. One per
// call in flight; the two largest idle ones are kept.
export class SharedBuffers {
  static kept = 2;
  #idle = [];

  /** Shared arrays for request r cut into `chunks` chunks, counters zero, tensors not yet copied. */
  take(r, chunks) {
    const sizes = {
      query: r.query.length, key: r.key.length, value: r.value.length,
      output: r.heads * rowSpan(r).count * r.valueDim, weights: r.needWeights ? r.heads * rowSpan(r).count * r.keys : 0,
    };
    const intBytes = Math.ceil((4 * (DONE + chunks)) / 64) * 64;
    const bytes = intBytes + 4 * Object.values(sizes).reduce((sum, n) => sum + n, 0);
    const k = this.#idle.findIndex((buffer) => buffer.byteLength >= bytes);
    const buffer = k >= 0 ? this.#idle.splice(k, 1)[0] : new SharedArrayBuffer(bytes);
    const arrays = { ints: new Int32Array(buffer, 0, DONE + chunks).fill(0) };
    let offset = intBytes;
    for (const [name, count] of Object.entries(sizes)) {
      arrays[name] = count ? new Float32Array(buffer, offset, count) : null;
      offset += 4 * count;
    }
    return { buffer, arrays };
  }

  give({ buffer }) {
    this.#idle.push(buffer);
    this.#idle.sort((a, b) => b.byteLength - a.byteLength).splice(SharedBuffers.kept);
  }
}
