#include "attention/models/load.h"

#include <stdexcept>
#include <utility>

#include "attention/models/bert.h"
#include "attention/models/gpt2.h"
#include "attention/models/use_lite.h"
#include "loaders/json.h"
#include "loaders/safetensors.h"

namespace attention {

namespace {

std::string base_name(const std::string& path) {
  const std::size_t slash = path.find_last_of("/\\");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

const ModelFile* find_file(const std::vector<ModelFile>& files, const std::string& name) {
  const ModelFile* found = nullptr;
  for (const ModelFile& f : files) {
    if (base_name(f.name) != name) continue;
    if (found) throw std::invalid_argument(name + ": given twice (" + found->name + " and " + f.name + ")");
    if (f.size > 0 && !f.data) throw std::invalid_argument(name + ": has a size but no bytes");
    found = &f;
  }
  return found;
}

LoadedModel load_hf_checkpoint(const std::vector<ModelFile>& files, const ModelFile& config_file) {
  const json::Value config = json::parse(reinterpret_cast<const char*>(config_file.data), config_file.size, "config.json");
  if (!config.is_object()) throw std::invalid_argument("config.json: expected a JSON object");
  const json::Value* type = config.find("model_type");
  if (!type || !type->is_string()) {
    throw std::invalid_argument("config.json: model_type missing; expected \"gpt2\" or \"bert\"");
  }
  const std::string family = type->string;
  if (family != "gpt2" && family != "bert") {
    throw std::invalid_argument("config.json: model_type \"" + family.substr(0, 40) +
                                "\" is not one the playground runs; expected \"gpt2\" or \"bert\"");
  }
  const ModelFile* weights = find_file(files, "model.safetensors");
  if (!weights) {
    const bool pickle = find_file(files, "pytorch_model.bin") != nullptr;
    throw std::invalid_argument(std::string("model.safetensors: missing (the weights of the ") + family +
                                " model config.json describes)" +
                                (pickle ? "; pytorch_model.bin is not read (a Python pickle): save the model as safetensors" : ""));
  }
  const SafetensorsHeader header = parse_safetensors_header(weights->data, weights->size, "model.safetensors");
  LoadedModel loaded;
  loaded.family = family;
  loaded.model = family == "gpt2"
                     ? gpt2_model(config, "config.json", header, weights->data, weights->size, kMaxModelBytes)
                     : bert_model(config, "config.json", header, weights->data, weights->size, kMaxModelBytes);
  return loaded;
}

}  // namespace

LoadedModel load_model(const std::vector<ModelFile>& files) {
  if (const ModelFile* config = find_file(files, "config.json")) return load_hf_checkpoint(files, *config);
  if (!find_file(files, "model.json")) {
    std::string names;
    for (const ModelFile& f : files) names += (names.empty() ? "" : ", ") + f.name;
    if (find_file(files, "model.safetensors")) {
      throw std::invalid_argument("config.json: missing (the sizes of the model in model.safetensors)");
    }
    throw std::invalid_argument(
        "model files: expected model.json (a TF.js graph model), or config.json and model.safetensors "
        "(a Hugging Face GPT-2 or BERT), among them, got " +
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
