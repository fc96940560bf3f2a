// Packing kernels of the fused attention kernel; layouts in fused_pack.h and fused_tiles.h.
#include "fused_pack.h"

#include <cassert>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace attention {

void f32_pack_key_panel_8xd_scalar(float* panel, float* norm2, const float* const* keys, int dim) {
  assert(dim >= 1);
  for (int c = 0; c < kPanel; ++c) {
    float sum = 0.0f;
    for (int d = 0; d < dim; ++d) {
      const float k = keys[c][d];
      panel[d * kPanel + c] = k;
      sum += k * k;
    }
    norm2[c] = sum;
  }
}

void f32_pack_query_tile_4xd_scalar(float* q_tile, float* norm2, const float* const* rows, int dim, float m) {
  assert(dim >= 1);
  for (int r = 0; r < kTileRows; ++r) {
    float sum = 0.0f;
    for (int d = 0; d < dim; ++d) {
      const float q = m * rows[r][d];
      q_tile[d * kTileRows + r] = q;
      sum += q * q;
    }
    norm2[r] = sum;
  }
}

#if defined(__wasm_simd128__)

namespace {

// The 4 x 4 transpose of a[0 .. 3] (a[i] = row i, lanes = columns) in place:
// afterwards a[k] holds column k, lane i from row i.
inline void transpose_4x4(v128_t* a) {
  const v128_t t0 = wasm_i32x4_shuffle(a[0], a[1], 0, 4, 1, 5);  // a00 a10 a01 a11
  const v128_t t1 = wasm_i32x4_shuffle(a[2], a[3], 0, 4, 1, 5);  // a20 a30 a21 a31
  const v128_t t2 = wasm_i32x4_shuffle(a[0], a[1], 2, 6, 3, 7);  // a02 a12 a03 a13
  const v128_t t3 = wasm_i32x4_shuffle(a[2], a[3], 2, 6, 3, 7);  // a22 a32 a23 a33
  a[0] = wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5);
  a[1] = wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7);
  a[2] = wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5);
  a[3] = wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7);
}

}  // namespace

// Four d at a time: 8 loads (4 floats of each key), two 4 x 4 transposes, 8
// stores; lane c of the norm vectors is key c's sum, accumulated in d order as
// the scalar one. The last dim % 4 columns are scalar, continuing those sums.
void f32_pack_key_panel_8xd_wasmsimd(float* panel, float* norm2, const float* const* keys, int dim) {
  assert(dim >= 1);
  v128_t lo_norm = wasm_f32x4_splat(0.0f), hi_norm = lo_norm;
  int d = 0;
  for (; d + 4 <= dim; d += 4) {
    v128_t lo[4], hi[4];
    for (int c = 0; c < 4; ++c) {
      lo[c] = wasm_v128_load(keys[c] + d);
      hi[c] = wasm_v128_load(keys[c + 4] + d);
    }
    transpose_4x4(lo);
    transpose_4x4(hi);
    for (int k = 0; k < 4; ++k) {
      wasm_v128_store(panel + (d + k) * kPanel, lo[k]);
      wasm_v128_store(panel + (d + k) * kPanel + 4, hi[k]);
      lo_norm = wasm_f32x4_add(lo_norm, wasm_f32x4_mul(lo[k], lo[k]));
      hi_norm = wasm_f32x4_add(hi_norm, wasm_f32x4_mul(hi[k], hi[k]));
    }
  }
  wasm_v128_store(norm2, lo_norm);
  wasm_v128_store(norm2 + 4, hi_norm);
  for (; d < dim; ++d) {
    for (int c = 0; c < kPanel; ++c) {
      const float k = keys[c][d];
      panel[d * kPanel + c] = k;
      norm2[c] += k * k;
    }
  }
}

// As the key panel, with 4 rows and the multiplier applied to each loaded row
// before the transpose (elementwise, so the same products as the scalar one).
void f32_pack_query_tile_4xd_wasmsimd(float* q_tile, float* norm2, const float* const* rows, int dim, float m) {
  assert(dim >= 1);
  const v128_t vm = wasm_f32x4_splat(m);
  v128_t norm = wasm_f32x4_splat(0.0f);
  int d = 0;
  for (; d + 4 <= dim; d += 4) {
    v128_t a[4];
    for (int r = 0; r < 4; ++r) a[r] = wasm_f32x4_mul(vm, wasm_v128_load(rows[r] + d));
    transpose_4x4(a);
    for (int k = 0; k < 4; ++k) {
      wasm_v128_store(q_tile + (d + k) * kTileRows, a[k]);
      norm = wasm_f32x4_add(norm, wasm_f32x4_mul(a[k], a[k]));
    }
  }
  wasm_v128_store(norm2, norm);
  for (; d < dim; ++d) {
    for (int r = 0; r < kTileRows; ++r) {
      const float q = m * rows[r][d];
      q_tile[d * kTileRows + r] = q;
      norm2[r] += q * q;
    }
  }
}

#endif

}  // namespace attention
