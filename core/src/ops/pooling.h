// From the last layer's tokens to one sentence vector.
//   pooled [C]   x [T, C]
// mean_pool:     pooled[i] = (1/T) sum_t x[t][i]
// first_pool:    pooled = x[0]
// l2_normalize:  e[i] /= sqrt(max(sum_j e[j]^2, floor))   (in place, n values)
#pragma once

namespace attention {

void f32_mean_pool(float* pooled, const float* x, int tokens, int width);
void f32_l2_normalize(float* e, int n, float floor);
void f64_mean_pool_ref(double* pooled, const double* x, int tokens, int width);
void f64_l2_normalize_ref(double* e, int n, double floor);

}  // namespace attention
