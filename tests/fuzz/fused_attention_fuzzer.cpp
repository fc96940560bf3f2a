// libFuzzer target: the fast kernels (attention_forward, its output-only,
// row-range and piece forms) on random shapes, variants, masks and values, against the
// float64 reference attention_reference_f64. Built natively with clang and
// AddressSanitizer + UndefinedBehaviorSanitizer (CMake option ATTN_BUILD_FUZZ,
// see tests/fuzz/CMakeLists.txt); `npm test` runs it for a minute.
//
// The input bytes choose the shape, variant, options and mask patterns; a
// seed from them drives a SplitMix64 stream for the tensors, so a few bytes
// describe a whole case. Checked for every case:
//   - no crash, no sanitizer report, no exception other than a named float32
//     overflow of a deliberately huge query row
//   - every output and weight is finite; rows with no allowed key are exactly 0
//   - weights and outputs within the tolerances of tests/core/test_support.h
//     (1e-5 + 1e-4 relative, widened by the float32 spacing of the row's
//     largest logit) of the reference, except rows made huge on purpose
//   - the output-only call gives the same bits as the output with weights
//   - a random split of the rows gives the same bits as the whole call, and
//     so do its pieces head by head with K and V packs kept across them
// A failure prints the case and aborts, so libFuzzer keeps the input.
#include <attention/attention.h>
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "fused_tiles.h"  // the block sizes, to aim masks and sizes at their edges
#include "key_value_packs.h"

namespace {

using attention::AttentionOptions;
using attention::AttentionShape;
using attention::Variant;

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1p-53; }  // [0, 1)
  float uniform(float range) { return static_cast<float>((2.0 * unit() - 1.0) * range); }

 private:
  std::uint64_t state_;
};

struct Case {
  AttentionShape shape;
  AttentionOptions options;
  std::vector<float> query, key, value, general_w, additive_wq, additive_wk, additive_v;
  std::vector<std::uint8_t> mask, key_padding;
  std::vector<std::uint8_t> huge_row;  // [H * NQ]: query row made huge on purpose
  std::string description;
};

[[noreturn]] void fail(const Case& c, const std::string& what) {
  std::fprintf(stderr, "FUZZ FAILURE: %s\n  case: %s\n", what.c_str(), c.description.c_str());
  std::abort();
}

std::size_t floats(long long a, long long b, long long c) { return static_cast<std::size_t>(a * b * c); }

// Builds a case from the input; false if the bytes describe nothing useful.
bool make_case(FuzzedDataProvider& in, Case& c) {
  const Variant variant = static_cast<Variant>(in.ConsumeIntegralInRange<int>(0, 5));
  const bool fused = variant == Variant::scaled_dot || variant == Variant::dot || variant == Variant::general;
  const int H = in.ConsumeIntegralInRange<int>(1, 3);
  const int NQ = in.ConsumeIntegralInRange<int>(1, attention::kQueryBlock + 20);
  const int NK = in.ConsumeIntegralInRange<int>(1, 2 * attention::kKeyBlock + 40);
  const int D = in.ConsumeIntegralInRange<int>(1, variant == Variant::general ? 16 : 70);
  const int DV = in.ConsumeIntegralInRange<int>(1, 20);
  // bound the work per input: the reference is O(H NQ NK (D + DV)), general's O(D²) per score
  const long long work = 1LL * H * NQ * NK * (D + DV) * (variant == Variant::general ? D : 1);
  if (work > 1500000) return false;
  c.shape = AttentionShape{H, NQ, NK, D, DV};
  AttentionOptions& o = c.options;
  o.variant = variant;
  o.causal = in.ConsumeBool();
  if (in.ConsumeBool()) o.window = in.ConsumeIntegralInRange<int>(0, 200);
  const float temperatures[] = {1.0f, 0.05f, 0.7f, 3.0f};
  o.temperature = temperatures[in.ConsumeIntegralInRange<int>(0, 3)];
  const bool has_scale = in.ConsumeBool();
  const float scales[] = {0.0f, 0.3f, 1.0f, -2.0f};
  if (has_scale) o.scale = scales[in.ConsumeIntegralInRange<int>(0, 3)];
  // hard and top_k compare scores: multiples of 1/8 make ties and orders exact in both kernels
  const bool quantized = variant == Variant::hard || variant == Variant::top_k;
  const float ranges[] = {1.0f, 4.0f, 30.0f, 100.0f};
  const float range = (fused ? ranges[in.ConsumeIntegralInRange<int>(0, 3)] : 1.0f);
  const int mask_mode = in.ConsumeIntegralInRange<int>(0, 4);
  const int padding_mode = in.ConsumeIntegralInRange<int>(0, 3);
  const bool huge_rows = (variant == Variant::scaled_dot || variant == Variant::dot) && in.ConsumeBool();
  if (quantized) o.top_k.k = in.ConsumeIntegralInRange<int>(1, NK + 2);
  SplitMix64 rng(in.ConsumeIntegral<std::uint64_t>());

  auto fill = [&](std::vector<float>& v, std::size_t n, float r) {
    v.resize(n);
    for (float& x : v) x = quantized ? std::round(rng.uniform(4.0f) * 8.0f) / 8.0f : rng.uniform(r);
  };
  fill(c.query, floats(H, NQ, D), range);
  fill(c.key, floats(H, NK, D), range);
  fill(c.value, floats(H, NK, DV), 1.0f);
  if (variant == Variant::general) {
    fill(c.general_w, floats(1, D, D), 1.0f);
    o.general.W = c.general_w.data();
  }
  if (variant == Variant::additive) {
    const int DA = 1 + static_cast<int>(rng.next() % 9);
    fill(c.additive_wq, floats(1, DA, D), 1.0f);
    fill(c.additive_wk, floats(1, DA, D), 1.0f);
    fill(c.additive_v, floats(1, 1, DA), 1.0f);
    o.additive.Wq = c.additive_wq.data();
    o.additive.Wk = c.additive_wk.data();
    o.additive.v = c.additive_v.data();
    o.additive.da = DA;
  }
  // masks: none, random of a random density, whole tiles x blocks off, whole rows off, all off
  if (mask_mode > 0) {
    c.mask.assign(floats(1, NQ, NK), 1);
    const double p = rng.unit();
    for (int i = 0; i < NQ; ++i) {
      const bool row_off = mask_mode == 3 && rng.unit() < 0.3;
      for (int j = 0; j < NK; ++j) {
        std::uint8_t& m = c.mask[static_cast<std::size_t>(i) * NK + j];
        if (mask_mode == 1) m = rng.unit() < p ? 1 : 0;
        if (mask_mode == 2) m = ((i / 4 + j / attention::kKeyBlock) % 3 == 0) ? 0 : 1;
        if (mask_mode == 3 && row_off) m = 0;
        if (mask_mode == 4) m = 0;
      }
    }
    o.mask = c.mask.data();
  }
  // padding: none, random, the whole second key block, every key
  if (padding_mode > 0) {
    c.key_padding.assign(NK, 0);
    const double p = rng.unit();
    for (int j = 0; j < NK; ++j) {
      if (padding_mode == 1) c.key_padding[j] = rng.unit() < p ? 1 : 0;
      if (padding_mode == 2) c.key_padding[j] = (j / attention::kKeyBlock == 1) ? 1 : 0;
      if (padding_mode == 3) c.key_padding[j] = 1;
    }
    o.key_padding = c.key_padding.data();
  }
  // a few query rows with one component of 1e18 .. 1e38: their logits may
  // overflow float32 (the kernel must then name one) or only threaten to
  // (then the fused kernel hands them to the row kernel)
  c.huge_row.assign(static_cast<std::size_t>(H) * NQ, 0);
  if (huge_rows) {
    for (int n = 0; n < 3; ++n) {
      const std::size_t row = rng.next() % c.huge_row.size();
      c.huge_row[row] = 1;
      float* q = c.query.data() + row * D;
      std::fill(q, q + D, 0.0f);
      q[0] = static_cast<float>(std::pow(10.0, 18.0 + 20.0 * rng.unit()));
    }
  }
  char text[256];
  std::snprintf(text, sizeof text,
                "variant %s H=%d NQ=%d NK=%d D=%d DV=%d causal=%d window=%d temperature=%g scale=%s%g range=%g "
                "mask=%d padding=%d huge=%d top_k=%d",
                attention::variant_name(variant), H, NQ, NK, D, DV, o.causal, o.window.value_or(-1), o.temperature,
                o.scale ? "" : "default/", o.scale.value_or(1.0f), range, mask_mode, padding_mode, huge_rows, o.top_k.k);
  c.description = text;
  return true;
}

// Largest Σ|terms| of one row's logits before scale and temperature (the
// float32 rounding of a logit is within about (2D + 4) FLT_EPSILON of it).
double row_score_magnitude(const Case& c, int h, int i) {
  const int NQ = c.shape.queries, NK = c.shape.keys, D = c.shape.dim;
  const float* q = c.query.data() + (static_cast<std::size_t>(h) * NQ + i) * D;
  std::vector<double> u(D);
  for (int b = 0; b < D; ++b) {
    if (c.options.variant == Variant::general) {
      for (int a = 0; a < D; ++a) u[b] += std::abs(static_cast<double>(q[a]) * c.general_w[static_cast<std::size_t>(a) * D + b]);
    } else {
      u[b] = std::abs(q[b]);
    }
  }
  double worst = 0.0;
  for (int j = 0; j < NK; ++j) {
    const float* k = c.key.data() + (static_cast<std::size_t>(h) * NK + j) * D;
    double m = 0.0;
    for (int b = 0; b < D; ++b) m += u[b] * std::abs(k[b]);
    worst = std::max(worst, m);
  }
  if (c.options.variant == Variant::additive) {  // |v| (1 + |Wq q| + |Wk k|), |tanh'| <= 1
    double m = 0.0;
    for (int r = 0; r < c.options.additive.da; ++r) m += std::abs(c.additive_v[r]) * (1.0 + 2.0 * D);
    worst = m;
  }
  const bool scaled = c.options.variant == Variant::scaled_dot || c.options.variant == Variant::hard ||
                      c.options.variant == Variant::top_k;
  const double scale = scaled ? std::abs(c.options.scale ? *c.options.scale : 1.0 / std::sqrt(D)) : 1.0;
  return worst * scale / c.options.temperature;
}

void check_case(const Case& c) {
  const int H = c.shape.heads, NQ = c.shape.queries, NK = c.shape.keys, D = c.shape.dim, DV = c.shape.value_dim;
  const std::size_t out_n = floats(H, NQ, DV), weights_n = floats(H, NQ, NK);
  std::vector<float> out(out_n, NAN), weights(weights_n, NAN);
  bool any_huge = false;
  for (std::uint8_t x : c.huge_row) any_huge = any_huge || x;
  try {
    attention::attention_forward(out.data(), weights.data(), c.query.data(), c.key.data(), c.value.data(), c.shape,
                                 c.options);
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    if (any_huge && message.find("overflows float32") != std::string::npos) return;  // a named overflow
    fail(c, "attention_forward threw: " + message);
  }

  std::vector<double> out64(out_n), weights64(weights_n);
  attention::attention_reference_f64(out64.data(), weights64.data(), c.query.data(), c.key.data(), c.value.data(),
                                     c.shape, c.options);
  for (int h = 0; h < H; ++h) {
    for (int i = 0; i < NQ; ++i) {
      const std::size_t row = static_cast<std::size_t>(h) * NQ + i;
      const bool huge = c.huge_row[row] != 0;
      const double rel = 1e-4 + 2.0 * (2 * D + 4) * FLT_EPSILON * row_score_magnitude(c, h, i);
      bool reference_empty = true;
      double sum = 0.0;
      for (int j = 0; j < NK; ++j) {
        const double a = weights[row * NK + j], b = weights64[row * NK + j];
        reference_empty = reference_empty && b == 0.0;
        sum += a;
        if (!std::isfinite(a) || a < 0.0) fail(c, "weight [" + std::to_string(h) + ", " + std::to_string(i) + ", " + std::to_string(j) + "] = " + std::to_string(a));
        if (!huge && !(std::abs(a - b) <= 1e-5 + rel * std::abs(b))) {
          fail(c, "weights[" + std::to_string(h) + ", " + std::to_string(i) + ", " + std::to_string(j) +
                      "] = " + std::to_string(a) + ", reference " + std::to_string(b));
        }
      }
      if (!reference_empty && !(std::abs(sum - 1.0) <= 1e-4)) {
        fail(c, "row " + std::to_string(h) + ", " + std::to_string(i) + " sums to " + std::to_string(sum));
      }
      for (int e = 0; e < DV; ++e) {
        const double a = out[row * DV + e], b = out64[row * DV + e];
        if (!std::isfinite(a)) fail(c, "out[" + std::to_string(h) + ", " + std::to_string(i) + ", " + std::to_string(e) + "] is not finite");
        if (reference_empty && a != 0.0) fail(c, "a row with no allowed key has a nonzero output");
        double magnitude = 0.0;
        for (int j = 0; j < NK; ++j) {
          magnitude += std::abs(weights64[row * NK + j] * c.value[(static_cast<std::size_t>(h) * NK + j) * DV + e]);
        }
        if (!huge && !(std::abs(a - b) <= 1e-5 + rel * magnitude)) {
          fail(c, "out[" + std::to_string(h) + ", " + std::to_string(i) + ", " + std::to_string(e) + "] = " +
                      std::to_string(a) + ", reference " + std::to_string(b));
        }
      }
    }
  }

  std::vector<float> out_only(out_n, NAN);
  attention::attention_forward_output_only(out_only.data(), c.query.data(), c.key.data(), c.value.data(), c.shape,
                                           c.options);
  for (std::size_t n = 0; n < out_n; ++n) {
    if (std::memcmp(&out_only[n], &out[n], sizeof(float)) != 0) fail(c, "output-only differs at " + std::to_string(n));
  }

  // rows [0, cut) and [cut, NQ) separately, each row as in the whole call
  const int cut = NQ > 1 ? 1 + static_cast<int>((static_cast<unsigned>(NK) * 2654435761u) % (NQ - 1)) : NQ;
  for (const auto& range : {std::pair<int, int>{0, cut}, std::pair<int, int>{cut, NQ}}) {
    const int b = range.first, rows = range.second - range.first;
    if (rows <= 0) continue;
    std::vector<float> part_out(floats(H, rows, DV)), part_weights(floats(H, rows, NK));
    attention::attention_forward_rows(part_out.data(), part_weights.data(), c.query.data(), c.key.data(),
                                      c.value.data(), c.shape, c.options, b, b + rows);
    for (int h = 0; h < H; ++h) {
      for (int r = 0; r < rows; ++r) {
        const std::size_t whole = static_cast<std::size_t>(h) * NQ + b + r, part = static_cast<std::size_t>(h) * rows + r;
        if (std::memcmp(&part_out[part * DV], &out[whole * DV], DV * sizeof(float)) != 0 ||
            std::memcmp(&part_weights[part * NK], &weights[whole * NK], NK * sizeof(float)) != 0) {
          fail(c, "rows [" + std::to_string(b) + ", " + std::to_string(b + rows) + ") differ from the whole call at head " +
                      std::to_string(h) + ", row " + std::to_string(b + r));
        }
      }
    }
  }

  // the same two row ranges head by head, last head first, later rows first,
  // through attention_forward_piece with one KeyValuePacks: each head packed by
  // its first piece and reused by the second
  attention::KeyValuePacks packs;
  for (int h = H - 1; h >= 0; --h) {
    for (const auto& range : {std::pair<int, int>{cut, NQ}, std::pair<int, int>{0, cut}}) {
      const int b = range.first, rows = range.second - range.first;
      if (rows <= 0) continue;
      std::vector<float> part_out(floats(1, rows, DV)), part_weights(floats(1, rows, NK));
      attention::attention_forward_piece(part_out.data(), part_weights.data(), c.query.data(), c.key.data(),
                                         c.value.data(), c.shape, c.options, h, h + 1, b, b + rows, packs);
      for (int r = 0; r < rows; ++r) {
        const std::size_t whole = static_cast<std::size_t>(h) * NQ + b + r;
        if (std::memcmp(&part_out[r * DV], &out[whole * DV], DV * sizeof(float)) != 0 ||
            std::memcmp(&part_weights[r * NK], &weights[whole * NK], NK * sizeof(float)) != 0) {
          fail(c, "piece of head " + std::to_string(h) + ", rows [" + std::to_string(b) + ", " +
                      std::to_string(b + rows) + ") differs from the whole call at row " + std::to_string(b + r));
        }
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  Case c;
  if (make_case(in, c)) check_case(c);
  return 0;
}
