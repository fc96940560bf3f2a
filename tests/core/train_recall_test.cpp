// Associative recall at distance 64, the long-range task: every query is at
// least that far from its key, and what an average over the prefix keeps
// (which values occur, which were already asked) says nothing of the answer,
// so a model without attention cannot beat chance: the values of a sequence
// are distinct and every query picks a key afresh.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "attention/training.h"
#include "train/rng.h"
#include "train/tasks.h"

namespace {

using attention::TrainSettings;
using attention::TrainTask;

constexpr int kDistance = 64;

TrainSettings recall_settings() {
  TrainSettings s;
  s.task = TrainTask::recall;
  s.distance = kDistance;
  s.context = 128;  // room for all sixteen pairs at that distance
  return s;
}

// Every scored answer's key occurs earlier in the sequence; the nearest such
// occurrence in the pairs is at least kDistance tokens before the query.
TEST(Recall, AtDistance64EveryQueryIsFarFromItsKeyAndNothingButTheKeyGivesTheAnswer) {
  const TrainSettings s = recall_settings();
  attention::train::TaskData data(s);
  const int B = 64, T = s.context;
  std::vector<std::int32_t> ids(B * T), targets(B * T);
  attention::train::Rng rng(7);
  data.batch(ids.data(), targets.data(), B, rng, true);
  int answers = 0, repeated = 0;
  for (int b = 0; b < B; ++b) {
    const std::int32_t* seq = ids.data() + b * T;
    std::vector<int> seen(data.vocab(), 0);
    for (int t = 0; t < 32; t += 2) ++seen[seq[t + 1]];
    for (int v = 0; v < data.vocab(); ++v) ASSERT_LE(seen[v], 1) << "sequence " << b << " value " << v;
    std::vector<int> asked(data.vocab(), 0);
    for (int t = 0; t < T; ++t) {
      if (targets[b * T + t] < 0) continue;
      ++answers;
      if (asked[seq[t]]++ > 0) ++repeated;
      int key_at = -1;
      for (int j = 0; j < 32; j += 2) {
        if (seq[j] == seq[t]) key_at = j;
      }
      ASSERT_GE(key_at, 0) << "sequence " << b << ": the query at " << t << " has no key among the pairs";
      EXPECT_GE(t - key_at, kDistance) << "sequence " << b << ", query at " << t;
      EXPECT_EQ(targets[b * T + t], seq[key_at + 1]) << "the answer is the value after the key";
    }
  }
  EXPECT_EQ(answers, B * 16) << "sixteen pairs, sixteen queries in each sequence";
  // Drawn with repeats, so the keys not yet asked are no clue: sixteen draws
  // from sixteen keys repeat about six of them.
  EXPECT_GT(repeated, B * 3);
  EXPECT_LT(repeated, B * 9);
}

}  // namespace
