#include "attention/loaders/model_files.h"

#include <stdexcept>

namespace attention {

namespace {

std::string base_name(const std::string& path) {
  const std::size_t slash = path.find_last_of("/\\");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

const ModelFile& find_file(const std::vector<ModelFile>& files, const std::string& name, const std::string& why) {
  const ModelFile* found = nullptr;
  for (const ModelFile& file : files) {
    if (base_name(file.name) != name) continue;
    if (found) throw std::invalid_argument(name + ": given twice");
    found = &file;
  }
  if (!found) throw std::invalid_argument(name + ": missing (" + why + ")");
  if (found->size > 0 && !found->data) throw std::invalid_argument(name + ": has a size but no bytes");
  return *found;
}

}  // namespace

UseLiteModel load_use_lite_files(const std::vector<ModelFile>& files) {
  const ModelFile& model_json = find_file(files, "model.json", "the TF.js graph and weights manifest");
  const ModelFile& vocab_json = find_file(files, "vocab.json", "the SentencePiece vocabulary");
  SentencePieceUnigram tokenizer = SentencePieceUnigram::from_vocab_json(
      reinterpret_cast<const char*>(vocab_json.data), vocab_json.size, "vocab.json");
  const TfjsGraphManifest manifest =
      parse_tfjs_model_json(reinterpret_cast<const char*>(model_json.data), model_json.size, "model.json");
  // Check the vocabulary against the manifest's embedding before any shard is read.
  const TfjsTensorSpec* embedding = manifest.find_tensor("module/Embeddings_en");
  if (embedding && embedding->shape.size() == 2 && tokenizer.size() > embedding->shape[0]) {
    throw std::invalid_argument("vocab.json: " + std::to_string(tokenizer.size()) + " pieces, but model.json's embedding has " +
                                std::to_string(embedding->shape[0]) + " rows; the files are not one model");
  }
  std::vector<TfjsShard> shards;
  for (const TfjsWeightGroup& group : manifest.groups) {
    for (const std::string& path : group.paths) {
      const ModelFile& file = find_file(files, base_name(path), "a weights shard model.json lists");
      shards.push_back({path, file.data, file.size});
    }
  }
  UseLiteGraph graph = map_use_lite_graph(manifest, load_tfjs_weights(manifest, shards));
  return UseLiteModel{std::move(tokenizer), std::move(graph)};
}

}  // namespace attention
