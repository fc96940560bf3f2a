// The micro-kernels of the fused kernel (core/src/fused_tiles.h) against
// float64 sums, over sizes around the 4-lane vector, the 8-wide panel and the
// key block (kKeyBlock), with misaligned pointers and logits that break a naive softmax.
// Native builds run the scalar kernels; a -msimd128 build of this file runs the
// WebAssembly SIMD ones through the same names.
//
// Tolerances: a float32 sum of n products, each rounded, is within
// (n + 1) · FLT_EPSILON · Σ|terms| of the exact sum; exp within 1.1e-7 relative.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstddef>
#include <vector>

#include "fused_tiles.h"
#include "test_support.h"

namespace {

using attention::kPanel;
using attention::kTileRows;
using attention_test::Rng;

const int kDims[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 64, 65};

// key_panels [panels, D, 8] from keys [panels * 8, D], as attention_fused.cpp packs them.
std::vector<float> pack_key_panels(const std::vector<float>& keys, int panels, int dim) {
  std::vector<float> packed(static_cast<std::size_t>(panels) * dim * kPanel);
  for (int j = 0; j < panels * kPanel; ++j) {
    for (int d = 0; d < dim; ++d) {
      packed[(static_cast<std::size_t>(j / kPanel) * dim + d) * kPanel + j % kPanel] = keys[static_cast<std::size_t>(j) * dim + d];
    }
  }
  return packed;
}

TEST(FusedExp, IsWithinElevenHundredMillionthsOfExpFromMinus87ToZero) {
  double worst = 0.0, worst_x = 0.0;
  for (int n = 0; n <= 2000000; ++n) {
    const float x = static_cast<float>(-87.0 * n / 2000000);
    const double want = std::exp(static_cast<double>(x));
    const double err = std::abs(attention::f32_exp_nonpositive_scalar(x) - want) / want;
    if (err > worst) {
      worst = err;
      worst_x = x;
    }
  }
  EXPECT_LE(worst, 1.1e-7) << "worst at x = " << worst_x;
}

TEST(FusedExp, IsExactlyOneAtZeroAndExactlyZeroFarBelow) {
  EXPECT_EQ(attention::f32_exp_nonpositive_scalar(0.0f), 1.0f);
  EXPECT_EQ(attention::f32_exp_nonpositive_scalar(-0.0f), 1.0f);
  for (float x : {-88.0f, -100.0f, -1e4f, -3e38f, -INFINITY}) {
    EXPECT_EQ(attention::f32_exp_nonpositive_scalar(x), 0.0f) << "x = " << x;
  }
  EXPECT_GT(attention::f32_exp_nonpositive_scalar(-87.0f), 0.0f);
}

TEST(FusedQkTile, MatchesFloat64DotsForEveryDimAndPanelCount) {
  Rng rng(1);
  for (int dim : kDims) {
    for (int panels : {1, 2, 3, 8}) {
      const int keys = panels * kPanel;
      // one float of offset: the tile and the panels start off any 16-byte boundary
      // q [D, 4]: q[1 + d * 4 + r] is row r's element d
      std::vector<float> q = attention_test::random_floats(rng, 1 + static_cast<std::size_t>(kTileRows) * dim);
      const std::vector<float> k = attention_test::random_floats(rng, static_cast<std::size_t>(keys) * dim);
      std::vector<float> packed(1);
      const std::vector<float> panels_k = pack_key_panels(k, panels, dim);
      packed.insert(packed.end(), panels_k.begin(), panels_k.end());
      std::vector<float> scores(kTileRows * keys + 2, NAN);
      attention::f32_qk_4x8(scores.data() + 1, q.data() + 1, packed.data() + 1, dim, panels);
      for (int r = 0; r < kTileRows; ++r) {
        for (int j = 0; j < keys; ++j) {
          double want = 0.0, magnitude = 0.0;
          for (int d = 0; d < dim; ++d) {
            const double term = static_cast<double>(q[1 + d * kTileRows + r]) * k[static_cast<std::size_t>(j) * dim + d];
            want += term;
            magnitude += std::abs(term);
          }
          const double got = scores[1 + j * kTileRows + r];
          ASSERT_NEAR(got, want, (dim + 1) * FLT_EPSILON * magnitude + 1e-30)
              << "scores[" << r << ", " << j << "], D = " << dim << ", panels = " << panels;
        }
      }
      EXPECT_TRUE(std::isnan(scores[0]) && std::isnan(scores[1 + kTileRows * keys])) << "wrote outside the tile";
    }
  }
}

// Both layouts of V the fused kernel uses: packed in panels (key_stride 8), and
// as given, rows of at least panels·8 columns (panel_stride 8).
TEST(FusedPvTile, RescalesAndAccumulatesForEveryLengthPanelCountAndLayout) {
  Rng rng(2);
  for (bool packed : {true, false}) {
    for (int n : {0, 1, 3, 4, 8, 9, 63, 64, attention::kKeyBlock}) {
      for (int panels : {1, 2, 3}) {
        const std::size_t ld_out = panels * kPanel + 3;
        const std::size_t panel_stride = packed ? n * kPanel + 16 : kPanel;
        const std::size_t key_stride = packed ? kPanel : (panels + 1) * kPanel;
        std::vector<float> p = attention_test::random_floats(rng, 1 + kTileRows * n, 0.0f, 1.0f);  // [n, 4]
        std::vector<float> v = attention_test::random_floats(rng, 1 + panels * panel_stride + n * key_stride);
        std::vector<float> out = attention_test::random_floats(rng, 1 + kTileRows * ld_out);
        const std::vector<float> before = out;
        const float alpha[kTileRows] = {1.0f, 0.0f, 0.25f, 0.999f};
        attention::f32_pv_4x8(out.data() + 1, ld_out, alpha, p.data() + 1, n, v.data() + 1, panel_stride, key_stride,
                              panels);
        for (int r = 0; r < kTileRows; ++r) {
          for (int c = 0; c < panels * kPanel; ++c) {
            const double start = static_cast<double>(before[1 + r * ld_out + c]) * alpha[r];
            double want = start, magnitude = std::abs(start);
            for (int j = 0; j < n; ++j) {
              const double term = static_cast<double>(p[1 + j * kTileRows + r]) *
                                  v[1 + (c / kPanel) * panel_stride + j * key_stride + c % kPanel];
              want += term;
              magnitude += std::abs(term);
            }
            ASSERT_NEAR(out[1 + r * ld_out + c], want, (n + 2) * FLT_EPSILON * magnitude + 1e-30)
                << "out[" << r << ", " << c << "], n = " << n << ", panels = " << panels << ", packed = " << packed;
          }
          EXPECT_EQ(out[1 + r * ld_out + panels * kPanel], before[1 + r * ld_out + panels * kPanel]) << "row " << r;
        }
      }
    }
  }
}

// Feeds rows [4, NK] of logits to the online softmax in blocks of `block`
// columns (the last one padded with -inf) and checks the running maximum and
// sum, and Σ_j exp(s_j - m) x_j carried along with the alphas as the fused kernel
// carries its output, against float64.
void expect_online_softmax_matches(const std::vector<double>& logits, int keys, int block) {
  ASSERT_EQ(logits.size(), static_cast<std::size_t>(kTileRows) * keys);
  float row_max[kTileRows], row_sum[kTileRows], alpha[kTileRows];
  double carried[kTileRows] = {0, 0, 0, 0};
  for (int r = 0; r < kTileRows; ++r) {
    row_max[r] = -INFINITY;
    row_sum[r] = 0.0f;
  }
  std::vector<float> tile(1 + kTileRows * block);  // [block, 4]
  for (int j0 = 0; j0 < keys; j0 += block) {
    for (int r = 0; r < kTileRows; ++r) {
      for (int c = 0; c < block; ++c) {
        const int j = j0 + c;
        tile[1 + c * kTileRows + r] = j < keys ? static_cast<float>(logits[static_cast<std::size_t>(r) * keys + j]) : -INFINITY;
      }
    }
    attention::f32_softmax_online_4xn(tile.data() + 1, block, row_max, row_sum, alpha);
    for (int r = 0; r < kTileRows; ++r) {
      carried[r] *= alpha[r];
      for (int c = 0; c < block && j0 + c < keys; ++c) {
        const float p = tile[1 + c * kTileRows + r];
        ASSERT_TRUE(p >= 0.0f && p <= 1.0f) << "p[" << r << ", " << j0 + c << "] = " << p;
        carried[r] += p * std::cos(j0 + c);
      }
    }
  }
  for (int r = 0; r < kTileRows; ++r) {
    double m = -INFINITY;
    for (int j = 0; j < keys; ++j) m = std::max(m, logits[static_cast<std::size_t>(r) * keys + j]);
    if (m == -INFINITY) {
      EXPECT_EQ(row_max[r], -INFINITY) << "row " << r;
      EXPECT_EQ(row_sum[r], 0.0f) << "row " << r;
      EXPECT_EQ(carried[r], 0.0) << "row " << r;
      continue;
    }
    double l = 0.0, x = 0.0;
    for (int j = 0; j < keys; ++j) {
      const double e = std::exp(static_cast<double>(static_cast<float>(logits[static_cast<std::size_t>(r) * keys + j])) - m);
      l += e;
      x += e * std::cos(j);
    }
    EXPECT_EQ(row_max[r], static_cast<float>(m)) << "row " << r;
    EXPECT_NEAR(row_sum[r], l, 1e-6 * l) << "row " << r << ", NK = " << keys << ", block " << block;
    EXPECT_NEAR(carried[r], x, 1e-6 * l) << "row " << r << ", NK = " << keys << ", block " << block;
  }
}

TEST(FusedOnlineSoftmax, MatchesADirectSoftmaxOverBlocksOfEveryWidth) {
  Rng rng(3);
  for (int keys : {1, 3, 4, 5, 63, 64, 65, 200, 2 * attention::kKeyBlock + 1}) {
    std::vector<double> logits(kTileRows * keys);
    for (double& s : logits) s = rng.uniform(-5.0f, 5.0f);
    for (int block : {4, 8, 64, attention::kKeyBlock}) expect_online_softmax_matches(logits, keys, block);
  }
}

TEST(FusedOnlineSoftmax, SurvivesLogitsOfPlusAndMinusTenThousandAndAMaxThatJumps) {
  const int keys = 130;
  std::vector<double> logits(kTileRows * keys);
  for (int j = 0; j < keys; ++j) {
    logits[j] = j < 64 ? -1e4 - j : 1e4 - j;  // the maximum rises by 2e4 in the second block
    logits[keys + j] = j < 64 ? 1e4 + j % 5 : -1e4;  // and here it never moves after the first
    logits[2 * keys + j] = -1e4 + 0.25 * (j % 3);  // all near -1e4: a naive exp underflows to 0/0
    logits[3 * keys + j] = 1e4 + 0.5 * (j % 7);  // all near 1e4: a naive exp overflows
  }
  for (int block : {8, 64}) expect_online_softmax_matches(logits, keys, block);
}

TEST(FusedOnlineSoftmax, KeepsRowsWithNothingAllowedAtZeroAndStartsLateRowsCleanly) {
  const int keys = 100;
  std::vector<double> logits(kTileRows * keys, -INFINITY);  // rows 0 and 3: nothing allowed
  for (int j = 70; j < keys; ++j) logits[keys + j] = 0.1 * j;  // row 1: allowed only in a later block
  for (int j = 0; j < keys; j += 9) logits[2 * keys + j] = -3.0;  // row 2: sparse
  for (int block : {4, 64}) expect_online_softmax_matches(logits, keys, block);
}

TEST(FusedExpNormalizeRow, NormalisesEveryLengthAndMapsMinusInfinityToZero) {
  Rng rng(4);
  for (int n = 0; n <= 19; ++n) {
    std::vector<float> w = attention_test::random_floats(rng, n + 2, -30.0f, 0.0f);
    if (n > 2) w[1 + n / 2] = -INFINITY;
    const std::vector<float> before = w;
    attention::f32_exp_normalize_row(w.data() + 1, n, -0.5f, 0.25f);
    for (int j = 0; j < n; ++j) {
      const double want = std::exp(static_cast<double>(before[1 + j] + 0.5f)) * 0.25;
      ASSERT_NEAR(w[1 + j], want, 2e-7 * want) << "w[" << j << "] of " << n;
    }
    EXPECT_EQ(w[0], before[0]);
    EXPECT_EQ(w[n + 1], before[n + 1]);
  }
}

}  // namespace
