#include "ops/layer_norm.h"

#include <cmath>
#include <cstddef>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace attention {

// Two passes (mean, then the squared deviations) rather than one of sum and
// sum of squares: a row far from zero would otherwise lose its variance to
// cancellation. The sums run in double: a row is only C values.
void f32_layer_norm_scalar(float* y, const float* x, const float* scale, const float* bias, int tokens, int width,
                           float eps) {
  for (int t = 0; t < tokens; ++t) {
    const float* x_t = x + static_cast<std::size_t>(t) * width;
    float* y_t = y + static_cast<std::size_t>(t) * width;
    double sum = 0;
    for (int i = 0; i < width; ++i) sum += x_t[i];
    const float mean = static_cast<float>(sum / width);
    double squares = 0;
    for (int i = 0; i < width; ++i) {
      const double d = static_cast<double>(x_t[i]) - mean;
      squares += d * d;
    }
    const float r = static_cast<float>(1.0 / std::sqrt(squares / width + eps));
    for (int i = 0; i < width; ++i) y_t[i] = scale[i] * ((x_t[i] - mean) * r) + bias[i];
  }
}

void f64_layer_norm_ref(double* y, const double* x, const float* scale, const float* bias, int tokens, int width,
                        double eps) {
  for (int t = 0; t < tokens; ++t) {
    const double* x_t = x + static_cast<std::size_t>(t) * width;
    double* y_t = y + static_cast<std::size_t>(t) * width;
    double mean = 0;
    for (int i = 0; i < width; ++i) mean += x_t[i];
    mean /= width;
    double var = 0;
    for (int i = 0; i < width; ++i) var += (x_t[i] - mean) * (x_t[i] - mean);
    var /= width;
    const double r = 1.0 / std::sqrt(var + eps);
    for (int i = 0; i < width; ++i) y_t[i] = scale[i] * (x_t[i] - mean) * r + bias[i];
  }
}

#if defined(__wasm_simd128__)
// The two sums in float32 lanes (4 partial sums each, added at the end), the
// same two-pass formula as the scalar kernel; the tail of width % 4 is scalar.
void f32_layer_norm_wasmsimd(float* y, const float* x, const float* scale, const float* bias, int tokens, int width,
                             float eps) {
  const int full = width - width % 4;
  for (int t = 0; t < tokens; ++t) {
    const float* x_t = x + static_cast<std::size_t>(t) * width;
    float* y_t = y + static_cast<std::size_t>(t) * width;
    v128_t acc = wasm_f32x4_splat(0.0f);
    for (int i = 0; i < full; i += 4) acc = wasm_f32x4_add(acc, wasm_v128_load(x_t + i));
    float sum = wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1) + wasm_f32x4_extract_lane(acc, 2) +
                wasm_f32x4_extract_lane(acc, 3);
    for (int i = full; i < width; ++i) sum += x_t[i];
    const float mean = sum / static_cast<float>(width);
    const v128_t m = wasm_f32x4_splat(mean);
    acc = wasm_f32x4_splat(0.0f);
    for (int i = 0; i < full; i += 4) {
      const v128_t d = wasm_f32x4_sub(wasm_v128_load(x_t + i), m);
      acc = wasm_f32x4_add(acc, wasm_f32x4_mul(d, d));
    }
    float squares = wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1) +
                    wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3);
    for (int i = full; i < width; ++i) squares += (x_t[i] - mean) * (x_t[i] - mean);
    const float r = 1.0f / std::sqrt(squares / static_cast<float>(width) + eps);
    const v128_t rv = wasm_f32x4_splat(r);
    for (int i = 0; i < full; i += 4) {
      const v128_t n = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(x_t + i), m), rv);
      wasm_v128_store(y_t + i, wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(scale + i), n), wasm_v128_load(bias + i)));
    }
    for (int i = full; i < width; ++i) y_t[i] = scale[i] * ((x_t[i] - mean) * r) + bias[i];
  }
}
#endif

}  // namespace attention
