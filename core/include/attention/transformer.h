// A transformer's forward pass, for the families the playground runs
// (Universal Sentence Encoder, BERT, GPT-2): one config that names where the
// families differ (norm before or after each block, activation, positions,
// causal or not, pooling), one set of weight views, and one pass built from
// the small ops in core/src/ops/ and the attention of attention.h.
//
// Dimension legend (on top of attention.h's):
//   T    tokens of the sequence
//   V    vocabulary (rows of the token embedding)
//   P    rows of a learned position table (the longest sequence)
//   C    a layer's input width; C' its output width (C' = C except where a
//        layer widens the stream, as USE's first layer does)
//   F    feed-forward width
//   NH   heads of a layer; HS = C / NH, the width of one head
// Every matrix is row-major [in, out]: y[t][j] = sum_i x[t][i] W[i][j] + b[j].
// Loaders whose files store [out, in] (BERT's Linear) transpose on load.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace attention {

enum class NormPlacement {
  pre,   // x + block(norm(x)): GPT-2, USE
  post,  // norm(x + block(x)): BERT
};
enum class Activation { relu, gelu_tanh, gelu_erf };
enum class Positions {
  none,
  learned,     // x += position_embedding[t]  (GPT-2, BERT)
  sinusoidal,  // x[i] += sin(t inv[i]), x[C/2 + i] += cos(t inv[i])  (USE)
};
enum class Pooling {
  none,
  mean,   // mean over the tokens (USE)
  first,  // the first token's vector ([CLS] for BERT)
};

struct TransformerLayerConfig {
  int width_in = 0;   // C
  int width_out = 0;  // C'; the attention's output projection is [C, C']
  int heads = 0;      // NH, divides C
  int ffn_width = 0;  // F
  float q_scale = 0;  // multiplies q.k; 0 = 1/sqrt(HS)
};

struct TransformerConfig {
  std::string name;   // for messages
  int vocab = 0;      // V
  int max_tokens = 0; // longest sequence the model takes (P for learned positions)
  int token_types = 0;  // rows of the token-type table (BERT), 0 = none
  float embedding_multiplier = 1;  // x = multiplier * E[id] + positions
  Positions positions = Positions::none;
  bool embedding_norm = false;  // a layer norm after the embeddings (BERT)
  NormPlacement norm = NormPlacement::pre;
  float norm_eps = 1e-5f;  // inside the square root
  Activation activation = Activation::gelu_tanh;
  bool causal = false;  // token t attends only to tokens <= t (GPT-2)
  bool final_norm = false;  // a layer norm after the last layer (GPT-2)
  // Logits over the vocabulary at the last position, through the token
  // embedding as the output matrix: logits[v] = hidden[T-1] . E[v] (GPT-2's
  // tied language-model head).
  bool tied_lm_head = false;
  std::vector<TransformerLayerConfig> layers;
  Pooling pooling = Pooling::none;
  bool pool_dense_tanh = false;  // tanh(pooled W + b) after pooling (USE, BERT's pooler)
  bool l2_normalize = false;  // e / sqrt(max(sum e^2, l2_floor))
  float l2_floor = 1e-12f;
};

// Weights as views into buffers the caller owns (a loader's), shapes by the
// config. A pointer marked optional may be null.
struct TransformerLayerWeights {
  const float* attn_norm_scale = nullptr;  // [C] pre-norm, [C'] post-norm
  const float* attn_norm_bias = nullptr;
  const float* qkv = nullptr;       // [C, 3C]: q in columns 0..C-1, then k, then v; head h at h*HS of each
  const float* qkv_bias = nullptr;  // [3C], optional
  const float* out = nullptr;       // [C, C'], heads concatenated in order
  const float* out_bias = nullptr;  // [C'], optional
  const float* residual = nullptr;  // [C, C'] when C' != C (the residual is then x W + b), else null
  const float* residual_bias = nullptr;  // [C'], optional
  const float* ffn_norm_scale = nullptr;  // [C']
  const float* ffn_norm_bias = nullptr;
  const float* ffn_up = nullptr;  // [C', F]
  const float* ffn_up_bias = nullptr;  // [F], optional
  const float* ffn_down = nullptr;  // [F, C']
  const float* ffn_down_bias = nullptr;  // [C'], optional
};

struct TransformerWeights {
  const float* token_embedding = nullptr;  // [V, C0]
  const float* position_embedding = nullptr;  // [P, C0] for learned positions
  const float* inv_timescales = nullptr;  // [C0 / 2] for sinusoidal positions
  const float* token_type_embedding = nullptr;  // [token_types, C0]
  const float* embedding_norm_scale = nullptr;  // [C0] with embedding_norm
  const float* embedding_norm_bias = nullptr;
  std::vector<TransformerLayerWeights> layers;
  const float* final_norm_scale = nullptr;  // [C last] with final_norm
  const float* final_norm_bias = nullptr;
  const float* pool = nullptr;  // [C last, C last] with pool_dense_tanh
  const float* pool_bias = nullptr;
};

// A loaded model: its config, its weights, and whatever owns the buffers the
// weights view (a loader's tensors), kept alive together.
struct TransformerModel {
  TransformerConfig config;
  TransformerWeights weights;
  std::shared_ptr<const void> storage;
};

// What one layer's attention saw and gave, per head: the projected queries,
// keys and values and the weighted sums of values (before the output
// projection), so a view can step through the math of any row.
struct LayerAttention {
  std::vector<float> query, key, value;  // [NH, T, HS] each
  std::vector<float> output;  // [NH, T, HS]
  float scale = 0;  // what q.k was multiplied by
};

struct TransformerOutputs {
  std::vector<std::vector<float>> attentions;  // per layer [NH, T, T], rows = queries
  std::vector<LayerAttention> layers;  // per layer
  std::vector<float> hidden;  // [T, C last], the last layer's output (after final_norm)
  std::vector<float> embedding;  // [C last] when pooling is set, else empty
  std::vector<float> logits;  // [V] with tied_lm_head, else empty
  int tokens = 0;  // T
};

// Throws std::invalid_argument naming the field when the config is not one
// this pass can run (sizes positive and bounded, heads dividing widths,
// widths chained from layer to layer) or a weight it needs is missing.
void validate_transformer(const TransformerConfig& config, const TransformerWeights& weights);

// The forward pass over token ids [T] (each < V; T from 1 to max_tokens) and,
// if the config has token types, their types [T] (else null).
TransformerOutputs transformer_forward(const TransformerConfig& config, const TransformerWeights& weights,
                                       const std::int32_t* ids, const std::int32_t* token_types, int tokens);

// The same pass in float64, one plain loop per formula: the reference the
// fast pass is tested against.
struct TransformerOutputsF64 {
  std::vector<std::vector<double>> attentions;
  std::vector<double> hidden;
  std::vector<double> embedding;
  std::vector<double> logits;
};
TransformerOutputsF64 transformer_reference_f64(const TransformerConfig& config, const TransformerWeights& weights,
                                                const std::int32_t* ids, const std::int32_t* token_types, int tokens);

}  // namespace attention
