// Universal Sentence Encoder lite's TF.js graph (docs/models/use-lite.md),
// mapped from weight names onto an encoder's parameters: which tensor is which
// matrix, in which layout, and the constants (heads, head width, q scale,
// layer-norm eps, length limit) read from the graph rather than assumed.
//
// Legend: V embedding rows, C0 = input width, Cl = width of layer l's input,
// Cl' = its output, F = feed-forward width, NH heads, HS = Cl / NH.
// Every matrix is row-major [in, out]: y[j] = sum_i x[i] * W[i * out + j] + b[j].
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attention/loaders/tfjs_graph.h"

namespace attention {

struct UseLiteLayer {
  int width_in = 0;     // Cl
  int width_out = 0;    // Cl'
  int heads = 0;        // NH
  int head_size = 0;    // HS = Cl / NH
  int ffn_width = 0;    // F
  float q_scale = 0.f;  // the graph's own constant, 1/sqrt(HS)
  const float* attn_norm_scale = nullptr;  // [Cl]
  const float* attn_norm_bias = nullptr;   // [Cl]
  // [Cl, 3 Cl]: columns 0..Cl-1 are q, then k, then v; head h is columns
  // h*HS .. h*HS+HS-1 of each.
  const float* qkv_kernel = nullptr;
  const float* qkv_bias = nullptr;         // [3 Cl]
  const float* out_kernel = nullptr;       // [Cl, Cl'] heads concatenated in order
  const float* out_bias = nullptr;         // [Cl']
  // Residual projection [Cl, Cl'] + [Cl'] when the widths differ (layer 0);
  // null when the residual is the identity.
  const float* residual_kernel = nullptr;
  const float* residual_bias = nullptr;
  const float* ffn_norm_scale = nullptr;   // [Cl']
  const float* ffn_norm_bias = nullptr;    // [Cl']
  const float* ffn_up_kernel = nullptr;    // [Cl', F], then ReLU
  const float* ffn_up_bias = nullptr;      // [F]
  const float* ffn_down_kernel = nullptr;  // [F, Cl']
  const float* ffn_down_bias = nullptr;    // [Cl']
};

struct UseLiteGraph {
  TfjsWeights weights;  // owns every buffer the pointers below view
  int embedding_rows = 0;    // V (8002; the tokenizer's ids are below 8000)
  int embedding_width = 0;   // C0
  int max_tokens = 0;        // the graph keeps positions below this (ClipToMaxLength)
  float norm_eps = 0.f;      // inside the square root, every layer norm
  float l2_floor = 0.f;      // e = t / sqrt(max(sum t^2, l2_floor))
  // [V, C0]. The graph adds it twice: x0 = 2 E[id] + timing signal (the
  // AddTimingSignal output plus the embedding again, docs/models/use-lite.md).
  const float* token_embedding = nullptr;
  float embedding_multiplier = 2.0f;
  // [C0 / 2]: position p adds sin(p * inv[i]) at column i and cos at C0/2 + i.
  const float* inv_timescales = nullptr;
  std::vector<UseLiteLayer> layers;
  const float* pool_kernel = nullptr;  // [Cl', Cl'] after the masked mean, then tanh
  const float* pool_bias = nullptr;    // [Cl']
  int output_width = 0;
};

// Checks that the graph is this architecture (the nodes the forward pass
// stands for are all there, the constants are consistent), then maps it.
// Throws std::invalid_argument naming model.json, the node or tensor, and
// what was expected.
UseLiteGraph map_use_lite_graph(const TfjsGraphManifest& manifest, TfjsWeights weights);

// Names of the graph nodes holding layer l's attention weights [B, NH, T, T]
// and the sentence embedding, as TF.js fetches them.
std::string use_lite_attention_node(int layer);
extern const char* const kUseLiteEmbeddingNode;

}  // namespace attention
