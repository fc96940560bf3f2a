// y = x W + b, the projection every transformer layer is made of.
//   y [T, N]   x [T, K]   W [K, N] row-major ([in, out])   b [N] or null (zero)
// y must not overlap x or W.
#pragma once

namespace attention {

void f32_matmul_bias_scalar(float* y, const float* x, const float* w, const float* b, int tokens, int in, int out);
void f64_matmul_bias_ref(double* y, const double* x, const float* w, const float* b, int tokens, int in, int out);

#if defined(__wasm_simd128__)
void f32_matmul_bias_wasmsimd_4x8(float* y, const float* x, const float* w, const float* b, int tokens, int in,
                                  int out);
inline void f32_matmul_bias(float* y, const float* x, const float* w, const float* b, int tokens, int in, int out) {
  f32_matmul_bias_wasmsimd_4x8(y, x, w, b, tokens, in, out);
}
#else
inline void f32_matmul_bias(float* y, const float* x, const float* w, const float* b, int tokens, int in, int out) {
  f32_matmul_bias_scalar(y, x, w, b, tokens, in, out);
}
#endif

}  // namespace attention
