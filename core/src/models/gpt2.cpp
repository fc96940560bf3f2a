#include "attention/models/gpt2.h"

#include <memory>
#include <stdexcept>

#include "models/hf_checkpoint.h"

namespace attention {

TransformerModel gpt2_model(const json::Value& config, const std::string& config_name, const SafetensorsHeader& header,
                            const std::uint8_t* data, std::size_t size, std::size_t max_bytes) {
  const hf::ConfigReader cfg(config, config_name);
  const int L = cfg.size("n_layer", 128);
  const int NH = cfg.size("n_head", 256);
  const int C = cfg.size("n_embd", 1 << 14);
  const int V = cfg.size("vocab_size", 1 << 21);
  const int P = cfg.size_or("n_positions", 1 << 14, cfg.size_or("n_ctx", 1 << 14, 0));
  if (P == 0) cfg.fail("n_positions", "missing; expected an integer from 1 to " + std::to_string(1 << 14));
  const int F = cfg.size_or("n_inner", 1 << 16, 4 * C);
  const double eps = cfg.number_or("layer_norm_epsilon", 0, 1, 1e-5);
  if (C % NH != 0) cfg.fail("n_head", std::to_string(NH) + " does not divide n_embd " + std::to_string(C));
  const std::string act = cfg.string_or("activation_function", "gelu_new");
  Activation activation;
  if (act == "gelu_new" || act == "gelu_pytorch_tanh" || act == "gelu_fast") activation = Activation::gelu_tanh;
  else if (act == "gelu") activation = Activation::gelu_erf;
  else if (act == "relu") activation = Activation::relu;
  else cfg.fail("activation_function", "\"" + act.substr(0, 40) + "\" is not one the core runs; expected gelu_new, gelu or relu");
  if (!cfg.bool_or("scale_attn_weights", true)) cfg.fail("scale_attn_weights", "false is not supported; expected true");
  if (cfg.bool_or("scale_attn_by_inverse_layer_idx", false)) {
    cfg.fail("scale_attn_by_inverse_layer_idx", "true is not supported; expected false");
  }

  hf::WeightPlan plan(header, {"", "transformer."}, "wte.weight");
  const std::string from = " (from " + config_name + ")";
  const int wte = plan.copy("wte.weight", {V, C}, "the token embedding [vocab_size, n_embd]" + from);
  const int wpe = plan.copy("wpe.weight", {P, C}, "the position embedding [n_positions, n_embd]" + from);
  struct Slots { int ln1w, ln1b, qkv, qkvb, proj, projb, ln2w, ln2b, fc, fcb, down, downb; };
  std::vector<Slots> layers;
  for (int l = 0; l < L; ++l) {
    const std::string h = "h." + std::to_string(l) + ".";
    const std::string of = "layer " + std::to_string(l) + "'s ";
    Slots s;
    s.ln1w = plan.copy(h + "ln_1.weight", {C}, of + "attention norm scale [n_embd]" + from);
    s.ln1b = plan.copy(h + "ln_1.bias", {C}, of + "attention norm bias [n_embd]" + from);
    s.qkv = plan.copy(h + "attn.c_attn.weight", {C, 3 * C}, of + "q, k, v projection [n_embd, 3 n_embd]" + from);
    s.qkvb = plan.copy(h + "attn.c_attn.bias", {3 * C}, of + "q, k, v bias [3 n_embd]" + from);
    s.proj = plan.copy(h + "attn.c_proj.weight", {C, C}, of + "attention output projection [n_embd, n_embd]" + from);
    s.projb = plan.copy(h + "attn.c_proj.bias", {C}, of + "attention output bias [n_embd]" + from);
    s.ln2w = plan.copy(h + "ln_2.weight", {C}, of + "feed-forward norm scale [n_embd]" + from);
    s.ln2b = plan.copy(h + "ln_2.bias", {C}, of + "feed-forward norm bias [n_embd]" + from);
    s.fc = plan.copy(h + "mlp.c_fc.weight", {C, F}, of + "feed-forward up projection [n_embd, n_inner]" + from);
    s.fcb = plan.copy(h + "mlp.c_fc.bias", {F}, of + "feed-forward up bias [n_inner]" + from);
    s.down = plan.copy(h + "mlp.c_proj.weight", {F, C}, of + "feed-forward down projection [n_inner, n_embd]" + from);
    s.downb = plan.copy(h + "mlp.c_proj.bias", {C}, of + "feed-forward down bias [n_embd]" + from);
    layers.push_back(s);
  }
  const int lnfw = plan.copy("ln_f.weight", {C}, "the final norm scale [n_embd]" + from);
  const int lnfb = plan.copy("ln_f.bias", {C}, "the final norm bias [n_embd]" + from);
  plan.load(data, size, max_bytes);

  TransformerModel m;
  TransformerConfig& c = m.config;
  c.name = "gpt2";
  c.vocab = V;
  c.max_tokens = P;
  c.positions = Positions::learned;
  c.norm = NormPlacement::pre;
  c.norm_eps = static_cast<float>(eps);
  c.activation = activation;
  c.causal = true;
  c.final_norm = true;
  c.tied_lm_head = true;
  TransformerWeights& w = m.weights;
  w.token_embedding = plan.at(wte);
  w.position_embedding = plan.at(wpe);
  for (const Slots& s : layers) {
    c.layers.push_back({C, C, NH, F, 0.0f});
    TransformerLayerWeights W;
    W.attn_norm_scale = plan.at(s.ln1w);
    W.attn_norm_bias = plan.at(s.ln1b);
    W.qkv = plan.at(s.qkv);
    W.qkv_bias = plan.at(s.qkvb);
    W.out = plan.at(s.proj);
    W.out_bias = plan.at(s.projb);
    W.ffn_norm_scale = plan.at(s.ln2w);
    W.ffn_norm_bias = plan.at(s.ln2b);
    W.ffn_up = plan.at(s.fc);
    W.ffn_up_bias = plan.at(s.fcb);
    W.ffn_down = plan.at(s.down);
    W.ffn_down_bias = plan.at(s.downb);
    w.layers.push_back(W);
  }
  w.final_norm_scale = plan.at(lnfw);
  w.final_norm_bias = plan.at(lnfb);
  m.storage = plan.storage();
  validate_transformer(m.config, m.weights);
  return m;
}

}  // namespace attention
