// A model from the files a user has (or the playground bundles): the format
// is recognised from the file names, and the files are checked before any
// large allocation (loaders/model_files.h). Today: a TF.js graph model of the
// Universal Sentence Encoder lite (model.json, its shards, vocab.json).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "attention/loaders/model_files.h"
#include "attention/tokenizers/sentencepiece_unigram.h"
#include "attention/transformer.h"

namespace attention {

struct LoadedModel {
  std::string family;  // "use" for now
  TransformerModel model;
  std::unique_ptr<SentencePieceUnigram> tokenizer;
};

// Throws std::invalid_argument naming the file (a missing one, or the one at
// fault and what was expected in it).
LoadedModel load_model(const std::vector<ModelFile>& files);

}  // namespace attention
