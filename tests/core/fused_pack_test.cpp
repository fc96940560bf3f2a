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
#include <cstdint>
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

// Packs R rows with pack(dst, norm2, rows, dim) for every width in kDims: rows
// start one float off any 16-byte boundary, row `missing` is zeros. Checks the
// interleaved copy (times m) exactly, the norms within float32 rounding, and
// that nothing outside [dim, R] was written.
template <int R, typename Pack>
void expect_packs_rows(std::uint64_t seed, int missing, float m, Pack pack) {
  Rng rng(seed);
  for (int dim : kDims) {
    const std::vector<float> data = attention_test::random_floats(rng, 1 + static_cast<std::size_t>(R) * dim);
    const std::vector<float> zeros(dim, 0.0f);
    const float* rows[R];
    for (int r = 0; r < R; ++r) rows[r] = r == missing ? zeros.data() : data.data() + 1 + static_cast<std::size_t>(r) * dim;
    std::vector<float> packed(static_cast<std::size_t>(dim) * R + 2, NAN);
    float norm2[R];
    pack(packed.data() + 1, norm2, rows, dim);
    for (int r = 0; r < R; ++r) {
      for (int d = 0; d < dim; ++d) {
        ASSERT_EQ(packed[1 + d * R + r], m * rows[r][d]) << "row " << r << ", d = " << d << ", D = " << dim;
      }
      const double want = sum_of_squares(rows[r], dim, m);
      EXPECT_NEAR(norm2[r], want, (dim + 1) * FLT_EPSILON * want) << "row " << r << ", D = " << dim;
    }
    EXPECT_EQ(norm2[missing], 0.0f);
    EXPECT_TRUE(std::isnan(packed[0]) && std::isnan(packed[1 + dim * R])) << "wrote outside the packed rows, D = " << dim;
  }
}

TEST(FusedPackKeys, TransposesEightKeysExactlyAndSumsTheirSquares) {
  expect_packs_rows<kPanel>(11, 5, 1.0f, [](float* panel, float* norm2, const float* const* keys, int dim) {
    attention::f32_pack_key_panel_8xd(panel, norm2, keys, dim);
  });
}

TEST(FusedPackQueries, InterleavesFourRowsTimesTheMultiplierAndSumsTheirSquares) {
  const float m = 0.125f * 3.0f;
  expect_packs_rows<kTileRows>(12, 3, m, [m](float* tile, float* norm2, const float* const* rows, int dim) {
    attention::f32_pack_query_tile_4xd(tile, norm2, rows, dim, m);
  });
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
