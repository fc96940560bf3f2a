// Reads the TF.js reference that scripts/use-lite-reference.mjs writes (its
// format is stated there); the build runs the script once, see
// tests/core/CMakeLists.txt.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "model_files.h"

namespace attention_test {

struct UseLiteReferenceRecord {
  std::string text, normalized;
  std::vector<std::int32_t> ids;
  struct Attention { int heads = 0, tokens = 0; std::vector<float> data; };  // [heads, T, T]
  std::vector<Attention> attentions;
  std::vector<float> embedding;
};

inline std::vector<UseLiteReferenceRecord> read_use_lite_reference(const std::string& path) {
  const std::vector<char> bytes = read_bytes(path);
  std::size_t at = 0;
  const auto need = [&](std::size_t n) {
    if (bytes.size() - at < n) throw std::runtime_error(path + ": truncated at byte " + std::to_string(at));
  };
  const auto u32 = [&]() { need(4); std::uint32_t v; std::memcpy(&v, bytes.data() + at, 4); at += 4; return v; };
  const auto text = [&]() { const std::uint32_t n = u32(); need(n); std::string s(bytes.data() + at, n); at += n; return s; };
  need(8);
  if (std::string(bytes.data(), 8) != "USEREF01") throw std::runtime_error(path + ": not a USE reference file");
  at = 8;
  std::vector<UseLiteReferenceRecord> records(u32());
  for (auto& r : records) {
    r.text = text();
    r.normalized = text();
    r.ids.resize(u32());
    need(4 * r.ids.size());
    std::memcpy(r.ids.data(), bytes.data() + at, 4 * r.ids.size());
    at += 4 * r.ids.size();
    r.attentions.resize(u32());
    for (auto& a : r.attentions) {
      a.heads = static_cast<int>(u32());
      a.tokens = static_cast<int>(u32());
      a.data.resize(static_cast<std::size_t>(a.heads) * a.tokens * a.tokens);
      need(4 * a.data.size());
      std::memcpy(a.data.data(), bytes.data() + at, 4 * a.data.size());
      at += 4 * a.data.size();
    }
    r.embedding.resize(u32());
    need(4 * r.embedding.size());
    std::memcpy(r.embedding.data(), bytes.data() + at, 4 * r.embedding.size());
    at += 4 * r.embedding.size();
  }
  return records;
}

}  // namespace attention_test
