#include "train/tasks.h"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace attention::train {

namespace {

constexpr int kSymbols = 16;  // copy, reverse, induction: letters a..p
constexpr int kKeys = 16, kValues = 16;

std::vector<std::string> letters(char first, int n) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back(std::string(1, static_cast<char>(first + i)));
  return v;
}

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument(what); }

// UTF-8 to code points' byte strings; a malformed byte stands for itself.
std::vector<std::string> characters(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + n > text.size()) n = 1;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) n = 1;
    }
    out.push_back(text.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace

// Layout of recall: P pairs, a gap of filler, then P queries, each a key of
// the pairs followed by its value. Key i sits at 2i and the queries start at
// 2P + gap, so the nearest a key and its query can be is gap + 2:
// gap = distance - 2 at least, and P as large as the context then allows
// (up to the 16 keys), any rest widening the gap.
// What makes the accuracy mean something: the values of one sequence are
// distinct and each query picks one of the P keys afresh (with repeats), so
// knowing which values occur and which were already asked (all that an
// average over the prefix keeps) predicts an answer no better than 1 / P;
// with the full 16 pairs that is chance, 1 / 16. (Values drawn with repeats
// would let the commonest value be guessed, and each key asked once would let
// the values not yet answered be guessed, both well above chance.)
TaskData::TaskData(const TrainSettings& s) : settings_(s) {
  const int T = s.context;
  switch (s.task) {
    case TrainTask::copy:
    case TrainTask::reverse:
    case TrainTask::induction:
      names_ = letters('a', kSymbols);
      names_.push_back("|");
      names_.push_back(".");
      break;
    case TrainTask::sort:
      names_ = letters('0', 10);
      names_.push_back("|");
      names_.push_back(".");
      break;
    case TrainTask::recall: {
      if (s.distance < 2 || s.distance + 3 > T + 1) {
        fail("distance: expected 2 to " + std::to_string(T - 2) + " (context - 2) for a context of " +
             std::to_string(T) + ", got " + std::to_string(s.distance));
      }
      names_ = letters('a', kKeys);
      const auto values = letters('A', kValues);
      names_.insert(names_.end(), values.begin(), values.end());
      names_.push_back(".");
      break;
    }
    case TrainTask::text: {
      if (s.text.size() > kTrainMaxTextBytes) {
        fail("text: at most " + std::to_string(kTrainMaxTextBytes) + " bytes, got " + std::to_string(s.text.size()));
      }
      const auto chars = characters(s.text);
      const std::size_t need = 10 * (static_cast<std::size_t>(T) + 1);
      if (chars.size() < need) {
        fail("text: needs at least " + std::to_string(need) + " characters for a context of " + std::to_string(T) +
             " (a tenth is held out), got " + std::to_string(chars.size()));
      }
      std::map<std::string, int> ids;
      for (const auto& c : chars) ids.emplace(c, 0);
      if (ids.size() > 1024) fail("text: at most 1024 distinct characters, got " + std::to_string(ids.size()));
      for (auto& [c, id] : ids) {
        id = static_cast<int>(names_.size());
        names_.push_back(c);
      }
      text_.reserve(chars.size());
      for (const auto& c : chars) text_.push_back(ids[c]);
      split_ = text_.size() - text_.size() / 10;
      break;
    }
  }
}

void TaskData::sequence(std::int32_t* s, std::uint8_t* scored, Rng& rng, bool held_out) const {
  const int L = settings_.context + 1;  // T inputs and the token after the last
  const int sep = vocab() - 2, pad = vocab() - 1;
  std::fill(s, s + L, pad);
  std::fill(scored, scored + L, 0);
  switch (settings_.task) {
    case TrainTask::copy:
    case TrainTask::reverse:
    case TrainTask::sort: {
      const int n = (L - 1) / 2;
      const int symbols = settings_.task == TrainTask::sort ? 10 : kSymbols;
      for (int i = 0; i < n; ++i) s[i] = rng.below(symbols);
      s[n] = sep;
      for (int i = 0; i < n; ++i) s[n + 1 + i] = s[i];
      if (settings_.task == TrainTask::reverse) std::reverse(s + n + 1, s + 2 * n + 1);
      if (settings_.task == TrainTask::sort) std::sort(s + n + 1, s + 2 * n + 1);
      for (int i = 0; i < n; ++i) scored[n + 1 + i] = 1;
      break;
    }
    case TrainTask::induction: {
      const int n = L / 2;
      for (int i = 0; i < n; ++i) s[i] = s[n + i] = rng.below(kSymbols);
      for (int i = 1; i < n; ++i) scored[n + i] = 1;
      break;
    }
    case TrainTask::recall: {
      const int filler = vocab() - 1;
      const int pairs = std::min(kKeys, (L - (settings_.distance - 2)) / 4);
      int keys[kKeys];
      for (int i = 0; i < kKeys; ++i) keys[i] = i;
      for (int i = kKeys - 1; i > 0; --i) std::swap(keys[i], keys[rng.below(i + 1)]);  // distinct keys
      int values[kValues];
      for (int i = 0; i < kValues; ++i) values[i] = kKeys + i;
      for (int i = kValues - 1; i > 0; --i) std::swap(values[i], values[rng.below(i + 1)]);  // distinct values
      for (int i = 0; i < pairs; ++i) {
        s[2 * i] = keys[i];
        s[2 * i + 1] = values[i];
      }
      const int start = L - 2 * pairs;
      for (int i = 2 * pairs; i < start; ++i) s[i] = filler;
      for (int j = 0; j < pairs; ++j) {
        const int asked = rng.below(pairs);
        s[start + 2 * j] = keys[asked];
        s[start + 2 * j + 1] = values[asked];
        scored[start + 2 * j + 1] = 1;
      }
      break;
    }
    case TrainTask::text: {
      const std::size_t lo = held_out ? split_ : 0, hi = held_out ? text_.size() : split_;
      const std::size_t span = hi - lo - static_cast<std::size_t>(L) + 1;
      const std::size_t at = lo + static_cast<std::size_t>(rng.unit() * static_cast<double>(span));
      for (int i = 0; i < L; ++i) {
        s[i] = text_[std::min(at, hi - L) + i];
        scored[i] = 1;
      }
      break;
    }
  }
}

void TaskData::batch(std::int32_t* ids, std::int32_t* targets, int batch, Rng& rng, bool held_out) const {
  const int T = settings_.context;
  std::vector<std::int32_t> s(T + 1);
  std::vector<std::uint8_t> scored(T + 1);
  for (int b = 0; b < batch; ++b) {
    sequence(s.data(), scored.data(), rng, held_out);
    for (int t = 0; t < T; ++t) {
      ids[b * T + t] = s[t];
      targets[b * T + t] = scored[t + 1] ? s[t + 1] : -1;
    }
  }
}

}  // namespace attention::train
