// What the GPT-2 and BERT loaders share: reading config.json's fields with
// bounds, and a plan of which safetensors tensors become which float32 views
// (copied as stored, transposed from [out, in], or packed side by side),
// checked against the header before anything is allocated, then loaded into
// one buffer the model owns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loaders/json.h"
#include "loaders/safetensors.h"

namespace attention::hf {

// config.json's fields, each refused with its name when missing (unless it
// has a default), of the wrong kind, or outside its bounds.
class ConfigReader {
 public:
  ConfigReader(const json::Value& root, std::string file) : root_(root), file_(std::move(file)) {}
  int size(const char* field, long long max) const;
  int size_or(const char* field, long long max, int fallback) const;  // also when null
  double number_or(const char* field, double low, double high, double fallback) const;
  std::string string_or(const char* field, const std::string& fallback) const;
  bool bool_or(const char* field, bool fallback) const;
  [[noreturn]] void fail(const std::string& field, const std::string& what) const;

 private:
  const json::Value& root_;
  std::string file_;
};

class WeightPlan {
 public:
  // prefixes: what may come before every name ("" and "transformer.", say);
  // the one under which `probe` exists is used for every tensor.
  WeightPlan(const SafetensorsHeader& header, const std::vector<std::string>& prefixes, const std::string& probe);
  const std::string& prefix() const { return prefix_; }
  bool has(const std::string& name) const;

  // Each returns a slot whose pointer at() gives after load(). Shapes are
  // checked now, against the header; `role` says what the tensor is for.
  // copy: the tensor as stored, of shape `shape`.
  int copy(const std::string& name, const std::vector<std::int64_t>& shape, const std::string& role);
  // transposed: a Linear's [out, in] weight, stored for y = x W as [in, out].
  int transposed(const std::string& name, std::int64_t out, std::int64_t in, const std::string& role);
  // packed_transposed: [in, sum of outs], the named [out_i, in] weights
  // transposed and side by side (q, k, v into one [C, 3C]).
  int packed_transposed(const std::vector<std::string>& names, std::int64_t out, std::int64_t in, const std::string& role);
  // packed: vectors [n] each, end to end ([3C] from three biases).
  int packed(const std::vector<std::string>& names, std::int64_t n, const std::string& role);

  // Refuses, naming the sizes, when the float32 weights and the file together
  // pass max_bytes; then allocates and decodes.
  void load(const std::uint8_t* data, std::size_t size, std::size_t max_bytes);
  const float* at(int slot) const;
  std::shared_ptr<const std::vector<float>> storage() const { return floats_; }

 private:
  struct Piece {
    const SafetensorsTensor* tensor;
    bool transpose;
    std::size_t rows, cols;  // the tensor as stored, [rows, cols] (a vector is [1, n])
    std::size_t column;      // where its columns start in the slot's matrix
  };
  struct Slot {
    std::size_t rows = 0, cols = 0;  // the slot's matrix
    std::size_t offset = 0;          // into floats_
    std::vector<Piece> pieces;
  };
  const SafetensorsTensor& need(const std::string& name, const std::vector<std::int64_t>& shape, const std::string& role) const;
  const SafetensorsHeader& header_;
  std::string prefix_;
  std::vector<std::string> prefixes_;
  std::vector<Slot> slots_;
  std::size_t total_ = 0;
  std::shared_ptr<std::vector<float>> floats_;
};

}  // namespace attention::hf
