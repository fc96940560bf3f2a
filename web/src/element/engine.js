// One attention engine per page, shared by every <attention-playground>
// element: the WASM core is fetched and instantiated once, lazily, when the
// first element needs it. Engine calls are synchronous, so elements taking
// turns on one engine cannot interleave.
import { loadAttention } from '../../../wasm/index.js';

let options = {};
let engine = null;

/**
 * Sets the options of the shared engine's loadAttention call (the
 * single-file page passes the inlined { wasmBinary }); only before the
 * engine is first requested.
 */
export function configureSharedEngine(next) {
  if (engine) throw new Error('configureSharedEngine: the shared engine is already loading');
  options = { ...next };
}

/** The page's engine, loaded on first call; a failed load is retried on the next call. */
export function sharedEngine() {
  if (!engine) {
    engine = loadAttention(options);
    engine.catch(() => {
      engine = null;
    });
  }
  return engine;
}
