#include "ops/pooling.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace attention {

// The sums run in double: T values a column, and the result is one vector.
void f32_mean_pool(float* pooled, const float* x, int tokens, int width) {
  for (int i = 0; i < width; ++i) {
    double s = 0;
    for (int t = 0; t < tokens; ++t) s += x[static_cast<std::size_t>(t) * width + i];
    pooled[i] = static_cast<float>(s / std::max(tokens, 1));
  }
}

void f32_l2_normalize(float* e, int n, float floor) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += static_cast<double>(e[i]) * e[i];
  const double r = 1.0 / std::sqrt(std::max(s, static_cast<double>(floor)));
  for (int i = 0; i < n; ++i) e[i] = static_cast<float>(e[i] * r);
}

void f64_mean_pool_ref(double* pooled, const double* x, int tokens, int width) {
  for (int i = 0; i < width; ++i) {
    double s = 0;
    for (int t = 0; t < tokens; ++t) s += x[static_cast<std::size_t>(t) * width + i];
    pooled[i] = s / std::max(tokens, 1);
  }
}

void f64_l2_normalize_ref(double* e, int n, double floor) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += e[i] * e[i];
  const double r = 1.0 / std::sqrt(std::max(s, floor));
  for (int i = 0; i < n; ++i) e[i] *= r;
}

}  // namespace attention
