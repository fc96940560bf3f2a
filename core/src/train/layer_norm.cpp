// Layer norm's backward (its forward is ops/layer_norm.cpp) and a float64
// reference of both over double inputs.
#include <cmath>
#include <cstddef>

#include "train/ops.h"

namespace attention::train {

// mean and rstd as f32_layer_norm_scalar computes them (sums in double, then
// rounded to float), so xhat here is the xhat the forward used.
void f32_layer_norm_backward(float* dx, float* dscale, float* dbias, const float* dy, const float* x,
                             const float* scale, int rows, int width, float eps) {
  for (int n = 0; n < rows; ++n) {
    const float* x_n = x + static_cast<std::size_t>(n) * width;
    const float* dy_n = dy + static_cast<std::size_t>(n) * width;
    float* dx_n = dx + static_cast<std::size_t>(n) * width;
    double sum = 0;
    for (int i = 0; i < width; ++i) sum += x_n[i];
    const float mean = static_cast<float>(sum / width);
    double squares = 0;
    for (int i = 0; i < width; ++i) {
      const double d = static_cast<double>(x_n[i]) - mean;
      squares += d * d;
    }
    const float rstd = static_cast<float>(1.0 / std::sqrt(squares / width + eps));
    // pass 1: the two means of the gradient through the normalisation
    double g_sum = 0, gx_sum = 0;
    for (int i = 0; i < width; ++i) {
      const float xhat = (x_n[i] - mean) * rstd;
      const float g = dy_n[i] * scale[i];
      g_sum += g;
      gx_sum += static_cast<double>(g) * xhat;
    }
    const float g_mean = static_cast<float>(g_sum / width), gx_mean = static_cast<float>(gx_sum / width);
    // pass 2: dx, dscale, dbias
    for (int i = 0; i < width; ++i) {
      const float xhat = (x_n[i] - mean) * rstd;
      const float g = dy_n[i] * scale[i];
      dx_n[i] += rstd * (g - g_mean - xhat * gx_mean);
      dscale[i] += dy_n[i] * xhat;
      dbias[i] += dy_n[i];
    }
  }
}

void f64_layer_norm_forward_ref(double* y, const double* x, const double* scale, const double* bias, int rows,
                                int width, double eps) {
  for (int n = 0; n < rows; ++n) {
    const double* x_n = x + static_cast<std::size_t>(n) * width;
    double* y_n = y + static_cast<std::size_t>(n) * width;
    double mean = 0;
    for (int i = 0; i < width; ++i) mean += x_n[i];
    mean /= width;
    double var = 0;
    for (int i = 0; i < width; ++i) var += (x_n[i] - mean) * (x_n[i] - mean);
    var /= width;
    const double rstd = 1.0 / std::sqrt(var + eps);
    for (int i = 0; i < width; ++i) y_n[i] = scale[i] * (x_n[i] - mean) * rstd + bias[i];
  }
}

void f64_layer_norm_backward_ref(double* dx, double* dscale, double* dbias, const double* dy, const double* x,
                                 const double* scale, int rows, int width, double eps) {
  for (int n = 0; n < rows; ++n) {
    const double* x_n = x + static_cast<std::size_t>(n) * width;
    const double* dy_n = dy + static_cast<std::size_t>(n) * width;
    double* dx_n = dx + static_cast<std::size_t>(n) * width;
    double mean = 0;
    for (int i = 0; i < width; ++i) mean += x_n[i];
    mean /= width;
    double var = 0;
    for (int i = 0; i < width; ++i) var += (x_n[i] - mean) * (x_n[i] - mean);
    var /= width;
    const double rstd = 1.0 / std::sqrt(var + eps);
    double g_mean = 0, gx_mean = 0;
    for (int i = 0; i < width; ++i) {
      g_mean += dy_n[i] * scale[i];
      gx_mean += dy_n[i] * scale[i] * (x_n[i] - mean) * rstd;
    }
    g_mean /= width;
    gx_mean /= width;
    for (int i = 0; i < width; ++i) {
      const double xhat = (x_n[i] - mean) * rstd;
      dx_n[i] += rstd * (dy_n[i] * scale[i] - g_mean - xhat * gx_mean);
      dscale[i] += dy_n[i] * xhat;
      dbias[i] += dy_n[i];
    }
  }
}

}  // namespace attention::train
