// attention_row_trace exposes the numbers attention_forward computed for one
// row: its weights and output must be bit-identical to the kernel's, and each
// intermediate must follow from the previous one.
#include <attention/attention.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "test_support.h"

namespace {

using attention::Variant;
using attention_test::Case;

struct Trace {
  std::vector<float> scores, logits, exps, weights, output;
  std::vector<std::uint8_t> allowed, kept;
  attention::AttentionRowTrace view;

  // Prefilled with NaN and 2, so an entry the trace forgets to write fails a check.
  Trace(int keys, int value_dim)
      : scores(keys, NAN), logits(keys, NAN), exps(keys, NAN), weights(keys, NAN), output(value_dim, NAN),
        allowed(keys, 2), kept(keys, 2) {
    view.scores = scores.data();
    view.logits = logits.data();
    view.exps = exps.data();
    view.weights = weights.data();
    view.output = output.data();
    view.allowed = allowed.data();
    view.kept = kept.data();
  }
};

class TraceOfEveryVariant : public ::testing::TestWithParam<Variant> {};

TEST_P(TraceOfEveryVariant, RepeatsTheKernelsRowExactlyAndEachStepFollowsFromTheLast) {
  Case c(2, 5, 7, 6, 3, GetParam(), 99);
  c.options.causal = true;
  c.options.temperature = 0.7f;
  c.set_key_padding({0, 0, 0, 0, 0, 0, 1});
  const attention_test::Result32 full = attention_test::run_fast(c);
  for (int h = 0; h < 2; ++h) {
    for (int i = 0; i < 5; ++i) {
      Trace t(7, 3);
      attention::attention_row_trace(t.view, c.query.data(), c.key.data(), c.value.data(), c.shape, c.options, h, i);
      const std::size_t row = static_cast<std::size_t>(h) * 5 + i;
      for (int j = 0; j < 7; ++j) {
        EXPECT_EQ(t.weights[j], full.weights[row * 7 + j]) << "h=" << h << " i=" << i << " j=" << j;
        EXPECT_EQ(t.allowed[j], (j <= i && j != 6) ? 1 : 0) << "j=" << j;
        EXPECT_NEAR(t.logits[j], t.scores[j] * t.view.scale / 0.7f, 1e-5 + 1e-5 * std::abs(t.logits[j]));
        if (t.kept[j]) {
          EXPECT_FLOAT_EQ(t.exps[j], std::exp(t.logits[j] - t.view.max));
          EXPECT_LE(t.logits[j], t.view.max);
        } else {
          EXPECT_EQ(t.exps[j], 0.0f);
        }
      }
      for (int d = 0; d < 3; ++d) EXPECT_EQ(t.output[d], full.out[row * 3 + d]) << "h=" << h << " i=" << i;
      double sum = 0.0;
      for (float e : t.exps) sum += e;
      EXPECT_NEAR(t.view.sum, sum, 1e-6 * sum);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, TraceOfEveryVariant,
                         ::testing::Values(Variant::scaled_dot, Variant::dot, Variant::general,
                                           Variant::additive, Variant::hard, Variant::top_k));

TEST(Trace, ScaleIsOneOverRootDForScaledDotAndOneForDot) {
  Case scaled(1, 1, 2, 4, 4, Variant::scaled_dot, 1);
  Trace t(2, 4);
  attention::attention_row_trace(t.view, scaled.query.data(), scaled.key.data(), scaled.value.data(), scaled.shape,
                                 scaled.options, 0, 0);
  EXPECT_FLOAT_EQ(t.view.scale, 0.5f);
  Case dot(1, 1, 2, 4, 4, Variant::dot, 1);
  attention::attention_row_trace(t.view, dot.query.data(), dot.key.data(), dot.value.data(), dot.shape, dot.options,
                                 0, 0);
  EXPECT_FLOAT_EQ(t.view.scale, 1.0f);
}

TEST(Trace, AFullyMaskedRowKeepsNothingAndHasZeroWeights) {
  Case c(1, 2, 3, 2, 2, Variant::scaled_dot, 5);
  c.set_mask({0, 0, 0, 1, 1, 1});
  Trace t(3, 2);
  attention::attention_row_trace(t.view, c.query.data(), c.key.data(), c.value.data(), c.shape, c.options, 0, 0);
  for (int j = 0; j < 3; ++j) {
    EXPECT_EQ(t.kept[j], 0);
    EXPECT_EQ(t.weights[j], 0.0f);
  }
  EXPECT_EQ(t.view.sum, 0.0);
  EXPECT_EQ(t.output[0], 0.0f);
}

TEST(Trace, RejectsAHeadOrRowOutOfRangeNamingIt) {
  Case c(2, 3, 3, 2, 2, Variant::scaled_dot, 5);
  Trace t(3, 2);
  EXPECT_THROW(attention::attention_row_trace(t.view, c.query.data(), c.key.data(), c.value.data(), c.shape,
                                              c.options, 2, 0),
               std::invalid_argument);
  EXPECT_THROW(attention::attention_row_trace(t.view, c.query.data(), c.key.data(), c.value.data(), c.shape,
                                              c.options, 0, 3),
               std::invalid_argument);
}

}  // namespace
