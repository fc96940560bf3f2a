// A model from the files a user has (or the playground bundles): the format
// is recognised from the file names, and the files are checked before any
// large allocation (loaders/model_files.h):
//   model.json, its shards, vocab.json       the Universal Sentence Encoder lite (TF.js graph)
//   config.json, model.safetensors           a Hugging Face GPT-2 or BERT checkpoint, by
//                                            config.json's model_type (models/gpt2.h, bert.h);
//                                            its tokenizer is read by the JS layer
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "attention/loaders/model_files.h"
#include "attention/tokenizers/sentencepiece_unigram.h"
#include "attention/transformer.h"

namespace attention {

struct LoadedModel {
  std::string family;  // "use", "gpt2" or "bert"
  TransformerModel model;
  std::unique_ptr<SentencePieceUnigram> tokenizer;  // USE's; null for the Hugging Face families
};

// The most a Hugging Face checkpoint may take in the engine, its file and its
// float32 weights together (WASM memory is at most 2 GB, and the JS layer
// holds the file there while the core reads it).
constexpr std::size_t kMaxModelBytes = std::size_t{3} << 29;

// Throws std::invalid_argument naming the file (a missing one, or the one at
// fault and what was expected in it).
LoadedModel load_model(const std::vector<ModelFile>& files);

}  // namespace attention
