// Internal building blocks of attention_forward, one per pass.
#pragma once

#include <cstdint>
#include <vector>

#include "attention/attention.h"

namespace attention {

// allowed [NK]: 1 where query i may attend key j (causal, window, mask, padding).
// Returns how many keys are allowed.
int fill_allowed_row(std::uint8_t* allowed, const AttentionOptions& options, int keys, int i);

// Per-head state the score pass needs beyond q and k (additive's projected keys).
struct ScoreContext {
  Variant variant = Variant::scaled_dot;
  float multiplier = 1.0f;  // scale / temperature, or 1 / temperature
  int dim = 0;  // D
  const float* general_w = nullptr;  // [D, D]
  int additive_dim = 0;  // DA
  const float* additive_wq = nullptr;  // [DA, D]
  const float* additive_v = nullptr;  // [DA]
  std::vector<float> projected_keys;  // [NK, DA] = key Wk^T, additive only
  std::vector<float> scratch;  // [max(D, DA)]
};

// Prepares ctx for one head's keys key_h [NK, D].
void prepare_scores(ScoreContext& ctx, const AttentionOptions& options, const float* key_h,
                    int keys, int dim);

// scores [NK]: score of query_i [D] against each allowed key of key_h [NK, D];
// entries of keys that are not allowed are left untouched.
void score_row(float* scores, ScoreContext& ctx, const float* query_i, const float* key_h,
               const std::uint8_t* allowed, int keys);

// Turns scores [NK] into weights in place over the allowed keys; others become 0.
// Rows with no allowed key become all zero.
void softmax_row(float* row, const std::uint8_t* allowed, int keys);
void hard_row(float* row, const std::uint8_t* allowed, int keys);
void top_k_row(float* row, const std::uint8_t* allowed, int keys, int k);

}  // namespace attention
