#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "key_value_packs.h"
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
    case Variant::top_k: top_k_row(weights_hi, allowed, keys, options.top_k.k); break;
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

void row_kernel_row(float* out_hi, float* weights_hi, std::uint8_t* allowed, ScoreContext& ctx,
                    const float* query_hi, const float* key_h, const float* value_h, int keys, int value_dim,
                    const AttentionOptions& options, int h, int i) {
  // pass 1: which keys query i may attend, and their scores
  fill_allowed_row(allowed, options, keys, i);
  score_row(weights_hi, ctx, query_hi, key_h, allowed, keys);
  check_scores_finite(weights_hi, allowed, keys, h, i);
  normalize_and_mix_row(out_hi, weights_hi, allowed, value_h, keys, value_dim, options);
}

namespace {

// Throws unless 0 <= begin < end <= limit, naming the range as the binding does.
void check_range(const char* what, const char* begin_name, const char* end_name, const char* limit_name, int begin,
                 int end, int limit) {
  if (begin < 0 || end > limit || begin >= end) {
    throw std::invalid_argument(std::string(what) + ": expected 0 <= " + begin_name + " < " + end_name + " <= " +
                                limit_name + " = " + std::to_string(limit) + ", got " + std::to_string(begin) +
                                " and " + std::to_string(end));
  }
}

bool same_shape(const AttentionShape& a, const AttentionShape& b) {
  return a.heads == b.heads && a.queries == b.queries && a.keys == b.keys && a.dim == b.dim &&
         a.value_dim == b.value_dim;
}

// Rows [row_begin, row_end) of heads [head_begin, head_end), validated:
// scaled_dot, dot and general by the fused kernel (with packs, if any), the
// others one row at a time.
void forward_rows(float* out, float* weights, const float* query, const float* key, const float* value,
                  const AttentionShape& shape, const AttentionOptions& options, int row_begin, int row_end,
                  int head_begin, int head_end, KeyValuePacks* packs) {
  if (fused_variant(options.variant)) {
    attention_fused_rows(out, weights, query, key, value, shape, options, row_begin, row_end, head_begin, head_end,
                         packs);
    return;
  }
  const int NQ = shape.queries, NK = shape.keys, D = shape.dim, DV = shape.value_dim;
  const int R = row_end - row_begin;
  std::vector<std::uint8_t> allowed(NK);
  std::vector<float> scratch(weights ? 0 : NK);  // a row's weights when the caller wants none
  ScoreContext ctx;
  for (int h = head_begin; h < head_end; ++h) {
    const float* key_h = key + static_cast<size_t>(h) * NK * D;
    const float* value_h = value + static_cast<size_t>(h) * NK * DV;
    prepare_scores(ctx, options, key_h, NK, D);
    for (int i = row_begin; i < row_end; ++i) {
      const size_t row = static_cast<size_t>(h - head_begin) * R + (i - row_begin);
      row_kernel_row(out + row * DV, weights ? weights + row * NK : scratch.data(), allowed.data(), ctx,
                     query + (static_cast<size_t>(h) * NQ + i) * D, key_h, value_h, NK, DV, options, h, i);
    }
  }
}

}  // namespace

void attention_forward(float* out, float* weights, const float* query, const float* key,
                       const float* value, const AttentionShape& shape,
                       const AttentionOptions& options) {
  validate_attention(shape, options);
  forward_rows(out, weights, query, key, value, shape, options, 0, shape.queries, 0, shape.heads, nullptr);
}

void attention_forward_output_only(float* out, const float* query, const float* key, const float* value,
                                   const AttentionShape& shape, const AttentionOptions& options) {
  validate_attention_with_weights(shape, options, -1);
  forward_rows(out, nullptr, query, key, value, shape, options, 0, shape.queries, 0, shape.heads, nullptr);
}

void attention_forward_rows(float* out, float* weights, const float* query, const float* key,
                            const float* value, const AttentionShape& shape, const AttentionOptions& options,
                            int row_begin, int row_end) {
  const long long rows = static_cast<long long>(row_end) - row_begin;
  validate_attention_with_weights(shape, options,
                                  weights ? static_cast<long long>(shape.heads) * rows * shape.keys : -1);
  check_range("rows", "rowBegin", "rowEnd", "queries", row_begin, row_end, shape.queries);
  forward_rows(out, weights, query, key, value, shape, options, row_begin, row_end, 0, shape.heads, nullptr);
}

void attention_forward_piece(float* out, float* weights, const float* query, const float* key,
                             const float* value, const AttentionShape& shape, const AttentionOptions& options,
                             int head_begin, int head_end, int row_begin, int row_end, KeyValuePacks& packs) {
  const long long rows = static_cast<long long>(row_end) - row_begin;
  const long long heads = static_cast<long long>(head_end) - head_begin;
  validate_attention_with_weights(shape, options, weights ? heads * rows * shape.keys : -1);
  check_range("rows", "rowBegin", "rowEnd", "queries", row_begin, row_end, shape.queries);
  check_range("heads", "headBegin", "headEnd", "heads", head_begin, head_end, shape.heads);
  if (packs.heads.empty()) {
    packs.shape = shape;
    packs.heads.resize(shape.heads);
  } else if (!same_shape(packs.shape, shape)) {
    throw std::invalid_argument("packs: prepared for another shape; use one KeyValuePacks per request");
  }
  forward_rows(out, weights, query, key, value, shape, options, row_begin, row_end, head_begin, head_end, &packs);
}

void KeyValuePacksDeleter::operator()(KeyValuePacks* packs) const { delete packs; }

KeyValuePacksHandle make_key_value_packs() { return KeyValuePacksHandle(new KeyValuePacks()); }

}  // namespace attention
