// Types of wasm/pool.js; the interfaces live in index.d.ts.
import type { AttentionPool, PoolOptions } from './index.js';

export type { AttentionPool, PoolOptions };

/** Compiles the core once, starts the workers with an instance of it each; resolves when all are ready. */
export function loadAttentionPool(options?: PoolOptions): Promise<AttentionPool>;

/** A rectangle of the (head, row) plane: heads [h0, h1), query rows [begin, end). */
export interface PoolPiece {
  h0: number;
  h1: number;
  begin: number;
  end: number;
}

/**
 * How the pool cuts a checked request into `parts` pieces of about equal work
 * (exported for tests and benchmarks). With a rows range, the pieces cover
 * just those rows, in the request's row indices.
 */
export function planParts(
  request: { heads: number; queries: number; keys: number; causal: boolean; window: number | null; rows?: { begin: number; end: number } | null },
  parts: number,
): PoolPiece[][];
