// GELU (tanh)'s backward; its forward is ops/activations.cpp's f32_gelu_tanh
// and f64_gelu_tanh_ref.
#include <cmath>

#include "train/ops.h"

namespace attention::train {

namespace {
constexpr double kSqrt2OverPi = 0.7978845608028654;
constexpr double kCubic = 0.044715;
}  // namespace

void f32_gelu_tanh_backward(float* dx, const float* dy, const float* x, long long n) {
  const float c = static_cast<float>(kSqrt2OverPi), a = static_cast<float>(kCubic);
  for (long long i = 0; i < n; ++i) {
    const float v = x[i];
    const float th = std::tanh(c * (v + a * v * v * v));
    const float local = 0.5f * (1.0f + th) + 0.5f * v * (1.0f - th * th) * c * (1.0f + 3.0f * a * v * v);
    dx[i] += dy[i] * local;
  }
}

// tanh(u) and y exactly as f32_gelu_tanh computes them.
void f32_gelu_tanh_forward(float* y, float* th, const float* x, long long n) {
  const float c = static_cast<float>(kSqrt2OverPi);
  for (long long i = 0; i < n; ++i) {
    const float v = x[i];
    th[i] = std::tanh(c * (v + 0.044715f * v * v * v));
    y[i] = 0.5f * v * (1.0f + th[i]);
  }
}

void f32_gelu_tanh_backward_saved(float* dx, const float* dy, const float* x, const float* th, long long n) {
  const float c = static_cast<float>(kSqrt2OverPi), a = static_cast<float>(kCubic);
  for (long long i = 0; i < n; ++i) {
    const float v = x[i], t = th[i];
    dx[i] += dy[i] * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * c * (1.0f + 3.0f * a * v * v));
  }
}

void f64_gelu_tanh_backward_ref(double* dx, const double* dy, const double* x, long long n) {
  for (long long i = 0; i < n; ++i) {
    const double v = x[i];
    const double th = std::tanh(kSqrt2OverPi * (v + kCubic * v * v * v));
    dx[i] += dy[i] * (0.5 * (1.0 + th) + 0.5 * v * (1.0 - th * th) * kSqrt2OverPi * (1.0 + 3.0 * kCubic * v * v));
  }
}

}  // namespace attention::train
