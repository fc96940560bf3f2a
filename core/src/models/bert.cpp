#include "attention/models/bert.h"

#include <memory>
#include <stdexcept>

#include "models/hf_checkpoint.h"

namespace attention {

TransformerModel bert_model(const json::Value& config, const std::string& config_name, const SafetensorsHeader& header,
                            const std::uint8_t* data, std::size_t size, std::size_t max_bytes) {
  const hf::ConfigReader cfg(config, config_name);
  const int L = cfg.size("num_hidden_layers", 128);
  const int NH = cfg.size("num_attention_heads", 256);
  const int C = cfg.size("hidden_size", 1 << 14);
  const int F = cfg.size("intermediate_size", 1 << 16);
  const int V = cfg.size("vocab_size", 1 << 21);
  const int P = cfg.size("max_position_embeddings", 1 << 14);
  const int TT = cfg.size_or("type_vocab_size", 1024, 2);
  const double eps = cfg.number_or("layer_norm_eps", 0, 1, 1e-12);
  if (C % NH != 0) {
    cfg.fail("num_attention_heads", std::to_string(NH) + " does not divide hidden_size " + std::to_string(C));
  }
  const std::string act = cfg.string_or("hidden_act", "gelu");
  Activation activation;
  if (act == "gelu") activation = Activation::gelu_erf;
  else if (act == "gelu_new" || act == "gelu_pytorch_tanh") activation = Activation::gelu_tanh;
  else if (act == "relu") activation = Activation::relu;
  else cfg.fail("hidden_act", "\"" + act.substr(0, 40) + "\" is not one the core runs; expected gelu, gelu_new or relu");
  const std::string positions = cfg.string_or("position_embedding_type", "absolute");
  if (positions != "absolute") {
    cfg.fail("position_embedding_type", "\"" + positions.substr(0, 40) + "\" is not supported; expected \"absolute\"");
  }

  hf::WeightPlan plan(header, {"", "bert."}, "embeddings.word_embeddings.weight");
  const std::string from = " (from " + config_name + ")";
  // Checkpoints converted from TensorFlow name the norms' parameters gamma and beta.
  const bool gamma = !plan.has("embeddings.LayerNorm.weight") && plan.has("embeddings.LayerNorm.gamma");
  const std::string scale = gamma ? "gamma" : "weight", shift = gamma ? "beta" : "bias";
  const int wte = plan.copy("embeddings.word_embeddings.weight", {V, C}, "the token embedding [vocab_size, hidden_size]" + from);
  const int wpe = plan.copy("embeddings.position_embeddings.weight", {P, C},
                            "the position embedding [max_position_embeddings, hidden_size]" + from);
  const int wtt = plan.copy("embeddings.token_type_embeddings.weight", {TT, C},
                            "the token type embedding [type_vocab_size, hidden_size]" + from);
  const int enw = plan.copy("embeddings.LayerNorm." + scale, {C}, "the embedding norm scale [hidden_size]" + from);
  const int enb = plan.copy("embeddings.LayerNorm." + shift, {C}, "the embedding norm bias [hidden_size]" + from);
  struct Slots { int qkv, qkvb, out, outb, ln1w, ln1b, up, upb, down, downb, ln2w, ln2b; };
  std::vector<Slots> layers;
  for (int l = 0; l < L; ++l) {
    const std::string e = "encoder.layer." + std::to_string(l) + ".";
    const std::string a = e + "attention.self.";
    const std::string of = "layer " + std::to_string(l) + "'s ";
    Slots s;
    s.qkv = plan.packed_transposed({a + "query.weight", a + "key.weight", a + "value.weight"}, C, C,
                                   of + "query, key and value weight [hidden_size, hidden_size] each" + from);
    s.qkvb = plan.packed({a + "query.bias", a + "key.bias", a + "value.bias"}, C,
                         of + "query, key and value bias [hidden_size] each" + from);
    s.out = plan.transposed(e + "attention.output.dense.weight", C, C,
                            of + "attention output weight [hidden_size, hidden_size]" + from);
    s.outb = plan.copy(e + "attention.output.dense.bias", {C}, of + "attention output bias [hidden_size]" + from);
    s.ln1w = plan.copy(e + "attention.output.LayerNorm." + scale, {C}, of + "attention norm scale [hidden_size]" + from);
    s.ln1b = plan.copy(e + "attention.output.LayerNorm." + shift, {C}, of + "attention norm bias [hidden_size]" + from);
    s.up = plan.transposed(e + "intermediate.dense.weight", F, C,
                           of + "feed-forward up weight [intermediate_size, hidden_size]" + from);
    s.upb = plan.copy(e + "intermediate.dense.bias", {F}, of + "feed-forward up bias [intermediate_size]" + from);
    s.down = plan.transposed(e + "output.dense.weight", C, F,
                             of + "feed-forward down weight [hidden_size, intermediate_size]" + from);
    s.downb = plan.copy(e + "output.dense.bias", {C}, of + "feed-forward down bias [hidden_size]" + from);
    s.ln2w = plan.copy(e + "output.LayerNorm." + scale, {C}, of + "feed-forward norm scale [hidden_size]" + from);
    s.ln2b = plan.copy(e + "output.LayerNorm." + shift, {C}, of + "feed-forward norm bias [hidden_size]" + from);
    layers.push_back(s);
  }
  const bool pooler = plan.has("pooler.dense.weight");
  int poolw = -1, poolb = -1;
  if (pooler) {
    poolw = plan.transposed("pooler.dense.weight", C, C, "the pooler weight [hidden_size, hidden_size]" + from);
    poolb = plan.copy("pooler.dense.bias", {C}, "the pooler bias [hidden_size]" + from);
  }
  plan.load(data, size, max_bytes);

  TransformerModel m;
  TransformerConfig& c = m.config;
  c.name = "bert";
  c.vocab = V;
  c.max_tokens = P;
  c.token_types = TT;
  c.positions = Positions::learned;
  c.embedding_norm = true;
  c.norm = NormPlacement::post;
  c.norm_eps = static_cast<float>(eps);
  c.activation = activation;
  c.causal = false;
  if (pooler) {
    c.pooling = Pooling::first;
    c.pool_dense_tanh = true;
  }
  TransformerWeights& w = m.weights;
  w.token_embedding = plan.at(wte);
  w.position_embedding = plan.at(wpe);
  w.token_type_embedding = plan.at(wtt);
  w.embedding_norm_scale = plan.at(enw);
  w.embedding_norm_bias = plan.at(enb);
  for (const Slots& s : layers) {
    c.layers.push_back({C, C, NH, F, 0.0f});
    TransformerLayerWeights W;
    W.qkv = plan.at(s.qkv);
    W.qkv_bias = plan.at(s.qkvb);
    W.out = plan.at(s.out);
    W.out_bias = plan.at(s.outb);
    W.attn_norm_scale = plan.at(s.ln1w);
    W.attn_norm_bias = plan.at(s.ln1b);
    W.ffn_up = plan.at(s.up);
    W.ffn_up_bias = plan.at(s.upb);
    W.ffn_down = plan.at(s.down);
    W.ffn_down_bias = plan.at(s.downb);
    W.ffn_norm_scale = plan.at(s.ln2w);
    W.ffn_norm_bias = plan.at(s.ln2b);
    w.layers.push_back(W);
  }
  if (pooler) {
    w.pool = plan.at(poolw);
    w.pool_bias = plan.at(poolb);
  }
  m.storage = plan.storage();
  validate_transformer(m.config, m.weights);
  return m;
}

}  // namespace attention
