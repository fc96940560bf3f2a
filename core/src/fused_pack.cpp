// Packing kernels of the fused attention kernel; layouts in fused_pack.h and fused_tiles.h.
#include "fused_pack.h"

#include <cassert>

namespace attention {

namespace {

// The one packer behind both: rows[0 .. R-1] (each dim floats), times m when
// Scaled, interleaved into dst [dim, R]: dst[d * R + r] = m · rows[r][d], and
// norm2[r] = Σ_d (m · rows[r][d])², summed over d in order from 0.
template <int R, bool Scaled>
void pack_rows_scalar(float* dst, float* norm2, const float* const* rows, int dim, float m) {
  assert(dim >= 1);
  for (int r = 0; r < R; ++r) {
    float sum = 0.0f;
    for (int d = 0; d < dim; ++d) {
      const float x = Scaled ? m * rows[r][d] : rows[r][d];
      dst[d * R + r] = x;
      sum += x * x;
    }
    norm2[r] = sum;
  }
}

#if defined(__wasm_simd128__)

// Four d at a time: per group of 4 rows, 4 loads (times m when Scaled), a 4 × 4
// transpose and 4 stores; lane r of a group's norm vector is its row r's sum,
// accumulated in d order as the scalar one. The last dim % 4 columns are
// scalar, continuing those sums.
template <int R, bool Scaled>
void pack_rows_wasmsimd(float* dst, float* norm2, const float* const* rows, int dim, float m) {
  static_assert(R % 4 == 0, "rows come in groups of one vector");
  constexpr int kGroups = R / 4;
  assert(dim >= 1);
  const v128_t vm = wasm_f32x4_splat(m);
  v128_t norm[kGroups];
  for (v128_t& n : norm) n = wasm_f32x4_splat(0.0f);
  int d = 0;
  for (; d + 4 <= dim; d += 4) {
    for (int g = 0; g < kGroups; ++g) {
      v128_t a[4];
      for (int c = 0; c < 4; ++c) {
        a[c] = wasm_v128_load(rows[4 * g + c] + d);
        if (Scaled) a[c] = wasm_f32x4_mul(vm, a[c]);
      }
      f32x4_transpose_4x4(a);
      for (int k = 0; k < 4; ++k) {
        wasm_v128_store(dst + (d + k) * R + 4 * g, a[k]);
        norm[g] = wasm_f32x4_add(norm[g], wasm_f32x4_mul(a[k], a[k]));
      }
    }
  }
  for (int g = 0; g < kGroups; ++g) wasm_v128_store(norm2 + 4 * g, norm[g]);
  for (; d < dim; ++d) {
    for (int r = 0; r < R; ++r) {
      const float x = Scaled ? m * rows[r][d] : rows[r][d];
      dst[d * R + r] = x;
      norm2[r] += x * x;
    }
  }
}

#endif

}  // namespace

void f32_pack_key_panel_8xd_scalar(float* panel, float* norm2, const float* const* keys, int dim) {
  pack_rows_scalar<kPanel, false>(panel, norm2, keys, dim, 1.0f);
}

void f32_pack_query_tile_4xd_scalar(float* q_tile, float* norm2, const float* const* rows, int dim, float m) {
  pack_rows_scalar<kTileRows, true>(q_tile, norm2, rows, dim, m);
}

#if defined(__wasm_simd128__)

void f32_pack_key_panel_8xd_wasmsimd(float* panel, float* norm2, const float* const* keys, int dim) {
  pack_rows_wasmsimd<kPanel, false>(panel, norm2, keys, dim, 1.0f);
}

// The multiplier is applied to each loaded row before the transpose
// (elementwise, so the same products as the scalar one).
void f32_pack_query_tile_4xd_wasmsimd(float* q_tile, float* norm2, const float* const* rows, int dim, float m) {
  pack_rows_wasmsimd<kTileRows, true>(q_tile, norm2, rows, dim, m);
}

#endif

}  // namespace attention
