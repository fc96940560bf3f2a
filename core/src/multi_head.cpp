// nn.MultiheadAttention (batch of one) on top of attention_forward:
//   Q = query Wq^T + bq, K = key Wk^T + bk, V = value Wv^T + bv     [N, E]
//   head h: columns h*Eh .. (h+1)*Eh - 1, Eh = E/H, scale 1/sqrt(Eh)
//   out = concat_h(head_h) Wo^T + bo                                 [NQ, E]
#include <Eigen/Core>
#include <vector>

#include "attention/attention.h"

namespace attention {

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// y [N, E] = x [N, E] W[rows r0..r0+E-1]^T + b[r0..]; then split into heads [H, N, Eh].
std::vector<float> project_to_heads(const float* x, int n, int e, int heads, const float* w,
                                    const float* bias, int r0) {
  Eigen::Map<const RowMatrix> xm(x, n, e);
  Eigen::Map<const RowMatrix> wm(w + static_cast<size_t>(r0) * e, e, e);
  RowMatrix y = xm * wm.transpose();
  if (bias) y.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(bias + r0, e);
  const int eh = e / heads;
  std::vector<float> split(static_cast<size_t>(n) * e);
  for (int h = 0; h < heads; ++h) {
    for (int t = 0; t < n; ++t) {
      for (int c = 0; c < eh; ++c) split[(static_cast<size_t>(h) * n + t) * eh + c] = y(t, h * eh + c);
    }
  }
  return split;
}

}  // namespace

void multi_head_attention_forward(float* out, float* weights, float* average_weights,
                                  const float* query, const float* key, const float* value,
                                  const float* in_proj_weight, const float* out_proj_weight,
                                  const MultiHeadShape& shape, const MultiHeadOptions& options) {
  validate_multi_head(shape);
  const int H = shape.heads, NQ = shape.queries, NK = shape.keys, E = shape.embed_dim;
  const int Eh = E / H;
  const float* b = options.in_proj_bias;
  const std::vector<float> q = project_to_heads(query, NQ, E, H, in_proj_weight, b, 0);
  const std::vector<float> k = project_to_heads(key, NK, E, H, in_proj_weight, b, E);
  const std::vector<float> v = project_to_heads(value, NK, E, H, in_proj_weight, b, 2 * E);

  AttentionShape heads_shape{H, NQ, NK, Eh, Eh};
  AttentionOptions heads_options;
  heads_options.causal = options.causal;
  heads_options.key_padding = options.key_padding;
  std::vector<float> per_head(static_cast<size_t>(H) * NQ * Eh);
  attention_forward(per_head.data(), weights, q.data(), k.data(), v.data(), heads_shape,
                    heads_options);

  // concat heads back to [NQ, E], then the output projection
  RowMatrix concat(NQ, E);
  for (int h = 0; h < H; ++h) {
    for (int i = 0; i < NQ; ++i) {
      for (int c = 0; c < Eh; ++c) concat(i, h * Eh + c) = per_head[(static_cast<size_t>(h) * NQ + i) * Eh + c];
    }
  }
  Eigen::Map<const RowMatrix> wo(out_proj_weight, E, E);
  Eigen::Map<RowMatrix> outm(out, NQ, E);
  outm.noalias() = concat * wo.transpose();
  if (options.out_proj_bias) outm.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(options.out_proj_bias, E);

  const size_t plane = static_cast<size_t>(NQ) * NK;
  for (size_t x = 0; x < plane; ++x) {
    float sum = 0.0f;
    for (int h = 0; h < H; ++h) sum += weights[h * plane + x];
    average_weights[x] = sum / static_cast<float>(H);
  }
}

}  // namespace attention
