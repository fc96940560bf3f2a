// The whole GPT in float64 over double parameters, forward and backward,
// one plain op reference per step: what the float32 model's gradient is
// checked against, and itself checked against finite differences.
#include <cstddef>
#include <vector>

#include "ops/activations.h"
#include "train/gpt.h"
#include "train/ops.h"

namespace attention::train {

namespace {

using Vec = std::vector<double>;

// qkv [T, 3C] of one sequence -> part p (0 q, 1 k, 2 v) as [NH, T, HS]
void split(double* out, const double* qkv, int part, int T, int C, int NH) {
  const int HS = C / NH;
  for (int h = 0; h < NH; ++h) {
    for (int t = 0; t < T; ++t) {
      for (int d = 0; d < HS; ++d) out[(h * T + t) * HS + d] = qkv[t * 3 * C + part * C + h * HS + d];
    }
  }
}
void split_back(double* dqkv, const double* d, int part, int T, int C, int NH) {
  const int HS = C / NH;
  for (int h = 0; h < NH; ++h) {
    for (int t = 0; t < T; ++t) {
      for (int d2 = 0; d2 < HS; ++d2) dqkv[t * 3 * C + part * C + h * HS + d2] += d[(h * T + t) * HS + d2];
    }
  }
}

}  // namespace

double gpt_reference_f64(double* grads, const double* P, const GptShape& s, const std::int32_t* ids,
                         const std::int32_t* targets, int B, int T) {
  const GptLayout g = gpt_layout(s);
  const int N = B * T, C = s.width, F = 4 * C, V = s.vocab, NH = s.heads, HS = C / NH, L = s.layers;
  const double eps = s.norm_eps;
  const std::size_t nc = static_cast<std::size_t>(N) * C, nf = static_cast<std::size_t>(N) * F;
  const std::size_t per = static_cast<std::size_t>(NH) * T * HS, att_per = static_cast<std::size_t>(NH) * T * T;

  std::vector<Vec> x(L + 1, Vec(nc)), ln1(L, Vec(nc)), qkv(L, Vec(nc * 3)), merged(L, Vec(nc)), res2(L, Vec(nc)),
      ln2(L, Vec(nc)), fch(L, Vec(nf)), fcg(L, Vec(nf)), q(L, Vec(B * per)), k(L, Vec(B * per)),
      v(L, Vec(B * per)), att(L, Vec(B * att_per));
  f64_embed_forward_ref(x[0].data(), P + g.wte, P + g.wpe, ids, B, T, C);
  for (int l = 0; l < L; ++l) {
    const LayerOffsets& o = g.layer[l];
    f64_layer_norm_forward_ref(ln1[l].data(), x[l].data(), P + o.ln1_w, P + o.ln1_b, N, C, eps);
    f64_matmul_forward_ref(qkv[l].data(), ln1[l].data(), P + o.qkv_w, P + o.qkv_b, N, C, 3 * C);
    for (int b = 0; b < B; ++b) {
      double *qb = q[l].data() + b * per, *kb = k[l].data() + b * per, *vb = v[l].data() + b * per;
      const double* qkv_b = qkv[l].data() + static_cast<std::size_t>(b) * T * 3 * C;
      split(qb, qkv_b, 0, T, C, NH);
      split(kb, qkv_b, 1, T, C, NH);
      split(vb, qkv_b, 2, T, C, NH);
      Vec out(per);
      if (s.attention) {
        f64_causal_attention_forward_ref(out.data(), att[l].data() + b * att_per, qb, kb, vb, NH, T, HS);
      } else {
        f64_uniform_attention_forward_ref(out.data(), vb, NH, T, HS);
      }
      for (int h = 0; h < NH; ++h) {
        for (int t = 0; t < T; ++t) {
          for (int d = 0; d < HS; ++d) merged[l][(static_cast<std::size_t>(b) * T + t) * C + h * HS + d] = out[(h * T + t) * HS + d];
        }
      }
    }
    f64_matmul_forward_ref(res2[l].data(), merged[l].data(), P + o.proj_w, P + o.proj_b, N, C, C);
    for (std::size_t i = 0; i < nc; ++i) res2[l][i] += x[l][i];
    f64_layer_norm_forward_ref(ln2[l].data(), res2[l].data(), P + o.ln2_w, P + o.ln2_b, N, C, eps);
    f64_matmul_forward_ref(fch[l].data(), ln2[l].data(), P + o.fc_w, P + o.fc_b, N, C, F);
    for (std::size_t i = 0; i < nf; ++i) fcg[l][i] = f64_gelu_tanh_ref(fch[l][i]);
    f64_matmul_forward_ref(x[l + 1].data(), fcg[l].data(), P + o.fcproj_w, P + o.fcproj_b, N, F, C);
    for (std::size_t i = 0; i < nc; ++i) x[l + 1][i] += res2[l][i];
  }
  Vec lnf(nc), wte_t(static_cast<std::size_t>(C) * V), logits(static_cast<std::size_t>(N) * V);
  f64_layer_norm_forward_ref(lnf.data(), x[L].data(), P + g.lnf_w, P + g.lnf_b, N, C, eps);
  for (int vv = 0; vv < V; ++vv) {
    for (int c = 0; c < C; ++c) wte_t[c * V + vv] = P[g.wte + static_cast<std::size_t>(vv) * C + c];
  }
  f64_matmul_forward_ref(logits.data(), lnf.data(), wte_t.data(), nullptr, N, C, V);
  Vec dlogits(logits.size());
  const double loss = f64_cross_entropy_ref(grads ? dlogits.data() : nullptr, logits.data(), targets, N, V);
  if (!grads) return loss;

  double* G = grads;
  Vec dlnf(nc, 0.0), dwte_t(wte_t.size(), 0.0);
  f64_matmul_backward_ref(dlnf.data(), dwte_t.data(), nullptr, dlogits.data(), lnf.data(), wte_t.data(), N, C, V);
  for (int vv = 0; vv < V; ++vv) {
    for (int c = 0; c < C; ++c) G[g.wte + static_cast<std::size_t>(vv) * C + c] += dwte_t[c * V + vv];
  }
  Vec dx(nc, 0.0);
  f64_layer_norm_backward_ref(dx.data(), G + g.lnf_w, G + g.lnf_b, dlnf.data(), x[L].data(), P + g.lnf_w, N, C, eps);
  for (int l = L - 1; l >= 0; --l) {
    const LayerOffsets& o = g.layer[l];
    Vec dres2 = dx, dfcg(nf, 0.0), dfch(nf, 0.0), dln2(nc, 0.0);
    f64_matmul_backward_ref(dfcg.data(), G + o.fcproj_w, G + o.fcproj_b, dx.data(), fcg[l].data(), P + o.fcproj_w, N,
                            F, C);
    f64_gelu_tanh_backward_ref(dfch.data(), dfcg.data(), fch[l].data(), static_cast<long long>(nf));
    f64_matmul_backward_ref(dln2.data(), G + o.fc_w, G + o.fc_b, dfch.data(), ln2[l].data(), P + o.fc_w, N, C, F);
    f64_layer_norm_backward_ref(dres2.data(), G + o.ln2_w, G + o.ln2_b, dln2.data(), res2[l].data(), P + o.ln2_w, N,
                                C, eps);
    dx = dres2;
    Vec dmerged(nc, 0.0), dqkv(nc * 3, 0.0), dln1(nc, 0.0);
    f64_matmul_backward_ref(dmerged.data(), G + o.proj_w, G + o.proj_b, dres2.data(), merged[l].data(), P + o.proj_w,
                            N, C, C);
    for (int b = 0; b < B; ++b) {
      Vec dout(per), dq(per, 0.0), dk(per, 0.0), dv(per, 0.0);
      for (int h = 0; h < NH; ++h) {
        for (int t = 0; t < T; ++t) {
          for (int d = 0; d < HS; ++d) dout[(h * T + t) * HS + d] = dmerged[(static_cast<std::size_t>(b) * T + t) * C + h * HS + d];
        }
      }
      if (s.attention) {
        f64_causal_attention_backward_ref(dq.data(), dk.data(), dv.data(), dout.data(), q[l].data() + b * per,
                                          k[l].data() + b * per, v[l].data() + b * per, att[l].data() + b * att_per,
                                          NH, T, HS);
      } else {
        f64_uniform_attention_backward_ref(dv.data(), dout.data(), NH, T, HS);
      }
      double* dqkv_b = dqkv.data() + static_cast<std::size_t>(b) * T * 3 * C;
      split_back(dqkv_b, dq.data(), 0, T, C, NH);
      split_back(dqkv_b, dk.data(), 1, T, C, NH);
      split_back(dqkv_b, dv.data(), 2, T, C, NH);
    }
    f64_matmul_backward_ref(dln1.data(), G + o.qkv_w, G + o.qkv_b, dqkv.data(), ln1[l].data(), P + o.qkv_w, N, C,
                            3 * C);
    f64_layer_norm_backward_ref(dx.data(), G + o.ln1_w, G + o.ln1_b, dln1.data(), x[l].data(), P + o.ln1_w, N, C,
                                eps);
  }
  f64_embed_backward_ref(G + g.wte, G + g.wpe, dx.data(), ids, B, T, C);
  return loss;
}

}  // namespace attention::train
