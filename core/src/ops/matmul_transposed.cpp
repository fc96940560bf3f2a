#include "ops/matmul_transposed.h"

#include <cstddef>

namespace attention {

// Each output is one dot product of two contiguous rows. Four partial sums
// break the chain of dependent additions (and let the compiler keep them in
// one vector); the tail of fewer than four goes into the first.
void f32_matmul_transposed_scalar_u4(float* y, const float* x, const float* w, int tokens, int in, int out) {
  for (int t = 0; t < tokens; ++t) {
    const float* x_t = x + static_cast<std::size_t>(t) * in;
    for (int n = 0; n < out; ++n) {
      const float* w_n = w + static_cast<std::size_t>(n) * in;
      float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      int k = 0;
      for (; k + 4 <= in; k += 4) {
        s0 += x_t[k] * w_n[k];
        s1 += x_t[k + 1] * w_n[k + 1];
        s2 += x_t[k + 2] * w_n[k + 2];
        s3 += x_t[k + 3] * w_n[k + 3];
      }
      for (; k < in; ++k) s0 += x_t[k] * w_n[k];
      y[static_cast<std::size_t>(t) * out + n] = (s0 + s1) + (s2 + s3);
    }
  }
}

void f64_matmul_transposed_ref(double* y, const double* x, const float* w, int tokens, int in, int out) {
  for (int t = 0; t < tokens; ++t) {
    for (int n = 0; n < out; ++n) {
      double s = 0;
      for (int k = 0; k < in; ++k) s += x[static_cast<std::size_t>(t) * in + k] * static_cast<double>(w[static_cast<std::size_t>(n) * in + k]);
      y[static_cast<std::size_t>(t) * out + n] = s;
    }
  }
}

}  // namespace attention
