// A hand-encoded ONNX model of plain attention, for onnxruntime-web (there is
// no ONNX graph builder in JS). Shapes: H heads, N tokens, D width.
//
//   Q [H, N, D], K [H, N, D], V [H, N, D]
//   Kt     = Transpose(K, perm = [0, 2, 1])   [H, D, N]
//   S      = MatMul(Q, Kt)                    [H, N, N]
//   L      = Mul(S, scale = 1/√D)             [H, N, N]
//   P      = Softmax(L, axis = -1)            [H, N, N]
//   output = MatMul(P, V)                     [H, N, D]
//
// H and N are symbolic, so one session serves every shape of a given D.
// onnxruntime's graph optimiser may fuse Transpose·MatMul·Mul into one
// FusedMatMul; that is its business and part of what is being measured.
//
// Only the protobuf wire format is needed: varints (wire type 0), 32-bit
// floats (wire type 5) and length-delimited fields (wire type 2) holding
// strings, bytes and nested messages. Field numbers are those of onnx.proto.

const VARINT = 0;
const BYTES = 2;
const FIXED32 = 5;

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTRIBUTE_INTS = 7; // AttributeProto.AttributeType.INTS
const ATTRIBUTE_INT = 2; // AttributeProto.AttributeType.INT

/** value as a protobuf base-128 varint (an array of bytes); the ONNX writer uses it too. */
export function varint(value) {
  const bytes = [];
  let v = BigInt.asUintN(64, BigInt(value));
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0n);
  return bytes;
}

const key = (field, wireType) => varint((field << 3) | wireType);
const utf8 = (text) => [...new TextEncoder().encode(text)];

// A message is a flat array of bytes; these build its fields.
const intField = (field, value) => [...key(field, VARINT), ...varint(value)];
const bytesField = (field, bytes) => [...key(field, BYTES), ...varint(bytes.length), ...bytes];
const stringField = (field, text) => bytesField(field, utf8(text));
function floatField(field, value) {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setFloat32(0, value, true);
  return [...key(field, FIXED32), ...bytes];
}

// TensorShapeProto.Dimension: dim_value = 1, dim_param = 2.
const dimension = (d) => (typeof d === 'number' ? intField(1, d) : stringField(2, d));

// ValueInfoProto { name = 1, type = 2: TypeProto { tensor_type = 1: { elem_type = 1, shape = 2 } } }
function valueInfo(name, dims) {
  const shape = dims.flatMap((d) => bytesField(1, dimension(d)));
  const tensorType = [...intField(1, FLOAT), ...bytesField(2, shape)];
  return [...stringField(1, name), ...bytesField(2, bytesField(1, tensorType))];
}

// NodeProto { input = 1, output = 2, name = 3, op_type = 4, attribute = 5 }
function node(opType, inputs, outputs, attributes = []) {
  return [
    ...inputs.flatMap((name) => stringField(1, name)),
    ...outputs.flatMap((name) => stringField(2, name)),
    ...stringField(3, `${opType}_${outputs[0]}`),
    ...stringField(4, opType),
    ...attributes.flatMap((attribute) => bytesField(5, attribute)),
  ];
}

// AttributeProto { name = 1, i = 3, ints = 8, type = 20 }
const intsAttribute = (name, values) => [
  ...stringField(1, name),
  ...values.flatMap((v) => intField(8, v)),
  ...intField(20, ATTRIBUTE_INTS),
];
const intAttribute = (name, value) => [...stringField(1, name), ...intField(3, value), ...intField(20, ATTRIBUTE_INT)];

// TensorProto { dims = 1, data_type = 2, float_data = 4, name = 8 }: a scalar.
const scalarTensor = (name, value) => [...intField(2, FLOAT), ...floatField(4, value), ...stringField(8, name)];

/** The ModelProto bytes of the attention graph above for width dim. */
export function attentionModel(dim) {
  const qkv = ['H', 'N', dim];
  const graph = [
    ...bytesField(1, node('Transpose', ['K'], ['Kt'], [intsAttribute('perm', [0, 2, 1])])),
    ...bytesField(1, node('MatMul', ['Q', 'Kt'], ['S'])),
    ...bytesField(1, node('Mul', ['S', 'scale'], ['L'])),
    ...bytesField(1, node('Softmax', ['L'], ['P'], [intAttribute('axis', -1)])),
    ...bytesField(1, node('MatMul', ['P', 'V'], ['output'])),
    ...stringField(2, 'attention'),
    ...bytesField(5, scalarTensor('scale', 1 / Math.sqrt(dim))),
    ...bytesField(11, valueInfo('Q', qkv)),
    ...bytesField(11, valueInfo('K', qkv)),
    ...bytesField(11, valueInfo('V', qkv)),
    ...bytesField(12, valueInfo('output', qkv)),
  ];
  // ModelProto { ir_version = 1, producer_name = 2, graph = 7, opset_import = 8: { domain = 1, version = 2 } }
  const model = [
    ...intField(1, 8),
    ...stringField(2, 'attention-playground-bench'),
    ...bytesField(7, graph),
    ...bytesField(8, [...stringField(1, ''), ...intField(2, 17)]),
  ];
  return new Uint8Array(model);
}
