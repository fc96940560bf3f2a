// y = x W^T, a product against a matrix stored [out, in]: GPT-2's tied head,
// whose output matrix is the token embedding [V, C] itself.
//   y [T, N]   x [T, K]   W [N, K] row-major   (y[t][n] = sum_k x[t][k] W[n][k])
// y must not overlap x or W.
#pragma once

namespace attention {

void f32_matmul_transposed_scalar_u4(float* y, const float* x, const float* w, int tokens, int in, int out);
void f64_matmul_transposed_ref(double* y, const double* x, const float* w, int tokens, int in, int out);

inline void f32_matmul_transposed(float* y, const float* x, const float* w, int tokens, int in, int out) {
  f32_matmul_transposed_scalar_u4(y, x, w, tokens, in, out);
}

}  // namespace attention
