#include "attention/loaders/use_lite.h"

#include <cmath>
#include <stdexcept>

namespace attention {

namespace {

const std::string kK = "module_apply_default/Encoder_en/KonaTransformer/";
const std::string kStack = kK + "Encode/TransformerStack/";
const std::string kW = kK + "Encode/";
const std::string kM = "module/Encoder_en/KonaTransformer/Encode/";

[[noreturn]] void refuse(const std::string& message) { throw std::invalid_argument(message); }

std::string layer_prefix(const std::string& root, int l) { return root + "Layer_" + std::to_string(l) + "/TransformerLayer/"; }

void require_node(const TfjsGraphManifest& manifest, const std::string& name, const std::string& op,
                  const std::string& why) {
  const TfjsNode* node = manifest.find_node(name);
  if (!node) refuse(manifest.file_name + ": no node '" + name + "' (" + why + "); not the USE lite graph");
  if (node->op != op) {
    refuse(manifest.file_name + ": node '" + name + "' is " + node->op + ", expected " + op + " (" + why + ")");
  }
}

}  // namespace

const char* const kUseLiteEmbeddingNode = "module_apply_default/Encoder_en/hidden_layers/l2_normalize";

std::string use_lite_attention_node(int layer) {
  return layer_prefix(kStack, layer) +
         "MultiheadAttention/DotProductAttention/BaseDotProductAttention/attention_weights";
}

UseLiteGraph map_use_lite_graph(const TfjsGraphManifest& manifest, TfjsWeights weights) {
  const std::string& file = manifest.file_name;
  UseLiteGraph g;

  // The steps docs/models/use-lite.md describes, by the nodes that do them.
  require_node(manifest, kW + "SparseToDense", "SparseToDense", "the sparse token input");
  require_node(manifest, kW + "embedding_lookup", "GatherV2", "the token embedding");
  require_node(manifest, kStack + "Layer_0/AddTimingSignal/TimingSignal/Sin", "Sin", "sinusoidal positions");
  require_node(manifest, kStack + "Layer_0/AddTimingSignal/TimingSignal/Cos", "Cos", "sinusoidal positions");
  require_node(manifest, kK + "div", "RealDiv", "the masked mean over tokens");
  require_node(manifest, "module_apply_default/Encoder_en/hidden_layers/tanh_layer_0/Tanh", "Tanh", "the pooled dense layer");
  require_node(manifest, kUseLiteEmbeddingNode, "Mul", "the L2-normalised output");

  // The input of layer 0 is the embedding plus (embedding + timing signal):
  // check those edges, since they are why the embedding counts twice.
  {
    const std::string scattered = kW + "Scatter/ScatterNd";
    const std::string timed = kStack + "Layer_0/AddTimingSignal/Scatter/ScatterNd";
    require_node(manifest, kStack + "Layer_0/add", "Add", "layer 0's input");
    require_node(manifest, kStack + "Layer_0/AddTimingSignal/add", "Add", "embedding plus timing signal");
    const TfjsNode* input = manifest.find_node(kStack + "Layer_0/add");
    const TfjsNode* with_timing = manifest.find_node(kStack + "Layer_0/AddTimingSignal/add");
    const TfjsNode* gathered = manifest.find_node(kStack + "Layer_0/AddTimingSignal/Gather/GatherNd");
    const bool doubled = input->inputs == std::vector<std::string>{scattered, timed} && gathered &&
                         !with_timing->inputs.empty() && with_timing->inputs[0] == gathered->name &&
                         !gathered->inputs.empty() && gathered->inputs[0] == scattered;
    if (!doubled) {
      refuse(file + ": node '" + input->name + "' does not add the embedding to (embedding + timing signal) "
             "as USE lite's graph does");
    }
    g.embedding_multiplier = 2.0f;
  }

  int layer_count = 0;
  while (manifest.find_node(use_lite_attention_node(layer_count))) ++layer_count;
  if (layer_count == 0) refuse(file + ": no node '" + use_lite_attention_node(0) + "' (layer 0's attention weights)");

  g.max_tokens = weights.i32_scalar(kK + "ClipToMaxLength/Less/y", "length limit of ClipToMaxLength");
  if (g.max_tokens < 1 || g.max_tokens > 4096) refuse(file + ": ClipToMaxLength's limit is " + std::to_string(g.max_tokens) + ", expected 1 to 4096");
  g.norm_eps = weights.f32_scalar(kStack + "Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x", "layer-norm epsilon");
  g.l2_floor = weights.f32_scalar("module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y", "L2 floor");

  const auto& embedding = weights.spec("module/Embeddings_en");
  if (embedding.shape.size() != 2) refuse(file + ": tensor 'module/Embeddings_en' is not a matrix");
  g.embedding_rows = static_cast<int>(embedding.shape[0]);
  g.embedding_width = static_cast<int>(embedding.shape[1]);
  const int c0 = g.embedding_width;
  g.token_embedding = weights.f32("module/Embeddings_en", {g.embedding_rows, c0}, "token embedding");
  if (c0 % 2 != 0) refuse(file + ": embedding width " + std::to_string(c0) + " is odd; the timing signal needs sin and cos halves");
  g.inv_timescales = weights.f32(kStack + "Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1", {1, c0 / 2}, "inverse timescales of the timing signal");

  // Heads: the graph reshapes q, k and v to [B, T, NH, HS] with these constants
  // (layer 0 reuses layer 1's NH constant).
  const int heads = weights.i32_scalar(kStack + "Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2", "head count");
  int width = c0;
  for (int l = 0; l < layer_count; ++l) {
    const std::string S = layer_prefix(kStack, l), W = layer_prefix(kW, l), M = layer_prefix(kM, l);
    const std::string what = "layer " + std::to_string(l) + " ";
    UseLiteLayer layer;
    layer.width_in = width;
    layer.heads = heads;
    layer.head_size = weights.i32_scalar(S + "MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3", what + "head width");
    if (heads < 1 || layer.head_size * heads != width) {
      refuse(file + ": " + what + "has " + std::to_string(heads) + " heads of " + std::to_string(layer.head_size) +
             ", which do not make its width " + std::to_string(width));
    }
    layer.q_scale = weights.f32_scalar(S + "MultiheadAttention/mul/y", what + "query scale");
    if (std::fabs(layer.q_scale * std::sqrt(static_cast<float>(layer.head_size)) - 1.0f) > 1e-5f) {
      refuse(file + ": " + what + "query scale is " + std::to_string(layer.q_scale) + ", expected 1/sqrt(" + std::to_string(layer.head_size) + ")");
    }
    require_node(manifest, S + "FFN/conv1/Relu", "Relu", what + "feed-forward activation");
    const std::string out_name = M + "MultiheadAttention/output_transform_single/kernel/part_0";
    const auto& out_spec = weights.spec(out_name);
    if (out_spec.shape.size() != 4) refuse(file + ": tensor '" + out_name + "' is not a [1, 1, in, out] kernel");
    layer.width_out = static_cast<int>(out_spec.shape[3]);
    const int cin = width, cout = layer.width_out;
    layer.attn_norm_scale = weights.f32(W + "layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", {cin}, what + "attention norm scale");
    layer.attn_norm_bias = weights.f32(W + "layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", {cin}, what + "attention norm bias");
    layer.qkv_kernel = weights.f32(M + "MultiheadAttention/qkv_transform_single/kernel/part_0", {1, 1, cin, 3 * cin}, what + "qkv kernel");
    layer.qkv_bias = weights.f32(W + "MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat", {3 * cin}, what + "qkv bias");
    layer.out_kernel = weights.f32(out_name, {1, 1, cin, cout}, what + "attention output kernel");
    layer.out_bias = weights.f32(W + "MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat", {cout}, what + "attention output bias");
    if (cin != cout) {
      require_node(manifest, S + "AdjustResidualInput/dense/MatMul", "MatMul", what + "residual projection");
      layer.residual_kernel = weights.f32(W + "dense/kernel/ConcatPartitions/concat", {cin, cout}, what + "residual projection kernel");
      layer.residual_bias = weights.f32(W + "dense/bias/ConcatPartitions/concat", {cout}, what + "residual projection bias");
    }
    const std::string up_name = S + "FFN/conv1/Tensordot/Reshape_1";
    const auto& up_spec = weights.spec(up_name);
    if (up_spec.shape.size() != 2) refuse(file + ": tensor '" + up_name + "' is not a matrix");
    layer.ffn_width = static_cast<int>(up_spec.shape[1]);
    layer.ffn_norm_scale = weights.f32(W + "FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", {cout}, what + "feed-forward norm scale");
    layer.ffn_norm_bias = weights.f32(W + "FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", {cout}, what + "feed-forward norm bias");
    layer.ffn_up_kernel = weights.f32(up_name, {cout, layer.ffn_width}, what + "feed-forward up kernel");
    layer.ffn_up_bias = weights.f32(W + "FFN/conv1/bias/ConcatPartitions/concat", {layer.ffn_width}, what + "feed-forward up bias");
    layer.ffn_down_kernel = weights.f32(S + "FFN/conv2/Tensordot/Reshape_1", {layer.ffn_width, cout}, what + "feed-forward down kernel");
    layer.ffn_down_bias = weights.f32(W + "FFN/conv2/bias/ConcatPartitions/concat", {cout}, what + "feed-forward down bias");
    g.layers.push_back(layer);
    width = cout;
  }
  g.output_width = width;
  g.pool_kernel = weights.f32("module/Encoder_en/hidden_layers/tanh_layer_0/weights", {width, width}, "pooled dense kernel");
  g.pool_bias = weights.f32("module/Encoder_en/hidden_layers/tanh_layer_0/bias", {width}, "pooled dense bias");
  // The views stay valid: moving a TfjsWeights moves its vectors' buffers.
  g.weights = std::move(weights);
  return g;
}

}  // namespace attention
