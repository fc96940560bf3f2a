// Layer norm of each row, as every transformer family writes it:
//   y[t][i] = scale[i] (x[t][i] - mean_t) / sqrt(var_t + eps) + bias[i]
// mean_t and var_t over the row's C values, var_t the biased variance
// (divided by C), eps inside the square root.
//   y, x [T, C]   scale, bias [C]   (y may be x)
#pragma once

namespace attention {

void f32_layer_norm_scalar(float* y, const float* x, const float* scale, const float* bias, int tokens, int width,
                           float eps);
void f64_layer_norm_ref(double* y, const double* x, const float* scale, const float* bias, int tokens, int width,
                        double eps);

#if defined(__wasm_simd128__)
void f32_layer_norm_wasmsimd(float* y, const float* x, const float* scale, const float* bias, int tokens, int width,
                             float eps);
inline void f32_layer_norm(float* y, const float* x, const float* scale, const float* bias, int tokens, int width,
                           float eps) {
  f32_layer_norm_wasmsimd(y, x, scale, bias, tokens, width, eps);
}
#else
inline void f32_layer_norm(float* y, const float* x, const float* scale, const float* bias, int tokens, int width,
                           float eps) {
  f32_layer_norm_scalar(y, x, scale, bias, tokens, width, eps);
}
#endif

}  // namespace attention
