#include "ops/matmul_bias.h"

#include <cstddef>
#include <vector>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace attention {

void f32_matmul_bias_scalar(float* y, const float* x, const float* w, const float* b, int tokens, int in, int out) {
  for (int t = 0; t < tokens; ++t) {
    float* y_t = y + static_cast<std::size_t>(t) * out;
    const float* x_t = x + static_cast<std::size_t>(t) * in;
    for (int j = 0; j < out; ++j) y_t[j] = b ? b[j] : 0.0f;
    for (int i = 0; i < in; ++i) {
      const float x_ti = x_t[i];
      const float* w_i = w + static_cast<std::size_t>(i) * out;
      for (int j = 0; j < out; ++j) y_t[j] += x_ti * w_i[j];
    }
  }
}

void f64_matmul_bias_ref(double* y, const double* x, const float* w, const float* b, int tokens, int in, int out) {
  for (int t = 0; t < tokens; ++t) {
    for (int j = 0; j < out; ++j) {
      double s = b ? static_cast<double>(b[j]) : 0.0;
      for (int i = 0; i < in; ++i) s += x[static_cast<std::size_t>(t) * in + i] * static_cast<double>(w[static_cast<std::size_t>(i) * out + j]);
      y[static_cast<std::size_t>(t) * out + j] = s;
    }
  }
}

#if defined(__wasm_simd128__)
// A tile is 4 tokens by 8 output columns: 8 accumulators, and each W row
// segment loaded once is used by 4 tokens. The column block is the outer
// loop so its panel of W (in x 8 floats) stays in cache while every token
// passes over it. The panel is first copied to contiguous memory: read in
// place, its rows are `out` floats apart, a page or more for the widths of
// real models, and walking it touches a new page every few rows. Columns past
// the last multiple of 8 and tokens past the last multiple of 4 take the same
// path with fewer lanes or rows (scalar columns). The sums are those of the
// scalar kernel, in its order.
void f32_matmul_bias_wasmsimd_4x8(float* y, const float* x, const float* w, const float* b, int tokens, int in,
                                  int out) {
  const int full = out - out % 8;
  // With fewer than a tile of tokens, the copy would cost as much as the reads it saves.
  const bool pack = tokens >= 4 && full > 0;
  std::vector<float> panel(pack ? static_cast<std::size_t>(in) * 8 : 0);
  for (int j = 0; j < full; j += 8) {
    const float* w_panel = w + j;
    std::size_t stride = static_cast<std::size_t>(out);
    if (pack) {
      for (int i = 0; i < in; ++i) {
        const float* w_ij = w + static_cast<std::size_t>(i) * out + j;
        wasm_v128_store(panel.data() + 8 * i, wasm_v128_load(w_ij));
        wasm_v128_store(panel.data() + 8 * i + 4, wasm_v128_load(w_ij + 4));
      }
      w_panel = panel.data();
      stride = 8;
    }
    const v128_t b0 = b ? wasm_v128_load(b + j) : wasm_f32x4_splat(0.0f);
    const v128_t b1 = b ? wasm_v128_load(b + j + 4) : wasm_f32x4_splat(0.0f);
    int t = 0;
    for (; t + 4 <= tokens; t += 4) {
      v128_t a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
      const float* x0 = x + static_cast<std::size_t>(t) * in;
      const float* x1 = x0 + in;
      const float* x2 = x1 + in;
      const float* x3 = x2 + in;
      const float* w_j = w_panel;
      for (int i = 0; i < in; ++i, w_j += stride) {
        const v128_t w0 = wasm_v128_load(w_j);
        const v128_t w1 = wasm_v128_load(w_j + 4);
        const v128_t s0 = wasm_f32x4_splat(x0[i]), s1 = wasm_f32x4_splat(x1[i]);
        const v128_t s2 = wasm_f32x4_splat(x2[i]), s3 = wasm_f32x4_splat(x3[i]);
        a00 = wasm_f32x4_add(a00, wasm_f32x4_mul(s0, w0));
        a01 = wasm_f32x4_add(a01, wasm_f32x4_mul(s0, w1));
        a10 = wasm_f32x4_add(a10, wasm_f32x4_mul(s1, w0));
        a11 = wasm_f32x4_add(a11, wasm_f32x4_mul(s1, w1));
        a20 = wasm_f32x4_add(a20, wasm_f32x4_mul(s2, w0));
        a21 = wasm_f32x4_add(a21, wasm_f32x4_mul(s2, w1));
        a30 = wasm_f32x4_add(a30, wasm_f32x4_mul(s3, w0));
        a31 = wasm_f32x4_add(a31, wasm_f32x4_mul(s3, w1));
      }
      float* y0 = y + static_cast<std::size_t>(t) * out + j;
      wasm_v128_store(y0, a00);
      wasm_v128_store(y0 + 4, a01);
      wasm_v128_store(y0 + out, a10);
      wasm_v128_store(y0 + out + 4, a11);
      wasm_v128_store(y0 + 2 * out, a20);
      wasm_v128_store(y0 + 2 * out + 4, a21);
      wasm_v128_store(y0 + 3 * out, a30);
      wasm_v128_store(y0 + 3 * out + 4, a31);
    }
    for (; t < tokens; ++t) {
      v128_t a0 = b0, a1 = b1;
      const float* x_t = x + static_cast<std::size_t>(t) * in;
      const float* w_j = w_panel;
      for (int i = 0; i < in; ++i, w_j += stride) {
        const v128_t s = wasm_f32x4_splat(x_t[i]);
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(s, wasm_v128_load(w_j)));
        a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(s, wasm_v128_load(w_j + 4)));
      }
      float* y_t = y + static_cast<std::size_t>(t) * out + j;
      wasm_v128_store(y_t, a0);
      wasm_v128_store(y_t + 4, a1);
    }
  }
  // the last out % 8 columns, in the scalar kernel's order of summation
  for (int t = 0; t < tokens && full < out; ++t) {
    const float* x_t = x + static_cast<std::size_t>(t) * in;
    float* y_t = y + static_cast<std::size_t>(t) * out;
    for (int j = full; j < out; ++j) y_t[j] = b ? b[j] : 0.0f;
    for (int i = 0; i < in; ++i) {
      const float* w_i = w + static_cast<std::size_t>(i) * out;
      for (int j = full; j < out; ++j) y_t[j] += x_t[i] * w_i[j];
    }
  }
}
#endif

}  // namespace attention
