// SentencePiece unigram tokenizer, as @tensorflow-models/universal-sentence-encoder
// implements it in JS (its tokenizer module, a port of SentencePiece's
// EncodeAsIds), so the ids equal that tokenizer's for the Universal Sentence
// Encoder's vocab.json. docs/models/use-lite.md states the algorithm; in short:
//
//   text  = "▁" + text with every ' ' replaced by "▁"   (nothing if text is empty)
//   edges = every vocabulary piece (ids >= reserved) starting at each code point;
//           where none starts, one unknown edge of one code point, id 0, score 0
//   best[end] = max over edges (start, end) of score + best[start], starts taken
//           in increasing order, a later equal score winning, and best == 0
//           meaning "not set yet" (the reference's own convention, kept so ties
//           and all-unknown prefixes resolve the same way)
//   ids   = the back-tracked path, each step the chosen piece's length in UTF-16
//           code units, with runs of unknown ids merged into one.
//
// Normalisation: the reference applies String.prototype.normalize('NFKC')
// first, so its ids follow the Unicode version of the JS engine it runs in
// (Node 20 here has Unicode 17; Debian's tables are 15). This class does not
// normalise: the caller passes NFKC text, and the JS layer makes it with that
// same function, so the two agree in every engine, which tables frozen into
// the core could not promise. Legend: P pieces, L code points of the text.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace attention {

class SentencePieceUnigram {
 public:
  // The reference reserves the first 6 ids (unknown, <s>, </s>, three extra
  // tokens): they are never matched against text.
  static constexpr int kDefaultReserved = 6;

  // vocab.json: an array of [piece, score] pairs; the id of a piece is its
  // index. Throws std::invalid_argument naming file_name and the entry at fault.
  static SentencePieceUnigram from_vocab_json(const char* json, std::size_t size,
                                              const std::string& file_name,
                                              int reserved = kDefaultReserved);

  SentencePieceUnigram(std::vector<std::string> pieces, std::vector<double> scores, int reserved);

  // text: valid UTF-8, already NFKC-normalised. Throws std::invalid_argument on
  // malformed UTF-8, naming the byte offset.
  std::vector<std::int32_t> encode(const std::string& text) const;

  int size() const { return static_cast<int>(pieces_.size()); }
  int unknown_id() const { return 0; }
  const std::string& piece(int id) const { return pieces_.at(static_cast<std::size_t>(id)); }
  double score(int id) const { return scores_.at(static_cast<std::size_t>(id)); }

 private:
  std::vector<std::string> pieces_;     // [P] UTF-8
  std::vector<double> scores_;          // [P]
  std::vector<int> utf16_length_;       // [P] the reference steps back by this
  std::unordered_map<std::string, int> id_of_;  // matchable pieces only
  int max_piece_code_points_ = 0;
};

}  // namespace attention
