// USE lite's forward pass in float64, written from docs/models/use-lite.md
// step by step, over the weights map_use_lite_graph() gives. It is the
// independent reading of the graph that the TF.js reference checks, and the
// float64 yardstick for the core's own forward pass.
//
// Legend: T tokens, C width, NH heads, HS head width, F feed-forward width.
#pragma once

#include <attention/loaders/use_lite.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace attention_test {

struct UseLiteF64Result {
  std::vector<std::vector<double>> attentions;  // per layer [NH, T, T]
  std::vector<double> hidden;                   // [T, C_last]
  std::vector<double> embedding;                // [C_last]
};

// y [T, out] = x [T, in] @ w [in, out] + b [out]
inline std::vector<double> dense_f64(const std::vector<double>& x, int tokens, int in, const float* w,
                                     const float* b, int out) {
  std::vector<double> y(static_cast<std::size_t>(tokens) * out);
  for (int t = 0; t < tokens; ++t) {
    double* y_t = &y[static_cast<std::size_t>(t) * out];
    for (int j = 0; j < out; ++j) y_t[j] = b ? b[j] : 0.0;
    for (int i = 0; i < in; ++i) {
      const double x_ti = x[static_cast<std::size_t>(t) * in + i];
      const float* w_i = w + static_cast<std::size_t>(i) * out;
      for (int j = 0; j < out; ++j) y_t[j] += x_ti * w_i[j];
    }
  }
  return y;
}

// LN(x) = scale * (x - mean) / sqrt(var + eps) + bias, biased variance.
inline std::vector<double> layer_norm_f64(const std::vector<double>& x, int tokens, int width,
                                          const float* scale, const float* bias, double eps) {
  std::vector<double> y(x.size());
  for (int t = 0; t < tokens; ++t) {
    const double* x_t = &x[static_cast<std::size_t>(t) * width];
    double mean = 0, var = 0;
    for (int i = 0; i < width; ++i) mean += x_t[i];
    mean /= width;
    for (int i = 0; i < width; ++i) var += (x_t[i] - mean) * (x_t[i] - mean);
    var /= width;
    const double r = 1.0 / std::sqrt(var + eps);
    for (int i = 0; i < width; ++i) y[static_cast<std::size_t>(t) * width + i] = scale[i] * r * (x_t[i] - mean) + bias[i];
  }
  return y;
}

inline UseLiteF64Result use_lite_forward_f64(const attention::UseLiteGraph& g, const std::vector<std::int32_t>& all_ids) {
  UseLiteF64Result result;
  // ClipToMaxLength: the graph keeps the first max_tokens positions.
  const std::vector<std::int32_t> ids(all_ids.begin(), all_ids.begin() + std::min<std::size_t>(all_ids.size(), g.max_tokens));
  const int T = static_cast<int>(ids.size());
  int C = g.embedding_width;
  const int half = C / 2;

  // x0[t] = 2 E[id_t] + [sin(t * inv), cos(t * inv)]: the graph adds the
  // embedding to (embedding + timing signal), see the document.
  std::vector<double> x(static_cast<std::size_t>(T) * C);
  for (int t = 0; t < T; ++t) {
    const float* e = g.token_embedding + static_cast<std::size_t>(ids[t]) * C;
    for (int i = 0; i < half; ++i) {
      const double angle = static_cast<double>(t) * g.inv_timescales[i];
      x[static_cast<std::size_t>(t) * C + i] = g.embedding_multiplier * static_cast<double>(e[i]) + std::sin(angle);
      x[static_cast<std::size_t>(t) * C + half + i] = g.embedding_multiplier * static_cast<double>(e[half + i]) + std::cos(angle);
    }
  }

  for (const attention::UseLiteLayer& L : g.layers) {
    const int NH = L.heads, HS = L.head_size, Cin = L.width_in, Cout = L.width_out;
    // pass 1: attention block on the normed input.
    const std::vector<double> n = layer_norm_f64(x, T, Cin, L.attn_norm_scale, L.attn_norm_bias, g.norm_eps);
    const std::vector<double> qkv = dense_f64(n, T, Cin, L.qkv_kernel, L.qkv_bias, 3 * Cin);
    std::vector<double> att(static_cast<std::size_t>(NH) * T * T);
    std::vector<double> heads_out(static_cast<std::size_t>(T) * Cin, 0.0);
    for (int h = 0; h < NH; ++h) {
      for (int tq = 0; tq < T; ++tq) {
        const double* q = &qkv[static_cast<std::size_t>(tq) * 3 * Cin + h * HS];
        double* row = &att[(static_cast<std::size_t>(h) * T + tq) * T];
        double max = -INFINITY;
        for (int tk = 0; tk < T; ++tk) {
          const double* k = &qkv[static_cast<std::size_t>(tk) * 3 * Cin + Cin + h * HS];
          double s = 0;
          for (int i = 0; i < HS; ++i) s += q[i] * static_cast<double>(L.q_scale) * k[i];
          row[tk] = s;
          max = std::max(max, s);
        }
        double sum = 0;
        for (int tk = 0; tk < T; ++tk) sum += (row[tk] = std::exp(row[tk] - max));
        for (int tk = 0; tk < T; ++tk) row[tk] /= sum;
        double* o = &heads_out[static_cast<std::size_t>(tq) * Cin + h * HS];
        for (int tk = 0; tk < T; ++tk) {
          const double* v = &qkv[static_cast<std::size_t>(tk) * 3 * Cin + 2 * Cin + h * HS];
          for (int i = 0; i < HS; ++i) o[i] += row[tk] * v[i];
        }
      }
    }
    result.attentions.push_back(att);
    std::vector<double> h = dense_f64(heads_out, T, Cin, L.out_kernel, L.out_bias, Cout);
    // pass 2: residual, projected when the width changes.
    const std::vector<double> residual = L.residual_kernel ? dense_f64(x, T, Cin, L.residual_kernel, L.residual_bias, Cout) : x;
    for (std::size_t i = 0; i < h.size(); ++i) h[i] += residual[i];
    // pass 3: feed-forward block on the normed sum, ReLU, residual.
    const std::vector<double> m = layer_norm_f64(h, T, Cout, L.ffn_norm_scale, L.ffn_norm_bias, g.norm_eps);
    std::vector<double> up = dense_f64(m, T, Cout, L.ffn_up_kernel, L.ffn_up_bias, L.ffn_width);
    for (double& u : up) u = std::max(u, 0.0);
    const std::vector<double> down = dense_f64(up, T, L.ffn_width, L.ffn_down_kernel, L.ffn_down_bias, Cout);
    for (std::size_t i = 0; i < h.size(); ++i) h[i] += down[i];
    x = h;
    C = Cout;
  }
  result.hidden = x;

  // Masked mean (all T tokens are real here), dense + tanh, L2.
  std::vector<double> mean(C, 0.0);
  for (int t = 0; t < T; ++t) for (int i = 0; i < C; ++i) mean[i] += x[static_cast<std::size_t>(t) * C + i];
  for (double& m : mean) m /= std::max(T, 1);
  std::vector<double> e = dense_f64(mean, 1, C, g.pool_kernel, g.pool_bias, C);
  double sq = 0;
  for (double& v : e) { v = std::tanh(v); sq += v * v; }
  const double r = 1.0 / std::sqrt(std::max(sq, static_cast<double>(g.l2_floor)));
  for (double& v : e) v *= r;
  result.embedding = e;
  return result;
}

}  // namespace attention_test
