// Which WebAssembly memories each library holds, for the benchmarks' memory
// figures. onnxruntime-web keeps its WASM instance to itself, so its memory
// cannot be asked for; instead WebAssembly.instantiate (and its streaming
// form) are wrapped, before any library starts, to note every memory an
// instance imports or exports, with the library whose file asked for it (read
// from the call's stack). A memory's buffer length is what the instance holds
// now; WASM memory grows and never shrinks, so it is also its peak.
//   import { memories } from './wasm-memories.mjs';   // first, before the libraries
//   memories() -> [{ owner, memory }]

const OWNERS = [
  ['ort-wasm', 'onnxruntime-web'],
  ['onnxruntime', 'onnxruntime-web'],
  ['tfjs-backend-wasm', 'tfjs-wasm'],
  ['attention_core', 'attention-playground'],
];
const seen = [];

function ownerOf(stack) {
  for (const [needle, owner] of OWNERS) if (stack.includes(needle)) return owner;
  return 'unknown';
}

function note(owner, imports, result) {
  const instance = result instanceof WebAssembly.Instance ? result : result.instance;
  const candidates = [...Object.values(instance.exports)];
  for (const module of Object.values(imports ?? {})) {
    if (module && typeof module === 'object') candidates.push(...Object.values(module));
  }
  for (const value of candidates) {
    if (value instanceof WebAssembly.Memory && !seen.some((m) => m.memory === value)) seen.push({ owner, memory: value });
  }
}

if (!WebAssembly.instantiate.wrappedForMemories) {
  const instantiate = WebAssembly.instantiate;
  const instantiateStreaming = WebAssembly.instantiateStreaming;
  const wrapped = async function (source, imports, ...rest) {
    const owner = ownerOf(new Error().stack ?? '');
    const result = await instantiate.call(WebAssembly, source, imports, ...rest);
    note(owner, imports, result);
    return result;
  };
  wrapped.wrappedForMemories = true;
  WebAssembly.instantiate = wrapped;
  if (instantiateStreaming) {
    WebAssembly.instantiateStreaming = async function (source, imports, ...rest) {
      const owner = ownerOf(new Error().stack ?? '');
      const result = await instantiateStreaming.call(WebAssembly, source, imports, ...rest);
      note(owner, imports, result);
      return result;
    };
  }
}

/** The memories seen so far, each with the library that made it. */
export function memories() {
  return seen.slice();
}
