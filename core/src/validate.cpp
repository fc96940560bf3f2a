#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "attention/attention.h"
#include "kernels.h"

namespace attention {

namespace {

constexpr const char* kVariantNames[] = {"scaled_dot", "dot", "general", "additive", "hard", "top_k"};

void fail(const std::string& message) { throw std::invalid_argument(message); }

void check_extent(const char* name, long long value) {
  if (value < 1 || value > kMaxExtent) {
    fail(std::string(name) + ": expected an integer from 1 to " + std::to_string(kMaxExtent) +
         ", got " + std::to_string(value));
  }
}

void check_tensor(const char* name, long long floats) {
  if (floats > kMaxTensorFloats) {
    fail(std::string(name) + ": " + std::to_string(floats) + " floats is over the limit of " +
         std::to_string(kMaxTensorFloats) + " (256 MiB)");
  }
}

std::string format_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

}  // namespace

Variant parse_variant(const std::string& name) {
  for (int v = 0; v < 6; ++v) {
    if (name == kVariantNames[v]) return static_cast<Variant>(v);
  }
  fail("variant: unknown variant \"" + name +
       "\"; expected one of scaled_dot, dot, general, additive, hard, top_k");
  return Variant::scaled_dot;
}

const char* variant_name(Variant variant) { return kVariantNames[static_cast<int>(variant)]; }

void validate_attention(const AttentionShape& s, const AttentionOptions& o) {
  validate_attention_with_weights(s, o, static_cast<long long>(s.heads) * s.queries * s.keys);
}

void validate_attention_with_weights(const AttentionShape& s, const AttentionOptions& o,
                                     long long weight_floats) {
  check_extent("heads", s.heads);
  check_extent("queries", s.queries);
  check_extent("keys", s.keys);
  check_extent("dim", s.dim);
  check_extent("valueDim", s.value_dim);
  const long long h = s.heads;
  check_tensor("query", h * s.queries * s.dim);
  check_tensor("key", h * s.keys * s.dim);
  check_tensor("value", h * s.keys * s.value_dim);
  if (weight_floats >= 0) check_tensor("weights", weight_floats);
  check_tensor("output", h * s.queries * s.value_dim);
  // Values arrive as float32: 1e-50 has become 0 and 1e39 infinity.
  if (!(o.temperature > 0.0f) || !std::isfinite(o.temperature)) {
    fail("temperature: expected a finite number > 0 (as float32, about 1e-38 to 3e38), got " +
         format_number(o.temperature));
  }
  if (o.scale && !std::isfinite(*o.scale)) {
    fail("scale: expected a finite number (as float32, |scale| below 3e38), got " + format_number(*o.scale));
  }
  const bool scaled = o.variant == Variant::scaled_dot || o.variant == Variant::hard ||
                      o.variant == Variant::top_k;
  const float scale = scaled ? o.scale.value_or(1.0f / std::sqrt(static_cast<float>(s.dim))) : 1.0f;
  if (!std::isfinite(scale / o.temperature)) {
    fail("temperature: scale / temperature = " + format_number(scale) + " / " +
         format_number(o.temperature) + " overflows float32; use a larger temperature");
  }
  if (o.window && *o.window < 0) fail("window: expected an integer >= 0, got " + std::to_string(*o.window));
  switch (o.variant) {
    case Variant::general:
      if (!o.general.W) fail("params.W: the general variant needs W [dim, dim]");
      break;
    case Variant::additive:
      if (!o.additive.Wq || !o.additive.Wk || !o.additive.v) {
        fail("params.Wq, params.Wk, params.v: the additive variant needs all three");
      }
      check_extent("params.v length (da)", o.additive.da);
      break;
    case Variant::top_k:
      if (o.top_k.k < 1) fail("params.k: expected an integer >= 1, got " + std::to_string(o.top_k.k));
      break;
    default:
      break;
  }
}

void validate_multi_head(const MultiHeadShape& s) {
  check_extent("heads", s.heads);
  check_extent("queries", s.queries);
  check_extent("keys", s.keys);
  check_extent("embedDim", s.embed_dim);
  if (s.embed_dim % s.heads != 0) {
    fail("heads: expected a divisor of embedDim " + std::to_string(s.embed_dim) + ", got " +
         std::to_string(s.heads));
  }
  const long long e = s.embed_dim;
  check_tensor("inProjWeight", 3 * e * e);
  check_tensor("query", static_cast<long long>(s.queries) * e);
  check_tensor("key", static_cast<long long>(s.keys) * e);
  check_tensor("weights", static_cast<long long>(s.heads) * s.queries * s.keys);
}

}  // namespace attention
