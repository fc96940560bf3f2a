// Compatibility scores s_ij of query i and key j, before normalisation:
//   scaled_dot, hard, top_k:  s = (q . k) * scale / temperature
//   dot:                      s = (q . k) / temperature
//   general (Luong):          s = (q^T W k) / temperature = ((W^T q) . k) / temperature
//   additive (Bahdanau):      s = v^T tanh(Wq q + Wk k) / temperature
// general folds W into the query once per row; additive projects every key
// once per head, so each score costs O(D) or O(DA) instead of O(D^2).
#include <Eigen/Core>
#include <cmath>

#include "kernels.h"
#include "simd_f32.h"

namespace attention {

namespace {
using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
}

void prepare_scores(ScoreContext& ctx, const AttentionOptions& options, const float* key_h,
                    int keys, int dim) {
  ctx.variant = options.variant;
  ctx.dim = dim;
  const bool scaled = options.variant == Variant::scaled_dot || options.variant == Variant::hard ||
                      options.variant == Variant::top_k;
  const float scale = options.scale.value_or(1.0f / std::sqrt(static_cast<float>(dim)));
  ctx.scale = scaled ? scale : 1.0f;
  ctx.multiplier = ctx.scale / options.temperature;
  ctx.general_w = options.general.W;
  ctx.additive_dim = options.additive.da;
  ctx.additive_wq = options.additive.Wq;
  ctx.additive_v = options.additive.v;
  ctx.scratch.assign(std::max(dim, options.additive.da), 0.0f);
  if (options.variant == Variant::additive) {
    const int da = options.additive.da;
    ctx.projected_keys.resize(static_cast<size_t>(keys) * da);
    Eigen::Map<const RowMatrix> k(key_h, keys, dim);
    Eigen::Map<const RowMatrix> wk(options.additive.Wk, da, dim);
    Eigen::Map<RowMatrix> kp(ctx.projected_keys.data(), keys, da);
    kp.noalias() = k * wk.transpose();
  }
}

void score_row(float* scores, ScoreContext& ctx, const float* query_i, const float* key_h,
               const std::uint8_t* allowed, int keys) {
  const int d = ctx.dim;
  const float* q = query_i;
  if (ctx.variant == Variant::general) {
    // u = W^T q, so that q^T W k = u . k
    Eigen::Map<const RowMatrix> w(ctx.general_w, d, d);
    Eigen::Map<const Eigen::VectorXf> qv(query_i, d);
    Eigen::Map<Eigen::VectorXf> u(ctx.scratch.data(), d);
    u.noalias() = w.transpose() * qv;
    q = ctx.scratch.data();
  }
  if (ctx.variant != Variant::additive) {
    for (int j = 0; j < keys; ++j) {
      if (allowed[j]) scores[j] = f32_dot(q, key_h + static_cast<size_t>(j) * d, d) * ctx.multiplier;
    }
    return;
  }
  // additive: a = Wq q once per query, then s_j = v . tanh(a + Wk k_j)
  const int da = ctx.additive_dim;
  Eigen::Map<const RowMatrix> wq(ctx.additive_wq, da, d);
  Eigen::Map<const Eigen::VectorXf> qv(query_i, d);
  Eigen::Map<Eigen::VectorXf> a(ctx.scratch.data(), da);
  a.noalias() = wq * qv;
  for (int j = 0; j < keys; ++j) {
    if (!allowed[j]) continue;
    const float* kp = ctx.projected_keys.data() + static_cast<size_t>(j) * da;
    float s = 0.0f;
    for (int t = 0; t < da; ++t) s += ctx.additive_v[t] * std::tanh(a[t] + kp[t]);
    scores[j] = s * ctx.multiplier;
  }
}

}  // namespace attention
