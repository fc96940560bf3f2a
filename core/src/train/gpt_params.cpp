// The flat parameter layout of the GPT and its initialisation from a seed.
#include <cmath>
#include <string>

#include "train/gpt.h"
#include "train/rng.h"

namespace attention::train {

GptLayout gpt_layout(const GptShape& s) {
  const std::size_t V = s.vocab, P = s.context, C = s.width, F = 4 * C;
  GptLayout g{};
  std::size_t at = 0;
  auto take = [&at](std::size_t n) {
    const std::size_t here = at;
    at += n;
    return here;
  };
  g.wte = take(V * C);
  g.wpe = take(P * C);
  for (int l = 0; l < s.layers; ++l) {
    LayerOffsets o{};
    o.ln1_w = take(C);
    o.ln1_b = take(C);
    o.qkv_w = take(C * 3 * C);
    o.qkv_b = take(3 * C);
    o.proj_w = take(C * C);
    o.proj_b = take(C);
    o.ln2_w = take(C);
    o.ln2_b = take(C);
    o.fc_w = take(C * F);
    o.fc_b = take(F);
    o.fcproj_w = take(F * C);
    o.fcproj_b = take(C);
    g.layer.push_back(o);
  }
  g.lnf_w = take(C);
  g.lnf_b = take(C);
  g.total = at;
  return g;
}

std::vector<ParamTensor> gpt_tensors(const GptShape& s) {
  const GptLayout g = gpt_layout(s);
  const int C = s.width, F = 4 * s.width;
  std::vector<ParamTensor> t;
  t.push_back({"transformer.wte.weight", g.wte, s.vocab, C, true});
  t.push_back({"transformer.wpe.weight", g.wpe, s.context, C, true});
  for (int l = 0; l < s.layers; ++l) {
    const LayerOffsets& o = g.layer[l];
    const std::string h = "transformer.h." + std::to_string(l) + ".";
    t.push_back({h + "ln_1.weight", o.ln1_w, C, 0, false});
    t.push_back({h + "ln_1.bias", o.ln1_b, C, 0, false});
    t.push_back({h + "attn.c_attn.weight", o.qkv_w, C, 3 * C, true});
    t.push_back({h + "attn.c_attn.bias", o.qkv_b, 3 * C, 0, false});
    t.push_back({h + "attn.c_proj.weight", o.proj_w, C, C, true});
    t.push_back({h + "attn.c_proj.bias", o.proj_b, C, 0, false});
    t.push_back({h + "ln_2.weight", o.ln2_w, C, 0, false});
    t.push_back({h + "ln_2.bias", o.ln2_b, C, 0, false});
    t.push_back({h + "mlp.c_fc.weight", o.fc_w, C, F, true});
    t.push_back({h + "mlp.c_fc.bias", o.fc_b, F, 0, false});
    t.push_back({h + "mlp.c_proj.weight", o.fcproj_w, F, C, true});
    t.push_back({h + "mlp.c_proj.bias", o.fcproj_b, C, 0, false});
  }
  t.push_back({"transformer.ln_f.weight", g.lnf_w, C, 0, false});
  t.push_back({"transformer.ln_f.bias", g.lnf_b, C, 0, false});
  return t;
}

// The residual projections (attn.c_proj, mlp.c_proj) are scaled down so the
// stream's variance does not grow with depth (GPT-2's paper, section 2.3).
void gpt_init(float* params, const GptShape& s, Rng& rng) {
  const double residual_std = 0.02 / std::sqrt(2.0 * s.layers);
  for (const ParamTensor& t : gpt_tensors(s)) {
    float* p = params + t.offset;
    const bool gain = t.name.find("ln_") != std::string::npos && t.name.find(".weight") != std::string::npos;
    if (t.cols == 0) {
      for (std::size_t i = 0; i < t.size(); ++i) p[i] = gain ? 1.0f : 0.0f;
      continue;
    }
    const bool residual = t.name.find("c_proj.weight") != std::string::npos;
    const double std_dev = residual ? residual_std : 0.02;
    for (std::size_t i = 0; i < t.size(); ++i) p[i] = static_cast<float>(std_dev * rng.normal());
  }
}

}  // namespace attention::train
