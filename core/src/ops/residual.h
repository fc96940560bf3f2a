// The residual connection: y[i] += x[i] over n values (y and x do not overlap).
#pragma once

namespace attention {

void f32_add_scalar(float* y, const float* x, long long n);

#if defined(__wasm_simd128__)
void f32_add_wasmsimd(float* y, const float* x, long long n);
inline void f32_add(float* y, const float* x, long long n) { f32_add_wasmsimd(y, x, n); }
#else
inline void f32_add(float* y, const float* x, long long n) { f32_add_scalar(y, x, n); }
#endif

}  // namespace attention
