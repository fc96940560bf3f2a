// attention_row_trace: one row of attention_forward, keeping every
// intermediate. weights and output come from the kernel itself, run on this
// one row (the fused kernel gives every row the bits of a whole call; the row
// kernel's passes 2-3 run on the logits below).
// The intermediates before them are computed by the row kernel's score and
// normalisation code: for additive, hard and top_k those are the kernel's own
// numbers; the fused kernel of scaled_dot, dot and general computes the same
// logits, maximum and exponentials block by block, equal to float32 rounding.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels.h"

namespace attention {

void attention_row_trace(AttentionRowTrace& t, const float* query, const float* key,
                         const float* value, const AttentionShape& shape,
                         const AttentionOptions& options, int head, int row) {
  validate_attention(shape, options);
  const int NQ = shape.queries, NK = shape.keys, D = shape.dim, DV = shape.value_dim;
  if (head < 0 || head >= shape.heads) {
    throw std::invalid_argument("head: expected an integer from 0 to " + std::to_string(shape.heads - 1) +
                                ", got " + std::to_string(head));
  }
  if (row < 0 || row >= NQ) {
    throw std::invalid_argument("row: expected an integer from 0 to " + std::to_string(NQ - 1) +
                                ", got " + std::to_string(row));
  }
  const float* key_h = key + static_cast<size_t>(head) * NK * D;
  const float* value_h = value + static_cast<size_t>(head) * NK * DV;
  const float* query_hi = query + (static_cast<size_t>(head) * NQ + row) * D;
  const std::vector<std::uint8_t> every_key(NK, 1);

  // scores without scale and temperature, then the logits the kernel uses:
  // the kernel computes score * multiplier, so the same product gives its bits
  ScoreContext ctx;
  prepare_scores(ctx, options, key_h, NK, D);
  const float multiplier = ctx.multiplier;
  ctx.multiplier = 1.0f;
  score_row(t.scores, ctx, query_hi, key_h, every_key.data(), NK);
  for (int j = 0; j < NK; ++j) t.logits[j] = t.scores[j] * multiplier;
  t.scale = ctx.scale;

  fill_allowed_row(t.allowed, options, NK, row);
  check_scores_finite(t.logits, t.allowed, NK, head, row);
  switch (options.variant) {
    case Variant::top_k: select_top_k(t.kept, t.logits, t.allowed, NK, options.top_k.k); break;
    case Variant::hard: {
      std::fill(t.kept, t.kept + NK, std::uint8_t{0});
      const int best = argmax_allowed(t.logits, t.allowed, NK);
      if (best >= 0) t.kept[best] = 1;
      break;
    }
    default: std::copy(t.allowed, t.allowed + NK, t.kept); break;
  }
  std::copy(t.logits, t.logits + NK, t.exps);
  exp_shifted_row(t.exps, t.kept, NK, &t.max, &t.sum);

  if (!fused_variant(options.variant)) {
    // the row kernel's pass 2-3 on the logits above: its own numbers, already checked
    std::copy(t.logits, t.logits + NK, t.weights);
    normalize_and_mix_row(t.output, t.weights, t.allowed, value_h, NK, DV, options);
    return;
  }
  AttentionShape one_head = shape;
  one_head.heads = 1;
  attention_fused_rows(t.output, t.weights, query + static_cast<size_t>(head) * NQ * D, key_h, value_h, one_head,
                       options, row, row + 1, 0, 1, nullptr);
}

}  // namespace attention
