// TensorFlow.js graph models (the converter's "model.json" plus binary
// shards), read by the file format, not by the model:
//
//   model.json   { "modelTopology": { "node": [ {name, op, input[], attr{}} ... ] },
//                  "weightsManifest": [ { "paths": [shard file names],
//                                         "weights": [ {name, shape[], dtype,
//                                                       quantization?} ... ] } ... ] }
//   shards       each group's tensors, little-endian, back to back in manifest
//                order, cut into the group's shard files in path order.
//
// Loading is two steps so that nothing large is allocated before the files
// are known to agree: parse_tfjs_model_json() reads the JSON and computes
// every tensor's byte range and each group's total; load_tfjs_weights()
// checks the shards' sizes against those totals first, and only then copies
// and decodes the tensors (float32, int32, and the converter's affine uint8 /
// uint16 and float16 quantizations, all to float32 or int32), refusing any
// float that is NaN or infinite. Every error is a std::invalid_argument that
// names the file, the tensor or node, and what was expected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace attention {

enum class TfjsDtype { Float32, Int32 };

struct TfjsTensorSpec {
  std::string name;
  std::vector<std::int64_t> shape;
  TfjsDtype dtype = TfjsDtype::Float32;  // after dequantization
  // How the bytes are stored: "float32", "int32", or a quantization dtype
  // "uint8", "uint16", "float16" (value = q * scale + min for the integers).
  std::string stored_dtype;
  double scale = 1.0, min = 0.0;
  std::size_t elements = 0;
  int group = 0;
  std::size_t byte_offset = 0;  // within its group's concatenated shards
  std::size_t byte_size = 0;
};

struct TfjsNode {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;
};

struct TfjsWeightGroup {
  std::vector<std::string> paths;
  std::size_t total_bytes = 0;
};

struct TfjsGraphManifest {
  std::string file_name;
  std::vector<TfjsNode> nodes;
  std::vector<TfjsWeightGroup> groups;
  std::vector<TfjsTensorSpec> tensors;

  const TfjsNode* find_node(const std::string& name) const;
  const TfjsTensorSpec* find_tensor(const std::string& name) const;
};

// The bytes of one shard file, as the caller read them.
struct TfjsShard {
  std::string path;
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
};

// Decoded tensors, each a view into one of two flat buffers.
class TfjsWeights {
 public:
  const TfjsTensorSpec& spec(const std::string& name) const;
  bool has(const std::string& name) const;
  // The float32 tensor named, refused unless its shape is exactly `shape`
  // (the error names the file, the tensor, both shapes and what it was for).
  const float* f32(const std::string& name, const std::vector<std::int64_t>& shape,
                   const std::string& role) const;
  // A float32 scalar (shape [] or [1]).
  float f32_scalar(const std::string& name, const std::string& role) const;
  // An int32 scalar (shape [] or [1]).
  std::int32_t i32_scalar(const std::string& name, const std::string& role) const;
  std::size_t float_count() const { return floats_.size(); }

 private:
  friend TfjsWeights load_tfjs_weights(const TfjsGraphManifest&, const std::vector<TfjsShard>&);
  const TfjsTensorSpec* spec_or_null(const std::string& name) const;
  std::string file_name_;
  std::vector<TfjsTensorSpec> specs_;
  std::vector<std::size_t> offsets_;  // [tensors] element offset into floats_ or ints_
  std::vector<float> floats_;
  std::vector<std::int32_t> ints_;
};

// Ops a TF.js graph may use for the loader to accept it: the ones the
// architectures the core runs are built from. A node with any other op is
// refused by name, since the mapping could not know what it does.
const std::vector<std::string>& tfjs_known_ops();

// Limit on the weights of one model, checked from the manifest before any
// shard is read: a hostile manifest cannot make the loader allocate more.
constexpr std::size_t kTfjsMaxWeightBytes = std::size_t{1} << 30;

TfjsGraphManifest parse_tfjs_model_json(const char* json, std::size_t size, const std::string& file_name);

// shards: the files named by the groups' paths, in any order; other files
// (vocab.json, model.json itself) are ignored.
TfjsWeights load_tfjs_weights(const TfjsGraphManifest& manifest, const std::vector<TfjsShard>& shards);

}  // namespace attention
