// The transformer's ops (core/src/ops/) against their float64 references,
// over sizes below, at and past the SIMD width and tile, and rows that break
// a naive layer norm. Tolerances are relative to the magnitude of the sum:
//   matmul      |got - want| <= 1e-5 + 1e-5 * sum_i |x_i w_ij|  (K terms, float32 rounding)
//   layer norm  |got - want| <= 1e-5 (|scale| + 1) (outputs are O(scale))
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/activations.h"
#include "ops/embedding.h"
#include "ops/heads.h"
#include "ops/layer_norm.h"
#include "ops/matmul_bias.h"
#include "ops/pooling.h"
#include "ops/residual.h"
#include "test_support.h"

namespace {

using attention_test::random_floats;
using attention_test::Rng;

std::vector<double> widen(const std::vector<float>& v) { return {v.begin(), v.end()}; }

TEST(MatmulBias, MatchesTheFloat64ReferenceAcrossTileEdges) {
  Rng rng(11);
  for (int tokens : {1, 3, 4, 5, 9}) {
    for (int in : {1, 4, 7, 64}) {
      for (int out : {1, 3, 8, 9, 17, 40}) {
        const auto x = random_floats(rng, static_cast<std::size_t>(tokens) * in, -3, 3);
        const auto w = random_floats(rng, static_cast<std::size_t>(in) * out);
        const auto b = random_floats(rng, out);
        for (const float* bias : {b.data(), static_cast<const float*>(nullptr)}) {
          std::vector<float> y(static_cast<std::size_t>(tokens) * out);
          std::vector<double> want(y.size());
          attention::f32_matmul_bias(y.data(), x.data(), w.data(), bias, tokens, in, out);
          attention::f64_matmul_bias_ref(want.data(), widen(x).data(), w.data(), bias, tokens, in, out);
          for (int t = 0; t < tokens; ++t) {
            for (int j = 0; j < out; ++j) {
              double terms = 0;
              for (int i = 0; i < in; ++i) terms += std::abs(x[t * in + i] * w[i * out + j]);
              ASSERT_NEAR(y[t * out + j], want[t * out + j], 1e-5 + 1e-5 * terms)
                  << "T=" << tokens << " K=" << in << " N=" << out << " at (" << t << ", " << j << ")";
            }
          }
        }
      }
    }
  }
}

TEST(MatmulBias, ScalarAndDispatchedKernelsAgree) {
  Rng rng(12);
  const int tokens = 6, in = 33, out = 27;
  const auto x = random_floats(rng, tokens * in), w = random_floats(rng, in * out), b = random_floats(rng, out);
  std::vector<float> a(tokens * out), s(tokens * out);
  attention::f32_matmul_bias(a.data(), x.data(), w.data(), b.data(), tokens, in, out);
  attention::f32_matmul_bias_scalar(s.data(), x.data(), w.data(), b.data(), tokens, in, out);
  for (std::size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], s[i], 1e-5) << "at " << i;
}

TEST(LayerNorm, MatchesTheReferenceIncludingRowsFarFromZeroAndConstantRows) {
  Rng rng(13);
  for (int width : {1, 2, 3, 4, 5, 8, 31, 256}) {
    for (float offset : {0.0f, 1000.0f, -3e4f}) {
      const int tokens = 3;
      auto x = random_floats(rng, static_cast<std::size_t>(tokens) * width, -2, 2);
      for (float& v : x) v += offset;
      for (int i = 0; i < width; ++i) x[2 * width + i] = offset + 0.5f;  // a constant row: (x - mean) = 0
      const auto scale = random_floats(rng, width, 0.5f, 2.0f), bias = random_floats(rng, width);
      std::vector<float> y(x.size());
      std::vector<double> want(x.size());
      attention::f32_layer_norm(y.data(), x.data(), scale.data(), bias.data(), tokens, width, 1e-6f);
      attention::f64_layer_norm_ref(want.data(), widen(x).data(), scale.data(), bias.data(), tokens, width, 1e-6);
      // float32 inputs of magnitude |offset| carry an absolute error of about
      // |offset| * 6e-8 in x - mean; relative to the row's spread of ~1 that is the bound.
      const double tol = 1e-5 + 1e-7 * std::abs(offset);
      for (std::size_t i = 0; i < y.size(); ++i) {
        ASSERT_NEAR(y[i], want[i], tol * (std::abs(scale[i % width]) + 1)) << "C=" << width << " offset " << offset << " at " << i;
      }
      for (int i = 0; i < width; ++i) EXPECT_NEAR(y[2 * width + i], bias[i], 1e-6) << "a constant row normalises to the bias";
    }
  }
}

TEST(LayerNorm, MayWriteOverItsInput) {
  Rng rng(14);
  auto x = random_floats(rng, 2 * 9);
  const auto scale = random_floats(rng, 9), bias = random_floats(rng, 9);
  std::vector<float> y(x.size());
  attention::f32_layer_norm(y.data(), x.data(), scale.data(), bias.data(), 2, 9, 1e-5f);
  attention::f32_layer_norm(x.data(), x.data(), scale.data(), bias.data(), 2, 9, 1e-5f);
  EXPECT_EQ(x, y);
}

TEST(Activations, ReluAndBothGelusMatchTheirReferences) {
  std::vector<float> xs;
  for (int i = -60; i <= 60; ++i) xs.push_back(i * 0.125f);
  xs.push_back(30.0f);
  xs.push_back(-30.0f);
  for (std::size_t n : {xs.size(), std::size_t{1}, std::size_t{3}, std::size_t{5}}) {
    std::vector<float> relu(xs.begin(), xs.begin() + n), gt = relu, ge = relu;
    attention::f32_relu(relu.data(), n);
    attention::f32_gelu_tanh(gt.data(), n);
    attention::f32_gelu_erf(ge.data(), n);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(relu[i], attention::f64_relu_ref(xs[i]));
      EXPECT_NEAR(gt[i], attention::f64_gelu_tanh_ref(xs[i]), 2e-6 * (1 + std::abs(xs[i]))) << "x = " << xs[i];
      EXPECT_NEAR(ge[i], attention::f64_gelu_erf_ref(xs[i]), 2e-6 * (1 + std::abs(xs[i]))) << "x = " << xs[i];
    }
  }
  // The two GELUs are the same curve to within the tanh approximation's error.
  EXPECT_NEAR(attention::f64_gelu_tanh_ref(1.0), attention::f64_gelu_erf_ref(1.0), 1e-3);
  EXPECT_NEAR(attention::f64_gelu_erf_ref(1.0), 0.8413447460685429, 1e-12);
}

TEST(Residual, AddsEveryElementWhateverTheLength) {
  for (long long n : {0LL, 1LL, 3LL, 4LL, 7LL, 64LL}) {
    std::vector<float> y(n), x(n);
    for (long long i = 0; i < n; ++i) { y[i] = static_cast<float>(i); x[i] = 0.5f * i; }
    attention::f32_add(y.data(), x.data(), n);
    for (long long i = 0; i < n; ++i) ASSERT_EQ(y[i], 1.5f * i) << "n = " << n;
  }
}

TEST(Embedding, LookupPositionsAndTypesMatchTheReference) {
  Rng rng(15);
  const int vocab = 11, width = 6, tokens = 5;
  const auto table = random_floats(rng, vocab * width), positions = random_floats(rng, 8 * width);
  const auto types = random_floats(rng, 2 * width), inv = random_floats(rng, width / 2, 0.01f, 1.0f);
  const std::vector<std::int32_t> ids{3, 0, 10, 3, 7}, type_ids{0, 0, 1, 1, 0};
  std::vector<float> x(tokens * width);
  std::vector<double> want(x.size());
  attention::f32_embedding_lookup(x.data(), table.data(), ids.data(), tokens, width, 2.0f);
  attention::f32_add_positions(x.data(), positions.data(), tokens, width);
  attention::f32_add_rows(x.data(), types.data(), type_ids.data(), tokens, width);
  attention::f32_add_sinusoidal(x.data(), inv.data(), tokens, width);
  attention::f64_embedding_lookup_ref(want.data(), table.data(), ids.data(), tokens, width, 2.0);
  attention::f64_add_positions_ref(want.data(), positions.data(), tokens, width);
  attention::f64_add_rows_ref(want.data(), types.data(), type_ids.data(), tokens, width);
  attention::f64_add_sinusoidal_ref(want.data(), inv.data(), tokens, width);
  for (std::size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(x[i], want[i], 1e-5) << "at " << i;
  // position 0: sin(0) = 0 in the first half, cos(0) = 1 in the second
  std::vector<float> zero(width, 0.0f);
  attention::f32_add_sinusoidal(zero.data(), inv.data(), 1, width);
  EXPECT_EQ(zero, (std::vector<float>{0, 0, 0, 1, 1, 1}));
}

TEST(QkvHeads, SplitThenMergeGivesBackEachPartAndHeadInPlace) {
  const int tokens = 3, width = 6, heads = 2, hs = 3;
  std::vector<float> qkv(tokens * 3 * width);
  for (std::size_t i = 0; i < qkv.size(); ++i) qkv[i] = static_cast<float>(i);
  std::vector<float> q(tokens * width), k(q.size()), v(q.size()), merged(q.size());
  attention::split_qkv_heads(q.data(), k.data(), v.data(), qkv.data(), tokens, width, heads);
  // head 1, token 2, column 0 of k is qkv[2][width + 1*hs + 0]
  EXPECT_EQ(k[(1 * tokens + 2) * hs + 0], qkv[2 * 3 * width + width + hs]);
  attention::merge_heads(merged.data(), v.data(), tokens, width, heads);
  for (int t = 0; t < tokens; ++t) {
    for (int i = 0; i < width; ++i) ASSERT_EQ(merged[t * width + i], qkv[t * 3 * width + 2 * width + i]);
  }
}

TEST(Pooling, MeanAndL2NormaliseMatchTheReference) {
  Rng rng(16);
  const auto x = random_floats(rng, 5 * 7);
  std::vector<float> pooled(7);
  std::vector<double> want(7);
  attention::f32_mean_pool(pooled.data(), x.data(), 5, 7);
  attention::f64_mean_pool_ref(want.data(), widen(x).data(), 5, 7);
  for (int i = 0; i < 7; ++i) ASSERT_NEAR(pooled[i], want[i], 1e-6);
  attention::f32_l2_normalize(pooled.data(), 7, 1e-12f);
  attention::f64_l2_normalize_ref(want.data(), 7, 1e-12);
  double norm = 0;
  for (int i = 0; i < 7; ++i) {
    ASSERT_NEAR(pooled[i], want[i], 1e-6);
    norm += pooled[i] * pooled[i];
  }
  EXPECT_NEAR(norm, 1.0, 1e-6);
  std::vector<float> zeros(4, 0.0f);
  attention::f32_l2_normalize(zeros.data(), 4, 1e-12f);
  EXPECT_EQ(zeros, std::vector<float>(4, 0.0f)) << "the floor keeps a zero vector finite";
}

}  // namespace
