#include "simd_f32.h"

#include <cassert>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace attention {

float f32_dot_scalar(const float* a, const float* b, int n) {
  assert(n >= 0);
  float sum = 0.0f;
  for (int i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

void f32_axpy_scalar(float* y, float alpha, const float* x, int n) {
  assert(n >= 0);
  for (int i = 0; i < n; ++i) y[i] += alpha * x[i];
}

#if defined(__wasm_simd128__)
// Two independent accumulators hide the latency of f32x4.add (base WASM SIMD
// has no fused multiply-add). Loads are unaligned-safe (v128.load has no
// alignment requirement); the tail of n % 8 elements is a scalar loop, so no
// read goes past a[n-1] or b[n-1].
float f32_dot_wasmsimd_u8(const float* a, const float* b, int n) {
  assert(n >= 0);
  v128_t acc0 = wasm_f32x4_splat(0.0f);
  v128_t acc1 = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    acc1 = wasm_f32x4_add(acc1,
                          wasm_f32x4_mul(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4)));
  }
  if (i + 4 <= n) {
    acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    i += 4;
  }
  const v128_t acc = wasm_f32x4_add(acc0, acc1);
  float sum = wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1) +
              wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3);
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// Each lane is independent, so one vector per step suffices; the tail of
// n % 4 elements is scalar.
void f32_axpy_wasmsimd_u4(float* y, float alpha, const float* x, int n) {
  assert(n >= 0);
  const v128_t va = wasm_f32x4_splat(alpha);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    wasm_v128_store(y + i, wasm_f32x4_add(wasm_v128_load(y + i),
                                          wasm_f32x4_mul(va, wasm_v128_load(x + i))));
  }
  for (; i < n; ++i) y[i] += alpha * x[i];
}
#endif

}  // namespace attention
