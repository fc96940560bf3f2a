#include "ops/activations.h"

#include <cmath>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace attention {

namespace {
constexpr double kSqrt2OverPi = 0.7978845608028654;
constexpr double kInvSqrt2 = 0.7071067811865476;
}  // namespace

void f32_relu_scalar(float* x, long long n) {
  for (long long i = 0; i < n; ++i) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

// GELU and tanh call the float32 library functions, which are exact to an
// ulp or two; a polynomial SIMD version would buy little next to the matmuls.
void f32_gelu_tanh(float* x, long long n) {
  const float c = static_cast<float>(kSqrt2OverPi);
  for (long long i = 0; i < n; ++i) {
    const float v = x[i];
    x[i] = 0.5f * v * (1.0f + std::tanh(c * (v + 0.044715f * v * v * v)));
  }
}

void f32_gelu_erf(float* x, long long n) {
  const float c = static_cast<float>(kInvSqrt2);
  for (long long i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * c));
}

void f32_tanh(float* x, long long n) {
  for (long long i = 0; i < n; ++i) x[i] = std::tanh(x[i]);
}

double f64_relu_ref(double x) { return x > 0.0 ? x : 0.0; }
double f64_gelu_tanh_ref(double x) { return 0.5 * x * (1.0 + std::tanh(kSqrt2OverPi * (x + 0.044715 * x * x * x))); }
double f64_gelu_erf_ref(double x) { return 0.5 * x * (1.0 + std::erf(x * kInvSqrt2)); }

#if defined(__wasm_simd128__)
// pmax, not max: V8's f32x4.max is slow, and NaN handling does not matter
// here (inputs are checked finite). pmax(0, x) is x when 0 < x, else 0.
void f32_relu_wasmsimd(float* x, long long n) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  long long i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(x + i, wasm_f32x4_pmax(zero, wasm_v128_load(x + i)));
  for (; i < n; ++i) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}
#endif

}  // namespace attention
