// Softmax cross-entropy over the scored rows, with its gradient, and the
// float64 reference. Subtracting each row's max keeps exp from overflowing.
#include <cmath>
#include <cstddef>
#include <vector>

#include "train/ops.h"

namespace attention::train {

double f32_cross_entropy(float* dlogits, int* correct, int* scored, const float* logits,
                         const std::int32_t* targets, int rows, int vocab) {
  int count = 0, right = 0;
  for (int n = 0; n < rows; ++n) count += targets[n] >= 0;
  double loss = 0;
  const float inv = count > 0 ? 1.0f / static_cast<float>(count) : 0.0f;
  for (int n = 0; n < rows; ++n) {
    const float* z = logits + static_cast<std::size_t>(n) * vocab;
    float* dz = dlogits ? dlogits + static_cast<std::size_t>(n) * vocab : nullptr;
    const int target = targets[n];
    if (target < 0) {
      if (dz) {
        for (int v = 0; v < vocab; ++v) dz[v] = 0.0f;
      }
      continue;
    }
    // pass 1: the max (and the argmax, the first one on ties)
    int best = 0;
    for (int v = 1; v < vocab; ++v) {
      if (z[v] > z[best]) best = v;
    }
    const float max = z[best];
    right += best == target;
    // pass 2: the normaliser, summed in double
    double sum = 0;
    for (int v = 0; v < vocab; ++v) sum += std::exp(static_cast<double>(z[v] - max));
    loss += std::log(sum) - static_cast<double>(z[target] - max);
    // pass 3: (softmax - onehot) / S
    if (dz) {
      const float norm = static_cast<float>(1.0 / sum);
      for (int v = 0; v < vocab; ++v) {
        const float p = std::exp(z[v] - max) * norm;
        dz[v] = (p - (v == target ? 1.0f : 0.0f)) * inv;
      }
    }
  }
  if (correct) *correct = right;
  if (scored) *scored = count;
  return count > 0 ? loss / count : 0.0;
}

double f64_cross_entropy_ref(double* dlogits, const double* logits, const std::int32_t* targets, int rows, int vocab) {
  int count = 0;
  for (int n = 0; n < rows; ++n) count += targets[n] >= 0;
  double loss = 0;
  for (int n = 0; n < rows; ++n) {
    const double* z = logits + static_cast<std::size_t>(n) * vocab;
    double* dz = dlogits ? dlogits + static_cast<std::size_t>(n) * vocab : nullptr;
    if (targets[n] < 0) {
      if (dz) {
        for (int v = 0; v < vocab; ++v) dz[v] = 0;
      }
      continue;
    }
    double max = z[0];
    for (int v = 1; v < vocab; ++v) max = z[v] > max ? z[v] : max;
    double sum = 0;
    for (int v = 0; v < vocab; ++v) sum += std::exp(z[v] - max);
    loss += std::log(sum) + max - z[targets[n]];
    if (dz) {
      for (int v = 0; v < vocab; ++v) dz[v] = (std::exp(z[v] - max) / sum - (v == targets[n] ? 1.0 : 0.0)) / count;
    }
  }
  return count > 0 ? loss / count : 0.0;
}

}  // namespace attention::train
