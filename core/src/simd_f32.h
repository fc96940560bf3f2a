// Vector micro-kernels over float32 arrays, each with its scalar reference.
// Names: f32_<op>_<isa>_<unroll>. The unsuffixed f32_dot / f32_axpy pick the
// WebAssembly SIMD kernel when compiled with -msimd128, else the scalar one.
#pragma once

namespace attention {

// dot = sum_i a[i] * b[i], n >= 0
float f32_dot_scalar(const float* a, const float* b, int n);
// y[i] += alpha * x[i], n >= 0
void f32_axpy_scalar(float* y, float alpha, const float* x, int n);

#if defined(__wasm_simd128__)
float f32_dot_wasmsimd_u8(const float* a, const float* b, int n);
void f32_axpy_wasmsimd_u4(float* y, float alpha, const float* x, int n);
inline float f32_dot(const float* a, const float* b, int n) { return f32_dot_wasmsimd_u8(a, b, n); }
inline void f32_axpy(float* y, float alpha, const float* x, int n) {
  f32_axpy_wasmsimd_u4(y, alpha, x, n);
}
#else
inline float f32_dot(const float* a, const float* b, int n) { return f32_dot_scalar(a, b, n); }
inline void f32_axpy(float* y, float alpha, const float* x, int n) { f32_axpy_scalar(y, alpha, x, n); }
#endif

}  // namespace attention
