#include "attention/models/use_lite.h"

#include <memory>
#include <utility>

namespace attention {

TransformerModel use_lite_model(UseLiteGraph graph) {
  auto g = std::make_shared<UseLiteGraph>(std::move(graph));
  TransformerModel m;
  TransformerConfig& c = m.config;
  c.name = "use-lite";
  c.vocab = g->embedding_rows;
  c.max_tokens = g->max_tokens;
  // The graph adds the embedding to a timing signal that already holds it.
  c.embedding_multiplier = g->embedding_multiplier;
  c.positions = Positions::sinusoidal;
  c.norm = NormPlacement::pre;
  c.norm_eps = g->norm_eps;
  c.activation = Activation::relu;
  c.causal = false;
  c.final_norm = false;
  c.pooling = Pooling::mean;
  c.pool_dense_tanh = true;
  c.l2_normalize = true;
  c.l2_floor = g->l2_floor;
  TransformerWeights& w = m.weights;
  w.token_embedding = g->token_embedding;
  w.inv_timescales = g->inv_timescales;
  for (const UseLiteLayer& L : g->layers) {
    c.layers.push_back({L.width_in, L.width_out, L.heads, L.ffn_width, L.q_scale});
    TransformerLayerWeights W;
    W.attn_norm_scale = L.attn_norm_scale;
    W.attn_norm_bias = L.attn_norm_bias;
    W.qkv = L.qkv_kernel;
    W.qkv_bias = L.qkv_bias;
    W.out = L.out_kernel;
    W.out_bias = L.out_bias;
    W.residual = L.residual_kernel;
    W.residual_bias = L.residual_bias;
    W.ffn_norm_scale = L.ffn_norm_scale;
    W.ffn_norm_bias = L.ffn_norm_bias;
    W.ffn_up = L.ffn_up_kernel;
    W.ffn_up_bias = L.ffn_up_bias;
    W.ffn_down = L.ffn_down_kernel;
    W.ffn_down_bias = L.ffn_down_bias;
    w.layers.push_back(W);
  }
  w.pool = g->pool_kernel;
  w.pool_bias = g->pool_bias;
  m.storage = g;
  validate_transformer(m.config, m.weights);
  return m;
}

}  // namespace attention
