// Micro-kernels of the fused attention kernel (attention_fused.cpp). Each works
// on one tile of kTileRows = 4 query rows; each WebAssembly SIMD kernel has its
// scalar reference beside it, doing the same arithmetic in the same order for
// every row (so the two give the same bits), and the unsuffixed name picks the
// SIMD one when compiled with -msimd128.
// Names: f32_<what>_<rows>x<cols>_<isa>[_<how>].
//
// Packed layouts, made by attention_fused.cpp (legend in attention.h):
//   q_tile       [D, 4]       the tile's 4 query rows interleaved: q_tile[d * 4 + r] = q'_r[d],
//                             already multiplied by scale / temperature (general: q' = Wᵀq)
//   key panel    [D, 8]       8 consecutive keys transposed: panel[d * 8 + c] = K[j0 + c, d];
//                             panels of one head follow each other, [NK/8, D, 8]
//   value panel  [NKP, 8]     8 consecutive columns of V for every key (NKP = NK rounded up
//                             to 8, zero rows past NK): panel[j * 8 + c] = V[j, 8p + c]
//   logit tile   [n, 4]       key-major: s[j * 4 + r] is the logit of row r and key j, so
//                             one vector holds the 4 rows of a key and the softmax works
//                             lane by lane, one lane per row
//   output tile  [4, ld]      row-major, rows ld floats apart
// Interleaving q and the logits makes every broadcast in the inner loops a
// load at a constant offset from one moving pointer.
//
// The exponential. exp(x) for x <= 0 (or -inf):
//   n = round(x log2 e),  r = x - n ln2 ∈ [-ln2/2, ln2/2]   (ln2 in two parts, Cody-Waite,
//                                                           so r is exact to float32)
//   exp(x) = 2^n p(r),    p(r) = 1 + r + c2 r² + ... + c6 r⁶  (minimax for relative error)
// p has relative error 2.6e-9 in exact arithmetic. It is evaluated as
// 1 + (r + r² q(r)) with q(r) = (c2 + c3 r) + r² ((c4 + c5 r) + c6 r²), a chain of
// 8 dependent operations rather than Horner's 12 (the SIMD exps of a block
// overlap better); in float32 the whole function is within 1.06e-7 (under one
// ulp) of exp over [-87, 0], where Horner's order gave 1.2e-7. p(0) = 1 exactly,
// so exp(0) = 1 and a block that does not raise the row maximum rescales by exactly 1.
// Below x = -87.3 the result is 0 (2^n is built from the exponent bits, n >= -126;
// n = -127 gives the bit pattern of 0), so a masked score of -inf gives exactly 0.
#pragma once

#include <cstddef>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace attention {

constexpr int kTileRows = 4;  // query rows per register tile
constexpr int kPanel = 8;  // keys per key panel, value columns per value panel
// Blocks of attention_fused.cpp (here so that tests can aim at their edges).
// Keys per block, a multiple of kPanel: 128 measured 1-2% faster than 64 at
// N = 256 to 4096 (bench/core-ab.mjs; fewer rescales and calls per key), though
// 64 fits L1 whole.
constexpr int kKeyBlock = 128;
// Query rows per block, a multiple of kTileRows: each query block streams all of a
// head's packed K and V once, so 128 rather than 64 halves that traffic (which
// two threads on shared cache feel most); its q and o blocks stay in L2.
constexpr int kQueryBlock = 128;

// exp(x) for x <= 0 as described above; -inf gives 0.
float f32_exp_nonpositive_scalar(float x);

// scores [panels * 8, 4]: scores[8p + c, r] = Σ_d q_tile[d, r] · key_panels[p][d, c].
// Sums run over d in order from 0, starting at 0.
void f32_qk_4x8_scalar(float* scores, const float* q_tile, const float* key_panels, int dim, int panels);

// One step of the online softmax over a logit tile s [n, 4] (masked entries
// are -inf). For each row r, with the running maximum m = row_max[r] and sum
// l = row_sum[r]:
//   m' = max(m, max_j s[j, r]);  shift = m' unless m' = -inf (nothing allowed yet), then 0
//   alpha[r] = exp(m - shift);   s[j, r] <- exp(s[j, r] - shift);   l' = l·alpha[r] + Σ_j s[j, r]
// with the sum over j in order. A row with nothing allowed so far keeps
// m = -inf and l = 0, and gets alpha = 0.
void f32_softmax_online_4xn_scalar(float* s, int n, float* row_max, float* row_sum, float* alpha);

// out [4, ld_out], panels·8 columns, p [n, 4], and 8-column panels of V, value
// row j's columns 8q .. 8q + 7 starting at v + q·panel_stride + j·key_stride:
//   out[r, 8q + c] = out[r, 8q + c] · alpha[r] + Σ_{j<n} p[j, r] · v[q·panel_stride + j·key_stride + c]
// with the sum over j in order. V packed into panels has key_stride = 8; V as
// given, [NK, DV] with DV a multiple of 8, has panel_stride = 8, key_stride = DV.
void f32_pv_4x8_scalar(float* out, std::size_t ld_out, const float* alpha, const float* p, int n, const float* v,
                       std::size_t panel_stride, std::size_t key_stride, int panels);

// w[j] <- exp(w[j] - max) · inv_sum for j < n; entries of -inf become 0.
void f32_exp_normalize_row_scalar(float* w, int n, float max, float inv_sum);

#if defined(__wasm_simd128__)
// The 4 × 4 transpose of a[0 .. 3] (a[i] = row i, lanes = columns) in place,
// by two rounds of interleaving shuffles: afterwards a[k] holds column k,
// lane i from row i. The packing (fused_pack.cpp) and the logit tile's
// key-major store use it.
inline void f32x4_transpose_4x4(v128_t* a) {
  const v128_t t0 = wasm_i32x4_shuffle(a[0], a[1], 0, 4, 1, 5);  // a00 a10 a01 a11
  const v128_t t1 = wasm_i32x4_shuffle(a[2], a[3], 0, 4, 1, 5);  // a20 a30 a21 a31
  const v128_t t2 = wasm_i32x4_shuffle(a[0], a[1], 2, 6, 3, 7);  // a02 a12 a03 a13
  const v128_t t3 = wasm_i32x4_shuffle(a[2], a[3], 2, 6, 3, 7);  // a22 a32 a23 a33
  a[0] = wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5);
  a[1] = wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7);
  a[2] = wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5);
  a[3] = wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7);
}

void f32_qk_4x8_wasmsimd_splat(float* scores, const float* q_tile, const float* key_panels, int dim, int panels);
void f32_softmax_online_4xn_wasmsimd(float* s, int n, float* row_max, float* row_sum, float* alpha);
void f32_pv_4x8_wasmsimd_splat(float* out, std::size_t ld_out, const float* alpha, const float* p, int n,
                               const float* v, std::size_t panel_stride, std::size_t key_stride, int panels);
void f32_exp_normalize_row_wasmsimd_u16(float* w, int n, float max, float inv_sum);

inline void f32_qk_4x8(float* scores, const float* q_tile, const float* key_panels, int dim, int panels) {
  f32_qk_4x8_wasmsimd_splat(scores, q_tile, key_panels, dim, panels);
}
inline void f32_softmax_online_4xn(float* s, int n, float* row_max, float* row_sum, float* alpha) {
  f32_softmax_online_4xn_wasmsimd(s, n, row_max, row_sum, alpha);
}
inline void f32_pv_4x8(float* out, std::size_t ld_out, const float* alpha, const float* p, int n, const float* v,
                       std::size_t panel_stride, std::size_t key_stride, int panels) {
  f32_pv_4x8_wasmsimd_splat(out, ld_out, alpha, p, n, v, panel_stride, key_stride, panels);
}
inline void f32_exp_normalize_row(float* w, int n, float max, float inv_sum) {
  f32_exp_normalize_row_wasmsimd_u16(w, n, max, inv_sum);
}
#else
inline void f32_qk_4x8(float* scores, const float* q_tile, const float* key_panels, int dim, int panels) {
  f32_qk_4x8_scalar(scores, q_tile, key_panels, dim, panels);
}
inline void f32_softmax_online_4xn(float* s, int n, float* row_max, float* row_sum, float* alpha) {
  f32_softmax_online_4xn_scalar(s, n, row_max, row_sum, alpha);
}
inline void f32_pv_4x8(float* out, std::size_t ld_out, const float* alpha, const float* p, int n, const float* v,
                       std::size_t panel_stride, std::size_t key_stride, int panels) {
  f32_pv_4x8_scalar(out, ld_out, alpha, p, n, v, panel_stride, key_stride, panels);
}
inline void f32_exp_normalize_row(float* w, int n, float max, float inv_sum) {
  f32_exp_normalize_row_scalar(w, n, max, inv_sum);
}
#endif

}  // namespace attention
