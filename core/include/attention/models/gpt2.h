// GPT-2 from a Hugging Face checkpoint (config.json and model.safetensors):
// the sizes from config.json (n_layer, n_head, n_embd, n_positions, n_inner,
// layer_norm_epsilon, vocab_size, activation_function), the tensors under
// their usual names with or without the "transformer." prefix. GPT-2 keeps its
// Conv1D weights [in, out], as the core does, and c_attn is [C, 3C] with q, k,
// v side by side, so they are used as stored. Learned positions, layer norm
// before each block and after the last, causal attention, and logits through
// the token embedding (the tied head).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "attention/transformer.h"

namespace attention {

namespace json { struct Value; }
struct SafetensorsHeader;

// Throws std::invalid_argument naming config.json's field, or the tensor, its
// shape and the one the config asks for, before any weight is read; max_bytes
// bounds the float32 weights and the file together.
TransformerModel gpt2_model(const json::Value& config, const std::string& config_name, const SafetensorsHeader& header,
                            const std::uint8_t* data, std::size_t size, std::size_t max_bytes);

}  // namespace attention
