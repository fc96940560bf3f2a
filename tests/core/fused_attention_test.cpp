// The fused kernel (scaled_dot, dot and general through attention_forward,
// attention_forward_output_only and attention_forward_rows) against the
// float64 reference: sizes below, at, above and between the 4-row tile, the
// 8-wide panels and the query and key blocks (kQueryBlock, kKeyBlock), every mask option across block
// boundaries, inputs that break a naive softmax, misaligned pointers, and
// row splits that must not change a bit. Tolerances: see test_support.h.
#include <attention/attention.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "fused_tiles.h"
#include "test_support.h"

namespace {

using attention::Variant;
using attention_test::Case;
using attention_test::Result32;
using attention_test::Rng;

using attention::kKeyBlock;
using attention::kQueryBlock;

// Around the tile (4 rows), the panel (8 keys or value columns) and the blocks.
const int kQueryCounts[] = {1, 3, 4, 5, 63, kQueryBlock - 1, kQueryBlock, kQueryBlock + 1, 2 * kQueryBlock + 3};
const int kKeyCounts[] = {1, 7, 8, 9, 63, kKeyBlock - 1, kKeyBlock, kKeyBlock + 1, 2 * kKeyBlock + 1};
const int kWidths[] = {1, 2, 3, 4, 7, 8, 9, 16, 33, 64, 65};

Result32 run_output_only(const Case& c) {
  Result32 r{std::vector<float>(c.out_size(), NAN), {}};
  attention::attention_forward_output_only(r.out.data(), c.query.data(), c.key.data(), c.value.data(), c.shape,
                                           c.options);
  return r;
}

// Both forms of the fast kernel against the reference.
::testing::AssertionResult both_match_reference(const Case& c, double extra_rel = 0.0) {
  const attention_test::Result64 want = attention_test::run_reference(c);
  ::testing::AssertionResult with_weights =
      attention_test::result_matches_reference(c, attention_test::run_fast(c), want, extra_rel);
  if (!with_weights) return with_weights << " (attention_forward)";
  ::testing::AssertionResult output_only =
      attention_test::result_matches_reference(c, run_output_only(c), want, extra_rel);
  if (!output_only) return output_only << " (attention_forward_output_only)";
  return ::testing::AssertionSuccess();
}

class FusedKernel : public ::testing::TestWithParam<Variant> {
 protected:
  std::uint64_t seed(std::uint64_t site) const {
    return site * 999983ULL + static_cast<std::uint64_t>(GetParam()) * 7919ULL + 5ULL;
  }
};

TEST_P(FusedKernel, MatchesTheReferenceOverQueryAndKeyCountsAroundTileAndBlock) {
  std::uint64_t site = 1;
  for (int nq : kQueryCounts) {
    for (int nk : kKeyCounts) {
      Case c(1 + (nq + nk) % 2, nq, nk, 5, 3, GetParam(), seed(site++));
      EXPECT_TRUE(both_match_reference(c));
    }
  }
}

TEST_P(FusedKernel, MatchesTheReferenceOverDimAndValueDimAroundThePanel) {
  std::uint64_t site = 100;
  for (int d : kWidths) {
    for (int dv : kWidths) {
      Case c(1, 9, 70, d, dv, GetParam(), seed(site++));
      EXPECT_TRUE(both_match_reference(c));
    }
  }
}

TEST_P(FusedKernel, MatchesTheReferenceWithCausalAndWindowsAcrossBlockBoundaries) {
  const int shapes[][2] = {{kQueryBlock + 2, kKeyBlock + 2}, {70, 2 * kKeyBlock + 40}, {2 * kQueryBlock + 40, 70},
                           {1, kKeyBlock + 1}, {kQueryBlock + 1, 1}};
  std::uint64_t site = 300;
  for (int window : {-1, 0, 1, 5, 63, kKeyBlock - 1, kKeyBlock, kKeyBlock + 1, 300}) {
    for (bool causal : {false, true}) {
      for (const auto& s : shapes) {
        Case c(2, s[0], s[1], 6, 5, GetParam(), seed(site++));
        if (window >= 0) c.options.window = window;  // -1 here: no window
        c.options.causal = causal;
        EXPECT_TRUE(both_match_reference(c)) << "window " << window << ", causal " << causal;
      }
    }
  }
}

TEST_P(FusedKernel, MatchesTheReferenceWithMasksOfEveryDensityIncludingEmptyRowsAndBlocks) {
  const int nq = 70, nk = 2 * kKeyBlock + 22;
  std::uint64_t site = 500;
  for (double p_allowed : {0.0, 0.02, 0.5, 0.98, 1.0}) {
    Case c(2, nq, nk, 8, 9, GetParam(), seed(site));
    Rng rng(seed(site++) + 1);
    std::vector<std::uint8_t> mask = attention_test::random_bytes(rng, static_cast<std::size_t>(nq) * nk, p_allowed);
    for (int j = 0; j < nk; ++j) mask[5 * nk + j] = 0;  // row 5 may attend nothing
    for (int i = 8; i < 12; ++i) {  // one whole tile of rows sees nothing of the second key block
      for (int j = kKeyBlock; j < 2 * kKeyBlock; ++j) mask[static_cast<std::size_t>(i) * nk + j] = 0;
    }
    c.set_mask(mask);
    EXPECT_TRUE(both_match_reference(c)) << "P(allowed) " << p_allowed;
  }
}

TEST_P(FusedKernel, MatchesTheReferenceWithKeyPaddingOfWholeBlocksAndSingleKeys) {
  const int nk = 2 * kKeyBlock + 72;
  std::vector<std::vector<std::uint8_t>> paddings;
  std::vector<std::uint8_t> p(nk, 0);
  for (int j = kKeyBlock; j < 2 * kKeyBlock; ++j) p[j] = 1;  // the whole second block
  paddings.push_back(p);
  for (int j = 0; j < nk; ++j) p[j] = j % 2;  // every other key
  paddings.push_back(p);
  std::fill(p.begin(), p.end(), 1);  // every key
  paddings.push_back(p);
  std::fill(p.begin(), p.end(), 0);
  p[nk - 1] = 1;  // the last key only
  paddings.push_back(p);
  std::uint64_t site = 600;
  for (const auto& padding : paddings) {
    for (bool causal : {false, true}) {
      Case c(2, 67, nk, 7, 8, GetParam(), seed(site++));
      c.options.causal = causal;
      c.set_key_padding(padding);
      EXPECT_TRUE(both_match_reference(c)) << "causal " << causal;
    }
  }
}

TEST_P(FusedKernel, MatchesTheReferenceWithEveryOptionTogether) {
  const int shapes[][2] = {{70, kKeyBlock + 12}, {kQueryBlock + 12, 70}, {kQueryBlock + 33, kKeyBlock + 33}};
  std::uint64_t site = 700;
  for (const auto& s : shapes) {
    const int nq = s[0], nk = s[1];
    Case c(3, nq, nk, 9, 17, GetParam(), seed(site));
    Rng rng(seed(site++) + 1);
    c.options.causal = true;
    c.options.window = 40;
    c.options.temperature = 0.7f;
    c.options.scale = 0.4f;
    c.set_mask(attention_test::random_bytes(rng, static_cast<std::size_t>(nq) * nk, 0.8));
    c.set_key_padding(attention_test::random_bytes(rng, nk, 0.2));
    EXPECT_TRUE(both_match_reference(c));
  }
}

TEST_P(FusedKernel, MatchesTheReferenceWhenTheRowMaximumJumpsByTwentyThousandBetweenBlocks) {
  // D = 1, q = 100 (general: W = 1): keys of -100 then +100 give logits near
  // -1e4 in the first block and +1e4 in the next (the running sum is rescaled by
  // exp(-2e4) = 0), and the reverse order keeps the first block's maximum.
  const int nk = kKeyBlock + 86;
  for (bool rising : {true, false}) {
    Case c(1, 3, nk, 1, 4, GetParam(), 800);
    c.options.scale = 1.0f;
    if (GetParam() == Variant::general) c.general_w = {1.0f};
    c.options.general.W = c.general_w.data();
    for (int i = 0; i < 3; ++i) c.query[i] = 100.0f - i;
    for (int j = 0; j < nk; ++j) {
      const bool first_block = j < kKeyBlock;
      c.key[j] = ((first_block == rising) ? -100.0f : 100.0f) + 0.01f * (j % 5);
    }
    // logits near 1e4 have float32 spacing ~1e-3: widen as the huge-score test does
    EXPECT_TRUE(both_match_reference(c, 2.0 * 6 * FLT_EPSILON * 1.1e4)) << "rising " << rising;
  }
}

TEST_P(FusedKernel, MatchesTheReferenceWithHugeInputsOverSeveralBlocks) {
  // q and k in [-100, 100]: logits of several 1e4 where exp overflows without the max subtraction.
  const int nk = 2 * kKeyBlock + 22;
  std::uint64_t site = 900;
  for (int d : {1, 4, 9}) {
    Case c(2, 7, nk, d, 5, GetParam(), seed(site++), 100.0f);
    double bound = 0.0;
    for (int h = 0; h < 2; ++h) {
      for (int i = 0; i < 7; ++i) {
        for (int j = 0; j < nk; ++j) {
          double m = 0.0;
          const float* q = c.query.data() + (static_cast<std::size_t>(h) * 7 + i) * d;
          const float* k = c.key.data() + (static_cast<std::size_t>(h) * nk + j) * d;
          if (GetParam() == Variant::general) {
            for (int a = 0; a < d; ++a) {
              for (int b = 0; b < d; ++b) m += std::abs(q[a] * c.general_w[a * d + b] * k[b]);
            }
          } else {
            for (int a = 0; a < d; ++a) m += std::abs(q[a] * k[a]);
          }
          bound = std::max(bound, m);
        }
      }
    }
    if (GetParam() == Variant::scaled_dot) bound /= std::sqrt(static_cast<double>(d));
    EXPECT_TRUE(both_match_reference(c, 2.0 * (2 * d + 4) * FLT_EPSILON * bound)) << "score bound " << bound;
  }
}

TEST_P(FusedKernel, LeavesRowsWithNoAllowedKeyExactlyZeroWithoutNaN) {
  // window 0 and key 0 padded: query 0 and every query past NK have no key.
  Case c(2, 75, 66, 5, 4, GetParam(), seed(1000));
  c.options.window = 0;
  std::vector<std::uint8_t> padding(66, 0);
  padding[0] = 1;
  c.set_key_padding(padding);
  const Result32 with_weights = attention_test::run_fast(c);
  const Result32 output_only = run_output_only(c);
  for (int h = 0; h < 2; ++h) {
    for (int i : {0, 66, 70, 74}) {
      const std::size_t row = static_cast<std::size_t>(h) * 75 + i;
      for (int j = 0; j < 66; ++j) ASSERT_EQ(with_weights.weights[row * 66 + j], 0.0f) << h << ", " << i << ", " << j;
      for (int e = 0; e < 4; ++e) {
        ASSERT_EQ(with_weights.out[row * 4 + e], 0.0f) << "out[" << h << ", " << i << ", " << e << "]";
        ASSERT_EQ(output_only.out[row * 4 + e], 0.0f) << "out[" << h << ", " << i << ", " << e << "]";
      }
    }
  }
  EXPECT_TRUE(both_match_reference(c));
}

TEST_P(FusedKernel, GivesOutputOnlyBitIdenticalToTheOutputWithWeights) {
  Case c(3, 67, 131, 16, 9, GetParam(), seed(1100));
  c.options.causal = true;
  EXPECT_EQ(run_output_only(c).out, attention_test::run_fast(c).out);
}

TEST_P(FusedKernel, GivesRowsThatSumToOneOverLongRows) {
  Case c(1, 3, 5000, 8, 4, GetParam(), seed(1200), 2.0f);
  const Result32 got = attention_test::run_fast(c);
  for (int i = 0; i < 3; ++i) {
    double sum = 0.0;
    for (int j = 0; j < 5000; ++j) {
      ASSERT_GE(got.weights[static_cast<std::size_t>(i) * 5000 + j], 0.0f) << "row " << i << ", key " << j;
      sum += got.weights[static_cast<std::size_t>(i) * 5000 + j];
    }
    EXPECT_NEAR(sum, 1.0, 1e-5) << "row " << i;
  }
  EXPECT_TRUE(both_match_reference(c));
}

TEST_P(FusedKernel, GivesTheSameBitsWithMisalignedPointers) {
  Case c(2, 13, 70, 7, 5, GetParam(), seed(1300));
  c.options.causal = true;
  auto shifted = [](const std::vector<float>& v) {
    std::vector<float> s(v.size() + 1, 0.0f);
    std::copy(v.begin(), v.end(), s.begin() + 1);
    return s;
  };
  const std::vector<float> q = shifted(c.query), k = shifted(c.key), v = shifted(c.value);
  std::vector<float> out(c.out_size() + 1, NAN), weights(c.weights_size() + 1, NAN), out_only(c.out_size() + 1, NAN);
  attention::attention_forward(out.data() + 1, weights.data() + 1, q.data() + 1, k.data() + 1, v.data() + 1,
                               c.shape, c.options);
  attention::attention_forward_output_only(out_only.data() + 1, q.data() + 1, k.data() + 1, v.data() + 1, c.shape,
                                           c.options);
  const Result32 aligned = attention_test::run_fast(c);
  for (std::size_t n = 0; n < c.out_size(); ++n) {
    ASSERT_EQ(out[n + 1], aligned.out[n]) << "out[" << n << "] of " << c.out_size();
    ASSERT_EQ(out_only[n + 1], aligned.out[n]) << "output-only out[" << n << "] of " << c.out_size();
  }
  for (std::size_t n = 0; n < c.weights_size(); ++n) {
    ASSERT_EQ(weights[n + 1], aligned.weights[n]) << "weights[" << n << "] of " << c.weights_size();
  }
  EXPECT_TRUE(std::isnan(out[0]) && std::isnan(weights[0]) && std::isnan(out_only[0])) << "wrote before the output";
}

INSTANTIATE_TEST_SUITE_P(FusedVariants, FusedKernel,
                         ::testing::Values(Variant::scaled_dot, Variant::dot, Variant::general),
                         [](const ::testing::TestParamInfo<Variant>& info) {
                           return std::string(attention::variant_name(info.param));
                         });

// attention_forward_rows for every variant: rows of any split, each the bits of the whole call.
class RowSplits : public ::testing::TestWithParam<Variant> {};

TEST_P(RowSplits, GiveEveryRowTheBitsOfTheWholeCall) {
  const int nq = kQueryBlock + 3, nk = kKeyBlock + 42, dv = 6;  // two blocks each way
  Case c(2, nq, nk, 5, dv, GetParam(), 1400 + static_cast<int>(GetParam()));
  Rng rng(77);
  c.options.causal = true;
  c.options.window = 70;
  c.set_mask(attention_test::random_bytes(rng, static_cast<std::size_t>(nq) * nk, 0.9));
  const Result32 whole = attention_test::run_fast(c);
  const std::vector<int> cuts = {0, 1, 3, 4, 63, 64, 65, 100, kQueryBlock - 1, kQueryBlock + 2, nq};
  for (bool with_weights : {true, false}) {
    for (std::size_t s = 0; s + 1 < cuts.size(); ++s) {
      const int b = cuts[s], e = cuts[s + 1], rows = e - b;
      std::vector<float> out(static_cast<std::size_t>(2) * rows * dv, NAN);
      std::vector<float> weights(with_weights ? static_cast<std::size_t>(2) * rows * nk : 0, NAN);
      attention::attention_forward_rows(out.data(), with_weights ? weights.data() : nullptr, c.query.data(),
                                        c.key.data(), c.value.data(), c.shape, c.options, b, e);
      for (int h = 0; h < 2; ++h) {
        for (int r = 0; r < rows; ++r) {
          const std::size_t whole_row = static_cast<std::size_t>(h) * nq + b + r;
          const std::size_t part_row = static_cast<std::size_t>(h) * rows + r;
          for (int x = 0; x < dv; ++x) {
            ASSERT_EQ(out[part_row * dv + x], whole.out[whole_row * dv + x])
                << "out of head " << h << ", row " << b + r << ", rows [" << b << ", " << e << ")";
          }
          for (int j = 0; j < nk && with_weights; ++j) {
            ASSERT_EQ(weights[part_row * nk + j], whole.weights[whole_row * nk + j])
                << "weights of head " << h << ", row " << b + r << ", key " << j;
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllVariants, RowSplits,
                         ::testing::Values(Variant::scaled_dot, Variant::dot, Variant::general,
                                           Variant::additive, Variant::hard, Variant::top_k),
                         [](const ::testing::TestParamInfo<Variant>& info) {
                           return std::string(attention::variant_name(info.param));
                         });

TEST(FusedKernelRows, RefuseARangeOutsideTheQueriesNamingRows) {
  Case c(1, 5, 5, 2, 2, Variant::scaled_dot, 1500);
  std::vector<float> out(10 * 2);
  for (auto range : {std::pair<int, int>{-1, 2}, {0, 6}, {3, 3}, {4, 2}}) {
    try {
      attention::attention_forward_rows(out.data(), nullptr, c.query.data(), c.key.data(), c.value.data(), c.shape,
                                        c.options, range.first, range.second);
      ADD_FAILURE() << "no error for rows [" << range.first << ", " << range.second << ")";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).rfind("rows: ", 0), 0u) << e.what();
    }
  }
}

TEST(FusedKernelOutputOnly, WorksPastTheWeightsLimitThatAttentionForwardRefuses) {
  // 8193 x 8193 weights are over 2^26 floats; causal with window 1 keeps the work small.
  const int n = 8193;
  Case c(1, n, n, 1, 1, Variant::dot, 1600);
  c.options.causal = true;
  c.options.window = 1;
  std::vector<float> out(n, NAN), weights(1);
  EXPECT_THROW(attention::attention_forward(out.data(), weights.data(), c.query.data(), c.key.data(), c.value.data(),
                                            c.shape, c.options),
               std::invalid_argument);
  attention::attention_forward_output_only(out.data(), c.query.data(), c.key.data(), c.value.data(), c.shape,
                                           c.options);
  for (int i : {0, 1, 63, 64, 4096, n - 1}) {
    // keys i - 1 and i: out = softmax-weighted mean of their values
    const double s1 = static_cast<double>(c.query[i]) * c.key[i];
    const double s0 = i > 0 ? static_cast<double>(c.query[i]) * c.key[i - 1] : -INFINITY;
    const double m = std::max(s0, s1);
    const double w0 = std::exp(s0 - m), w1 = std::exp(s1 - m);
    const double want = (i > 0 ? w0 * c.value[i - 1] : 0.0) + w1 * c.value[i];
    EXPECT_NEAR(out[i], want / (w0 + w1), 1e-5) << "row " << i;
  }
}

TEST(FusedKernelOverflow, SendsARowWhoseLogitsCouldOverflowToTheRowKernelAndStillMatches) {
  // Row 2's query is 1e38 in one component: |q| max|k| passes 2^126, though
  // every logit (|k| <= 1 per component) is finite. The other rows stay fused.
  for (Variant variant : {Variant::scaled_dot, Variant::dot, Variant::general}) {
    Case c(1, 9, 70, 4, 3, variant, 1700);
    if (variant == Variant::general) {
      std::fill(c.general_w.begin(), c.general_w.end(), 0.0f);
      for (int a = 0; a < 4; ++a) c.general_w[a * 4 + a] = 1.0f;
    }
    std::fill(c.query.begin() + 8, c.query.begin() + 12, 0.0f);
    c.query[8] = 1e38f;
    c.options.scale = 1.0f;
    // a huge-score row: the relative tolerance covers the float32 spacing of logits near 1e38
    const attention_test::Result64 want = attention_test::run_reference(c);
    const Result32 got = attention_test::run_fast(c);
    for (std::size_t n = 0; n < got.out.size(); ++n) ASSERT_TRUE(std::isfinite(got.out[n])) << "out[" << n << "]";
    EXPECT_TRUE(attention_test::result_matches_reference(c, got, want, 1e-3)) << attention::variant_name(variant);
  }
}

TEST(FusedKernelOverflow, NamesTheFirstLogitThatOverflowsFloat32) {
  Case c(2, 70, 9, 1, 1, Variant::dot, 1800);
  c.query[70 + 66] = 1e20f;  // head 1, query 66
  c.key[9 + 4] = 1e20f;  // head 1, key 4
  std::vector<float> out(c.out_size());
  try {
    attention::attention_forward_output_only(out.data(), c.query.data(), c.key.data(), c.value.data(), c.shape,
                                             c.options);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "query, key: the score of head 1, query 66, key 4 overflows float32; use smaller values");
  }
}

}  // namespace
