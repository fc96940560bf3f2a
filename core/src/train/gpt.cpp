// The GPT's batched forward with saved activations and its backward, in
// float32, over the op kernels of core/src/ops/ and train/ops.h.
#include "train/gpt.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "attention/attention.h"
#include "ops/heads.h"
#include "ops/layer_norm.h"
#include "ops/residual.h"
#include "train/ops.h"

namespace attention::train {

namespace {

struct Sizes {
  std::size_t N, C, F, V, NH, HS, T, B, heads_per_seq, att_per_seq;
};

Sizes sizes(const GptShape& s, int batch, int tokens) {
  Sizes z{};
  z.B = batch;
  z.T = tokens;
  z.N = z.B * z.T;
  z.C = s.width;
  z.F = 4 * z.C;
  z.V = s.vocab;
  z.NH = s.heads;
  z.HS = z.C / z.NH;
  z.heads_per_seq = z.NH * z.T * z.HS;
  z.att_per_seq = z.NH * z.T * z.T;
  return z;
}

void zero(std::vector<float>& v) { std::fill(v.begin(), v.end(), 0.0f); }

}  // namespace

double gpt_activation_bytes(const GptShape& s, int batch, int tokens) {
  const double N = static_cast<double>(batch) * tokens, C = s.width, F = 4.0 * s.width, V = s.vocab,
               L = s.layers, T = tokens;
  double floats = (L + 1) * N * C + L * N * (4 * C + 3 * C + 4 * C + 3 * F) + L * batch * s.heads * T * T;
  floats += N * C + N * V + 2 * C * V;             // lnf, logits, wte_t, d_wte_t
  floats += 3 * N * C + 3 * N * C + 2 * N * F;     // backward scratch
  floats += 4 * s.heads * T * (C / s.heads) + std::max(F * C, V * C);
  return 4.0 * floats;
}

void gpt_allocate(GptActivations& a, const GptShape& s, int batch, int tokens) {
  const Sizes z = sizes(s, batch, tokens);
  const std::size_t L = s.layers;
  a.batch = batch;
  a.tokens = tokens;
  a.resid.assign((L + 1) * z.N * z.C, 0.0f);
  for (auto* v : {&a.ln1, &a.merged, &a.res2, &a.ln2}) v->assign(L * z.N * z.C, 0.0f);
  a.qkv.assign(L * z.N * 3 * z.C, 0.0f);
  for (auto* v : {&a.q, &a.k, &a.v, &a.atto}) v->assign(L * z.B * z.heads_per_seq, 0.0f);
  a.att.assign(L * z.B * z.att_per_seq, 0.0f);
  a.fch.assign(L * z.N * z.F, 0.0f);
  a.fcg.assign(L * z.N * z.F, 0.0f);
  a.fct.assign(L * z.N * z.F, 0.0f);
  a.lnf.assign(z.N * z.C, 0.0f);
  a.logits.assign(z.N * z.V, 0.0f);
  a.wte_t.assign(z.C * z.V, 0.0f);
  for (auto* v : {&a.d_resid, &a.d_res2, &a.d_c}) v->assign(z.N * z.C, 0.0f);
  a.d_qkv.assign(z.N * 3 * z.C, 0.0f);
  a.d_f1.assign(z.N * z.F, 0.0f);
  a.d_f2.assign(z.N * z.F, 0.0f);
  for (auto* v : {&a.d_q, &a.d_k, &a.d_v, &a.d_atto}) v->assign(z.heads_per_seq, 0.0f);
  a.d_wte_t.assign(z.C * z.V, 0.0f);
  a.transpose.assign(std::max(z.F * z.C, z.V * z.C), 0.0f);
}

LossResult gpt_forward(GptActivations& a, const float* params, const GptShape& s, const std::int32_t* ids,
                       const std::int32_t* targets, bool want_gradient) {
  const Sizes z = sizes(s, a.batch, a.tokens);
  const GptLayout g = gpt_layout(s);
  const int N = static_cast<int>(z.N), C = s.width, F = 4 * C, T = a.tokens, NH = s.heads, HS = C / NH;
  const float* P = params;

  f32_embed_forward(a.resid.data(), P + g.wte, P + g.wpe, ids, a.batch, T, C);
  AttentionOptions causal;
  causal.causal = true;
  for (int l = 0; l < s.layers; ++l) {
    const LayerOffsets& o = g.layer[l];
    float* x = a.resid.data() + l * z.N * z.C;
    float* ln1 = a.ln1.data() + l * z.N * z.C;
    float* qkv = a.qkv.data() + l * z.N * 3 * z.C;
    float* merged = a.merged.data() + l * z.N * z.C;
    float* res2 = a.res2.data() + l * z.N * z.C;
    float* ln2 = a.ln2.data() + l * z.N * z.C;
    float* fch = a.fch.data() + l * z.N * z.F;
    float* fcg = a.fcg.data() + l * z.N * z.F;
    float* next = a.resid.data() + (l + 1) * z.N * z.C;

    // pass 1: attention over ln_1(x), one sequence at a time
    f32_layer_norm(ln1, x, P + o.ln1_w, P + o.ln1_b, N, C, s.norm_eps);
    f32_matmul_forward(qkv, ln1, P + o.qkv_w, P + o.qkv_b, N, C, 3 * C);
    for (int b = 0; b < a.batch; ++b) {
      const std::size_t hb = (l * z.B + b) * z.heads_per_seq;
      float *q = a.q.data() + hb, *k = a.k.data() + hb, *v = a.v.data() + hb, *atto = a.atto.data() + hb;
      float* att = a.att.data() + (l * z.B + b) * z.att_per_seq;
      split_qkv_heads(q, k, v, qkv + b * z.T * 3 * z.C, T, C, NH);
      if (s.attention) {
        attention_forward(atto, att, q, k, v, {NH, T, T, HS, HS}, causal);
      } else {
        f32_uniform_attention_forward(atto, att, v, NH, T, HS);
      }
      merge_heads(merged + b * z.T * z.C, atto, T, C, NH);
    }
    f32_matmul_forward(res2, merged, P + o.proj_w, P + o.proj_b, N, C, C);
    f32_add(res2, x, static_cast<long long>(z.N * z.C));

    // pass 2: the feed-forward block over ln_2(r)
    f32_layer_norm(ln2, res2, P + o.ln2_w, P + o.ln2_b, N, C, s.norm_eps);
    f32_matmul_forward(fch, ln2, P + o.fc_w, P + o.fc_b, N, C, F);
    f32_gelu_tanh_forward(fcg, a.fct.data() + l * z.N * z.F, fch, static_cast<long long>(z.N * z.F));
    f32_matmul_forward(next, fcg, P + o.fcproj_w, P + o.fcproj_b, N, F, C);
    f32_add(next, res2, static_cast<long long>(z.N * z.C));
  }

  // pass 3: final norm, the tied head (wte transposed to [C, V]), the loss
  const float* last = a.resid.data() + s.layers * z.N * z.C;
  f32_layer_norm(a.lnf.data(), last, P + g.lnf_w, P + g.lnf_b, N, C, s.norm_eps);
  const float* wte = P + g.wte;
  for (std::size_t v = 0; v < z.V; ++v) {
    for (std::size_t c = 0; c < z.C; ++c) a.wte_t[c * z.V + v] = wte[v * z.C + c];
  }
  f32_matmul_forward(a.logits.data(), a.lnf.data(), a.wte_t.data(), nullptr, N, C, s.vocab);
  LossResult r;
  r.loss = f32_cross_entropy(want_gradient ? a.logits.data() : nullptr, &r.correct, &r.scored, a.logits.data(),
                             targets, N, s.vocab);
  return r;
}

void gpt_backward(float* grads, GptActivations& a, const float* params, const GptShape& s, const std::int32_t* ids) {
  const Sizes z = sizes(s, a.batch, a.tokens);
  const GptLayout g = gpt_layout(s);
  const int N = static_cast<int>(z.N), C = s.width, F = 4 * C, T = a.tokens, NH = s.heads, HS = C / NH;
  const float* P = params;
  float* G = grads;

  // the head: logits = lnf wte^T, so d wte += (d wte^T)^T
  zero(a.d_c);
  zero(a.d_wte_t);
  f32_matmul_backward(a.d_c.data(), a.d_wte_t.data(), nullptr, a.logits.data(), a.lnf.data(), a.wte_t.data(),
                      a.transpose.data(), N, C, s.vocab);
  for (std::size_t v = 0; v < z.V; ++v) {
    for (std::size_t c = 0; c < z.C; ++c) G[g.wte + v * z.C + c] += a.d_wte_t[c * z.V + v];
  }
  zero(a.d_resid);
  f32_layer_norm_backward(a.d_resid.data(), G + g.lnf_w, G + g.lnf_b, a.d_c.data(),
                          a.resid.data() + s.layers * z.N * z.C, P + g.lnf_w, N, C, s.norm_eps);

  for (int l = s.layers - 1; l >= 0; --l) {
    const LayerOffsets& o = g.layer[l];
    const float* x = a.resid.data() + l * z.N * z.C;
    const float* ln1 = a.ln1.data() + l * z.N * z.C;
    const float* merged = a.merged.data() + l * z.N * z.C;
    const float* res2 = a.res2.data() + l * z.N * z.C;
    const float* ln2 = a.ln2.data() + l * z.N * z.C;
    const float* fch = a.fch.data() + l * z.N * z.F;
    const float* fcg = a.fcg.data() + l * z.N * z.F;

    // feed-forward block: d_resid is d x_{l+1}; d r = d x_{l+1} + through the block
    a.d_res2 = a.d_resid;
    zero(a.d_f1);
    f32_matmul_backward(a.d_f1.data(), G + o.fcproj_w, G + o.fcproj_b, a.d_resid.data(), fcg, P + o.fcproj_w,
                        a.transpose.data(), N, F, C);
    zero(a.d_f2);
    f32_gelu_tanh_backward_saved(a.d_f2.data(), a.d_f1.data(), fch, a.fct.data() + l * z.N * z.F,
                                 static_cast<long long>(z.N * z.F));
    zero(a.d_c);
    f32_matmul_backward(a.d_c.data(), G + o.fc_w, G + o.fc_b, a.d_f2.data(), ln2, P + o.fc_w, a.transpose.data(), N,
                        C, F);
    f32_layer_norm_backward(a.d_res2.data(), G + o.ln2_w, G + o.ln2_b, a.d_c.data(), res2, P + o.ln2_w, N, C,
                            s.norm_eps);

    // attention block: d x_l = d r + through the attention
    a.d_resid = a.d_res2;
    zero(a.d_c);
    f32_matmul_backward(a.d_c.data(), G + o.proj_w, G + o.proj_b, a.d_res2.data(), merged, P + o.proj_w,
                        a.transpose.data(), N, C, C);
    for (int b = 0; b < a.batch; ++b) {
      const std::size_t hb = (l * z.B + b) * z.heads_per_seq;
      merge_heads_backward(a.d_atto.data(), a.d_c.data() + b * z.T * z.C, T, C, NH);
      zero(a.d_q);
      zero(a.d_k);
      zero(a.d_v);
      if (s.attention) {
        f32_causal_attention_backward(a.d_q.data(), a.d_k.data(), a.d_v.data(), a.d_atto.data(), a.q.data() + hb,
                                      a.k.data() + hb, a.v.data() + hb, a.att.data() + (l * z.B + b) * z.att_per_seq,
                                      NH, T, HS);
      } else {
        f32_uniform_attention_backward(a.d_v.data(), a.d_atto.data(), NH, T, HS);
      }
      split_heads_backward(a.d_qkv.data() + b * z.T * 3 * z.C, a.d_q.data(), a.d_k.data(), a.d_v.data(), T, C, NH);
    }
    zero(a.d_c);
    f32_matmul_backward(a.d_c.data(), G + o.qkv_w, G + o.qkv_b, a.d_qkv.data(), ln1, P + o.qkv_w,
                        a.transpose.data(), N, C, 3 * C);
    f32_layer_norm_backward(a.d_resid.data(), G + o.ln1_w, G + o.ln1_b, a.d_c.data(), x, P + o.ln1_w, N, C,
                            s.norm_eps);
  }
  f32_embed_backward(G + g.wte, G + g.wpe, a.d_resid.data(), ids, a.batch, T, C);
}

}  // namespace attention::train
