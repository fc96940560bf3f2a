#include "attention/tokenizers/sentencepiece_unigram.h"

#include <stdexcept>

#include "loaders/json.h"

namespace attention {

namespace {

// Decodes one code point at text[at]; returns its byte length, 0 if malformed.
int utf8_length_at(const std::string& text, std::size_t at, std::uint32_t* code_point) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  int length = 0;
  std::uint32_t cp = 0;
  if (lead < 0x80) { *code_point = lead; return 1; }
  if (lead >= 0xC2 && lead <= 0xDF) { length = 2; cp = lead & 0x1F; }
  else if (lead >= 0xE0 && lead <= 0xEF) { length = 3; cp = lead & 0x0F; }
  else if (lead >= 0xF0 && lead <= 0xF4) { length = 4; cp = lead & 0x07; }
  else return 0;
  if (at + static_cast<std::size_t>(length) > text.size()) return 0;
  for (int i = 1; i < length; ++i) {
    const unsigned char next = byte(at + static_cast<std::size_t>(i));
    if ((next & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (next & 0x3F);
  }
  const std::uint32_t smallest[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < smallest[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  *code_point = cp;
  return length;
}

// Byte offsets of each code point of text, plus text.size() at the end: [L + 1].
std::vector<std::size_t> code_point_offsets(const std::string& text, const char* what) {
  std::vector<std::size_t> offsets;
  offsets.reserve(text.size() + 1);
  for (std::size_t at = 0; at < text.size();) {
    std::uint32_t cp = 0;
    const int length = utf8_length_at(text, at, &cp);
    if (length == 0) {
      throw std::invalid_argument(std::string(what) + " is not valid UTF-8 at byte " + std::to_string(at));
    }
    offsets.push_back(at);
    at += static_cast<std::size_t>(length);
  }
  offsets.push_back(text.size());
  return offsets;
}

int utf16_length(const std::string& utf8) {
  int units = 0;
  for (std::size_t at = 0; at < utf8.size();) {
    std::uint32_t cp = 0;
    const int length = utf8_length_at(utf8, at, &cp);
    units += cp >= 0x10000 ? 2 : 1;
    at += static_cast<std::size_t>(length);
  }
  return units;
}

const std::string kSeparator = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK

}  // namespace

SentencePieceUnigram SentencePieceUnigram::from_vocab_json(const char* text, std::size_t size,
                                                           const std::string& file_name, int reserved) {
  const json::Value root = json::parse(text, size, file_name);
  if (!root.is_array()) {
    throw std::invalid_argument(file_name + ": expected an array of [piece, score] pairs, found " +
                                json::kind_name(root.kind));
  }
  std::vector<std::string> pieces;
  std::vector<double> scores;
  pieces.reserve(root.array.size());
  scores.reserve(root.array.size());
  for (std::size_t i = 0; i < root.array.size(); ++i) {
    const json::Value& entry = root.array[i];
    // A null score is 0: the reference adds it to a number, and JavaScript
    // counts null as 0 there (USE lite's vocabulary has seven such pieces).
    if (!entry.is_array() || entry.array.size() != 2 || !entry.array[0].is_string() ||
        !(entry.array[1].is_number() || entry.array[1].kind == json::Value::Kind::Null)) {
      throw std::invalid_argument(file_name + ": entry " + std::to_string(i) +
                                  " is not a [piece, score] pair");
    }
    pieces.push_back(entry.array[0].string);
    scores.push_back(entry.array[1].is_number() ? entry.array[1].number : 0.0);
  }
  return SentencePieceUnigram(std::move(pieces), std::move(scores), reserved);
}

SentencePieceUnigram::SentencePieceUnigram(std::vector<std::string> pieces, std::vector<double> scores,
                                           int reserved)
    : pieces_(std::move(pieces)), scores_(std::move(scores)) {
  if (pieces_.size() != scores_.size()) throw std::invalid_argument("vocabulary: pieces and scores differ in count");
  if (reserved < 1 || static_cast<std::size_t>(reserved) > pieces_.size()) {
    throw std::invalid_argument("vocabulary: " + std::to_string(pieces_.size()) +
                                " pieces cannot hold the unknown piece and " + std::to_string(reserved) +
                                " reserved ids");
  }
  utf16_length_.resize(pieces_.size());
  for (std::size_t id = 0; id < pieces_.size(); ++id) {
    const std::string what = "vocabulary piece " + std::to_string(id);
    const std::size_t code_points = code_point_offsets(pieces_[id], what.c_str()).size() - 1;
    utf16_length_[id] = utf16_length(pieces_[id]);
    if (static_cast<int>(id) < reserved) continue;
    if (code_points == 0) throw std::invalid_argument(what + " is empty");
    // The reference's trie keeps the last insertion of a repeated piece.
    id_of_[pieces_[id]] = static_cast<int>(id);
    if (static_cast<int>(code_points) > max_piece_code_points_) max_piece_code_points_ = static_cast<int>(code_points);
  }
  if (utf16_length_[0] < 1) throw std::invalid_argument("vocabulary: the unknown piece (id 0) is empty");
}

std::vector<std::int32_t> SentencePieceUnigram::encode(const std::string& raw) const {
  if (raw.empty()) return {};
  // "▁" + text with ' ' -> "▁"
  std::string text = kSeparator;
  text.reserve(raw.size() * 3 + 3);
  for (const char c : raw) {
    if (c == ' ') text += kSeparator;
    else text += c;
  }
  const std::vector<std::size_t> offsets = code_point_offsets(text, "text");
  const std::size_t length = offsets.size() - 1;  // L

  // pass 1: Viterbi forward over end positions; best 0 doubles as "unset".
  // For a given end, starts run in increasing order, which is end - n for n
  // from the longest piece down to 1.
  std::vector<double> best(length + 1, 0.0);
  std::vector<int> word(length + 1, 0);
  // has_piece[s]: some vocabulary piece starts at s (else an unknown edge does).
  std::vector<char> has_piece(length, 0);
  for (std::size_t start = 0; start < length; ++start) {
    const int longest = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(max_piece_code_points_), length - start));
    for (int n = 1; n <= longest && !has_piece[start]; ++n) {
      if (id_of_.count(text.substr(offsets[start], offsets[start + static_cast<std::size_t>(n)] - offsets[start]))) has_piece[start] = 1;
    }
  }
  for (std::size_t end = 1; end <= length; ++end) {
    const int longest = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(max_piece_code_points_), end));
    for (int n = longest; n >= 1; --n) {
      const std::size_t start = end - static_cast<std::size_t>(n);
      int id;
      double score;
      if (!has_piece[start]) {
        if (n != 1) continue;
        id = 0;
        score = 0.0;
      } else {
        const auto found = id_of_.find(text.substr(offsets[start], offsets[end] - offsets[start]));
        if (found == id_of_.end()) continue;
        id = found->second;
        score = scores_[static_cast<std::size_t>(id)];
      }
      const double total = score + best[start];
      if (best[end] == 0.0 || total >= best[end]) {
        best[end] = total;
        word[end] = id;
      }
    }
  }

  // pass 2: back-track by each chosen piece's UTF-16 length, as the reference.
  std::vector<std::int32_t> reversed;
  for (std::ptrdiff_t at = static_cast<std::ptrdiff_t>(length); at > 0;) {
    const int id = word[static_cast<std::size_t>(at)];
    reversed.push_back(id);
    at -= utf16_length_[static_cast<std::size_t>(id)];
  }

  // pass 3: merge runs of unknown ids, then restore reading order.
  std::vector<std::int32_t> ids;
  ids.reserve(reversed.size());
  bool previous_unknown = false;
  for (const std::int32_t id : reversed) {
    if (!(previous_unknown && id == 0)) ids.push_back(id);
    previous_unknown = id == 0;
  }
  return std::vector<std::int32_t>(ids.rbegin(), ids.rend());
}

}  // namespace attention
