#include "ops/residual.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace attention {

void f32_add_scalar(float* y, const float* x, long long n) {
  for (long long i = 0; i < n; ++i) y[i] += x[i];
}

#if defined(__wasm_simd128__)
void f32_add_wasmsimd(float* y, const float* x, long long n) {
  long long i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, wasm_f32x4_add(wasm_v128_load(y + i), wasm_v128_load(x + i)));
  for (; i < n; ++i) y[i] += x[i];
}
#endif

}  // namespace attention
