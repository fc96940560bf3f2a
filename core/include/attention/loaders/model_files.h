// A model from the files a user has (or the bundled package holds), by name:
// for the Universal Sentence Encoder lite, "model.json", its shards and
// "vocab.json". The files are checked against each other (the vocabulary
// must fit the embedding) as well as one by one, and errors name the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "attention/loaders/use_lite.h"
#include "attention/tokenizers/sentencepiece_unigram.h"

namespace attention {

struct ModelFile {
  std::string name;  // a path's last part is what counts: "dist/model.json" is model.json
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
};

struct UseLiteModel {
  SentencePieceUnigram tokenizer;
  UseLiteGraph graph;
};

// Throws std::invalid_argument naming the missing or faulty file.
UseLiteModel load_use_lite_files(const std::vector<ModelFile>& files);

}  // namespace attention
