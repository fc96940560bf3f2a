// Small cases worked out by hand, checked on both kernels: the float64
// reference to 1e-12 and the float32 kernel to the tolerances of
// test_support.h. sigmoid(x) = 1 / (1 + exp(-x)) is the weight of the larger
// of two scores that differ by x.
#include <attention/attention.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "test_support.h"

namespace {

using attention::AttentionOptions;
using attention::AttentionShape;
using attention::Variant;
using attention_test::all_close;
using attention_test::make_shape;

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Softmax of `scores`, for the expected weights of a row.
std::vector<double> softmax(std::initializer_list<double> scores) {
  double max_score = -INFINITY;
  for (double s : scores) max_score = std::max(max_score, s);
  std::vector<double> w;
  double sum = 0.0;
  for (double s : scores) {
    w.push_back(std::exp(s - max_score));
    sum += w.back();
  }
  for (double& x : w) x /= sum;
  return w;
}

// out [rows, DV] = weights [rows, NK] x value [NK, DV] for one head.
std::vector<double> weighted_values(const std::vector<double>& weights,
                                    const std::vector<float>& value, int keys, int value_dim) {
  const int rows = static_cast<int>(weights.size()) / keys;
  std::vector<double> out(static_cast<std::size_t>(rows) * value_dim, 0.0);
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < keys; ++j) {
      for (int e = 0; e < value_dim; ++e) {
        out[i * value_dim + e] += weights[i * keys + j] * value[j * value_dim + e];
      }
    }
  }
  return out;
}

// Runs both kernels on one case and compares them with the expected tensors.
void expect_attention(const AttentionShape& shape, const AttentionOptions& options,
                      const std::vector<float>& query, const std::vector<float>& key,
                      const std::vector<float>& value, const std::vector<double>& want_weights,
                      const std::vector<double>& want_out) {
  SCOPED_TRACE(attention_test::describe(shape) + ", variant " +
               attention::variant_name(options.variant));
  const std::size_t H = shape.heads, NQ = shape.queries, NK = shape.keys;
  ASSERT_EQ(query.size(), H * NQ * shape.dim);
  ASSERT_EQ(key.size(), H * NK * shape.dim);
  ASSERT_EQ(value.size(), H * NK * shape.value_dim);
  ASSERT_EQ(want_weights.size(), H * NQ * NK);
  ASSERT_EQ(want_out.size(), H * NQ * shape.value_dim);

  std::vector<double> out64(want_out.size(), NAN), weights64(want_weights.size(), NAN);
  attention::attention_reference_f64(out64.data(), weights64.data(), query.data(), key.data(),
                                     value.data(), shape, options);
  EXPECT_TRUE(all_close("reference weights", weights64, want_weights, 1e-12, 1e-12));
  EXPECT_TRUE(all_close("reference out", out64, want_out, 1e-12, 1e-12));

  std::vector<float> out32(want_out.size(), NAN), weights32(want_weights.size(), NAN);
  attention::attention_forward(out32.data(), weights32.data(), query.data(), key.data(),
                               value.data(), shape, options);
  EXPECT_TRUE(all_close("weights", weights32, want_weights, 1e-5, 1e-4));
  EXPECT_TRUE(all_close("out", out32, want_out, 1e-5, 1e-4));
}

AttentionOptions with_variant(Variant variant) {
  AttentionOptions o;
  o.variant = variant;
  return o;
}

// Two queries, two orthogonal keys, three value columns (DV != D):
//   q0 = [1, 0] matches k0 with q.k = 1; q1 = [0, 2] matches k1 with q.k = 2.
const std::vector<float> kTwoQuery = {1, 0, 0, 2};
const std::vector<float> kTwoKey = {1, 0, 0, 1};
const std::vector<float> kTwoValue = {1, 0, 2, 0, 1, -1};

// Expected tensors of the two-key case when the row scores differ by a and b.
void expect_two_key_case(const AttentionOptions& options, double a, double b) {
  const double wa = sigmoid(a), wb = sigmoid(b);
  // row 0 leans to key 0 by a, row 1 to key 1 by b
  const std::vector<double> weights = {wa, 1 - wa, 1 - wb, wb};
  const std::vector<double> out = {wa, 1 - wa, 2 * wa - (1 - wa),
                                   1 - wb, wb, 2 * (1 - wb) - wb};
  expect_attention(make_shape(1, 2, 2, 2, 3), options, kTwoQuery, kTwoKey, kTwoValue, weights,
                   out);
}

TEST(ScaledDot, UniformKeysGiveUniformWeights) {
  const std::vector<float> query = {0.2f, -0.4f, 0.9f, 1, 2, 3};
  const std::vector<float> key = {0.3f, -0.2f, 0.5f, 0.3f, -0.2f, 0.5f,
                                  0.3f, -0.2f, 0.5f, 0.3f, -0.2f, 0.5f};
  const std::vector<float> value = {1, 2, 3, 4, 5, -6, 7, 8};
  // out = mean of the values = [(1 + 3 + 5 + 7) / 4, (2 + 4 - 6 + 8) / 4]
  expect_attention(make_shape(1, 2, 4, 3, 2), with_variant(Variant::scaled_dot), query, key,
                   value, std::vector<double>(8, 0.25), {4, 2, 4, 2});
}

TEST(ScaledDot, ScoresAreDividedBySqrtOfDim) {
  // scores differ by 1/sqrt(2) and 2/sqrt(2)
  expect_two_key_case(with_variant(Variant::scaled_dot), 1 / std::sqrt(2.0), std::sqrt(2.0));
}

TEST(ScaledDot, ExplicitScaleReplacesInverseSqrtOfDim) {
  AttentionOptions o = with_variant(Variant::scaled_dot);
  o.scale = 3.0f;
  expect_two_key_case(o, 3.0, 6.0);
}

TEST(Dot, ScoresAreNotScaled) { expect_two_key_case(with_variant(Variant::dot), 1.0, 2.0); }

TEST(Dot, IgnoresExplicitScale) {
  AttentionOptions o = with_variant(Variant::dot);
  o.scale = 3.0f;
  expect_two_key_case(o, 1.0, 2.0);
}

TEST(Temperature, DividesDotScores) {
  AttentionOptions o = with_variant(Variant::dot);
  o.temperature = 2.0f;
  expect_two_key_case(o, 0.5, 1.0);
}

TEST(Temperature, DividesScaledDotScoresAfterScale) {
  AttentionOptions o = with_variant(Variant::scaled_dot);
  o.temperature = 0.5f;
  expect_two_key_case(o, std::sqrt(2.0), 2 * std::sqrt(2.0));
}

TEST(General, ScoreIsQueryTransposedTimesWTimesKey) {
  // W = [[0, 1], [2, 0]] is not symmetric, so q^T W k and k^T W q differ:
  //   q0 = [1, 1]: q^T W k = k_1 + 2 k_0 -> k0 = [1, 0]: 2, k1 = [0, 1]: 1
  //   q1 = [1, 0]: q^T W k = k_1         -> k0: 0, k1: 1
  const std::vector<float> w = {0, 1, 2, 0};
  AttentionOptions o = with_variant(Variant::general);
  o.general.W = w.data();
  const std::vector<float> value = {1, -1};
  const double a = sigmoid(1.0);
  const std::vector<double> weights = {a, 1 - a, 1 - a, a};
  expect_attention(make_shape(1, 2, 2, 2, 1), o, {1, 1, 1, 0}, {1, 0, 0, 1}, value, weights,
                   {2 * a - 1, 1 - 2 * a});
}

TEST(General, IgnoresExplicitScaleButNotTemperature) {
  const std::vector<float> w = {0, 1, 2, 0};
  AttentionOptions o = with_variant(Variant::general);
  o.general.W = w.data();
  o.scale = 10.0f;
  o.temperature = 0.25f;
  const double a = sigmoid(4.0);  // scores 2 and 1, divided by 0.25
  expect_attention(make_shape(1, 1, 2, 2, 1), o, {1, 1}, {1, 0, 0, 1}, {1, -1}, {a, 1 - a},
                   {2 * a - 1});
}

TEST(Additive, ScoreIsVTransposedTanhOfProjectedQueryPlusKey) {
  // D = 1, DA = 2: Wq = [[1], [0]], Wk = [[0], [1]], v = [1, -1], so
  //   s_j = tanh(q) - tanh(k_j);  q = 0.5, k = [0, 1, -1]
  const std::vector<float> wq = {1, 0}, wk = {0, 1}, v = {1, -1};
  AttentionOptions o = with_variant(Variant::additive);
  o.additive.Wq = wq.data();
  o.additive.Wk = wk.data();
  o.additive.v = v.data();
  o.additive.da = 2;
  const double tq = std::tanh(0.5), t1 = std::tanh(1.0);
  const std::vector<double> weights = softmax({tq, tq - t1, tq + t1});
  const std::vector<float> value = {1, 2, 3};
  expect_attention(make_shape(1, 1, 3, 1, 1), o, {0.5f}, {0, 1, -1}, value, weights,
                   weighted_values(weights, value, 3, 1));

  o.temperature = 0.5f;  // every score doubles
  const std::vector<double> hot = softmax({2 * tq, 2 * (tq - t1), 2 * (tq + t1)});
  expect_attention(make_shape(1, 1, 3, 1, 1), o, {0.5f}, {0, 1, -1}, value, hot,
                   weighted_values(hot, value, 3, 1));
}

TEST(Hard, WeightIsOneHotAtTheHighestScore) {
  // D = 1: q0 = 1 prefers the largest key (2 at index 1), q1 = -1 the smallest (-3 at 2)
  const std::vector<float> value = {1, 10, 2, 20, 3, 30, 4, 40};
  expect_attention(make_shape(1, 2, 4, 1, 2), with_variant(Variant::hard), {1, -1},
                   {0.5f, 2, -3, 1}, value, {0, 1, 0, 0, 0, 0, 1, 0}, {2, 20, 3, 30});
}

TEST(Hard, TiesGoToTheLowestIndex) {
  // q0 = 1: keys 1 and 3 tie at 3; q1 = 0: every score is 0
  const std::vector<float> value = {1, 2, 3, 4};
  expect_attention(make_shape(1, 2, 4, 1, 1), with_variant(Variant::hard), {1, 0},
                   {1, 3, 2, 3}, value, {0, 1, 0, 0, 1, 0, 0, 0}, {2, 1});
}

TEST(Hard, SkipsKeysThatAreNotAllowed) {
  const std::vector<std::uint8_t> padding = {0, 1, 0, 0};
  AttentionOptions o = with_variant(Variant::hard);
  o.key_padding = padding.data();
  expect_attention(make_shape(1, 1, 4, 1, 1), o, {1}, {1, 3, 2, 3}, {1, 2, 3, 4}, {0, 0, 0, 1},
                   {4});
}

TEST(TopK, KeepsTheKHighestScores) {
  // D = 1, scale 1: scores [0, 3, 1, 2]; k = 2 keeps 3 (index 1) and 2 (index 3)
  AttentionOptions o = with_variant(Variant::top_k);
  o.top_k.k = 2;
  const double a = sigmoid(1.0);
  expect_attention(make_shape(1, 1, 4, 1, 1), o, {1}, {0, 3, 1, 2}, {1, 2, 3, 4},
                   {0, a, 0, 1 - a}, {2 * a + 4 * (1 - a)});
}

TEST(TopK, TiesKeepTheLowerIndex) {
  // scores [2, 1, 2, 2]: three keys tie for the top, k = 2 keeps indices 0 and 2
  AttentionOptions o = with_variant(Variant::top_k);
  o.top_k.k = 2;
  expect_attention(make_shape(1, 1, 4, 1, 1), o, {1}, {2, 1, 2, 2}, {1, 2, 3, 4},
                   {0.5, 0, 0.5, 0}, {2});
}

TEST(TopK, KLargerThanTheAllowedCountKeepsEveryAllowedKey) {
  // key 2 is padding, so only keys 0 and 1 (scores 0 and 1) remain for k = 5
  const std::vector<std::uint8_t> padding = {0, 0, 1};
  AttentionOptions o = with_variant(Variant::top_k);
  o.top_k.k = 5;
  o.key_padding = padding.data();
  const double a = sigmoid(1.0);
  expect_attention(make_shape(1, 1, 3, 1, 1), o, {1}, {0, 1, 2}, {1, 2, 3}, {1 - a, a, 0},
                   {(1 - a) + 2 * a});
}

TEST(TopK, UsesExplicitScaleAndTemperature) {
  AttentionOptions o = with_variant(Variant::top_k);
  o.top_k.k = 2;
  o.scale = 3.0f;
  o.temperature = 2.0f;
  const double a = sigmoid(1.5);  // kept scores 3 and 2, times 3 / 2
  expect_attention(make_shape(1, 1, 4, 1, 1), o, {1}, {0, 3, 1, 2}, {1, 2, 3, 4},
                   {0, a, 0, 1 - a}, {2 * a + 4 * (1 - a)});
}

// Zero queries give every key the score 0, so a row's weights are uniform over
// its allowed keys and show the allowed set directly.
void expect_allowed_pattern(int queries, int keys, const AttentionOptions& options,
                            const std::vector<double>& weights) {
  std::vector<float> value(keys);
  for (int j = 0; j < keys; ++j) value[j] = static_cast<float>(j + 1);
  expect_attention(make_shape(1, queries, keys, 1, 1), options, std::vector<float>(queries, 0),
                   std::vector<float>(keys, 1), value, weights,
                   weighted_values(weights, value, keys, 1));
}

TEST(Causal, SquareWeightsAreLowerTriangular) {
  AttentionOptions o;
  o.causal = true;
  const double t = 1.0 / 3;
  expect_allowed_pattern(3, 3, o, {1, 0, 0, 0.5, 0.5, 0, t, t, t});
}

TEST(Causal, FewerQueriesThanKeysIsTopLeftAligned) {
  AttentionOptions o;
  o.causal = true;
  expect_allowed_pattern(2, 4, o, {1, 0, 0, 0, 0.5, 0.5, 0, 0});
}

TEST(Causal, MoreQueriesThanKeysIsTopLeftAligned) {
  AttentionOptions o;
  o.causal = true;
  expect_allowed_pattern(4, 2, o, {1, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5});
}

TEST(Window, ZeroAttendsOnlyTheKeyAtTheSameIndex) {
  AttentionOptions o;
  o.window = 0;
  expect_allowed_pattern(3, 5, o, {1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0});
}

TEST(Window, ZeroLeavesQueriesWithoutAMatchingKeyAllZero) {
  AttentionOptions o;
  o.window = 0;
  expect_allowed_pattern(4, 2, o, {1, 0, 0, 1, 0, 0, 0, 0});
}

TEST(Window, OneIsABandOfThree) {
  AttentionOptions o;
  o.window = 1;
  const double h = 0.5, t = 1.0 / 3;
  expect_allowed_pattern(4, 4, o, {h, h, 0, 0, t, t, t, 0, 0, t, t, t, 0, 0, h, h});
}

TEST(Window, CombinesWithCausal) {
  AttentionOptions o;
  o.window = 1;
  o.causal = true;
  const double h = 0.5;
  expect_allowed_pattern(4, 4, o, {1, 0, 0, 0, h, h, 0, 0, 0, h, h, 0, 0, 0, h, h});
}

TEST(Mask, AnyNonzeroEntryMayAttend) {
  // row 0 allows keys 0 and 2 (values 1 and 255), row 1 allows key 1 (value 7)
  const std::vector<std::uint8_t> mask = {1, 0, 255, 0, 7, 0};
  AttentionOptions o;
  o.mask = mask.data();
  expect_allowed_pattern(2, 3, o, {0.5, 0, 0.5, 0, 1, 0});
}

TEST(KeyPadding, NonzeroKeysAreNeverAttended) {
  const std::vector<std::uint8_t> padding = {0, 1, 0, 7};
  AttentionOptions o;
  o.key_padding = padding.data();
  expect_allowed_pattern(2, 4, o, {0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0});
}

TEST(KeyPadding, CombinesWithCausalAndMask) {
  // causal keeps j <= i, the mask drops (2, 0), padding drops key 1
  const std::vector<std::uint8_t> mask = {1, 1, 1, 1, 1, 1, 0, 1, 1};
  const std::vector<std::uint8_t> padding = {0, 1, 0};
  AttentionOptions o;
  o.causal = true;
  o.mask = mask.data();
  o.key_padding = padding.data();
  expect_allowed_pattern(3, 3, o, {1, 0, 0, 1, 0, 0, 0, 0, 1});
}

TEST(Heads, EachHeadUsesItsOwnSlices) {
  // dot, D = DV = 1: head 0 has q = 1, k = [1, 0]; head 1 has q = 2, k = [0, 1]
  const double a = sigmoid(1.0), b = sigmoid(2.0);
  expect_attention(make_shape(2, 1, 2, 1, 1), with_variant(Variant::dot), {1, 2}, {1, 0, 0, 1},
                   {1, 0, 0, 1}, {a, 1 - a, 1 - b, b}, {a, b});
}

TEST(Heads, MaskAndPaddingApplyToEveryHead) {
  const std::vector<std::uint8_t> mask = {1, 1, 1, 0};
  const std::vector<std::uint8_t> padding = {1, 0};
  AttentionOptions o;
  o.mask = mask.data();
  o.key_padding = padding.data();
  // row 0 keeps key 1 only; row 1 keeps nothing
  expect_attention(make_shape(2, 2, 2, 1, 1), o, {1, 2, 3, 4}, {1, 2, 3, 4}, {5, 6, 7, 8},
                   {0, 1, 0, 0, 0, 1, 0, 0}, {6, 0, 8, 0});
}

// Scores 1e4, 9999, 9998, 9999.5 (or their negatives) are exact in float32:
// q = [s, s, s, s] with s = +-1 and k_j = x_j / 2 in every component give
// q.k / sqrt(4) = +-x_j. exp(1e4) overflows even double, so only a softmax
// that subtracts the row max gets the weights of (0, -1, -2, -0.5).
const std::vector<float> kHugeKey = {5000, 5000, 5000, 5000, 4999.5f, 4999.5f, 4999.5f, 4999.5f,
                                     4999, 4999, 4999, 4999, 4999.75f, 4999.75f, 4999.75f,
                                     4999.75f};
const std::vector<float> kHugeValue = {1, 2, 3, 4};

TEST(HugeScores, PositiveScoresNearTenThousandDoNotOverflow) {
  const std::vector<double> w = softmax({0, -1, -2, -0.5});
  expect_attention(make_shape(1, 1, 4, 4, 1), with_variant(Variant::scaled_dot), {1, 1, 1, 1},
                   kHugeKey, kHugeValue, w, weighted_values(w, kHugeValue, 4, 1));
}

TEST(HugeScores, NegativeScoresNearMinusTenThousandStillSumToOne) {
  const std::vector<double> w = softmax({-2, -1, 0, -1.5});
  expect_attention(make_shape(1, 1, 4, 4, 1), with_variant(Variant::scaled_dot),
                   {-1, -1, -1, -1}, kHugeKey, kHugeValue, w,
                   weighted_values(w, kHugeValue, 4, 1));
}

TEST(HugeScores, HardAndTopKPickTheRightKeys) {
  expect_attention(make_shape(1, 1, 4, 4, 1), with_variant(Variant::hard), {1, 1, 1, 1},
                   kHugeKey, kHugeValue, {1, 0, 0, 0}, {1});
  AttentionOptions o = with_variant(Variant::top_k);
  o.top_k.k = 2;
  const double a = sigmoid(0.5);  // keeps 1e4 and 9999.5
  expect_attention(make_shape(1, 1, 4, 4, 1), o, {1, 1, 1, 1}, kHugeKey, kHugeValue,
                   {a, 0, 0, 1 - a}, {a + 4 * (1 - a)});
}

TEST(HugeScores, DotScoresOfTenThousandDoNotOverflow) {
  // D = 1: q = 100, k = [100, -100, 99.5] -> scores 1e4, -1e4, 9950
  const std::vector<double> w = softmax({0, -2e4, -50});
  expect_attention(make_shape(1, 1, 3, 1, 1), with_variant(Variant::dot), {100},
                   {100, -100, 99.5f}, {1, 2, 3}, w, weighted_values(w, {1, 2, 3}, 3, 1));
}

}  // namespace
