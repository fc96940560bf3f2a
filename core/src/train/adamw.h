// The optimiser: AdamW (Loshchilov and Hutter, "Decoupled Weight Decay
// Regularization", Algorithm 2) with a linear warm-up and cosine decay of the
// learning rate, after clipping the gradient by its global norm.
//   m = b1 m + (1 - b1) g          v = b2 v + (1 - b2) g^2
//   p -= lr (m / (1 - b1^t) / (sqrt(v / (1 - b2^t)) + eps) + wd p [p decays])
//   lr(s) = peak (s + 1) / warmup                           for s < warmup
//         = min + (peak - min) (1 + cos(pi progress)) / 2   progress = (s - warmup) / (steps - warmup), at most 1
#pragma once

#include <cstddef>
#include <cstdint>

namespace attention::train {

struct AdamWSettings {
  double peak = 1e-3, min_ratio = 0.1;
  int warmup = 0, steps = 1;
  double beta1 = 0.9, beta2 = 0.95, eps = 1e-8, weight_decay = 0.0;
};

// The learning rate of step s (0-based).
double learning_rate_at(const AdamWSettings& a, int step);

// sqrt(sum g^2), summed in double in index order.
double global_norm(const float* g, std::size_t n);

// Multiplies g by clip / norm when norm > clip > 0.
void clip_by_norm(float* g, std::size_t n, double norm, double clip);

// One update of p [n] with gradient g, moments m and v, decay mask (1 =
// decayed), for step s (0-based; bias correction uses t = s + 1).
void adamw_update(float* p, float* m, float* v, const float* g, const std::uint8_t* decay, std::size_t n,
                  const AdamWSettings& a, int step);

}  // namespace attention::train
