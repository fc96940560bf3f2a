// A small writer of ONNX models (onnx.proto's ModelProto, GraphProto,
// NodeProto, TensorProto, ValueInfoProto, AttributeProto) for the benchmarks:
// there is no ONNX graph builder in JS, and the GPT-2 comparison needs a
// graph holding hundreds of megabytes of weights, so a message here is a list
// of byte chunks that are only copied once, into the final file.
//
// Only the protobuf wire format is needed: varints (wire type 0), 32-bit
// floats (wire type 5) and length-delimited fields (wire type 2) holding
// strings, bytes, packed numbers and nested messages. Field numbers are those
// of onnx.proto.
//
//   const g = new Graph('name');
//   g.input('x', 'float32', ['T', 4]);
//   g.initializer('w', 'float32', [4, 2], new Float32Array(8));
//   g.node('MatMul', ['x', 'w'], ['y']);
//   g.output('y', 'float32', ['T', 2]);
//   const bytes = modelBytes(g, { opset: 17 });
import { varint } from './onnx-model.mjs';

const VARINT = 0;
const BYTES = 2;
const FIXED32 = 5;

// TensorProto.DataType
export const DATA_TYPES = { float32: 1, int32: 6, int64: 7, bool: 9 };
// AttributeProto.AttributeType
const ATTRIBUTE = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 };

const encoder = new TextEncoder();

/** A protobuf message under construction: chunks of bytes and their total length. */
class Message {
  constructor() {
    this.chunks = [];
    this.length = 0;
  }

  #push(chunk) {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return this;
  }

  #varint(value) {
    return Uint8Array.from(varint(value));
  }

  #key(field, wireType) {
    return this.#push(this.#varint((field << 3) | wireType));
  }

  int(field, value) {
    return this.#key(field, VARINT).#push(this.#varint(value));
  }

  float(field, value) {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    return this.#key(field, FIXED32).#push(bytes);
  }

  /** A length-delimited field of raw bytes (kept by reference until the file is written). */
  bytes(field, bytes) {
    this.#key(field, BYTES).#push(this.#varint(bytes.length));
    return bytes.length ? this.#push(bytes) : this;
  }

  string(field, text) {
    return this.bytes(field, encoder.encode(text));
  }

  /** A nested message, by reference. */
  message(field, inner) {
    this.#key(field, BYTES).#push(this.#varint(inner.length));
    for (const chunk of inner.chunks) this.#push(chunk);
    return this;
  }

  /** The message as one array. */
  toBytes() {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}

const bytesOfTyped = (array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

// A typed array of the dtype's element type holding `values` (a typed array or a plain array).
function typedValues(dtype, values) {
  if (dtype === 'float32') return values instanceof Float32Array ? values : Float32Array.from(values);
  if (dtype === 'int64') return values instanceof BigInt64Array ? values : BigInt64Array.from(values, (v) => BigInt(v));
  if (dtype === 'int32') return values instanceof Int32Array ? values : Int32Array.from(values);
  if (dtype === 'bool') return Uint8Array.from(values, (v) => (v ? 1 : 0));
  throw new TypeError(`dtype: "${dtype}" is not one the writer knows; expected ${Object.keys(DATA_TYPES).join(', ')}`);
}

/** TensorProto { dims = 1, data_type = 2, name = 8, raw_data = 9 }; raw data is little-endian, as on every platform JS runs on. */
export function tensorProto(name, dtype, dims, values) {
  const data = typedValues(dtype, values);
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new RangeError(`tensor "${name}": ${data.length} values for shape [${dims.join(', ')}] of ${count}`);
  const m = new Message();
  for (const d of dims) m.int(1, d);
  m.int(2, DATA_TYPES[dtype]);
  m.string(8, name);
  m.bytes(9, bytesOfTyped(data));
  return m;
}

// ValueInfoProto { name = 1, type = 2: TypeProto { tensor_type = 1: { elem_type = 1, shape = 2 } } }.
// A dimension is a number (dim_value = 1) or a symbolic name (dim_param = 2).
function valueInfo(name, dtype, dims) {
  const shape = new Message();
  for (const d of dims) {
    const dim = new Message();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new Message().int(1, DATA_TYPES[dtype]).message(2, shape);
  return new Message().string(1, name).message(2, new Message().message(1, tensorType));
}

// AttributeProto { name = 1, f = 2, i = 3, s = 4, floats = 7, ints = 8, type = 20 }
function attribute(name, value) {
  const m = new Message().string(1, name);
  if (typeof value === 'string') return m.string(4, value).int(20, ATTRIBUTE.STRING);
  if (Array.isArray(value)) {
    if (value.every(Number.isInteger)) {
      for (const v of value) m.int(8, v);
      return m.int(20, ATTRIBUTE.INTS);
    }
    for (const v of value) m.float(7, v);
    return m.int(20, ATTRIBUTE.FLOATS);
  }
  if (typeof value === 'object' && value !== null && 'float' in value) return m.float(2, value.float).int(20, ATTRIBUTE.FLOAT);
  if (Number.isInteger(value)) return m.int(3, value).int(20, ATTRIBUTE.INT);
  return m.float(2, value).int(20, ATTRIBUTE.FLOAT);
}

/**
 * A graph being built. Attributes are given as { name: value }: an integer is
 * an INT, any other number (or { float: x }) a FLOAT, a string a STRING, an
 * array of integers INTS, an array of other numbers FLOATS.
 */
export class Graph {
  #nodes = [];
  #initializers = [];
  #inputs = [];
  #outputs = [];
  #names = new Set();
  #count = 0;

  constructor(name) {
    this.name = name;
  }

  input(name, dtype, dims) {
    this.#inputs.push(valueInfo(name, dtype, dims));
    return name;
  }

  output(name, dtype, dims) {
    this.#outputs.push(valueInfo(name, dtype, dims));
    return name;
  }

  /** A weight or constant of the graph; returns its name. */
  initializer(name, dtype, dims, values) {
    if (this.#names.has(name)) throw new Error(`initializer "${name}" is already in the graph`);
    this.#names.add(name);
    this.#initializers.push(tensorProto(name, dtype, dims, values));
    return name;
  }

  /** A constant with a fresh name. */
  constant(dtype, dims, values, hint = 'const') {
    return this.initializer(`${hint}_${this.#count++}`, dtype, dims, values);
  }

  /** NodeProto { input = 1, output = 2, name = 3, op_type = 4, attribute = 5 }; outputs default to one fresh name. Returns the first output's name. */
  node(opType, inputs, outputs = [`${opType}_${this.#count++}`], attributes = {}) {
    const m = new Message();
    for (const name of inputs) m.string(1, name);
    for (const name of outputs) m.string(2, name);
    m.string(3, `${opType}_node_${this.#count++}`);
    m.string(4, opType);
    for (const [name, value] of Object.entries(attributes)) m.message(5, attribute(name, value));
    this.#nodes.push(m);
    return outputs[0];
  }

  // GraphProto { node = 1, name = 2, initializer = 5, input = 11, output = 12 }
  message() {
    const m = new Message();
    for (const n of this.#nodes) m.message(1, n);
    m.string(2, this.name);
    for (const t of this.#initializers) m.message(5, t);
    for (const i of this.#inputs) m.message(11, i);
    for (const o of this.#outputs) m.message(12, o);
    return m;
  }
}

/** ModelProto { ir_version = 1, producer_name = 2, graph = 7, opset_import = 8: { domain = 1, version = 2 } } as bytes. */
export function modelBytes(graph, { opset = 17, irVersion = 8, producer = 'attention-playground-bench' } = {}) {
  const m = new Message()
    .int(1, irVersion)
    .string(2, producer)
    .message(7, graph.message())
    .message(8, new Message().string(1, '').int(2, opset));
  return m.toBytes();
}
