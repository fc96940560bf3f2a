// The packing kernels of the fused kernel (core/src/fused_pack.h): the packed
// layout is an exact copy (times the multiplier for queries), and the squared
// norms are within the float32 rounding of float64 sums, over widths around
// the 4-lane vector, with rows at odd addresses and missing rows as zeros.
// Native builds run the scalar kernels; -msimd128 builds the SIMD ones.
//
// Tolerance: a float32 sum of D squares is within (D + 1) · FLT_EPSILON of the exact sum.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstddef>
#include <vector>

#include "fused_pack.h"
#include "test_support.h"

namespace {

using attention::kPanel;
using attention::kTileRows;
using attention_test::Rng;

const int kDims[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 64, 65};

double sum_of_squares(const float* x, int dim, double m = 1.0) {
  double sum = 0.0;
  for (int d = 0; d < dim; ++d) sum += (m * x[d]) * (m * x[d]);
  return sum;
}

TEST(FusedPackKeys, TransposesEightKeysExactlyAndSumsTheirSquares) {
  Rng rng(11);
  for (int dim : kDims) {
    // one float of offset: rows start off any 16-byte boundary; key 5 is missing (zeros)
    const std::vector<float> data = attention_test::random_floats(rng, 1 + static_cast<std::size_t>(kPanel) * dim);
    const std::vector<float> zeros(dim, 0.0f);
    const float* keys[kPanel];
    for (int c = 0; c < kPanel; ++c) keys[c] = c == 5 ? zeros.data() : data.data() + 1 + static_cast<std::size_t>(c) * dim;
    std::vector<float> panel(static_cast<std::size_t>(dim) * kPanel + 2, NAN);
    float norm2[kPanel];
    attention::f32_pack_key_panel_8xd(panel.data() + 1, norm2, keys, dim);
    for (int c = 0; c < kPanel; ++c) {
      for (int d = 0; d < dim; ++d) {
        ASSERT_EQ(panel[1 + d * kPanel + c], keys[c][d]) << "key " << c << ", d = " << d << ", D = " << dim;
      }
      const double want = sum_of_squares(keys[c], dim);
      EXPECT_NEAR(norm2[c], want, (dim + 1) * FLT_EPSILON * want) << "key " << c << ", D = " << dim;
    }
    EXPECT_EQ(norm2[5], 0.0f);
    EXPECT_TRUE(std::isnan(panel[0]) && std::isnan(panel[1 + dim * kPanel])) << "wrote outside the panel";
  }
}

TEST(FusedPackQueries, InterleavesFourRowsTimesTheMultiplierAndSumsTheirSquares) {
  Rng rng(12);
  const float m = 0.125f * 3.0f;
  for (int dim : kDims) {
    const std::vector<float> data = attention_test::random_floats(rng, 1 + static_cast<std::size_t>(kTileRows) * dim);
    const std::vector<float> zeros(dim, 0.0f);
    const float* rows[kTileRows];
    for (int r = 0; r < kTileRows; ++r) rows[r] = r == 3 ? zeros.data() : data.data() + 1 + static_cast<std::size_t>(r) * dim;
    std::vector<float> tile(static_cast<std::size_t>(dim) * kTileRows + 2, NAN);
    float norm2[kTileRows];
    attention::f32_pack_query_tile_4xd(tile.data() + 1, norm2, rows, dim, m);
    for (int r = 0; r < kTileRows; ++r) {
      for (int d = 0; d < dim; ++d) {
        ASSERT_EQ(tile[1 + d * kTileRows + r], m * rows[r][d]) << "row " << r << ", d = " << d << ", D = " << dim;
      }
      const double want = sum_of_squares(rows[r], dim, m);
      EXPECT_NEAR(norm2[r], want, (dim + 1) * FLT_EPSILON * want) << "row " << r << ", D = " << dim;
    }
    EXPECT_EQ(norm2[3], 0.0f);
    EXPECT_TRUE(std::isnan(tile[0]) && std::isnan(tile[1 + dim * kTileRows])) << "wrote outside the tile";
  }
}

TEST(FusedPackKeys, GivesAnInfiniteOrNaNNormForAnOverflowingOrNonFiniteKey) {
  // the norms decide which rows go to the row kernel: they must not hide these
  for (float bad : {1e20f, INFINITY, NAN}) {
    std::vector<float> key(4, 1.0f);
    key[2] = bad;
    const std::vector<float> zeros(4, 0.0f);
    const float* keys[kPanel] = {key.data(), zeros.data(), zeros.data(), zeros.data(),
                                 zeros.data(), zeros.data(), zeros.data(), zeros.data()};
    std::vector<float> panel(4 * kPanel);
    float norm2[kPanel];
    attention::f32_pack_key_panel_8xd(panel.data(), norm2, keys, 4);
    EXPECT_FALSE(norm2[0] <= 3.4e38f) << "key element " << bad << " gave norm² " << norm2[0];
  }
}

}  // namespace
