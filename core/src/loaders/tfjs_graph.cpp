#include "attention/loaders/tfjs_graph.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "loaders/json.h"

namespace attention {

namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << ']';
  return out.str();
}

[[noreturn]] void refuse(const std::string& message) { throw std::invalid_argument(message); }

std::size_t stored_bytes_per_element(const std::string& dtype) {
  if (dtype == "float32" || dtype == "int32") return 4;
  if (dtype == "uint16" || dtype == "float16") return 2;
  if (dtype == "uint8") return 1;
  return 0;
}

// IEEE half to float, every case (subnormals, infinities, NaN).
float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = (h >> 15) & 1u, exponent = (h >> 10) & 0x1Fu, mantissa = h & 0x3FFu;
  float value;
  if (exponent == 0) value = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31) value = mantissa ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else value = std::ldexp(static_cast<float>(mantissa | 0x400u), static_cast<int>(exponent) - 25);
  return sign ? -value : value;
}

const json::Value& member(const json::Value& object, const char* key, const std::string& where) {
  const json::Value* value = object.find(key);
  if (!value) refuse(where + " has no \"" + key + "\"");
  return *value;
}

}  // namespace

const std::vector<std::string>& tfjs_known_ops() {
  static const std::vector<std::string> ops = {
      "Add", "AddV2", "BatchMatMul", "BatchMatMulV2", "BiasAdd", "Cast", "ConcatV2", "Const", "Conv2D",
      "Cos", "Erf", "ExpandDims", "Gather", "GatherNd", "GatherV2", "Greater", "Identity", "Less",
      "LogicalNot", "MatMul", "Max", "Maximum", "Mean", "Mul", "Pack", "Placeholder", "Pow", "Prod",
      "Range", "RealDiv", "Relu", "Reshape", "Rsqrt", "ScatterNd", "Shape", "Sin", "Slice", "Softmax",
      "SparseToDense", "SplitV", "Sqrt", "Square", "Squeeze", "StridedSlice", "Sub", "Sum", "Tanh",
      "Transpose", "Where"};
  return ops;
}

const TfjsNode* TfjsGraphManifest::find_node(const std::string& name) const {
  for (const TfjsNode& node : nodes) {
    if (node.name == name) return &node;
  }
  return nullptr;
}

const TfjsTensorSpec* TfjsGraphManifest::find_tensor(const std::string& name) const {
  for (const TfjsTensorSpec& tensor : tensors) {
    if (tensor.name == name) return &tensor;
  }
  return nullptr;
}

TfjsGraphManifest parse_tfjs_model_json(const char* text, std::size_t size, const std::string& file) {
  const json::Value root = json::parse(text, size, file);
  if (!root.is_object()) refuse(file + ": expected an object, found " + json::kind_name(root.kind));
  TfjsGraphManifest manifest;
  manifest.file_name = file;

  const json::Value& topology = member(root, "modelTopology", file);
  const json::Value& nodes = member(topology, "node", file + ": modelTopology");
  if (!nodes.is_array()) refuse(file + ": modelTopology.node is not an array");
  const auto& known = tfjs_known_ops();
  for (std::size_t i = 0; i < nodes.array.size(); ++i) {
    const json::Value& node = nodes.array[i];
    const std::string where = file + ": node " + std::to_string(i);
    const json::Value* name = node.find("name");
    const json::Value* op = node.find("op");
    if (!name || !name->is_string() || !op || !op->is_string()) refuse(where + " lacks a string name and op");
    if (std::find(known.begin(), known.end(), op->string) == known.end()) {
      refuse(file + ": node '" + name->string + "' uses op '" + op->string +
             "', which the loader does not know (it knows " + std::to_string(known.size()) + " ops)");
    }
    TfjsNode parsed{name->string, op->string, {}};
    if (const json::Value* inputs = node.find("input")) {
      if (!inputs->is_array()) refuse(file + ": node '" + name->string + "' has inputs that are not an array");
      for (const json::Value& input : inputs->array) {
        if (!input.is_string()) refuse(file + ": node '" + name->string + "' has an input that is not a string");
        parsed.inputs.push_back(input.string);
      }
    }
    manifest.nodes.push_back(std::move(parsed));
  }

  const json::Value& groups = member(root, "weightsManifest", file);
  if (!groups.is_array()) refuse(file + ": weightsManifest is not an array");
  std::size_t all_bytes = 0;
  for (std::size_t g = 0; g < groups.array.size(); ++g) {
    const json::Value& group = groups.array[g];
    const std::string where = file + ": weightsManifest[" + std::to_string(g) + "]";
    TfjsWeightGroup parsed;
    const json::Value& paths = member(group, "paths", where);
    if (!paths.is_array() || paths.array.empty()) refuse(where + ".paths is not a list of shard files");
    for (const json::Value& path : paths.array) {
      if (!path.is_string() || path.string.empty()) refuse(where + ".paths holds a name that is not a string");
      parsed.paths.push_back(path.string);
    }
    const json::Value& weights = member(group, "weights", where);
    if (!weights.is_array()) refuse(where + ".weights is not an array");
    for (const json::Value& weight : weights.array) {
      TfjsTensorSpec spec;
      const json::Value* name = weight.find("name");
      if (!name || !name->is_string()) refuse(where + " has a weight without a name");
      spec.name = name->string;
      const std::string tensor = file + ": tensor '" + spec.name + "'";
      if (manifest.find_tensor(spec.name)) refuse(tensor + " appears twice in the manifest");
      const json::Value& shape = member(weight, "shape", tensor);
      if (!shape.is_array()) refuse(tensor + " has a shape that is not an array");
      std::size_t elements = 1;
      for (const json::Value& dim : shape.array) {
        if (!dim.is_number() || dim.number < 0 || dim.number != std::floor(dim.number) || dim.number > 1e12) {
          refuse(tensor + " has a dimension that is not a whole number >= 0");
        }
        const auto d = static_cast<std::size_t>(dim.number);
        if (d != 0 && elements > kTfjsMaxWeightBytes / d) refuse(tensor + " is larger than the loader's limit of " + std::to_string(kTfjsMaxWeightBytes) + " bytes");
        elements *= d;
        spec.shape.push_back(static_cast<std::int64_t>(d));
      }
      const json::Value& dtype = member(weight, "dtype", tensor);
      if (!dtype.is_string()) refuse(tensor + " has a dtype that is not a string");
      if (dtype.string == "float32") spec.dtype = TfjsDtype::Float32;
      else if (dtype.string == "int32") spec.dtype = TfjsDtype::Int32;
      else refuse(tensor + " has dtype '" + dtype.string + "'; the loader reads float32 and int32");
      spec.stored_dtype = dtype.string;
      if (const json::Value* q = weight.find("quantization")) {
        const json::Value* qdtype = q->find("dtype");
        if (!qdtype || !qdtype->is_string()) refuse(tensor + " has a quantization without a dtype");
        spec.stored_dtype = qdtype->string;
        if (spec.stored_dtype != "uint8" && spec.stored_dtype != "uint16" && spec.stored_dtype != "float16") {
          refuse(tensor + " is quantized as '" + spec.stored_dtype + "'; the loader reads uint8, uint16 and float16");
        }
        if (spec.stored_dtype != "float16") {
          const json::Value* scale = q->find("scale");
          const json::Value* min = q->find("min");
          if (!scale || !scale->is_number() || !min || !min->is_number()) {
            refuse(tensor + " is quantized as " + spec.stored_dtype + " without numeric scale and min");
          }
          spec.scale = scale->number;
          spec.min = min->number;
        }
      }
      const std::size_t per = stored_bytes_per_element(spec.stored_dtype);
      spec.elements = elements;
      spec.byte_size = elements * per;
      spec.group = static_cast<int>(g);
      spec.byte_offset = parsed.total_bytes;
      if (spec.byte_size > kTfjsMaxWeightBytes - all_bytes) {
        refuse(file + ": the manifest's tensors up to '" + spec.name + "' need more than the loader's limit of " +
               std::to_string(kTfjsMaxWeightBytes) + " bytes");
      }
      parsed.total_bytes += spec.byte_size;
      all_bytes += spec.byte_size;
      manifest.tensors.push_back(std::move(spec));
    }
    manifest.groups.push_back(std::move(parsed));
  }
  return manifest;
}

TfjsWeights load_tfjs_weights(const TfjsGraphManifest& manifest, const std::vector<TfjsShard>& shards) {
  // pass 1: find every shard and check each group's sizes, allocating nothing.
  std::vector<std::vector<const TfjsShard*>> group_shards(manifest.groups.size());
  std::size_t float_elements = 0, int_elements = 0;
  for (std::size_t g = 0; g < manifest.groups.size(); ++g) {
    const TfjsWeightGroup& group = manifest.groups[g];
    std::size_t have = 0;
    for (const std::string& path : group.paths) {
      const TfjsShard* found = nullptr;
      for (const TfjsShard& shard : shards) {
        if (shard.path == path) found = &shard;
      }
      if (!found) refuse(path + ": shard missing (" + manifest.file_name + " lists it in weightsManifest[" + std::to_string(g) + "])");
      if (found->size > 0 && !found->data) refuse(path + ": shard has a size but no bytes");
      group_shards[g].push_back(found);
      have += found->size;
    }
    if (have != group.total_bytes) {
      // Name the first tensor the shards cannot hold (or say what is extra).
      std::string detail;
      for (const TfjsTensorSpec& spec : manifest.tensors) {
        if (static_cast<std::size_t>(spec.group) == g && spec.byte_offset + spec.byte_size > have) {
          detail = "; tensor '" + spec.name + "' " + shape_text(spec.shape) + " " + spec.stored_dtype + " needs bytes " +
                   std::to_string(spec.byte_offset) + " to " + std::to_string(spec.byte_offset + spec.byte_size) +
                   " of them, the shards end at " + std::to_string(have);
          break;
        }
      }
      if (detail.empty()) detail = "; " + std::to_string(have - group.total_bytes) + " bytes after the last tensor are not in the manifest";
      std::string sizes;
      for (std::size_t s = 0; s < group.paths.size(); ++s) {
        sizes += (s ? ", " : "") + group.paths[s] + " " + std::to_string(group_shards[g][s]->size);
      }
      refuse(group.paths.back() + ": the shards of " + manifest.file_name + "'s weightsManifest[" + std::to_string(g) +
             "] hold " + std::to_string(have) + " bytes (" + sizes + "), the manifest's tensors need " +
             std::to_string(group.total_bytes) + detail);
    }
  }
  for (const TfjsTensorSpec& spec : manifest.tensors) {
    (spec.dtype == TfjsDtype::Float32 ? float_elements : int_elements) += spec.elements;
  }

  // pass 2: the sizes agree; allocate once and decode every tensor.
  TfjsWeights weights;
  weights.file_name_ = manifest.file_name;
  weights.specs_ = manifest.tensors;
  weights.floats_.resize(float_elements);
  weights.ints_.resize(int_elements);
  weights.offsets_.resize(manifest.tensors.size());
  std::size_t next_float = 0, next_int = 0;
  std::vector<std::uint8_t> scratch;
  for (std::size_t t = 0; t < manifest.tensors.size(); ++t) {
    const TfjsTensorSpec& spec = manifest.tensors[t];
    const auto& pieces = group_shards[static_cast<std::size_t>(spec.group)];
    // Gather the tensor's bytes, which may straddle shard boundaries.
    scratch.resize(spec.byte_size);
    std::size_t shard_start = 0, copied = 0;
    for (std::size_t s = 0; s < pieces.size() && copied < spec.byte_size; ++s) {
      const std::size_t shard_end = shard_start + pieces[s]->size;
      const std::size_t want_from = spec.byte_offset + copied;
      if (want_from < shard_end) {
        const std::size_t n = std::min(shard_end - want_from, spec.byte_size - copied);
        std::memcpy(scratch.data() + copied, pieces[s]->data + (want_from - shard_start), n);
        copied += n;
      }
      shard_start = shard_end;
    }
    const std::uint8_t* bytes = scratch.data();
    if (spec.dtype == TfjsDtype::Int32) {
      weights.offsets_[t] = next_int;
      std::int32_t* out = weights.ints_.data() + next_int;
      if (spec.stored_dtype == "int32") {
        std::memcpy(out, bytes, spec.byte_size);
      } else {
        for (std::size_t i = 0; i < spec.elements; ++i) {
          const double q = spec.stored_dtype == "uint8" ? bytes[i] : static_cast<double>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
          out[i] = static_cast<std::int32_t>(std::lround(q * spec.scale + spec.min));
        }
      }
      next_int += spec.elements;
      continue;
    }
    weights.offsets_[t] = next_float;
    float* out = weights.floats_.data() + next_float;
    if (spec.stored_dtype == "float32") {
      std::memcpy(out, bytes, spec.byte_size);
    } else if (spec.stored_dtype == "float16") {
      for (std::size_t i = 0; i < spec.elements; ++i) out[i] = half_to_float(static_cast<std::uint16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8)));
    } else {
      for (std::size_t i = 0; i < spec.elements; ++i) {
        const double q = spec.stored_dtype == "uint8" ? bytes[i] : static_cast<double>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
        out[i] = static_cast<float>(q * spec.scale + spec.min);
      }
    }
    for (std::size_t i = 0; i < spec.elements; ++i) {
      if (!std::isfinite(out[i])) {
        // Which shard holds element i, for the message.
        const std::size_t at = spec.byte_offset + i * stored_bytes_per_element(spec.stored_dtype);
        std::size_t start = 0, s = 0;
        while (s + 1 < pieces.size() && at >= start + pieces[s]->size) start += pieces[s++]->size;
        refuse(pieces[s]->path + ": tensor '" + spec.name + "' " + shape_text(spec.shape) + " holds " +
               (std::isnan(out[i]) ? "NaN" : "an infinity") + " at element " + std::to_string(i) +
               " (byte " + std::to_string(at - start) + " of the shard); weights must be finite");
      }
    }
    next_float += spec.elements;
  }
  return weights;
}

const TfjsTensorSpec* TfjsWeights::spec_or_null(const std::string& name) const {
  for (const TfjsTensorSpec& spec : specs_) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

bool TfjsWeights::has(const std::string& name) const { return spec_or_null(name) != nullptr; }

const TfjsTensorSpec& TfjsWeights::spec(const std::string& name) const {
  const TfjsTensorSpec* found = spec_or_null(name);
  if (!found) refuse(file_name_ + ": no tensor '" + name + "' in the weights manifest");
  return *found;
}

const float* TfjsWeights::f32(const std::string& name, const std::vector<std::int64_t>& shape,
                              const std::string& role) const {
  const TfjsTensorSpec* found = spec_or_null(name);
  if (!found) refuse(file_name_ + ": no tensor '" + name + "' (the " + role + ") in the weights manifest");
  if (found->dtype != TfjsDtype::Float32) refuse(file_name_ + ": tensor '" + name + "' (the " + role + ") is int32, expected float32");
  if (found->shape != shape) {
    refuse(file_name_ + ": tensor '" + name + "' (the " + role + ") has shape " + shape_text(found->shape) +
           ", expected " + shape_text(shape));
  }
  const std::size_t index = static_cast<std::size_t>(found - specs_.data());
  return floats_.data() + offsets_[index];
}

float TfjsWeights::f32_scalar(const std::string& name, const std::string& role) const {
  const TfjsTensorSpec& found = spec(name);
  if (found.dtype != TfjsDtype::Float32 || found.elements != 1 || found.shape.size() > 1) {
    refuse(file_name_ + ": tensor '" + name + "' (the " + role + ") has shape " + shape_text(found.shape) + ", expected a float32 scalar");
  }
  return floats_[offsets_[static_cast<std::size_t>(&found - specs_.data())]];
}

std::int32_t TfjsWeights::i32_scalar(const std::string& name, const std::string& role) const {
  const TfjsTensorSpec& found = spec(name);
  if (found.dtype != TfjsDtype::Int32 || found.elements != 1 || found.shape.size() > 1) {
    refuse(file_name_ + ": tensor '" + name + "' (the " + role + ") has shape " + shape_text(found.shape) + ", expected an int32 scalar");
  }
  return ints_[offsets_[static_cast<std::size_t>(&found - specs_.data())]];
}

}  // namespace attention
