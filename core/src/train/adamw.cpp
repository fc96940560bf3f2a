#include "train/adamw.h"

#include <cmath>

namespace attention::train {

double learning_rate_at(const AdamWSettings& a, int step) {
  if (step < a.warmup) return a.peak * (step + 1) / a.warmup;
  const double min = a.peak * a.min_ratio;
  const int span = a.steps - a.warmup;
  double progress = span > 0 ? static_cast<double>(step - a.warmup) / span : 1.0;
  if (progress > 1) progress = 1;
  return min + (a.peak - min) * 0.5 * (1.0 + std::cos(3.141592653589793 * progress));
}

double global_norm(const float* g, std::size_t n) {
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(g[i]) * g[i];
  return std::sqrt(s);
}

void clip_by_norm(float* g, std::size_t n, double norm, double clip) {
  if (!(clip > 0) || !(norm > clip)) return;
  const float f = static_cast<float>(clip / norm);
  for (std::size_t i = 0; i < n; ++i) g[i] *= f;
}

void adamw_update(float* p, float* m, float* v, const float* g, const std::uint8_t* decay, std::size_t n,
                  const AdamWSettings& a, int step) {
  const double lr = learning_rate_at(a, step);
  const double t = step + 1.0;
  const float b1 = static_cast<float>(a.beta1), b2 = static_cast<float>(a.beta2);
  const float c1 = static_cast<float>(1.0 / (1.0 - std::pow(a.beta1, t)));
  const float c2 = static_cast<float>(1.0 / (1.0 - std::pow(a.beta2, t)));
  const float lr32 = static_cast<float>(lr), wd = static_cast<float>(a.weight_decay), eps = static_cast<float>(a.eps);
  for (std::size_t i = 0; i < n; ++i) {
    m[i] = b1 * m[i] + (1.0f - b1) * g[i];
    v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
    const float update = (m[i] * c1) / (std::sqrt(v[i] * c2) + eps) + (decay[i] ? wd * p[i] : 0.0f);
    p[i] -= lr32 * update;
  }
}

}  // namespace attention::train
