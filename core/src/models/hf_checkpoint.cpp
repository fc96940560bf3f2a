#include "models/hf_checkpoint.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace attention::hf {

void ConfigReader::fail(const std::string& field, const std::string& what) const {
  throw std::invalid_argument(file_ + ": " + field + ": " + what);
}

int ConfigReader::size(const char* field, long long max) const {
  const json::Value* v = root_.find(field);
  if (!v) fail(field, "missing; expected an integer from 1 to " + std::to_string(max));
  if (!v->is_number() || v->number != std::floor(v->number) || v->number < 1 || v->number > static_cast<double>(max)) {
    char got[64];
    if (v->is_number()) std::snprintf(got, sizeof got, "%.17g", v->number);
    else std::snprintf(got, sizeof got, "%s", json::kind_name(v->kind));
    fail(field, "expected an integer from 1 to " + std::to_string(max) + ", got " + got);
  }
  return static_cast<int>(v->number);
}

int ConfigReader::size_or(const char* field, long long max, int fallback) const {
  const json::Value* v = root_.find(field);
  if (!v || v->kind == json::Value::Kind::Null) return fallback;
  return size(field, max);
}

double ConfigReader::number_or(const char* field, double low, double high, double fallback) const {
  const json::Value* v = root_.find(field);
  if (!v || v->kind == json::Value::Kind::Null) return fallback;
  if (!v->is_number() || !(v->number >= low && v->number <= high)) {
    char range[96];
    std::snprintf(range, sizeof range, "expected a number from %g to %g", low, high);
    fail(field, range);
  }
  return v->number;
}

std::string ConfigReader::string_or(const char* field, const std::string& fallback) const {
  const json::Value* v = root_.find(field);
  if (!v || v->kind == json::Value::Kind::Null) return fallback;
  if (!v->is_string()) fail(field, std::string("expected a string, got ") + json::kind_name(v->kind));
  return v->string;
}

bool ConfigReader::bool_or(const char* field, bool fallback) const {
  const json::Value* v = root_.find(field);
  if (!v || v->kind == json::Value::Kind::Null) return fallback;
  if (v->kind != json::Value::Kind::Bool) fail(field, std::string("expected true or false, got ") + json::kind_name(v->kind));
  return v->boolean;
}

WeightPlan::WeightPlan(const SafetensorsHeader& header, const std::vector<std::string>& prefixes, const std::string& probe)
    : header_(header), prefixes_(prefixes) {
  for (const std::string& p : prefixes) {
    if (header.find(p + probe)) {
      prefix_ = p;
      return;
    }
  }
  prefix_ = prefixes.empty() ? std::string() : prefixes.front();
}

bool WeightPlan::has(const std::string& name) const { return header_.find(prefix_ + name) != nullptr; }

const SafetensorsTensor& WeightPlan::need(const std::string& name, const std::vector<std::int64_t>& shape,
                                          const std::string& role) const {
  const SafetensorsTensor* t = header_.find(prefix_ + name);
  if (!t) {
    std::string also;
    for (const std::string& p : prefixes_) {
      if (p != prefix_) also += (also.empty() ? " (nor \"" : ", nor \"") + p + name + "\"";
    }
    if (!also.empty()) also += ")";
    throw std::invalid_argument(header_.file_name + ": tensor \"" + prefix_ + name + "\" missing" + also +
                                "; expected " + shape_text(shape) + ", " + role);
  }
  if (t->shape != shape) {
    throw std::invalid_argument(header_.file_name + ": tensor \"" + t->name + "\" has shape " + shape_text(t->shape) +
                                ", expected " + shape_text(shape) + ", " + role);
  }
  return *t;
}

int WeightPlan::copy(const std::string& name, const std::vector<std::int64_t>& shape, const std::string& role) {
  const SafetensorsTensor& t = need(name, shape, role);
  Slot s;
  s.rows = 1;
  s.cols = t.elements;
  s.pieces.push_back({&t, false, 1, t.elements, 0});
  s.offset = total_;
  total_ += t.elements;
  slots_.push_back(std::move(s));
  return static_cast<int>(slots_.size()) - 1;
}

int WeightPlan::transposed(const std::string& name, std::int64_t out, std::int64_t in, const std::string& role) {
  return packed_transposed({name}, out, in, role);
}

int WeightPlan::packed_transposed(const std::vector<std::string>& names, std::int64_t out, std::int64_t in,
                                  const std::string& role) {
  Slot s;
  s.rows = static_cast<std::size_t>(in);
  for (const std::string& name : names) {
    const SafetensorsTensor& t = need(name, {out, in}, role);
    s.pieces.push_back({&t, true, static_cast<std::size_t>(out), static_cast<std::size_t>(in), s.cols});
    s.cols += static_cast<std::size_t>(out);
  }
  s.offset = total_;
  total_ += s.rows * s.cols;
  slots_.push_back(std::move(s));
  return static_cast<int>(slots_.size()) - 1;
}

int WeightPlan::packed(const std::vector<std::string>& names, std::int64_t n, const std::string& role) {
  Slot s;
  s.rows = 1;
  for (const std::string& name : names) {
    const SafetensorsTensor& t = need(name, {n}, role);
    s.pieces.push_back({&t, false, 1, static_cast<std::size_t>(n), s.cols});
    s.cols += static_cast<std::size_t>(n);
  }
  s.offset = total_;
  total_ += s.cols;
  slots_.push_back(std::move(s));
  return static_cast<int>(slots_.size()) - 1;
}

namespace {
std::string megabytes(std::size_t bytes) {
  char text[48];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}
}  // namespace

void WeightPlan::load(const std::uint8_t* data, std::size_t size, std::size_t max_bytes) {
  // Every count is bounded by the file (the header was checked against it), so these cannot overflow.
  const std::size_t weights = total_ * sizeof(float);
  if (weights > max_bytes || size > max_bytes - weights) {
    throw std::invalid_argument(header_.file_name + ": too large for the engine: its weights take " + megabytes(weights) +
                                " as float32 beside the file's " + megabytes(size) + ", " + megabytes(weights + size) +
                                " in all; expected at most " + megabytes(max_bytes));
  }
  floats_ = std::make_shared<std::vector<float>>(total_);
  std::size_t largest = 0;
  for (const Slot& s : slots_) {
    for (const Piece& p : s.pieces) largest = std::max(largest, p.rows * p.cols);
  }
  std::vector<float> scratch(largest);
  for (const Slot& s : slots_) {
    float* slot = floats_->data() + s.offset;
    for (const Piece& p : s.pieces) {
      decode_safetensors_f32(scratch.data(), header_, *p.tensor, data, size);
      // Stored [rows, cols]; transposed, element (r, c) goes to the slot's row c, column p.column + r.
      for (std::size_t r = 0; r < p.rows; ++r) {
        for (std::size_t c = 0; c < p.cols; ++c) {
          const float v = scratch[r * p.cols + c];
          if (p.transpose) slot[c * s.cols + p.column + r] = v;
          else slot[r * s.cols + p.column + c] = v;
        }
      }
    }
  }
}

const float* WeightPlan::at(int slot) const {
  if (!floats_ || slot < 0 || static_cast<std::size_t>(slot) >= slots_.size()) return nullptr;
  return floats_->data() + slots_[static_cast<std::size_t>(slot)].offset;
}

}  // namespace attention::hf
