#include "attention/models/load.h"

#include <stdexcept>
#include <utility>

#include "attention/models/use_lite.h"

namespace attention {

namespace {

bool has_file(const std::vector<ModelFile>& files, const std::string& name) {
  for (const ModelFile& f : files) {
    const std::size_t slash = f.name.find_last_of("/\\");
    if ((slash == std::string::npos ? f.name : f.name.substr(slash + 1)) == name) return true;
  }
  return false;
}

}  // namespace

LoadedModel load_model(const std::vector<ModelFile>& files) {
  if (!has_file(files, "model.json")) {
    std::string names;
    for (const ModelFile& f : files) names += (names.empty() ? "" : ", ") + f.name;
    throw std::invalid_argument("model files: expected model.json (a TF.js graph model) among them, got " +
                                (names.empty() ? std::string("none") : names));
  }
  UseLiteModel use = load_use_lite_files(files);
  LoadedModel loaded;
  loaded.family = "use";
  loaded.tokenizer = std::make_unique<SentencePieceUnigram>(std::move(use.tokenizer));
  loaded.model = use_lite_model(std::move(use.graph));
  return loaded;
}

}  // namespace attention
