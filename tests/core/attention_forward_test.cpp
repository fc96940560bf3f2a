// The float32 kernel attention_forward against the float64 reference, for
// every variant, every option, sizes around the SIMD widths (4 and 8 lanes)
// and inputs that break a naive softmax. Tolerances: see test_support.h.
#include <attention/attention.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_support.h"

namespace {

using attention::Variant;
using attention_test::Case;
using attention_test::fast_matches_reference;
using attention_test::Rng;

// Below, at, above and between the 4- and 8-lane widths, and odd.
const int kSizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33};

const Variant kVariants[] = {Variant::scaled_dot, Variant::dot,  Variant::general,
                             Variant::additive,   Variant::hard, Variant::top_k};

class FastKernelMatchesReference : public ::testing::TestWithParam<Variant> {
 protected:
  // A different stream for every variant and every call site.
  std::uint64_t seed(std::uint64_t site) const {
    return site * 1000003ULL + static_cast<std::uint64_t>(GetParam()) * 7919ULL + 17ULL;
  }
};

TEST_P(FastKernelMatchesReference, OnRandomInputsOfSeveralShapes) {
  struct Shape {
    int h, nq, nk, d, dv;
  };
  const Shape shapes[] = {{1, 1, 1, 1, 1},    {1, 3, 5, 4, 4},   {2, 8, 8, 8, 8},
                          {3, 7, 9, 5, 3},    {1, 16, 17, 16, 16}, {2, 33, 31, 17, 9},
                          {1, 64, 48, 64, 32}};
  std::uint64_t site = 1;
  for (const Shape& s : shapes) {
    Case c(s.h, s.nq, s.nk, s.d, s.dv, GetParam(), seed(site++));
    EXPECT_TRUE(fast_matches_reference(c));
  }
}

TEST_P(FastKernelMatchesReference, OverEveryDimAndValueDimAroundTheSimdWidths) {
  std::uint64_t site = 100;
  for (int d : kSizes) {
    for (int dv : kSizes) {
      const int heads = 1 + (d + dv) % 3;
      const int queries = 2 + (3 * d + dv) % 7;  // 2..8
      const int keys = 1 + (d + 2 * dv) % 10;  // 1..10
      Case c(heads, queries, keys, d, dv, GetParam(), seed(site++));
      EXPECT_TRUE(fast_matches_reference(c));
    }
  }
}

TEST_P(FastKernelMatchesReference, OverEveryQueryAndKeyCountAroundTheSimdWidths) {
  std::uint64_t site = 300;
  for (int nq : kSizes) {
    for (int nk : kSizes) {
      Case c(1 + (nq + nk) % 3, nq, nk, 5, 3, GetParam(), seed(site++));
      EXPECT_TRUE(fast_matches_reference(c));
    }
  }
}

TEST_P(FastKernelMatchesReference, WithDimOne) {
  std::uint64_t site = 500;
  for (int dv : {1, 5, 8}) {
    Case c(2, 6, 9, 1, dv, GetParam(), seed(site++));
    EXPECT_TRUE(fast_matches_reference(c));
  }
}

TEST_P(FastKernelMatchesReference, WithCausalOnSquareAndRectangularShapes) {
  // NQ == NK, NQ < NK, NQ > NK, and the single-row / single-column edges
  const int shapes[][2] = {{6, 6}, {3, 8}, {9, 4}, {1, 5}, {5, 1}, {17, 33}, {33, 17}};
  std::uint64_t site = 600;
  for (const auto& s : shapes) {
    Case c(2, s[0], s[1], 7, 5, GetParam(), seed(site++));
    c.options.causal = true;
    EXPECT_TRUE(fast_matches_reference(c));
  }
}

TEST_P(FastKernelMatchesReference, WithWindowsAloneAndWithCausal) {
  const int shapes[][2] = {{6, 6}, {3, 9}, {10, 4}};
  std::uint64_t site = 700;
  for (int window : {0, 1, 3, 100}) {
    for (bool causal : {false, true}) {
      for (const auto& s : shapes) {
        Case c(2, s[0], s[1], 4, 3, GetParam(), seed(site++));
        c.options.window = window;
        c.options.causal = causal;
        EXPECT_TRUE(fast_matches_reference(c)) << "window " << window << ", causal " << causal;
      }
    }
  }
}

TEST_P(FastKernelMatchesReference, WithRandomMasksIncludingFullyMaskedRows) {
  std::uint64_t site = 800;
  for (double p_allowed : {0.2, 0.5, 0.9}) {
    Case c(3, 9, 11, 8, 5, GetParam(), seed(site));
    Rng rng(seed(site++) + 1);
    std::vector<std::uint8_t> mask = attention_test::random_bytes(rng, 9 * 11, p_allowed);
    for (int j = 0; j < 11; ++j) mask[4 * 11 + j] = 0;  // row 4 may attend nothing
    c.set_mask(mask);
    EXPECT_TRUE(fast_matches_reference(c)) << "P(allowed) " << p_allowed;
  }
}

TEST_P(FastKernelMatchesReference, WithRandomKeyPadding) {
  std::uint64_t site = 900;
  for (double p_padding : {0.1, 0.5, 1.0}) {  // 1.0: every key is padding
    Case c(2, 7, 13, 9, 4, GetParam(), seed(site));
    Rng rng(seed(site++) + 1);
    c.set_key_padding(attention_test::random_bytes(rng, 13, p_padding));
    EXPECT_TRUE(fast_matches_reference(c)) << "P(padding) " << p_padding;
  }
}

TEST_P(FastKernelMatchesReference, WithTemperatures) {
  std::uint64_t site = 1000;
  for (float temperature : {0.05f, 0.5f, 1.0f, 3.0f}) {
    Case c(2, 5, 8, 16, 7, GetParam(), seed(site++));
    c.options.temperature = temperature;
    EXPECT_TRUE(fast_matches_reference(c)) << "temperature " << temperature;
  }
}

TEST_P(FastKernelMatchesReference, WithExplicitScales) {
  // The reference applies scale to scaled_dot, hard and top_k only, so the
  // other variants check that the kernel ignores it.
  std::uint64_t site = 1100;
  for (float scale : {0.0f, 0.7f, 2.5f, -1.0f}) {
    Case c(2, 5, 8, 16, 7, GetParam(), seed(site++));
    c.options.scale = scale;
    EXPECT_TRUE(fast_matches_reference(c)) << "scale " << scale;
  }
}

TEST_P(FastKernelMatchesReference, WithEveryOptionTogether) {
  std::uint64_t site = 1200;
  const int shapes[][2] = {{7, 12}, {12, 7}, {9, 9}};
  for (const auto& s : shapes) {
    const int nq = s[0], nk = s[1];
    Case c(3, nq, nk, 9, 17, GetParam(), seed(site));
    Rng rng(seed(site++) + 1);
    c.options.causal = true;
    c.options.window = 4;
    c.options.temperature = 0.7f;
    c.options.scale = 0.4f;
    c.set_mask(attention_test::random_bytes(rng, static_cast<std::size_t>(nq) * nk, 0.8));
    c.set_key_padding(attention_test::random_bytes(rng, nk, 0.2));
    EXPECT_TRUE(fast_matches_reference(c));
  }
}

// Sum of the absolute terms of the float32 score of (h, i, j), before the
// multiplier: its rounding error is at most about (2D + 4) * FLT_EPSILON times
// this (two chained sums of D products for general and additive).
double score_magnitude(const Case& c, int h, int i, int j) {
  const int D = c.shape.dim;
  const float* q = c.query.data() + (static_cast<std::size_t>(h) * c.shape.queries + i) * D;
  const float* k = c.key.data() + (static_cast<std::size_t>(h) * c.shape.keys + j) * D;
  double m = 0.0;
  switch (c.options.variant) {
    case Variant::general:
      for (int a = 0; a < D; ++a) {
        for (int b = 0; b < D; ++b) m += std::abs(q[a] * c.general_w[a * D + b] * k[b]);
      }
      return m;
    case Variant::additive:  // |tanh'| <= 1
      for (int r = 0; r < c.options.additive.da; ++r) {
        double inner = 0.0;
        for (int a = 0; a < D; ++a) {
          inner += std::abs(c.additive_wq[r * D + a] * q[a]) + std::abs(c.additive_wk[r * D + a] * k[a]);
        }
        m += std::abs(c.additive_v[r]) * (1.0 + inner);
      }
      return m;
    default:
      for (int a = 0; a < D; ++a) m += std::abs(q[a] * k[a]);
      return m;
  }
}

TEST_P(FastKernelMatchesReference, WithHugeScoresThatOverflowANaiveSoftmax) {
  // q and k in [-100, 100]: scores reach 1e4 and more, where exp overflows
  // float32 (and double) unless the row max is subtracted first. The float32
  // spacing of such scores is ~1e-3, so the relative weight tolerance grows by
  // twice the bound on the score error.
  std::uint64_t site = 1300;
  for (int d : {1, 4, 7, 8}) {
    Case c(2, 6, 9, d, 5, GetParam(), seed(site++), 100.0f);
    double bound = 0.0;
    for (int h = 0; h < c.shape.heads; ++h) {
      for (int i = 0; i < c.shape.queries; ++i) {
        for (int j = 0; j < c.shape.keys; ++j) bound = std::max(bound, score_magnitude(c, h, i, j));
      }
    }
    const bool scaled = GetParam() == Variant::scaled_dot || GetParam() == Variant::hard ||
                        GetParam() == Variant::top_k;
    if (scaled) bound /= std::sqrt(static_cast<double>(d));
    const double extra_rel = 2.0 * (2 * d + 4) * FLT_EPSILON * bound;
    EXPECT_TRUE(fast_matches_reference(c, extra_rel)) << "score bound " << bound;
  }
}

TEST_P(FastKernelMatchesReference, WithMisalignedPointers) {
  // Every tensor starts one float past a 16-byte boundary, as slices of a
  // JS-side buffer may.
  Case c(2, 5, 9, 7, 5, GetParam(), seed(1400));
  auto shifted = [](const std::vector<float>& v) {
    std::vector<float> s(v.size() + 1, 0.0f);
    std::copy(v.begin(), v.end(), s.begin() + 1);
    return s;
  };
  const std::vector<float> q = shifted(c.query), k = shifted(c.key), v = shifted(c.value);
  std::vector<float> out(c.out_size() + 1, NAN), weights(c.weights_size() + 1, NAN);
  attention::attention_forward(out.data() + 1, weights.data() + 1, q.data() + 1, k.data() + 1,
                               v.data() + 1, c.shape, c.options);
  const attention_test::Result32 aligned = attention_test::run_fast(c);
  for (std::size_t n = 0; n < c.out_size(); ++n) {
    ASSERT_EQ(out[n + 1], aligned.out[n]) << "out[" << n << "] of " << c.out_size();
  }
  for (std::size_t n = 0; n < c.weights_size(); ++n) {
    ASSERT_EQ(weights[n + 1], aligned.weights[n]) << "weights[" << n << "] of " << c.weights_size();
  }
  EXPECT_TRUE(std::isnan(out[0]) && std::isnan(weights[0])) << "wrote before the output";
}

TEST_P(FastKernelMatchesReference, LeavesRowsWithNoAllowedKeyExactlyZero) {
  // Query 0 with window 0 and key 0 padded has no key; so has every query
  // beyond NK with window 0.
  Case c(2, 6, 3, 5, 4, GetParam(), seed(1500));
  c.options.window = 0;
  c.set_key_padding({1, 0, 0});
  const attention_test::Result32 got = attention_test::run_fast(c);
  for (int h = 0; h < 2; ++h) {
    for (int i : {0, 3, 4, 5}) {
      const std::size_t row = static_cast<std::size_t>(h) * 6 + i;
      for (int j = 0; j < 3; ++j) {
        EXPECT_EQ(got.weights[row * 3 + j], 0.0f) << "weights[" << h << ", " << i << ", " << j << "]";
      }
      for (int e = 0; e < 4; ++e) {
        EXPECT_EQ(got.out[row * 4 + e], 0.0f) << "out[" << h << ", " << i << ", " << e << "]";
      }
    }
  }
  EXPECT_TRUE(fast_matches_reference(c));
}

TEST_P(FastKernelMatchesReference, GivesRowsThatSumToOne) {
  Case c(3, 17, 23, 16, 8, GetParam(), seed(1600));
  c.options.causal = true;
  const attention_test::Result32 got = attention_test::run_fast(c);
  for (std::size_t row = 0; row < 3 * 17; ++row) {
    double sum = 0.0;
    for (int j = 0; j < 23; ++j) {
      ASSERT_GE(got.weights[row * 23 + j], 0.0f) << "row " << row << ", key " << j;
      sum += got.weights[row * 23 + j];
    }
    EXPECT_NEAR(sum, 1.0, 1e-5) << "row " << row << " of " << 3 * 17;
  }
}

INSTANTIATE_TEST_SUITE_P(AllVariants, FastKernelMatchesReference, ::testing::ValuesIn(kVariants),
                         [](const ::testing::TestParamInfo<Variant>& info) {
                           return std::string(attention::variant_name(info.param));
                         });

TEST(TopK, EveryKFromOneToBeyondTheKeyCountMatchesReference) {
  for (int k = 1; k <= 12; ++k) {
    Case c(2, 7, 10, 6, 5, Variant::top_k, 2000 + k);
    c.options.top_k.k = k;
    c.options.causal = true;  // early rows have fewer allowed keys than k
    EXPECT_TRUE(fast_matches_reference(c)) << "k " << k;
  }
}

TEST(TopK, KOfOneMatchesHard) {
  Case c(2, 9, 14, 8, 5, Variant::top_k, 2100);
  c.options.top_k.k = 1;
  const attention_test::Result32 top_one = attention_test::run_fast(c);
  c.options.variant = Variant::hard;
  const attention_test::Result32 hard = attention_test::run_fast(c);
  for (std::size_t n = 0; n < hard.weights.size(); ++n) {
    ASSERT_EQ(top_one.weights[n], hard.weights[n]) << "weights[" << n << "] of " << hard.weights.size();
  }
}

TEST(Hard, WeightsAreExactlyOneHot) {
  Case c(2, 9, 14, 8, 5, Variant::hard, 2200);
  const attention_test::Result32 got = attention_test::run_fast(c);
  for (std::size_t row = 0; row < 2 * 9; ++row) {
    int ones = 0;
    for (int j = 0; j < 14; ++j) {
      const float w = got.weights[row * 14 + j];
      ASSERT_TRUE(w == 0.0f || w == 1.0f) << "weights[" << row << ", " << j << "] = " << w;
      ones += w == 1.0f;
    }
    EXPECT_EQ(ones, 1) << "row " << row;
  }
  EXPECT_TRUE(fast_matches_reference(c));
}

TEST(AttentionForward, IsDeterministic) {
  Case c(3, 11, 13, 17, 9, Variant::scaled_dot, 2300);
  const attention_test::Result32 a = attention_test::run_fast(c), b = attention_test::run_fast(c);
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.weights, b.weights);
}

TEST(AttentionForward, BothKernelsRejectAZeroTemperature) {
  Case c(1, 2, 2, 2, 2, Variant::scaled_dot, 2400);
  c.options.temperature = 0.0f;
  EXPECT_THROW(attention_test::run_fast(c), std::invalid_argument);
  EXPECT_THROW(attention_test::run_reference(c), std::invalid_argument);
}

}  // namespace
