// The built-in tasks: each a vocabulary and a generator of sequences from a
// Rng. A batch is ids [B, T] and targets [B, T] with targets[t] = the token
// after position t where that token is scored (an answer), -1 elsewhere;
// accuracy over the scored tokens alone is what the task measures.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attention/training.h"
#include "train/rng.h"

namespace attention::train {

class TaskData {
 public:
  // Throws std::invalid_argument when the task cannot fill a sequence of
  // settings.context tokens (recall's distance, a text too short or with
  // too many distinct characters).
  explicit TaskData(const TrainSettings& settings);
  int vocab() const { return static_cast<int>(names_.size()); }
  const std::vector<std::string>& names() const { return names_; }
  // ids and targets [batch, context]; held_out draws text windows from the
  // last tenth (synthetic tasks have no split: their held-out batches come
  // from a stream of their own).
  void batch(std::int32_t* ids, std::int32_t* targets, int batch, Rng& rng, bool held_out) const;

 private:
  void sequence(std::int32_t* s, std::uint8_t* scored, Rng& rng, bool held_out) const;
  TrainSettings settings_;
  std::vector<std::string> names_;
  std::vector<std::int32_t> text_;  // the text's ids
  std::size_t split_ = 0;           // text_[split_..] is held out
};

}  // namespace attention::train
