// Helpers of the training tests: central finite differences in float64 and
// magnitude-scaled comparisons that name the tensor and the worst index.
//
// Tolerances, the same in every train_*_test.cpp:
//   reference backward vs central differences (h = 1e-5, float64):
//     |analytic - numeric| <= 1e-7 + 1e-6 |numeric|   (truncation h^2 f''' and
//     rounding 1e-16 / h are both far below it)
//   float32 backward vs float64 reference backward, on the same inputs:
//     |got - want| <= 1e-6 + 1e-4 max|want|            (each gradient is a sum of
//     float32 products; the bound is relative to the tensor's largest entry so
//     cancellation in a small entry does not tighten it; where a whole tensor
//     is a cancellation, as layer norm's dx, the magnitude of its terms is
//     given instead)
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace train_test {

constexpr double kStep = 1e-5;

// d f / d x[i] by central differences, for every i (x is restored).
inline std::vector<double> numeric_gradient(const std::function<double()>& f, std::vector<double>& x) {
  std::vector<double> g(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double keep = x[i];
    x[i] = keep + kStep;
    const double up = f();
    x[i] = keep - kStep;
    const double down = f();
    x[i] = keep;
    g[i] = (up - down) / (2 * kStep);
  }
  return g;
}

inline ::testing::AssertionResult matches_differences(const std::string& what, const std::vector<double>& analytic,
                                                      const std::vector<double>& numeric) {
  double worst = 0;
  std::size_t at = 0;
  int bad = 0;
  for (std::size_t i = 0; i < analytic.size(); ++i) {
    const double err = std::abs(analytic[i] - numeric[i]);
    if (!(err <= 1e-7 + 1e-6 * std::abs(numeric[i]))) ++bad;
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << what << ": " << bad << " of " << analytic.size()
                                       << " differ from central differences; worst at [" << at
                                       << "]: " << analytic[at] << " vs " << numeric[at];
}

template <typename T>
::testing::AssertionResult matches_reference(const std::string& what, const std::vector<T>& got,
                                             const std::vector<double>& want, double rel = 1e-4,
                                             double magnitude = 0) {
  double largest = magnitude;
  for (double w : want) largest = std::max(largest, std::abs(w));
  const double tol = 1e-6 + rel * largest;
  double worst = 0;
  std::size_t at = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const double err = std::abs(static_cast<double>(got[i]) - want[i]);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  if (got.size() == want.size() && worst <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << what << ": worst |float32 - float64| = " << worst << " at [" << at
                                       << "] (" << static_cast<double>(got[at]) << " vs " << want[at]
                                       << "), tolerance " << tol << ", size " << got.size();
}

inline std::vector<double> widen(const std::vector<float>& v) { return {v.begin(), v.end()}; }

// sum_i y[i] w[i]: a scalar whose gradient with respect to y is w.
inline double dot(const std::vector<double>& y, const std::vector<double>& w) {
  double s = 0;
  for (std::size_t i = 0; i < y.size(); ++i) s += y[i] * w[i];
  return s;
}

}  // namespace train_test
