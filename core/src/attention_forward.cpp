#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels.h"
#include "simd_f32.h"

namespace attention {

// Finite float32 inputs can still give scores past float32's range (1e20 . 1e20);
// softmax of infinities is NaN, so such a row is refused rather than returned.
void check_scores_finite(const float* scores, const std::uint8_t* allowed, int keys, int h, int i) {
  for (int j = 0; j < keys; ++j) {
    if (allowed[j] && !std::isfinite(scores[j])) {
      throw std::invalid_argument("query, key: the score of head " + std::to_string(h) + ", query " +
                                  std::to_string(i) + ", key " + std::to_string(j) +
                                  " overflows float32; use smaller values");
    }
  }
}

void normalize_and_mix_row(float* out_hi, float* weights_hi, const std::uint8_t* allowed,
                           const float* value_h, int keys, int value_dim, const AttentionOptions& options) {
  // pass 2: scores to weights over the allowed keys
  switch (options.variant) {
    case Variant::hard: hard_row(weights_hi, allowed, keys); break;
    case Variant::top_k: top_k_row(weights_hi, allowed, keys, options.top_k); break;
    default: softmax_row(weights_hi, allowed, keys); break;
  }
  // pass 3: out_hi = sum_j w_j v_j, skipping keys with zero weight (masked or hard)
  std::fill(out_hi, out_hi + value_dim, 0.0f);
  for (int j = 0; j < keys; ++j) {
    if (weights_hi[j] != 0.0f) {
      f32_axpy(out_hi, weights_hi[j], value_h + static_cast<size_t>(j) * value_dim, value_dim);
    }
  }
}

void attention_forward(float* out, float* weights, const float* query, const float* key,
                       const float* value, const AttentionShape& shape,
                       const AttentionOptions& options) {
  validate_attention(shape, options);
  const int H = shape.heads, NQ = shape.queries, NK = shape.keys, D = shape.dim,
            DV = shape.value_dim;
  std::vector<std::uint8_t> allowed(NK);
  ScoreContext ctx;
  for (int h = 0; h < H; ++h) {
    const float* key_h = key + static_cast<size_t>(h) * NK * D;
    const float* value_h = value + static_cast<size_t>(h) * NK * DV;
    prepare_scores(ctx, options, key_h, NK, D);
    for (int i = 0; i < NQ; ++i) {
      const size_t row = static_cast<size_t>(h) * NQ + i;
      const float* query_hi = query + row * D;
      float* weights_hi = weights + row * NK;
      float* out_hi = out + row * DV;
      // pass 1: which keys query i may attend, and their scores
      fill_allowed_row(allowed.data(), options, NK, i);
      score_row(weights_hi, ctx, query_hi, key_h, allowed.data(), NK);
      check_scores_finite(weights_hi, allowed.data(), NK, h, i);
      normalize_and_mix_row(out_hi, weights_hi, allowed.data(), value_h, NK, DV, options);
    }
  }
}

}  // namespace attention
