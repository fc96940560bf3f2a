// Internal building blocks of attention_forward, one per pass.
#pragma once

#include <cstdint>
#include <vector>

#include "attention/attention.h"

namespace attention {

// Keys [lo, hi) that causal and window leave to query i (mask and padding remove more).
void allowed_key_range(const AttentionOptions& options, int keys, int i, long long* lo, long long* hi);

// allowed [NK]: 1 where query i may attend key j (causal, window, mask, padding).
void fill_allowed_row(std::uint8_t* allowed, const AttentionOptions& options, int keys, int i);

// Per-head state the score pass needs beyond q and k (additive's projected keys).
struct ScoreContext {
  Variant variant = Variant::scaled_dot;
  float scale = 1.0f;  // scale for scaled_dot, hard and top_k, else 1
  float multiplier = 1.0f;  // scale / temperature
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

// Throws std::invalid_argument naming (h, i, j) if an allowed score is not finite.
void check_scores_finite(const float* scores, const std::uint8_t* allowed, int keys, int h, int i);

// Passes 2-3 of attention_forward for one row: weights_hi [NK] holds the
// scores of the allowed keys on entry and the weights on return; out_hi [DV]
// = sum_j w_j value_h[j].
void normalize_and_mix_row(float* out_hi, float* weights_hi, const std::uint8_t* allowed,
                           const float* value_h, int keys, int value_dim, const AttentionOptions& options);

// Turns scores [NK] into weights in place over the allowed keys; others become 0.
// Rows with no allowed key become all zero.
void softmax_row(float* row, const std::uint8_t* allowed, int keys);

// Passes 1-2 of softmax_row: row becomes exp(s - max) on allowed keys, 0 elsewhere.
// Returns false (row all 0, max 0, sum 0) when no key is allowed.
bool exp_shifted_row(float* row, const std::uint8_t* allowed, int keys, float* max_out, double* sum_out);
// The first allowed index with the highest score, or -1.
int argmax_allowed(const float* row, const std::uint8_t* allowed, int keys);
// keep [NK]: 1 for the k best allowed scores (higher first, lower index on ties).
void select_top_k(std::uint8_t* keep, const float* row, const std::uint8_t* allowed, int keys, int k);
void hard_row(float* row, const std::uint8_t* allowed, int keys);
void top_k_row(float* row, const std::uint8_t* allowed, int keys, int k);

// validate_attention, counting the weights tensor as weight_floats floats
// (< 0: no weights tensor, so no limit on NQ x NK).
void validate_attention_with_weights(const AttentionShape& shape, const AttentionOptions& options,
                                     long long weight_floats);

// Row i of head h by the row kernel, passes 1-3 of attention_forward:
//   out_hi [DV], weights_hi [NK] (the weights, or scratch), allowed [NK] scratch,
//   ctx prepared for key_h by prepare_scores.
// Throws std::invalid_argument naming (h, i, j) if an allowed score overflows float32.
void row_kernel_row(float* out_hi, float* weights_hi, std::uint8_t* allowed, ScoreContext& ctx,
                    const float* query_hi, const float* key_h, const float* value_h, int keys, int value_dim,
                    const AttentionOptions& options, int h, int i);

// Whether attention_fused_rows computes this variant (scaled_dot, dot, general).
bool fused_variant(Variant variant);

// The fused kernel (attention_fused.cpp) for query rows [row_begin, row_end) of
// heads [head_begin, head_end), out [head_end - head_begin, R, DV] (weights
// likewise); arguments as attention_forward_piece, already validated. packs
// null: K and V are packed for this call only.
void attention_fused_rows(float* out, float* weights, const float* query, const float* key, const float* value,
                          const AttentionShape& shape, const AttentionOptions& options, int row_begin,
                          int row_end, int head_begin, int head_end, KeyValuePacks* packs);

}  // namespace attention
