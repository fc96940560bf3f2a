// The records the binding reads its calls from (the structs of the same
// names in bindings.cpp, slot by slot): each slot is 32 bits, a WASM address
// or int32 unless marked f32. The JS layer writes a record into memory it
// allocated and passes its address, so a call carries no JS object across.
import { variants } from './validate.js';

const decoder = new TextDecoder();

const layout = (slots) => Object.freeze(slots.map((slot) => (Array.isArray(slot) ? slot : [slot, 'i32'])));

export const ATTENTION_RECORD = layout([
  'out', 'weights', 'query', 'key', 'value', 'mask', 'key_padding',
  'general_W', 'additive_Wq', 'additive_Wk', 'additive_v',
  'heads', 'queries', 'keys', 'dim', 'value_dim', 'variant', 'causal', 'has_window', 'window', 'has_scale',
  ['temperature', 'f32'], ['scale', 'f32'],
  'additive_da', 'top_k_k',
]);

export const TRACE_RECORD = layout([
  ...ATTENTION_RECORD,
  'head', 'row', 'scores', 'logits', 'allowed', 'kept', 'exps', 'scalars',
]);

export const MULTI_HEAD_RECORD = layout([
  'out', 'weights', 'average_weights', 'query', 'key', 'value',
  'in_proj_weight', 'in_proj_bias', 'out_proj_weight', 'out_proj_bias', 'key_padding',
  'heads', 'queries', 'keys', 'embed_dim', 'causal',
]);

/** The binding's code of a variant name (the order of attention::Variant). */
export const variantCode = (name) => variants.indexOf(name);

/**
 * Writes `values` (slot name to number or boolean; absent slots are 0) as a
 * record of `layout` at `address` of the core's memory.
 */
export function writeRecord(core, address, recordLayout, values) {
  const heap = core.HEAPU8.buffer;
  const ints = new Int32Array(heap, address, recordLayout.length);
  const floats = new Float32Array(heap, address, recordLayout.length);
  recordLayout.forEach(([name, type], slot) => {
    const value = Object.hasOwn(values, name) ? Number(values[name]) : 0;
    if (type === 'f32') floats[slot] = value;
    else ints[slot] = value;
  });
}

/** Bytes of a record of `layout`. */
export const recordBytes = (recordLayout) => recordLayout.length * 4;

/** Throws the core's message (a RangeError: the request's values were refused) when `status` is nonzero. */
export function check(core, status) {
  if (status === 0) return;
  const address = core.lastError();
  const bytes = core.HEAPU8;
  let end = address;
  while (bytes[end] !== 0) end++;
  throw new RangeError(decoder.decode(bytes.subarray(address, end)));
}
