// The SentencePiece unigram tokenizer against the reference JS tokenizer of
// @tensorflow-models/universal-sentence-encoder: the fixture holds, for the
// parity corpus and 300 seeded random texts, the NFKC text and the reference's
// ids (scripts/use-lite-reference.mjs --tokenizer-cases writes it;
// tests/js/use_lite_tokenizer.test.js checks it is still what the reference gives).
#include <attention/tokenizers/sentencepiece_unigram.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "loaders/json.h"
#include "model_files.h"

namespace {

using attention::SentencePieceUnigram;
using attention_test::read_bytes;

SentencePieceUnigram use_lite_tokenizer() {
  const std::vector<char> vocab = read_bytes(attention_test::use_lite_path("vocab.json"));
  return SentencePieceUnigram::from_vocab_json(vocab.data(), vocab.size(), "vocab.json");
}

std::string ids_text(const std::vector<std::int32_t>& ids) {
  std::ostringstream out;
  for (std::size_t i = 0; i < ids.size(); ++i) out << (i ? " " : "") << ids[i];
  return out.str();
}

TEST(SentencePieceUnigram, GivesTheReferenceIdsOnEveryFixtureText) {
  const SentencePieceUnigram tokenizer = use_lite_tokenizer();
  ASSERT_EQ(tokenizer.size(), 8000);
  const std::string file = attention_test::source_path("tests/core/fixtures/use_lite_tokenizer_cases.json");
  const std::vector<char> bytes = read_bytes(file);
  const attention::json::Value cases = attention::json::parse(bytes.data(), bytes.size(), file);
  ASSERT_TRUE(cases.is_array());
  ASSERT_GE(cases.array.size(), 350u);
  int mismatches = 0;
  for (std::size_t c = 0; c < cases.array.size(); ++c) {
    const std::string& text = cases.array[c].find("text")->string;
    std::vector<std::int32_t> want;
    for (const auto& id : cases.array[c].find("ids")->array) want.push_back(static_cast<std::int32_t>(id.number));
    const std::vector<std::int32_t> got = tokenizer.encode(text);
    if (got != want && ++mismatches <= 5) {
      ADD_FAILURE() << "case " << c << " \"" << text << "\"\n  want " << ids_text(want) << "\n  got  " << ids_text(got);
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << cases.array.size() << " cases";
}

TEST(SentencePieceUnigram, EmptyTextHasNoIds) {
  EXPECT_TRUE(use_lite_tokenizer().encode("").empty());
}

TEST(SentencePieceUnigram, ARunOfUnknownCharactersIsOneUnknownId) {
  const SentencePieceUnigram tokenizer = use_lite_tokenizer();
  // Three emoji the vocabulary lacks, then a word it has.
  const std::vector<std::int32_t> ids = tokenizer.encode("\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89 the");
  ASSERT_GE(ids.size(), 2u);
  EXPECT_EQ(ids[1], 0);
  EXPECT_NE(ids[2 < ids.size() ? 2 : 1], 0);
  int unknown_runs = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) unknown_runs += ids[i] == 0 && (i == 0 || ids[i - 1] != 0);
  EXPECT_EQ(unknown_runs, 1);
}

TEST(SentencePieceUnigram, MalformedUtf8IsRefusedWithItsByteOffset) {
  const SentencePieceUnigram tokenizer = use_lite_tokenizer();
  try {
    tokenizer.encode("ok \xC3");
    FAIL() << "no error";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("not valid UTF-8 at byte"), std::string::npos) << error.what();
  }
  EXPECT_THROW(tokenizer.encode("\xED\xA0\x80"), std::invalid_argument);  // a UTF-16 surrogate
  EXPECT_THROW(tokenizer.encode("\xC0\xAF"), std::invalid_argument);      // an overlong '/'
}

TEST(SentencePieceUnigram, AVocabularyThatIsNotPieceScorePairsIsRefusedNamingTheEntry) {
  const std::string bad = R"([["<unk>",0],["a",-1],["b"]])";  // a pair without its score
  try {
    SentencePieceUnigram::from_vocab_json(bad.data(), bad.size(), "vocab.json", 1);
    FAIL() << "no error";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()), "vocab.json: entry 2 is not a [piece, score] pair");
  }
  const std::string not_array = R"({"a":1})";
  EXPECT_THROW(SentencePieceUnigram::from_vocab_json(not_array.data(), not_array.size(), "vocab.json"),
               std::invalid_argument);
  const std::string truncated = R"([["<unk>",0],["a",-1)";
  try {
    SentencePieceUnigram::from_vocab_json(truncated.data(), truncated.size(), "vocab.json", 1);
    FAIL() << "no error";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("vocab.json: "), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("at byte 20"), std::string::npos) << error.what();
  }
}

TEST(SentencePieceUnigram, PicksTheHighestScoringSegmentation) {
  // "ab" is "▁ab": one piece "▁ab", or "▁a" + "b" at -1 + -1 = -2 (every
  // other path is worse); the reference gives [2, 3] at -5 and [1] at -1.5.
  const std::vector<std::string> pieces = {"<unk>", "\xE2\x96\x81" "ab", "\xE2\x96\x81" "a", "b", "\xE2\x96\x81", "a"};
  EXPECT_EQ(SentencePieceUnigram(pieces, {0, -5, -1, -1, -3, -3}, 1).encode("ab"), (std::vector<std::int32_t>{2, 3}));
  EXPECT_EQ(SentencePieceUnigram(pieces, {0, -1.5, -1, -1, -3, -3}, 1).encode("ab"), (std::vector<std::int32_t>{1}));
}

TEST(SentencePieceUnigram, KeepsTheReferencesUnsetBestAsZeroSoAnUnreachedPositionBecomesUnknown) {
  // No piece ends after "▁" alone, so best[1] stays 0 ("unset") and the path
  // through "a" from there scores -1, tying "▁a" and winning as the later
  // start; position 1 then back-tracks to the unknown id. The reference JS
  // tokenizer gives [0, 4, 3] on this vocabulary.
  const std::vector<std::string> pieces = {"<unk>", "\xE2\x96\x81" "ab", "\xE2\x96\x81" "a", "b", "a"};
  EXPECT_EQ(SentencePieceUnigram(pieces, {0, -5, -1, -1, -1}, 1).encode("ab"), (std::vector<std::int32_t>{0, 4, 3}));
}

TEST(SentencePieceUnigram, ANullScoreCountsAsZeroAsInTheReferencesArithmetic) {
  // USE lite's vocab.json has seven pieces scored null (":", "://", "▁:)", ...);
  // the reference adds null to a number, which counts it as 0.
  const std::string vocab = "[[\"<unk>\",0],[\"\xE2\x96\x81" "ab\",-1.5],[\"\xE2\x96\x81" "a\",-1],[\"b\",null],[\"a\",-1]]";
  const SentencePieceUnigram tokenizer = SentencePieceUnigram::from_vocab_json(vocab.data(), vocab.size(), "v.json", 1);
  EXPECT_EQ(tokenizer.score(3), 0.0);
  EXPECT_EQ(tokenizer.encode("ab"), (std::vector<std::int32_t>{0, 4, 3}));
}

}  // namespace
