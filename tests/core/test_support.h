// Shared helpers of the core tests: a seeded generator, random attention
// cases and magnitude-scaled comparisons that print index and sizes.
//
// Tolerances of the float32 kernel against the float64 reference. The kernel
// rounds every product and sum to float32 and WebAssembly SIMD has no fused
// multiply-add, so both are relative to the magnitude of what was summed:
//   weights  |got - want| <= 1e-5 + 1e-4 * |want|
//   output   |got - want| <= 1e-5 + 1e-4 * sum_j |w_j * v_j|   (the terms of the sum,
//            so cancellation in the sum does not shrink the bound)
// A score error of e shifts a weight w by about w * e; float32 scores of a few
// units carry e ~ 1e-6, far inside 1e-4. Tests with huge scores widen the
// relative term to cover the float32 spacing of those scores.
#pragma once

#include <attention/attention.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

// Lets GoogleTest print a Variant parameter by name (found by ADL).
namespace attention {
inline void PrintTo(Variant variant, std::ostream* os) { *os << variant_name(variant); }
}  // namespace attention

namespace attention_test {

// SplitMix64: tiny, seeded, identical on every platform.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [lo, hi).
  float uniform(float lo, float hi) {
    const double unit = static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0);
    return static_cast<float>(lo + (hi - lo) * unit);
  }

  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }

 private:
  std::uint64_t state_;
};

inline std::vector<float> random_floats(Rng& rng, std::size_t n, float lo = -1.0f,
                                        float hi = 1.0f) {
  std::vector<float> v(n);
  for (float& x : v) x = rng.uniform(lo, hi);
  return v;
}

// Bytes that are nonzero with probability `p_one`.
inline std::vector<std::uint8_t> random_bytes(Rng& rng, std::size_t n, double p_one) {
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = rng.uniform(0.0f, 1.0f) < p_one ? 1 : 0;
  return v;
}

inline attention::AttentionShape make_shape(int heads, int queries, int keys, int dim,
                                           int value_dim) {
  attention::AttentionShape s;
  s.heads = heads;
  s.queries = queries;
  s.keys = keys;
  s.dim = dim;
  s.value_dim = value_dim;
  return s;
}

// Element-wise |got - want| <= abs_tol + rel_tol * |want|; names the tensor,
// the first few failing flat indices and both sizes.
template <typename T>
::testing::AssertionResult all_close(const char* what, const std::vector<T>& got,
                                     const std::vector<double>& want, double abs_tol,
                                     double rel_tol) {
  if (got.size() != want.size()) {
    return ::testing::AssertionFailure()
           << what << ": size " << got.size() << ", expected " << want.size();
  }
  std::ostringstream failures;
  failures.precision(9);
  int count = 0;
  for (std::size_t n = 0; n < got.size(); ++n) {
    const double a = static_cast<double>(got[n]), b = want[n];
    if (!(std::abs(a - b) <= abs_tol + rel_tol * std::abs(b))) {
      if (++count <= 5) failures << "\n  " << what << "[" << n << "] = " << a << ", expected " << b;
    }
  }
  if (count == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << what << ": " << count << " of " << got.size() << " elements differ" << failures.str();
}

inline std::string describe(const attention::AttentionShape& s) {
  std::ostringstream os;
  os << "H=" << s.heads << " NQ=" << s.queries << " NK=" << s.keys << " D=" << s.dim
     << " DV=" << s.value_dim;
  return os.str();
}

// One attention problem: inputs, the parameters its variant needs, and the
// options that point at them. Keeps the pointers valid by owning the storage.
struct Case {
  attention::AttentionShape shape;
  attention::AttentionOptions options;
  std::vector<float> query, key, value;
  std::vector<float> general_w, additive_wq, additive_wk, additive_v;
  std::vector<std::uint8_t> mask, key_padding;

  Case(int heads, int queries, int keys, int dim, int value_dim, attention::Variant variant,
       std::uint64_t seed, float input_scale = 1.0f) {
    shape.heads = heads;
    shape.queries = queries;
    shape.keys = keys;
    shape.dim = dim;
    shape.value_dim = value_dim;
    options.variant = variant;
    Rng rng(seed);
    const auto n = [](long long x) { return static_cast<std::size_t>(x); };
    query = random_floats(rng, n(1LL * heads * queries * dim), -input_scale, input_scale);
    key = random_floats(rng, n(1LL * heads * keys * dim), -input_scale, input_scale);
    value = random_floats(rng, n(1LL * heads * keys * value_dim));
    if (variant == attention::Variant::general) {
      general_w = random_floats(rng, n(1LL * dim * dim));
      options.general.W = general_w.data();
    }
    if (variant == attention::Variant::additive) {
      const int da = 1 + (dim + 2) / 2;  // DA != D, odd and even across the sweeps
      additive_wq = random_floats(rng, n(1LL * da * dim));
      additive_wk = random_floats(rng, n(1LL * da * dim));
      additive_v = random_floats(rng, n(da));
      options.additive.Wq = additive_wq.data();
      options.additive.Wk = additive_wk.data();
      options.additive.v = additive_v.data();
      options.additive.da = da;
    }
    if (variant == attention::Variant::top_k) options.top_k.k = 1 + keys / 3;
  }

  Case(const Case&) = delete;
  Case& operator=(const Case&) = delete;

  void set_mask(std::vector<std::uint8_t> m) {
    mask = std::move(m);
    options.mask = mask.data();
  }
  void set_key_padding(std::vector<std::uint8_t> p) {
    key_padding = std::move(p);
    options.key_padding = key_padding.data();
  }

  std::size_t out_size() const {
    return static_cast<std::size_t>(shape.heads) * shape.queries * shape.value_dim;
  }
  std::size_t weights_size() const {
    return static_cast<std::size_t>(shape.heads) * shape.queries * shape.keys;
  }
};

struct Result32 {
  std::vector<float> out, weights;
};
struct Result64 {
  std::vector<double> out, weights;
};

// Runs the fast kernel into buffers pre-filled with NaN, so an element the
// kernel forgets to write fails the comparison.
inline Result32 run_fast(const Case& c) {
  Result32 r{std::vector<float>(c.out_size(), NAN), std::vector<float>(c.weights_size(), NAN)};
  attention::attention_forward(r.out.data(), r.weights.data(), c.query.data(), c.key.data(),
                               c.value.data(), c.shape, c.options);
  return r;
}

inline Result64 run_reference(const Case& c) {
  Result64 r{std::vector<double>(c.out_size(), NAN),
             std::vector<double>(c.weights_size(), NAN)};
  attention::attention_reference_f64(r.out.data(), r.weights.data(), c.query.data(),
                                     c.key.data(), c.value.data(), c.shape, c.options);
  return r;
}

// Compares a float32 result with the reference under the tolerances above,
// widened by `extra_rel` (relative) for inputs with huge scores. An empty
// got.weights (an output-only kernel) compares the output alone. Reports at
// most a few mismatches per tensor, each with its [h, i, j] index.
inline ::testing::AssertionResult result_matches_reference(const Case& c, const Result32& got,
                                                           const Result64& want, double extra_rel = 0.0) {
  const int H = c.shape.heads, NQ = c.shape.queries, NK = c.shape.keys, DV = c.shape.value_dim;
  std::ostringstream failures;
  failures.precision(9);
  int count = 0;
  const double rel = 1e-4 + extra_rel;
  const bool with_weights = !got.weights.empty();
  for (int h = 0; h < H; ++h) {
    for (int i = 0; i < NQ; ++i) {
      const std::size_t row = static_cast<std::size_t>(h) * NQ + i;
      for (int j = 0; j < NK && with_weights; ++j) {
        const double a = got.weights[row * NK + j], b = want.weights[row * NK + j];
        if (!(std::abs(a - b) <= 1e-5 + rel * std::abs(b))) {
          if (++count <= 5) {
            failures << "\n  weights[" << h << ", " << i << ", " << j << "] = " << a
                     << ", reference " << b;
          }
        }
      }
      for (int e = 0; e < DV; ++e) {
        double magnitude = 0.0;  // sum_j |w_j v_je|
        for (int j = 0; j < NK; ++j) {
          const float v = c.value[(static_cast<std::size_t>(h) * NK + j) * DV + e];
          magnitude += std::abs(want.weights[row * NK + j] * v);
        }
        const double a = got.out[row * DV + e], b = want.out[row * DV + e];
        if (!(std::abs(a - b) <= 1e-5 + rel * magnitude)) {
          if (++count <= 10) {
            failures << "\n  out[" << h << ", " << i << ", " << e << "] = " << a
                     << ", reference " << b << " (sum |w v| = " << magnitude << ")";
          }
        }
      }
    }
  }
  if (count == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << count << " mismatches, variant " << attention::variant_name(c.options.variant)
         << ", " << describe(c.shape) << failures.str();
}

// The fast kernel attention_forward against the reference.
inline ::testing::AssertionResult fast_matches_reference(const Case& c, double extra_rel = 0.0) {
  return result_matches_reference(c, run_fast(c), run_reference(c), extra_rel);
}

}  // namespace attention_test
