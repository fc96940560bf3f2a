// A model from the files a user has (or the playground bundles): the format
// is recognised from the file names, and the files are checked before any
// large allocation. Today: a TF.js graph model of the Universal Sentence
// Encoder lite (model.json, its shards, vocab.json).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "attention/tokenizers/sentencepiece_unigram.h"
#include "attention/transformer.h"

namespace attention {

// One file as the caller read it; name may carry folders ("use-lite/model.json"):
// only the part after the last '/' is matched.
struct ModelFile {
  std::string name;
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
};

struct LoadedModel {
  std::string family;  // "use" for now
  TransformerModel model;
  std::unique_ptr<SentencePieceUnigram> tokenizer;
};

// Throws std::invalid_argument naming the file (a missing one, or the one at
// fault and what was expected in it).
LoadedModel load_model(const std::vector<ModelFile>& files);

}  // namespace attention
