// multi_head_attention_forward against nn.MultiheadAttention's semantics with
// a batch of one, written here in float64:
//   Q = query Wq^T + bq, K = key Wk^T + bk, V = value Wv^T + bv    (Wq, Wk, Wv: rows
//       0..E-1, E..2E-1, 2E..3E-1 of in_proj_weight)
//   head h uses columns h*Eh .. (h+1)*Eh - 1, Eh = E/H, scores Q_i.K_j / sqrt(Eh)
//   softmax over allowed keys (causal j <= i, key_padding), zero rows if none
//   out = concat_h(weights_h V_h) Wo^T + bo;  average_weights = mean over heads
// Tolerances: weights |got - want| <= 1e-5 + 1e-4 |want|; out, whose entries sum
// E products of projected values, |got - want| <= 1e-4 + 1e-4 |want|.
#include <attention/attention.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "test_support.h"

namespace {

using attention::MultiHeadOptions;
using attention::MultiHeadShape;
using attention_test::all_close;
using attention_test::Rng;

struct MultiHeadResult64 {
  std::vector<double> out, weights, average_weights;
};

// y [N, E] = x [N, E] W[r0 .. r0+E-1]^T + b[r0 ..] (b may be null)
std::vector<double> project_f64(const float* x, int n, int e, const float* w, const float* b,
                                int r0) {
  std::vector<double> y(static_cast<std::size_t>(n) * e);
  for (int t = 0; t < n; ++t) {
    for (int r = 0; r < e; ++r) {
      double sum = b ? static_cast<double>(b[r0 + r]) : 0.0;
      for (int c = 0; c < e; ++c) {
        sum += static_cast<double>(x[t * e + c]) * w[static_cast<std::size_t>(r0 + r) * e + c];
      }
      y[t * e + r] = sum;
    }
  }
  return y;
}

MultiHeadResult64 multi_head_reference_f64(const std::vector<float>& query,
                                           const std::vector<float>& key,
                                           const std::vector<float>& value,
                                           const std::vector<float>& in_proj_weight,
                                           const std::vector<float>& out_proj_weight,
                                           const MultiHeadShape& s, const MultiHeadOptions& o) {
  const int H = s.heads, NQ = s.queries, NK = s.keys, E = s.embed_dim, Eh = E / H;
  const float* w = in_proj_weight.data();
  const std::vector<double> q = project_f64(query.data(), NQ, E, w, o.in_proj_bias, 0);
  const std::vector<double> k = project_f64(key.data(), NK, E, w, o.in_proj_bias, E);
  const std::vector<double> v = project_f64(value.data(), NK, E, w, o.in_proj_bias, 2 * E);

  MultiHeadResult64 r;
  r.weights.assign(static_cast<std::size_t>(H) * NQ * NK, 0.0);
  r.average_weights.assign(static_cast<std::size_t>(NQ) * NK, 0.0);
  std::vector<double> concat(static_cast<std::size_t>(NQ) * E, 0.0);
  for (int h = 0; h < H; ++h) {
    for (int i = 0; i < NQ; ++i) {
      double* w_hi = r.weights.data() + (static_cast<std::size_t>(h) * NQ + i) * NK;
      std::vector<double> scores(NK);
      std::vector<bool> allowed(NK);
      double max_score = -INFINITY;
      for (int j = 0; j < NK; ++j) {
        allowed[j] = !(o.causal && j > i) && !(o.key_padding && o.key_padding[j]);
        double dot = 0.0;
        for (int c = h * Eh; c < (h + 1) * Eh; ++c) dot += q[i * E + c] * k[j * E + c];
        scores[j] = dot / std::sqrt(static_cast<double>(Eh));
        if (allowed[j]) max_score = std::max(max_score, scores[j]);
      }
      double sum = 0.0;
      for (int j = 0; j < NK; ++j) {
        if (allowed[j]) sum += (w_hi[j] = std::exp(scores[j] - max_score));
      }
      for (int j = 0; j < NK; ++j) {
        if (sum > 0.0) w_hi[j] /= sum;
        r.average_weights[i * NK + j] += w_hi[j] / H;
        for (int c = h * Eh; c < (h + 1) * Eh; ++c) concat[i * E + c] += w_hi[j] * v[j * E + c];
      }
    }
  }
  r.out.assign(static_cast<std::size_t>(NQ) * E, 0.0);
  for (int i = 0; i < NQ; ++i) {
    for (int e = 0; e < E; ++e) {
      double sum = o.out_proj_bias ? static_cast<double>(o.out_proj_bias[e]) : 0.0;
      for (int c = 0; c < E; ++c) sum += concat[i * E + c] * out_proj_weight[e * E + c];
      r.out[i * E + e] = sum;
    }
  }
  return r;
}

struct MultiHeadCase {
  MultiHeadShape shape;
  MultiHeadOptions options;
  std::vector<float> query, key, value, in_proj_weight, out_proj_weight;
  std::vector<float> in_proj_bias, out_proj_bias;
  std::vector<std::uint8_t> key_padding;

  MultiHeadCase(int heads, int queries, int keys, int embed_dim, std::uint64_t seed,
                bool with_biases) {
    shape.heads = heads;
    shape.queries = queries;
    shape.keys = keys;
    shape.embed_dim = embed_dim;
    Rng rng(seed);
    const std::size_t e = embed_dim;
    query = attention_test::random_floats(rng, queries * e);
    key = attention_test::random_floats(rng, keys * e);
    value = attention_test::random_floats(rng, keys * e);
    // Weights of magnitude ~1/sqrt(E) keep projected values near unit size,
    // as nn.MultiheadAttention's xavier initialisation does.
    const float bound = 1.7f / std::sqrt(static_cast<float>(embed_dim));
    in_proj_weight = attention_test::random_floats(rng, 3 * e * e, -bound, bound);
    out_proj_weight = attention_test::random_floats(rng, e * e, -bound, bound);
    if (with_biases) {
      in_proj_bias = attention_test::random_floats(rng, 3 * e, -0.5f, 0.5f);
      out_proj_bias = attention_test::random_floats(rng, e, -0.5f, 0.5f);
      options.in_proj_bias = in_proj_bias.data();
      options.out_proj_bias = out_proj_bias.data();
    }
  }

  MultiHeadCase(const MultiHeadCase&) = delete;
  MultiHeadCase& operator=(const MultiHeadCase&) = delete;
};

struct MultiHeadResult32 {
  std::vector<float> out, weights, average_weights;
};

MultiHeadResult32 run_multi_head(const MultiHeadCase& c) {
  const std::size_t NQ = c.shape.queries, NK = c.shape.keys;
  MultiHeadResult32 r{std::vector<float>(NQ * c.shape.embed_dim, NAN),
                      std::vector<float>(c.shape.heads * NQ * NK, NAN),
                      std::vector<float>(NQ * NK, NAN)};
  attention::multi_head_attention_forward(r.out.data(), r.weights.data(),
                                          r.average_weights.data(), c.query.data(),
                                          c.key.data(), c.value.data(), c.in_proj_weight.data(),
                                          c.out_proj_weight.data(), c.shape, c.options);
  return r;
}

void expect_matches_reference(const MultiHeadCase& c) {
  SCOPED_TRACE(::testing::Message() << "H=" << c.shape.heads << " NQ=" << c.shape.queries
                                    << " NK=" << c.shape.keys << " E=" << c.shape.embed_dim
                                    << " causal=" << c.options.causal);
  const MultiHeadResult32 got = run_multi_head(c);
  const MultiHeadResult64 want = multi_head_reference_f64(
      c.query, c.key, c.value, c.in_proj_weight, c.out_proj_weight, c.shape, c.options);
  EXPECT_TRUE(all_close("weights", got.weights, want.weights, 1e-5, 1e-4));
  EXPECT_TRUE(all_close("average_weights", got.average_weights, want.average_weights, 1e-5, 1e-4));
  EXPECT_TRUE(all_close("out", got.out, want.out, 1e-4, 1e-4));
}

TEST(MultiHead, HandWorkedSingleHeadWithIdentityProjections) {
  // E = 2, H = 1, in_proj = [I; I; I], out_proj = I, no biases: Q = query,
  // K = V = key, scale 1/sqrt(2).
  //   q0 = [1, 0]: scores 1/sqrt(2), 0   -> weights [a, 1 - a], a = sigmoid(1/sqrt(2))
  //   q1 = [2, 2]: scores sqrt(2), sqrt(2) -> weights [1/2, 1/2]
  // out_i = sum_j w_ij k_j with k0 = [1, 0], k1 = [0, 1], i.e. out_i = weights_i.
  MultiHeadCase c(1, 2, 2, 2, 0, false);
  c.query = {1, 0, 2, 2};
  c.key = {1, 0, 0, 1};
  c.value = c.key;
  c.in_proj_weight = {1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1};
  c.out_proj_weight = {1, 0, 0, 1};
  const double a = 1.0 / (1.0 + std::exp(-1.0 / std::sqrt(2.0)));
  const std::vector<double> weights = {a, 1 - a, 0.5, 0.5};
  const MultiHeadResult32 got = run_multi_head(c);
  EXPECT_TRUE(all_close("weights", got.weights, weights, 1e-6, 1e-5));
  EXPECT_TRUE(all_close("average_weights", got.average_weights, weights, 1e-6, 1e-5));
  EXPECT_TRUE(all_close("out", got.out, weights, 1e-6, 1e-5));
}

TEST(MultiHead, HandWorkedBiasesShiftValuesAndOutput) {
  // As above plus value bias [1, 1] (weights sum to 1, so every row gains
  // [1, 1]) and output bias [10, -10]; query and key biases of zero.
  MultiHeadCase c(1, 2, 2, 2, 0, false);
  c.query = {1, 0, 2, 2};
  c.key = {1, 0, 0, 1};
  c.value = c.key;
  c.in_proj_weight = {1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1};
  c.out_proj_weight = {1, 0, 0, 1};
  c.in_proj_bias = {0, 0, 0, 0, 1, 1};
  c.out_proj_bias = {10, -10};
  c.options.in_proj_bias = c.in_proj_bias.data();
  c.options.out_proj_bias = c.out_proj_bias.data();
  const double a = 1.0 / (1.0 + std::exp(-1.0 / std::sqrt(2.0)));
  const MultiHeadResult32 got = run_multi_head(c);
  EXPECT_TRUE(all_close("weights", got.weights, {a, 1 - a, 0.5, 0.5}, 1e-6, 1e-5));
  EXPECT_TRUE(all_close("out", got.out, {a + 11, (1 - a) - 9, 11.5, -8.5}, 1e-5, 1e-5));
}

TEST(MultiHead, HandWorkedTwoHeadsSplitTheColumns) {
  // E = 2, H = 2, identity projections: head 0 sees column 0, head 1 column 1,
  // each with Eh = 1 and scale 1. Query [1, -1], keys [1, 1] and [0, 0]:
  //   head 0 scores 1, 0 -> [a, 1 - a];  head 1 scores -1, 0 -> [1 - a, a]
  MultiHeadCase c(2, 1, 2, 2, 0, false);
  c.query = {1, -1};
  c.key = {1, 1, 0, 0};
  c.value = {3, 5, 7, 11};
  c.in_proj_weight = {1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1};
  c.out_proj_weight = {1, 0, 0, 1};
  const double a = 1.0 / (1.0 + std::exp(-1.0));
  const MultiHeadResult32 got = run_multi_head(c);
  EXPECT_TRUE(all_close("weights", got.weights, {a, 1 - a, 1 - a, a}, 1e-6, 1e-5));
  EXPECT_TRUE(all_close("average_weights", got.average_weights, {0.5, 0.5}, 1e-6, 1e-5));
  // column 0 mixes values 3 and 7 with head 0's weights, column 1 mixes 5 and 11 with head 1's
  EXPECT_TRUE(all_close("out", got.out, {3 * a + 7 * (1 - a), 5 * (1 - a) + 11 * a}, 1e-5, 1e-5));
}

TEST(MultiHead, MatchesFloat64ReferenceOverHeadsAndSizes) {
  const int configs[][2] = {{4, 1}, {4, 2}, {8, 4}, {6, 3}, {12, 3}, {16, 2}, {17, 1}, {32, 8}};
  const int sizes[][2] = {{1, 1}, {3, 5}, {7, 4}, {9, 9}};
  std::uint64_t seed = 1;
  for (const auto& cfg : configs) {
    for (const auto& sz : sizes) {
      MultiHeadCase c(cfg[1], sz[0], sz[1], cfg[0], seed++, true);
      expect_matches_reference(c);
    }
  }
}

TEST(MultiHead, MatchesReferenceWithNullBiases) {
  MultiHeadCase c(2, 5, 6, 8, 100, false);
  expect_matches_reference(c);
}

TEST(MultiHead, MatchesReferenceWithCausalWhetherQueriesOutnumberKeysOrNot) {
  std::uint64_t seed = 200;
  const std::pair<int, int> sizes[] = {{5, 5}, {3, 7}, {7, 3}};
  for (const auto& sz : sizes) {
    MultiHeadCase c(2, sz.first, sz.second, 8, seed++, true);
    c.options.causal = true;
    expect_matches_reference(c);
  }
}

TEST(MultiHead, MatchesReferenceWithKeyPadding) {
  MultiHeadCase c(4, 6, 7, 16, 300, true);
  c.key_padding = {0, 1, 0, 0, 1, 0, 0};
  c.options.key_padding = c.key_padding.data();
  c.options.causal = true;
  expect_matches_reference(c);
}

TEST(MultiHead, FullyPaddedKeysGiveZeroWeightsAndOutputEqualToOutputBias) {
  MultiHeadCase c(2, 3, 4, 6, 400, true);
  c.key_padding = {1, 1, 1, 1};
  c.options.key_padding = c.key_padding.data();
  const MultiHeadResult32 got = run_multi_head(c);
  EXPECT_TRUE(all_close("weights", got.weights, std::vector<double>(2 * 3 * 4, 0.0), 0, 0));
  EXPECT_TRUE(all_close("average_weights", got.average_weights, std::vector<double>(3 * 4, 0.0), 0, 0));
  std::vector<double> bias_rows;
  for (int i = 0; i < 3; ++i) bias_rows.insert(bias_rows.end(), c.out_proj_bias.begin(), c.out_proj_bias.end());
  EXPECT_TRUE(all_close("out", got.out, bias_rows, 0, 0));
}

}  // namespace
