// Element-wise activations of the feed-forward block, in place over n values:
//   relu(x)      = max(x, 0)
//   gelu_tanh(x) = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))   (GPT-2)
//   gelu_erf(x)  = x/2 (1 + erf(x / sqrt(2)))                       (BERT)
//   tanh(x)                                                          (USE's and BERT's poolers)
#pragma once

namespace attention {

void f32_relu_scalar(float* x, long long n);
void f32_gelu_tanh(float* x, long long n);
void f32_gelu_erf(float* x, long long n);
void f32_tanh(float* x, long long n);

double f64_relu_ref(double x);
double f64_gelu_tanh_ref(double x);
double f64_gelu_erf_ref(double x);

#if defined(__wasm_simd128__)
void f32_relu_wasmsimd(float* x, long long n);
inline void f32_relu(float* x, long long n) { f32_relu_wasmsimd(x, n); }
#else
inline void f32_relu(float* x, long long n) { f32_relu_scalar(x, n); }
#endif

}  // namespace attention
