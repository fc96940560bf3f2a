// Plain float64 reference of attention_forward (legend in attention.h).
//
//   out      [H, NQ, DV]   double
//   weights  [H, NQ, NK]   double
//   query    [H, NQ, D]
//   key      [H, NK, D]
//   value    [H, NK, DV]
//
// For every head h and query i:
//   allowed(i, j) = (!causal || j <= i) && (no window || |i - j| <= window)
//                   && (!mask || mask[i, j]) && (!key_padding || !key_padding[j])
//   s_j     = score(q_i, k_j) / temperature, by variant:
//               scaled_dot, hard, top_k  q.k * scale   (scale = 1/sqrt(D) unless given)
//               dot                      q.k
//               general                  sum_ab q_a W_ab k_b
//               additive                 sum_c v_c tanh(sum_a Wq_ca q_a + Wk_ca k_a)
//   w_j     = softmax of s over the kept keys, 0 elsewhere, where kept is
//               softmax, scaled_dot, dot, general, additive: every allowed key
//               hard:  the first allowed key with the highest score (w = 1)
//               top_k: the k highest allowed scores, lower index first on ties
//   out_i   = sum_j w_j v_j
// A query with no allowed key keeps zero weights and a zero output row.
//
// Written apart from the fast kernel on purpose: one loop per formula, every
// product and sum in double, no SIMD, no shared helpers beyond validation.
#include "attention/attention.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace attention {
namespace {

double dot_f64(const float* a, const float* b, int n) {
  double sum = 0.0;
  for (int d = 0; d < n; ++d) sum += static_cast<double>(a[d]) * static_cast<double>(b[d]);
  return sum;
}

// The allowed-key rule of attention.h, restated here so the reference does
// not share code with the kernel it checks.
bool allowed_f64(const AttentionOptions& options, int keys, int i, int j) {
  if (options.causal && j > i) return false;
  if (options.window && std::abs(i - j) > *options.window) return false;
  if (options.mask != nullptr && options.mask[static_cast<std::size_t>(i) * keys + j] == 0) {
    return false;
  }
  if (options.key_padding != nullptr && options.key_padding[j] != 0) return false;
  return true;
}

bool uses_scale(Variant variant) {
  return variant == Variant::scaled_dot || variant == Variant::hard || variant == Variant::top_k;
}

}  // namespace

void attention_reference_f64(double* out, double* weights, const float* query,
                             const float* key, const float* value,
                             const AttentionShape& shape, const AttentionOptions& options) {
  validate_attention(shape, options);
  const int H = shape.heads, NQ = shape.queries, NK = shape.keys;
  const int D = shape.dim, DV = shape.value_dim;
  const int DA = options.additive.da;
  const Variant variant = options.variant;
  const double scale = options.scale ? static_cast<double>(*options.scale)
                                     : 1.0 / std::sqrt(static_cast<double>(D));
  const double temperature = options.temperature;

  std::vector<double> scores(NK);
  std::vector<int> kept;  // indices of the keys that share the softmax
  kept.reserve(NK);
  // additive only: Wk k_j for every key of the current head, [NK, DA], and Wq q_i, [DA].
  std::vector<double> wk_key(variant == Variant::additive ? static_cast<std::size_t>(NK) * DA : 0);
  std::vector<double> wq_query(variant == Variant::additive ? DA : 0);

  for (int h = 0; h < H; ++h) {
    const float* query_h = query + static_cast<std::size_t>(h) * NQ * D;
    const float* key_h = key + static_cast<std::size_t>(h) * NK * D;
    const float* value_h = value + static_cast<std::size_t>(h) * NK * DV;

    if (variant == Variant::additive) {
      for (int j = 0; j < NK; ++j) {
        for (int c = 0; c < DA; ++c) {
          wk_key[static_cast<std::size_t>(j) * DA + c] =
              dot_f64(options.additive.Wk + static_cast<std::size_t>(c) * D,
                      key_h + static_cast<std::size_t>(j) * D, D);
        }
      }
    }

    for (int i = 0; i < NQ; ++i) {
      const float* query_hi = query_h + static_cast<std::size_t>(i) * D;
      double* weights_hi = weights + (static_cast<std::size_t>(h) * NQ + i) * NK;
      double* out_hi = out + (static_cast<std::size_t>(h) * NQ + i) * DV;

      // pass 1: score of every allowed key, divided by the temperature
      if (variant == Variant::additive) {
        for (int c = 0; c < DA; ++c) {
          wq_query[c] = dot_f64(options.additive.Wq + static_cast<std::size_t>(c) * D, query_hi, D);
        }
      }
      kept.clear();
      for (int j = 0; j < NK; ++j) {
        scores[j] = 0.0;
        if (!allowed_f64(options, NK, i, j)) continue;
        kept.push_back(j);
        const float* key_hj = key_h + static_cast<std::size_t>(j) * D;
        double s = 0.0;
        if (uses_scale(variant)) {
          s = dot_f64(query_hi, key_hj, D) * scale;
        } else if (variant == Variant::dot) {
          s = dot_f64(query_hi, key_hj, D);
        } else if (variant == Variant::general) {
          for (int a = 0; a < D; ++a) {
            s += static_cast<double>(query_hi[a]) *
                 dot_f64(options.general.W + static_cast<std::size_t>(a) * D, key_hj, D);
          }
        } else {  // additive
          for (int c = 0; c < DA; ++c) {
            s += static_cast<double>(options.additive.v[c]) *
                 std::tanh(wq_query[c] + wk_key[static_cast<std::size_t>(j) * DA + c]);
          }
        }
        scores[j] = s / temperature;
      }

      // pass 2: choose the keys that share the weight (kept is in index order)
      if (variant == Variant::hard && !kept.empty()) {
        int best = kept[0];
        for (int j : kept) {
          if (scores[j] > scores[best]) best = j;  // strict: lowest index wins ties
        }
        kept.assign(1, best);
      } else if (variant == Variant::top_k) {
        // stable: among equal scores the lower index stays first
        std::stable_sort(kept.begin(), kept.end(),
                         [&](int a, int b) { return scores[a] > scores[b]; });
        if (static_cast<int>(kept.size()) > options.top_k.k) kept.resize(options.top_k.k);
      }

      // pass 3: softmax over the kept keys; subtract their max so exp cannot overflow
      for (int j = 0; j < NK; ++j) weights_hi[j] = 0.0;
      if (!kept.empty()) {
        double max_score = scores[kept[0]];
        for (int j : kept) max_score = std::max(max_score, scores[j]);
        double sum = 0.0;
        for (int j : kept) {
          weights_hi[j] = std::exp(scores[j] - max_score);
          sum += weights_hi[j];
        }
        for (int j : kept) weights_hi[j] /= sum;
      }

      // pass 4: out_i = sum_j w_j v_j
      for (int e = 0; e < DV; ++e) out_hi[e] = 0.0;
      for (int j = 0; j < NK; ++j) {
        if (weights_hi[j] == 0.0) continue;
        const float* value_hj = value_h + static_cast<std::size_t>(j) * DV;
        for (int e = 0; e < DV; ++e) out_hi[e] += weights_hi[j] * static_cast<double>(value_hj[e]);
      }
    }
  }
}

}  // namespace attention
