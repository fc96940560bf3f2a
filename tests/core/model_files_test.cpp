// USE lite from its files by name: all present loads; a missing, doubled or
// mismatched file is named.
#include <attention/loaders/model_files.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "model_files.h"

namespace {

using attention::ModelFile;

struct Files {
  std::vector<std::string> names;
  std::vector<std::vector<char>> bytes;
  Files() {
    names = {"model.json", "vocab.json"};
    for (int i = 1; i <= 7; ++i) names.push_back("group1-shard" + std::to_string(i) + "of7");
    for (const auto& name : names) bytes.push_back(attention_test::read_bytes(attention_test::use_lite_path(name)));
  }
  std::vector<ModelFile> views(const std::string& prefix = "") const {
    std::vector<ModelFile> out;
    for (std::size_t i = 0; i < names.size(); ++i) {
      out.push_back({prefix + names[i], reinterpret_cast<const std::uint8_t*>(bytes[i].data()), bytes[i].size()});
    }
    return out;
  }
};

std::string error_of(const std::vector<ModelFile>& files) {
  try {
    attention::load_use_lite_files(files);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "no error";
}

TEST(UseLiteFiles, LoadTheTokenizerAndTheGraphTogetherWhateverFolderTheyCameFrom) {
  const Files files;
  const attention::UseLiteModel model = attention::load_use_lite_files(files.views("dist/"));
  EXPECT_EQ(model.tokenizer.size(), 8000);
  EXPECT_EQ(model.graph.layers.size(), 2u);
  EXPECT_EQ(model.tokenizer.encode("Hello"), (std::vector<std::int32_t>{341, 4125}));
}

TEST(UseLiteFiles, AMissingFileIsNamedWithWhatItIsFor) {
  const Files files;
  std::vector<ModelFile> views = files.views();
  views.erase(views.begin() + 1);
  EXPECT_EQ(error_of(views), "vocab.json: missing (the SentencePiece vocabulary)");
  views = files.views();
  views.pop_back();
  EXPECT_EQ(error_of(views), "group1-shard7of7: missing (a weights shard model.json lists)");
}

TEST(UseLiteFiles, AFileGivenTwiceIsRefused) {
  const Files files;
  std::vector<ModelFile> views = files.views();
  views.push_back(views[0]);
  EXPECT_EQ(error_of(views), "model.json: given twice");
}

TEST(UseLiteFiles, AVocabularyLargerThanTheEmbeddingIsRefusedBeforeTheShardsAreRead) {
  const Files files;
  std::string vocab = "[[\"\xEF\xBF\xBD\",0]";
  for (int i = 0; i < 9000; ++i) vocab += ",[\"p" + std::to_string(i) + "\",-1]";
  vocab += "]";
  std::vector<ModelFile> views = files.views();
  views[1] = {"vocab.json", reinterpret_cast<const std::uint8_t*>(vocab.data()), vocab.size()};
  views.resize(2);  // no shards at all: the mismatch must be found first
  EXPECT_EQ(error_of(views), "vocab.json: 9001 pieces, but model.json's embedding has 8002 rows; the files are not one model");
}

}  // namespace
