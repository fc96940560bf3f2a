#include "attention/models/load.h"

#include <stdexcept>

#include "attention/loaders/tfjs_graph.h"
#include "attention/loaders/use_lite.h"
#include "attention/models/use_lite.h"

namespace attention {

namespace {

std::string base_name(const std::string& name) {
  const std::size_t slash = name.find_last_of('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

const ModelFile* find(const std::vector<ModelFile>& files, const std::string& name) {
  for (const ModelFile& f : files) {
    if (base_name(f.name) == name) return &f;
  }
  return nullptr;
}

std::string names_of(const std::vector<ModelFile>& files) {
  std::string list;
  for (const ModelFile& f : files) list += (list.empty() ? "" : ", ") + base_name(f.name);
  return list.empty() ? "none" : list;
}

}  // namespace

LoadedModel load_model(const std::vector<ModelFile>& files) {
  const ModelFile* json = find(files, "model.json");
  if (!json) {
    throw std::invalid_argument("model files: expected model.json (a TF.js graph model) among them, got " +
                                names_of(files));
  }
  const TfjsGraphManifest manifest =
      parse_tfjs_model_json(reinterpret_cast<const char*>(json->data), json->size, "model.json");
  const ModelFile* vocab = find(files, "vocab.json");
  if (!vocab) throw std::invalid_argument("model files: vocab.json is missing (the tokenizer's pieces)");
  std::vector<TfjsShard> shards;
  for (const TfjsWeightGroup& group : manifest.groups) {
    for (const std::string& path : group.paths) {
      const ModelFile* shard = find(files, base_name(path));
      if (!shard) {
        throw std::invalid_argument("model files: " + base_name(path) +
                                    " is missing (model.json's weightsManifest names it)");
      }
      shards.push_back({path, shard->data, shard->size});
    }
  }
  LoadedModel loaded;
  loaded.family = "use";
  loaded.tokenizer = std::make_unique<SentencePieceUnigram>(SentencePieceUnigram::from_vocab_json(
      reinterpret_cast<const char*>(vocab->data), vocab->size, "vocab.json"));
  loaded.model = use_lite_model(map_use_lite_graph(manifest, load_tfjs_weights(manifest, shards)));
  return loaded;
}

}  // namespace attention
