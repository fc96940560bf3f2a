// BERT from a Hugging Face checkpoint (config.json and model.safetensors):
// the sizes from config.json (num_hidden_layers, num_attention_heads,
// hidden_size, intermediate_size, max_position_embeddings, type_vocab_size,
// layer_norm_eps, vocab_size, hidden_act), the tensors under their usual names
// with or without the "bert." prefix. BERT's Linear weights are [out, in]:
// they are transposed on load, and the separate query, key and value are
// packed into the core's [C, 3C]. Learned positions and token types, a layer
// norm on the embeddings, layer norm after each block, bidirectional
// attention, and the pooler (tanh of [CLS]'s vector through a dense layer)
// when the checkpoint has one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "attention/transformer.h"

namespace attention {

namespace json { struct Value; }
struct SafetensorsHeader;

// Throws as gpt2_model does.
TransformerModel bert_model(const json::Value& config, const std::string& config_name, const SafetensorsHeader& header,
                            const std::uint8_t* data, std::size_t size, std::size_t max_bytes);

}  // namespace attention
