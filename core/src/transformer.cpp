// The transformer forward pass (attention/transformer.h): a short sequence of
// op calls per layer, with the float64 reference pass beside it.
#include "attention/transformer.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "attention/attention.h"
#include "ops/activations.h"
#include "ops/embedding.h"
#include "ops/heads.h"
#include "ops/layer_norm.h"
#include "ops/matmul_bias.h"
#include "ops/matmul_transposed.h"
#include "ops/pooling.h"
#include "ops/residual.h"

namespace attention {

namespace {

constexpr int kMaxWidth = 1 << 14;
constexpr int kMaxLayers = 128;
constexpr int kMaxHeads = 256;
constexpr int kMaxVocab = 1 << 21;
constexpr int kMaxTokens = 1 << 14;

[[noreturn]] void fail(const TransformerConfig& c, const std::string& what) {
  throw std::invalid_argument((c.name.empty() ? std::string("model") : c.name) + ": " + what);
}

void check_size(const TransformerConfig& c, const std::string& field, long long value, long long max) {
  if (value < 1 || value > max) {
    fail(c, field + ": expected an integer from 1 to " + std::to_string(max) + ", got " + std::to_string(value));
  }
}

void need(const TransformerConfig& c, const void* pointer, const std::string& what) {
  if (!pointer) fail(c, what + ": missing");
}

int last_width(const TransformerConfig& c) { return c.layers.back().width_out; }

}  // namespace

void validate_transformer(const TransformerConfig& c, const TransformerWeights& w) {
  check_size(c, "vocab", c.vocab, kMaxVocab);
  check_size(c, "max_tokens", c.max_tokens, kMaxTokens);
  check_size(c, "layers", static_cast<long long>(c.layers.size()), kMaxLayers);
  if (c.token_types < 0 || c.token_types > 1024) {
    fail(c, "token_types: expected 0 to 1024, got " + std::to_string(c.token_types));
  }
  if (!(c.norm_eps >= 0) || !std::isfinite(c.norm_eps)) fail(c, "norm_eps: expected a finite number >= 0");
  if (!std::isfinite(c.embedding_multiplier)) fail(c, "embedding_multiplier: expected a finite number");
  if (w.layers.size() != c.layers.size()) {
    fail(c, "weights: " + std::to_string(w.layers.size()) + " layers of weights for " +
                std::to_string(c.layers.size()) + " layers");
  }
  for (std::size_t l = 0; l < c.layers.size(); ++l) {
    const TransformerLayerConfig& L = c.layers[l];
    const TransformerLayerWeights& W = w.layers[l];
    const std::string at = "layer " + std::to_string(l) + " ";
    check_size(c, at + "width_in", L.width_in, kMaxWidth);
    check_size(c, at + "width_out", L.width_out, kMaxWidth);
    check_size(c, at + "heads", L.heads, kMaxHeads);
    check_size(c, at + "ffn_width", L.ffn_width, 4 * kMaxWidth);
    if (L.width_in % L.heads != 0) {
      fail(c, at + "heads: " + std::to_string(L.heads) + " does not divide the width " + std::to_string(L.width_in));
    }
    if (l > 0 && L.width_in != c.layers[l - 1].width_out) {
      fail(c, at + "width_in: " + std::to_string(L.width_in) + ", but the layer before gives " +
                  std::to_string(c.layers[l - 1].width_out));
    }
    if (!std::isfinite(L.q_scale)) fail(c, at + "q_scale: expected a finite number");
    need(c, W.qkv, at + "qkv weight");
    need(c, W.out, at + "attention output weight");
    need(c, W.attn_norm_scale, at + "attention norm scale");
    need(c, W.attn_norm_bias, at + "attention norm bias");
    need(c, W.ffn_norm_scale, at + "feed-forward norm scale");
    need(c, W.ffn_norm_bias, at + "feed-forward norm bias");
    need(c, W.ffn_up, at + "feed-forward up weight");
    need(c, W.ffn_down, at + "feed-forward down weight");
    if (L.width_out != L.width_in) need(c, W.residual, at + "residual projection (the layer changes width)");
  }
  const int C0 = c.layers.front().width_in;
  need(c, w.token_embedding, "token embedding");
  if (c.positions == Positions::learned) need(c, w.position_embedding, "position embedding");
  if (c.positions == Positions::sinusoidal) {
    need(c, w.inv_timescales, "inverse timescales");
    if (C0 % 2 != 0) fail(c, "sinusoidal positions need an even width, got " + std::to_string(C0));
  }
  if (c.token_types > 0) need(c, w.token_type_embedding, "token type embedding");
  if (c.embedding_norm) {
    need(c, w.embedding_norm_scale, "embedding norm scale");
    need(c, w.embedding_norm_bias, "embedding norm bias");
  }
  if (c.final_norm) {
    need(c, w.final_norm_scale, "final norm scale");
    need(c, w.final_norm_bias, "final norm bias");
  }
  if (c.pool_dense_tanh) need(c, w.pool, "pooler weight");
  if (c.tied_lm_head && C0 != last_width(c)) {
    fail(c, "tied_lm_head: the token embedding's width " + std::to_string(C0) + " is not the last layer's " +
                std::to_string(last_width(c)));
  }
  if ((c.pool_dense_tanh || c.l2_normalize) && c.pooling == Pooling::none) {
    fail(c, "pooling: a pooler or L2 normalisation needs pooling (mean or first)");
  }
}

namespace {

void check_ids(const TransformerConfig& c, const std::int32_t* ids, const std::int32_t* types, int tokens) {
  if (tokens < 1 || tokens > c.max_tokens) {
    fail(c, "tokens: expected 1 to " + std::to_string(c.max_tokens) + " token ids, got " + std::to_string(tokens));
  }
  if (!ids) fail(c, "ids: missing");
  for (int t = 0; t < tokens; ++t) {
    if (ids[t] < 0 || ids[t] >= c.vocab) {
      fail(c, "ids[" + std::to_string(t) + "]: expected a token id from 0 to " + std::to_string(c.vocab - 1) +
                  ", got " + std::to_string(ids[t]));
    }
    if (types && (types[t] < 0 || types[t] >= std::max(c.token_types, 1))) {
      fail(c, "token_types[" + std::to_string(t) + "]: expected 0 to " + std::to_string(std::max(c.token_types, 1) - 1) +
                  ", got " + std::to_string(types[t]));
    }
  }
}

void activate(Activation a, float* x, long long n) {
  switch (a) {
    case Activation::relu: f32_relu(x, n); break;
    case Activation::gelu_tanh: f32_gelu_tanh(x, n); break;
    case Activation::gelu_erf: f32_gelu_erf(x, n); break;
  }
}

double activate_ref(Activation a, double x) {
  switch (a) {
    case Activation::relu: return f64_relu_ref(x);
    case Activation::gelu_tanh: return f64_gelu_tanh_ref(x);
    case Activation::gelu_erf: return f64_gelu_erf_ref(x);
  }
  return x;
}

}  // namespace

TransformerOutputs transformer_forward(const TransformerConfig& c, const TransformerWeights& w,
                                       const std::int32_t* ids, const std::int32_t* token_types, int T) {
  validate_transformer(c, w);
  check_ids(c, ids, token_types, T);
  const std::size_t t = static_cast<std::size_t>(T);
  int widest = 0, widest_ffn = 0;
  for (const TransformerLayerConfig& L : c.layers) {
    widest = std::max({widest, L.width_in, L.width_out});
    widest_ffn = std::max(widest_ffn, L.ffn_width);
  }
  // Activations sized once for the widest layer; each layer uses a prefix.
  std::vector<float> x(t * widest), h(t * widest), normed(t * widest), merged(t * widest), projected(t * widest);
  std::vector<float> qkv(t * 3 * widest), q(t * widest), k(t * widest), v(t * widest), heads_out(t * widest);
  std::vector<float> up(t * widest_ffn);

  const int C0 = c.layers.front().width_in;
  f32_embedding_lookup(x.data(), w.token_embedding, ids, T, C0, c.embedding_multiplier);
  if (c.positions == Positions::learned) f32_add_positions(x.data(), w.position_embedding, T, C0);
  if (c.positions == Positions::sinusoidal) f32_add_sinusoidal(x.data(), w.inv_timescales, T, C0);
  if (c.token_types > 0) {
    const std::vector<std::int32_t> zeros(t, 0);
    f32_add_rows(x.data(), w.token_type_embedding, token_types ? token_types : zeros.data(), T, C0);
  }
  if (c.embedding_norm) f32_layer_norm(x.data(), x.data(), w.embedding_norm_scale, w.embedding_norm_bias, T, C0, c.norm_eps);

  TransformerOutputs result;
  result.tokens = T;
  for (std::size_t l = 0; l < c.layers.size(); ++l) {
    const TransformerLayerConfig& L = c.layers[l];
    const TransformerLayerWeights& W = w.layers[l];
    const int C = L.width_in, C2 = L.width_out, NH = L.heads, HS = C / NH;
    const bool pre = c.norm == NormPlacement::pre;

    // pass 1: attention over the (pre-normed) stream
    const float* attn_in = x.data();
    if (pre) {
      f32_layer_norm(normed.data(), x.data(), W.attn_norm_scale, W.attn_norm_bias, T, C, c.norm_eps);
      attn_in = normed.data();
    }
    f32_matmul_bias(qkv.data(), attn_in, W.qkv, W.qkv_bias, T, C, 3 * C);
    split_qkv_heads(q.data(), k.data(), v.data(), qkv.data(), T, C, NH);
    std::vector<float> weights(static_cast<std::size_t>(NH) * t * t);
    AttentionOptions options;
    if (L.q_scale != 0) options.scale = L.q_scale;
    options.causal = c.causal;
    attention_forward(heads_out.data(), weights.data(), q.data(), k.data(), v.data(), {NH, T, T, HS, HS}, options);
    result.attentions.push_back(std::move(weights));
    const std::size_t per = t * C;
    result.layers.push_back({{q.begin(), q.begin() + per}, {k.begin(), k.begin() + per}, {v.begin(), v.begin() + per},
                             {heads_out.begin(), heads_out.begin() + per},
                             L.q_scale != 0 ? L.q_scale : 1.0f / std::sqrt(static_cast<float>(HS))});
    merge_heads(merged.data(), heads_out.data(), T, C, NH);
    f32_matmul_bias(h.data(), merged.data(), W.out, W.out_bias, T, C, C2);

    // pass 2: the residual, projected where the layer changes width
    if (W.residual) {
      f32_matmul_bias(projected.data(), x.data(), W.residual, W.residual_bias, T, C, C2);
      f32_add(h.data(), projected.data(), static_cast<long long>(t) * C2);
    } else {
      f32_add(h.data(), x.data(), static_cast<long long>(t) * C2);
    }
    if (!pre) f32_layer_norm(h.data(), h.data(), W.attn_norm_scale, W.attn_norm_bias, T, C2, c.norm_eps);

    // pass 3: the feed-forward block and its residual
    const float* ffn_in = h.data();
    if (pre) {
      f32_layer_norm(normed.data(), h.data(), W.ffn_norm_scale, W.ffn_norm_bias, T, C2, c.norm_eps);
      ffn_in = normed.data();
    }
    f32_matmul_bias(up.data(), ffn_in, W.ffn_up, W.ffn_up_bias, T, C2, L.ffn_width);
    activate(c.activation, up.data(), static_cast<long long>(t) * L.ffn_width);
    f32_matmul_bias(projected.data(), up.data(), W.ffn_down, W.ffn_down_bias, T, L.ffn_width, C2);
    f32_add(h.data(), projected.data(), static_cast<long long>(t) * C2);
    if (!pre) f32_layer_norm(h.data(), h.data(), W.ffn_norm_scale, W.ffn_norm_bias, T, C2, c.norm_eps);
    std::swap(x, h);
  }

  const int CL = last_width(c);
  if (c.final_norm) f32_layer_norm(x.data(), x.data(), w.final_norm_scale, w.final_norm_bias, T, CL, c.norm_eps);
  result.hidden.assign(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(t * CL));
  if (c.tied_lm_head) {
    result.logits.resize(static_cast<std::size_t>(c.vocab));
    f32_matmul_transposed(result.logits.data(), x.data() + (t - 1) * CL, w.token_embedding, 1, CL, c.vocab);
  }

  if (c.pooling != Pooling::none) {
    std::vector<float> pooled(CL);
    if (c.pooling == Pooling::mean) f32_mean_pool(pooled.data(), x.data(), T, CL);
    else std::copy(x.begin(), x.begin() + CL, pooled.begin());
    if (c.pool_dense_tanh) {
      result.embedding.resize(CL);
      f32_matmul_bias(result.embedding.data(), pooled.data(), w.pool, w.pool_bias, 1, CL, CL);
      f32_tanh(result.embedding.data(), CL);
    } else {
      result.embedding = pooled;
    }
    if (c.l2_normalize) f32_l2_normalize(result.embedding.data(), CL, c.l2_floor);
  }
  return result;
}

TransformerOutputsF64 transformer_reference_f64(const TransformerConfig& c, const TransformerWeights& w,
                                                const std::int32_t* ids, const std::int32_t* token_types, int T) {
  validate_transformer(c, w);
  check_ids(c, ids, token_types, T);
  const std::size_t t = static_cast<std::size_t>(T);
  const int C0 = c.layers.front().width_in;
  std::vector<double> x(t * C0);
  f64_embedding_lookup_ref(x.data(), w.token_embedding, ids, T, C0, c.embedding_multiplier);
  if (c.positions == Positions::learned) f64_add_positions_ref(x.data(), w.position_embedding, T, C0);
  if (c.positions == Positions::sinusoidal) f64_add_sinusoidal_ref(x.data(), w.inv_timescales, T, C0);
  if (c.token_types > 0) {
    const std::vector<std::int32_t> zeros(t, 0);
    f64_add_rows_ref(x.data(), w.token_type_embedding, token_types ? token_types : zeros.data(), T, C0);
  }
  if (c.embedding_norm) f64_layer_norm_ref(x.data(), x.data(), w.embedding_norm_scale, w.embedding_norm_bias, T, C0, c.norm_eps);

  TransformerOutputsF64 result;
  for (std::size_t l = 0; l < c.layers.size(); ++l) {
    const TransformerLayerConfig& L = c.layers[l];
    const TransformerLayerWeights& W = w.layers[l];
    const int C = L.width_in, C2 = L.width_out, NH = L.heads, HS = C / NH;
    const bool pre = c.norm == NormPlacement::pre;
    const double scale = L.q_scale != 0 ? static_cast<double>(L.q_scale) : 1.0 / std::sqrt(static_cast<double>(HS));

    std::vector<double> a_in = x;
    if (pre) f64_layer_norm_ref(a_in.data(), x.data(), W.attn_norm_scale, W.attn_norm_bias, T, C, c.norm_eps);
    std::vector<double> qkv(t * 3 * C);
    f64_matmul_bias_ref(qkv.data(), a_in.data(), W.qkv, W.qkv_bias, T, C, 3 * C);
    // softmax_j(q_i . k_j * scale) over allowed j (j <= i when causal), then the weighted sum of v_j
    std::vector<double> att(static_cast<std::size_t>(NH) * t * t, 0.0), merged(t * C, 0.0);
    for (int hd = 0; hd < NH; ++hd) {
      for (int i = 0; i < T; ++i) {
        double* row = &att[(static_cast<std::size_t>(hd) * T + i) * T];
        const int allowed = c.causal ? i + 1 : T;
        double max = -INFINITY;
        for (int j = 0; j < allowed; ++j) {
          double s = 0;
          for (int d = 0; d < HS; ++d) s += qkv[i * 3 * C + hd * HS + d] * qkv[j * 3 * C + C + hd * HS + d];
          row[j] = s * scale;
          max = std::max(max, row[j]);
        }
        double sum = 0;
        for (int j = 0; j < allowed; ++j) sum += (row[j] = std::exp(row[j] - max));
        for (int j = 0; j < allowed; ++j) row[j] /= sum;
        for (int j = 0; j < allowed; ++j) {
          for (int d = 0; d < HS; ++d) merged[i * C + hd * HS + d] += row[j] * qkv[j * 3 * C + 2 * C + hd * HS + d];
        }
      }
    }
    result.attentions.push_back(att);
    std::vector<double> h(t * C2), r(t * C2);
    f64_matmul_bias_ref(h.data(), merged.data(), W.out, W.out_bias, T, C, C2);
    if (W.residual) f64_matmul_bias_ref(r.data(), x.data(), W.residual, W.residual_bias, T, C, C2);
    else r = x;
    for (std::size_t i = 0; i < h.size(); ++i) h[i] += r[i];
    if (!pre) f64_layer_norm_ref(h.data(), h.data(), W.attn_norm_scale, W.attn_norm_bias, T, C2, c.norm_eps);

    std::vector<double> f_in = h;
    if (pre) f64_layer_norm_ref(f_in.data(), h.data(), W.ffn_norm_scale, W.ffn_norm_bias, T, C2, c.norm_eps);
    std::vector<double> up(t * L.ffn_width), down(t * C2);
    f64_matmul_bias_ref(up.data(), f_in.data(), W.ffn_up, W.ffn_up_bias, T, C2, L.ffn_width);
    for (double& u : up) u = activate_ref(c.activation, u);
    f64_matmul_bias_ref(down.data(), up.data(), W.ffn_down, W.ffn_down_bias, T, L.ffn_width, C2);
    for (std::size_t i = 0; i < h.size(); ++i) h[i] += down[i];
    if (!pre) f64_layer_norm_ref(h.data(), h.data(), W.ffn_norm_scale, W.ffn_norm_bias, T, C2, c.norm_eps);
    x = h;
  }
  const int CL = last_width(c);
  if (c.final_norm) f64_layer_norm_ref(x.data(), x.data(), w.final_norm_scale, w.final_norm_bias, T, CL, c.norm_eps);
  result.hidden = x;
  if (c.tied_lm_head) {
    result.logits.resize(static_cast<std::size_t>(c.vocab));
    f64_matmul_transposed_ref(result.logits.data(), x.data() + (t - 1) * CL, w.token_embedding, 1, CL, c.vocab);
  }
  if (c.pooling != Pooling::none) {
    std::vector<double> pooled(CL);
    if (c.pooling == Pooling::mean) f64_mean_pool_ref(pooled.data(), x.data(), T, CL);
    else std::copy(x.begin(), x.begin() + CL, pooled.begin());
    result.embedding = pooled;
    if (c.pool_dense_tanh) {
      f64_matmul_bias_ref(result.embedding.data(), pooled.data(), w.pool, w.pool_bias, 1, CL, CL);
      for (double& e : result.embedding) e = std::tanh(e);
    }
    if (c.l2_normalize) f64_l2_normalize_ref(result.embedding.data(), CL, c.l2_floor);
  }
  return result;
}

}  // namespace attention
