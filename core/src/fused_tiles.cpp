// Micro-kernels of the fused attention kernel; layouts and the exp in fused_tiles.h.
#include "fused_tiles.h"

#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace attention {

namespace {

// Constants of exp (see fused_tiles.h). kMagic = 1.5·2^23 + 127: adding it rounds
// x log2 e to an integer n and leaves 127 + n in the low mantissa bits, which a
// shift by 23 moves into the exponent field: the bits of 2^n.
constexpr float kExpFloor = -88.0f;  // n = -127 from here down: exp is 0
constexpr float kLog2e = 0x1.715476p+0f;
constexpr float kMagic = 0x1.8p23f + 127.0f;
constexpr float kLn2Hi = 0x1.62E400p-1f;  // 9 low bits zero: n · kLn2Hi is exact for |n| <= 127
constexpr float kLn2Lo = 0x1.7F7D1Cp-20f;
constexpr float kC2 = 0x1.000002p-1f;
constexpr float kC3 = 0x1.5553c2p-3f;
constexpr float kC4 = 0x1.55515ep-5f;
constexpr float kC5 = 0x1.12903ep-7f;
constexpr float kC6 = 0x1.709b64p-10f;

}  // namespace

float f32_exp_nonpositive_scalar(float x) {
  x = x < kExpFloor ? kExpFloor : x;  // also -inf; the same select as f32x4.pmax
  const float vn = x * kLog2e + kMagic;
  std::uint32_t bits;
  std::memcpy(&bits, &vn, sizeof bits);
  bits <<= 23;
  float two_n;
  std::memcpy(&two_n, &bits, sizeof two_n);
  const float n = vn - kMagic;
  float r = x - n * kLn2Hi;
  r = r - n * kLn2Lo;
  // p(r) = 1 + (r + r² q(r)) in the order fused_tiles.h gives
  const float r2 = r * r;
  const float q = (r * kC3 + kC2) + r2 * (r2 * kC6 + (r * kC5 + kC4));
  const float p = 1.0f + (r + r2 * q);
  return p * two_n;
}

void f32_qk_4x8_scalar(float* scores, const float* q_tile, const float* key_panels, int dim, int panels) {
  assert(dim >= 1 && panels >= 0);
  for (int p = 0; p < panels; ++p) {
    const float* panel = key_panels + static_cast<std::size_t>(p) * dim * kPanel;
    for (int c = 0; c < kPanel; ++c) {
      for (int r = 0; r < kTileRows; ++r) {
        float acc = 0.0f;
        for (int d = 0; d < dim; ++d) acc += q_tile[d * kTileRows + r] * panel[d * kPanel + c];
        scores[(p * kPanel + c) * kTileRows + r] = acc;
      }
    }
  }
}

void f32_softmax_online_4xn_scalar(float* s, int n, float* row_max, float* row_sum, float* alpha) {
  assert(n >= 0);
  for (int r = 0; r < kTileRows; ++r) {
    float m = row_max[r];
    for (int j = 0; j < n; ++j) m = m < s[j * kTileRows + r] ? s[j * kTileRows + r] : m;
    const float shift = m == -INFINITY ? 0.0f : m;
    alpha[r] = f32_exp_nonpositive_scalar(row_max[r] - shift);
    float sum = 0.0f;
    for (int j = 0; j < n; ++j) {
      float& x = s[j * kTileRows + r];
      x = f32_exp_nonpositive_scalar(x - shift);
      sum += x;
    }
    row_sum[r] = row_sum[r] * alpha[r] + sum;
    row_max[r] = m;
  }
}

void f32_pv_4x8_scalar(float* out, std::size_t ld_out, const float* alpha, const float* p, int n, const float* v,
                       std::size_t panel_stride, std::size_t key_stride, int panels) {
  assert(n >= 0 && panels >= 0);
  for (int q = 0; q < panels; ++q) {
    const float* panel = v + q * panel_stride;
    for (int r = 0; r < kTileRows; ++r) {
      float* out_r = out + r * ld_out + q * kPanel;
      for (int c = 0; c < kPanel; ++c) {
        float acc = out_r[c] * alpha[r];
        for (int j = 0; j < n; ++j) acc += p[j * kTileRows + r] * panel[j * key_stride + c];
        out_r[c] = acc;
      }
    }
  }
}

void f32_exp_normalize_row_scalar(float* w, int n, float max, float inv_sum) {
  assert(n >= 0);
  for (int j = 0; j < n; ++j) w[j] = f32_exp_nonpositive_scalar(w[j] - max) * inv_sum;
}

#if defined(__wasm_simd128__)

namespace {

// U vectors of f32_exp_nonpositive_scalar, operation for operation, so a lane
// and the scalar function give the same bits: x[u] <- exp(x[u]) for u < U.
// The U exps go step by step side by side (V8 emits wasm in order and does
// not schedule it), so the CPU has U independent chains at hand; U = 4 made
// the whole core about 2% faster than one at a time (bench/core-ab.mjs, in
// the commit that brought it).
template <int U>
inline void f32x4_exp_nonpositive_n(v128_t* x) {
  v128_t vn[U], two_n[U], r[U], r2[U], q[U];
  const v128_t magic = wasm_f32x4_splat(kMagic);
  for (int u = 0; u < U; ++u) {
    // pmax (x < floor ? floor : x) is one instruction in V8; f32x4.max is a NaN-aware sequence.
    x[u] = wasm_f32x4_pmax(x[u], wasm_f32x4_splat(kExpFloor));
    vn[u] = wasm_f32x4_add(wasm_f32x4_mul(x[u], wasm_f32x4_splat(kLog2e)), magic);
  }
  for (int u = 0; u < U; ++u) {
    two_n[u] = wasm_i32x4_shl(vn[u], 23);
    const v128_t n = wasm_f32x4_sub(vn[u], magic);
    r[u] = wasm_f32x4_sub(x[u], wasm_f32x4_mul(n, wasm_f32x4_splat(kLn2Hi)));
    r[u] = wasm_f32x4_sub(r[u], wasm_f32x4_mul(n, wasm_f32x4_splat(kLn2Lo)));
  }
  for (int u = 0; u < U; ++u) r2[u] = wasm_f32x4_mul(r[u], r[u]);
  for (int u = 0; u < U; ++u) {
    const v128_t high = wasm_f32x4_add(wasm_f32x4_mul(r2[u], wasm_f32x4_splat(kC6)),
                                       wasm_f32x4_add(wasm_f32x4_mul(r[u], wasm_f32x4_splat(kC5)), wasm_f32x4_splat(kC4)));
    q[u] = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(r[u], wasm_f32x4_splat(kC3)), wasm_f32x4_splat(kC2)),
                          wasm_f32x4_mul(r2[u], high));
  }
  for (int u = 0; u < U; ++u) {
    const v128_t p = wasm_f32x4_add(wasm_f32x4_splat(1.0f), wasm_f32x4_add(r[u], wasm_f32x4_mul(r2[u], q[u])));
    x[u] = wasm_f32x4_mul(p, two_n[u]);
  }
}

inline v128_t f32x4_exp_nonpositive(v128_t x) {
  f32x4_exp_nonpositive_n<1>(&x);
  return x;
}

// Stores the 4 x 4 block a (a[r] = row r, lanes = keys c .. c + 3) key-major:
// dst[c * 4 + r] = a[r][c].
inline void store_transposed_4x4(float* dst, v128_t a0, v128_t a1, v128_t a2, v128_t a3) {
  v128_t a[4] = {a0, a1, a2, a3};
  f32x4_transpose_4x4(a);
  for (int k = 0; k < 4; ++k) wasm_v128_store(dst + 4 * k, a[k]);
}

}  // namespace

// 4 rows x 8 keys in 8 accumulators: each step over d loads one row of the
// panel (two vectors) and broadcasts the 4 query rows' element d, 16
// multiply-adds for 6 loads, every load at a constant offset from the q or k
// pointer. Eight independent sums also cover the latency of f32x4.add (base
// WASM SIMD has no fused multiply-add), and with the two panel vectors and a
// broadcast they fit x64's 16 vector registers. Unrolling over d is slower in
// V8 (more live vectors than registers).
void f32_qk_4x8_wasmsimd_splat(float* scores, const float* q_tile, const float* key_panels, int dim, int panels) {
  assert(dim >= 1 && panels >= 0);
  for (int p = 0; p < panels; ++p) {
    const float* k = key_panels + static_cast<std::size_t>(p) * dim * kPanel;
    const float* q = q_tile;
    v128_t a00 = wasm_f32x4_splat(0.0f), a01 = a00, a10 = a00, a11 = a00;
    v128_t a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    for (int d = 0; d < dim; ++d, k += kPanel, q += kTileRows) {
      const v128_t k0 = wasm_v128_load(k);
      const v128_t k1 = wasm_v128_load(k + 4);
      v128_t x = wasm_v128_load32_splat(q);
      a00 = wasm_f32x4_add(a00, wasm_f32x4_mul(x, k0));
      a01 = wasm_f32x4_add(a01, wasm_f32x4_mul(x, k1));
      x = wasm_v128_load32_splat(q + 1);
      a10 = wasm_f32x4_add(a10, wasm_f32x4_mul(x, k0));
      a11 = wasm_f32x4_add(a11, wasm_f32x4_mul(x, k1));
      x = wasm_v128_load32_splat(q + 2);
      a20 = wasm_f32x4_add(a20, wasm_f32x4_mul(x, k0));
      a21 = wasm_f32x4_add(a21, wasm_f32x4_mul(x, k1));
      x = wasm_v128_load32_splat(q + 3);
      a30 = wasm_f32x4_add(a30, wasm_f32x4_mul(x, k0));
      a31 = wasm_f32x4_add(a31, wasm_f32x4_mul(x, k1));
    }
    float* s = scores + p * kPanel * kTileRows;
    store_transposed_4x4(s, a00, a10, a20, a30);
    store_transposed_4x4(s + 4 * kTileRows, a01, a11, a21, a31);
  }
}

// Lane r is row r throughout: the maximum, the shift, alpha, the exps and the
// sum are all vertical, in the scalar reference's order, with no horizontal
// reductions. pmax keeps a lane's maximum as the reference does (m < s ? s : m).
void f32_softmax_online_4xn_wasmsimd(float* s, int n, float* row_max, float* row_sum, float* alpha) {
  assert(n >= 0);
  const v128_t m_old = wasm_v128_load(row_max);
  // four running maxima, so the pmax chain is a quarter as long; a maximum is
  // the same whatever the order (no NaN reaches here)
  v128_t m0 = m_old, m1 = m_old, m2 = m_old, m3 = m_old;
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    m0 = wasm_f32x4_pmax(m0, wasm_v128_load(s + j * kTileRows));
    m1 = wasm_f32x4_pmax(m1, wasm_v128_load(s + (j + 1) * kTileRows));
    m2 = wasm_f32x4_pmax(m2, wasm_v128_load(s + (j + 2) * kTileRows));
    m3 = wasm_f32x4_pmax(m3, wasm_v128_load(s + (j + 3) * kTileRows));
  }
  for (; j < n; ++j) m0 = wasm_f32x4_pmax(m0, wasm_v128_load(s + j * kTileRows));
  const v128_t m = wasm_f32x4_pmax(wasm_f32x4_pmax(m0, m1), wasm_f32x4_pmax(m2, m3));
  // shift = m, or 0 in lanes still at -inf (no allowed key yet), so -inf - shift stays -inf
  const v128_t shift = wasm_v128_andnot(m, wasm_f32x4_eq(m, wasm_f32x4_splat(-INFINITY)));
  const v128_t a = f32x4_exp_nonpositive(wasm_f32x4_sub(m_old, shift));
  v128_t sum = wasm_f32x4_splat(0.0f);
  for (j = 0; j + 4 <= n; j += 4) {
    v128_t e[4];
    for (int u = 0; u < 4; ++u) e[u] = wasm_f32x4_sub(wasm_v128_load(s + (j + u) * kTileRows), shift);
    f32x4_exp_nonpositive_n<4>(e);
    for (int u = 0; u < 4; ++u) {
      wasm_v128_store(s + (j + u) * kTileRows, e[u]);
      sum = wasm_f32x4_add(sum, e[u]);
    }
  }
  for (; j < n; ++j) {
    const v128_t e = f32x4_exp_nonpositive(wasm_f32x4_sub(wasm_v128_load(s + j * kTileRows), shift));
    wasm_v128_store(s + j * kTileRows, e);
    sum = wasm_f32x4_add(sum, e);
  }
  wasm_v128_store(alpha, a);
  wasm_v128_store(row_sum, wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(row_sum), a), sum));
  wasm_v128_store(row_max, m);
}

// The same register tile as f32_qk_4x8_wasmsimd_splat with the roles turned:
// each step over j loads 8 columns of one value row and broadcasts the 4
// rows' probabilities of key j. The output tile is read once, rescaled by
// alpha, accumulated over the whole block and written once.
void f32_pv_4x8_wasmsimd_splat(float* out, std::size_t ld_out, const float* alpha, const float* p, int n,
                               const float* v_panels, std::size_t panel_stride, std::size_t key_stride, int panels) {
  assert(n >= 0 && panels >= 0);
  const v128_t alpha0 = wasm_f32x4_splat(alpha[0]), alpha1 = wasm_f32x4_splat(alpha[1]);
  const v128_t alpha2 = wasm_f32x4_splat(alpha[2]), alpha3 = wasm_f32x4_splat(alpha[3]);
  for (int q = 0; q < panels; ++q) {
    const float* v = v_panels + q * panel_stride;
    const float* pj = p;
    float* o = out + q * kPanel;
    v128_t a00 = wasm_f32x4_mul(wasm_v128_load(o), alpha0);
    v128_t a01 = wasm_f32x4_mul(wasm_v128_load(o + 4), alpha0);
    v128_t a10 = wasm_f32x4_mul(wasm_v128_load(o + ld_out), alpha1);
    v128_t a11 = wasm_f32x4_mul(wasm_v128_load(o + ld_out + 4), alpha1);
    v128_t a20 = wasm_f32x4_mul(wasm_v128_load(o + 2 * ld_out), alpha2);
    v128_t a21 = wasm_f32x4_mul(wasm_v128_load(o + 2 * ld_out + 4), alpha2);
    v128_t a30 = wasm_f32x4_mul(wasm_v128_load(o + 3 * ld_out), alpha3);
    v128_t a31 = wasm_f32x4_mul(wasm_v128_load(o + 3 * ld_out + 4), alpha3);
    for (int j = 0; j < n; ++j, v += key_stride, pj += kTileRows) {
      const v128_t v0 = wasm_v128_load(v);
      const v128_t v1 = wasm_v128_load(v + 4);
      v128_t x = wasm_v128_load32_splat(pj);
      a00 = wasm_f32x4_add(a00, wasm_f32x4_mul(x, v0));
      a01 = wasm_f32x4_add(a01, wasm_f32x4_mul(x, v1));
      x = wasm_v128_load32_splat(pj + 1);
      a10 = wasm_f32x4_add(a10, wasm_f32x4_mul(x, v0));
      a11 = wasm_f32x4_add(a11, wasm_f32x4_mul(x, v1));
      x = wasm_v128_load32_splat(pj + 2);
      a20 = wasm_f32x4_add(a20, wasm_f32x4_mul(x, v0));
      a21 = wasm_f32x4_add(a21, wasm_f32x4_mul(x, v1));
      x = wasm_v128_load32_splat(pj + 3);
      a30 = wasm_f32x4_add(a30, wasm_f32x4_mul(x, v0));
      a31 = wasm_f32x4_add(a31, wasm_f32x4_mul(x, v1));
    }
    wasm_v128_store(o, a00);
    wasm_v128_store(o + 4, a01);
    wasm_v128_store(o + ld_out, a10);
    wasm_v128_store(o + ld_out + 4, a11);
    wasm_v128_store(o + 2 * ld_out, a20);
    wasm_v128_store(o + 2 * ld_out + 4, a21);
    wasm_v128_store(o + 3 * ld_out, a30);
    wasm_v128_store(o + 3 * ld_out + 4, a31);
  }
}

// Sixteen at a time, then four; the n % 4 tail goes through the scalar exp, which gives the
// same bits as a lane, so an entry's value does not depend on where it falls.
void f32_exp_normalize_row_wasmsimd_u16(float* w, int n, float max, float inv_sum) {
  assert(n >= 0);
  const v128_t vmax = wasm_f32x4_splat(max);
  const v128_t vinv = wasm_f32x4_splat(inv_sum);
  int j = 0;
  for (; j + 16 <= n; j += 16) {
    v128_t e[4];
    for (int u = 0; u < 4; ++u) e[u] = wasm_f32x4_sub(wasm_v128_load(w + j + 4 * u), vmax);
    f32x4_exp_nonpositive_n<4>(e);
    for (int u = 0; u < 4; ++u) wasm_v128_store(w + j + 4 * u, wasm_f32x4_mul(e[u], vinv));
  }
  for (; j + 4 <= n; j += 4) {
    const v128_t e = f32x4_exp_nonpositive(wasm_f32x4_sub(wasm_v128_load(w + j), vmax));
    wasm_v128_store(w + j, wasm_f32x4_mul(e, vinv));
  }
  for (; j < n; ++j) w[j] = f32_exp_nonpositive_scalar(w[j] - max) * inv_sum;
}

#endif

}  // namespace attention
