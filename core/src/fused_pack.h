// Packing for the fused attention kernel (attention_fused.cpp): rows of K and
// of the scaled queries into the interleaved layouts of fused_tiles.h, with the
// squared norms the overflow bound needs computed on the way. Each WebAssembly
// SIMD kernel has its scalar reference beside it, doing the same arithmetic in
// the same order (so the two give the same bits); the unsuffixed name picks the
// SIMD one when compiled with -msimd128.
//
// Rows come as pointers, one per key or query row; a missing row (past NK, or
// past the last query of a partial tile) points at `dim` zeros.
#pragma once

#include "fused_tiles.h"

namespace attention {

// key panel [D, 8] from keys[0 .. 7] (each D floats): panel[d * 8 + c] = keys[c][d];
// norm2[c] = Σ_d keys[c][d]², summed over d in order from 0.
void f32_pack_key_panel_8xd_scalar(float* panel, float* norm2, const float* const* keys, int dim);

// q_tile [D, 4] from rows[0 .. 3] (each D floats): q_tile[d * 4 + r] = m · rows[r][d];
// norm2[r] = Σ_d (m · rows[r][d])², summed over d in order from 0.
void f32_pack_query_tile_4xd_scalar(float* q_tile, float* norm2, const float* const* rows, int dim, float m);

#if defined(__wasm_simd128__)
void f32_pack_key_panel_8xd_wasmsimd(float* panel, float* norm2, const float* const* keys, int dim);
void f32_pack_query_tile_4xd_wasmsimd(float* q_tile, float* norm2, const float* const* rows, int dim, float m);

inline void f32_pack_key_panel_8xd(float* panel, float* norm2, const float* const* keys, int dim) {
  f32_pack_key_panel_8xd_wasmsimd(panel, norm2, keys, dim);
}
inline void f32_pack_query_tile_4xd(float* q_tile, float* norm2, const float* const* rows, int dim, float m) {
  f32_pack_query_tile_4xd_wasmsimd(q_tile, norm2, rows, dim, m);
}
#else
inline void f32_pack_key_panel_8xd(float* panel, float* norm2, const float* const* keys, int dim) {
  f32_pack_key_panel_8xd_scalar(panel, norm2, keys, dim);
}
inline void f32_pack_query_tile_4xd(float* q_tile, float* norm2, const float* const* rows, int dim, float m) {
  f32_pack_query_tile_4xd_scalar(q_tile, norm2, rows, dim, m);
}
#endif

}  // namespace attention
