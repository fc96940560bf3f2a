// The Trainer: the same settings give the same losses bit for bit, paused or
// not, through a snapshot or not; AdamW and its schedule follow their
// formulas; a diverging run stops with a message and keeps its last good
// state; bad settings are refused by name before anything is allocated.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "attention/training.h"
#include "train/adamw.h"

namespace {

using attention::Trainer;
using attention::TrainSettings;
using attention::TrainTask;

TrainSettings small(TrainTask task = TrainTask::recall) {
  TrainSettings s;
  s.task = task;
  s.layers = 2;
  s.heads = 2;
  s.width = 16;
  s.context = 24;
  s.batch = 4;
  s.steps = 40;
  s.learning_rate = 3e-3;
  s.distance = 8;
  s.seed = 5;
  return s;
}

std::vector<double> losses(Trainer& t, int n) {
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(t.step().loss);
  return out;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(Trainer, TheSameSeedGivesTheSameLossCurveBitForBit) {
  Trainer a(small()), b(small());
  const auto la = losses(a, 12), lb = losses(b, 12);
  EXPECT_TRUE(same_bits(la, lb));
  EXPECT_EQ(a.parameters(), b.parameters());
  TrainSettings other = small();
  other.seed = 6;
  Trainer c(other);
  EXPECT_FALSE(same_bits(la, losses(c, 12))) << "another seed, another run";
}

TEST(Trainer, NStepsThenMStepsEqualNPlusMStepsEvenWithAnEvaluationBetween) {
  Trainer straight(small()), paused(small());
  const auto all = losses(straight, 10);
  auto first = losses(paused, 4);
  paused.evaluate();
  paused.attentions(paused.probe());
  const auto rest = losses(paused, 6);
  first.insert(first.end(), rest.begin(), rest.end());
  EXPECT_TRUE(same_bits(all, first));
  EXPECT_EQ(straight.parameters(), paused.parameters());
}

TEST(Trainer, ASnapshotRestoredIntoANewTrainerContinuesTheSameRun) {
  Trainer straight(small()), first(small());
  const auto all = losses(straight, 9);
  auto head = losses(first, 5);
  const auto bytes = first.snapshot();
  losses(first, 3);  // wander off; the restore brings it back
  Trainer second(small());
  second.restore(bytes);
  EXPECT_EQ(second.steps_done(), 5);
  const auto tail = losses(second, 4);
  head.insert(head.end(), tail.begin(), tail.end());
  EXPECT_TRUE(same_bits(all, head));
  first.restore(bytes);
  EXPECT_TRUE(same_bits(losses(first, 4), tail));
}

TEST(Trainer, RestoreRefusesASnapshotOfOtherSettingsOrBrokenBytes) {
  Trainer a(small());
  TrainSettings other = small();
  other.learning_rate = 1e-2;
  Trainer b(other);
  auto bytes = a.snapshot();
  EXPECT_THROW(b.restore(bytes), std::invalid_argument);
  bytes.pop_back();
  EXPECT_THROW(a.restore(bytes), std::invalid_argument);
  EXPECT_THROW(a.restore({1, 2, 3}), std::invalid_argument);
}

TEST(Trainer, AttentionAndBaselineStartFromTheSameParametersAndSeeTheSameBatches) {
  TrainSettings base = small();
  base.attention = false;
  Trainer a(small()), b(base);
  EXPECT_EQ(a.parameters(), b.parameters());
  const auto ra = a.step(), rb = b.step();
  // the first loss is that of near-identical near-uniform predictions on one batch
  EXPECT_NEAR(ra.loss, rb.loss, 1e-3);
  EXPECT_NE(a.parameters(), b.parameters());
}

TEST(Trainer, TheBaselinesAttentionIsTheUniformCausalAverage) {
  TrainSettings base = small();
  base.attention = false;
  Trainer b(base);
  const std::vector<std::int32_t> ids = {0, 1, 2, 3, 4};
  const auto att = b.attentions(ids);
  ASSERT_EQ(att.size(), 2u);
  ASSERT_EQ(att[0].size(), 2u * 5 * 5);
  EXPECT_FLOAT_EQ(att[1][5 * 5 + 3 * 5 + 2], 0.25f);  // head 1, query 3, key 2
  EXPECT_EQ(att[1][5 * 5 + 3 * 5 + 4], 0.0f);
}

TEST(Trainer, AttentionsOfEveryLayerAreCausalRowsThatSumToOne) {
  Trainer a(small());
  losses(a, 3);
  const auto att = a.attentions(a.probe());
  const int T = small().context, NH = small().heads;
  ASSERT_EQ(static_cast<int>(a.probe().size()), T);
  for (const auto& layer : att) {
    for (int h = 0; h < NH; ++h) {
      for (int i = 0; i < T; ++i) {
        double sum = 0;
        for (int j = 0; j < T; ++j) {
          const float w = layer[(h * T + i) * T + j];
          if (j > i) {
            EXPECT_EQ(w, 0.0f);
          }
          sum += w;
        }
        EXPECT_NEAR(sum, 1.0, 1e-5);
      }
    }
  }
  EXPECT_THROW(a.attentions({}), std::invalid_argument);
  EXPECT_THROW(a.attentions({0, 99}), std::invalid_argument);
}

TEST(Trainer, ALearningRateThatDivergesStopsTheRunAndKeepsTheLastGoodState) {
  TrainSettings s = small();
  s.learning_rate = 1e30;
  s.warmup = 0;
  Trainer t(s);
  int good = 0;
  std::vector<std::uint8_t> before;
  std::string message;
  for (int i = 0; i < 20; ++i) {
    const auto snap = t.snapshot();
    try {
      const auto r = t.step();
      EXPECT_TRUE(std::isfinite(r.loss));
      good = r.step;
      before = snap;
    } catch (const std::runtime_error& e) {
      message = e.what();
      break;
    }
  }
  ASSERT_FALSE(message.empty()) << "a learning rate of 1e30 diverges";
  EXPECT_NE(message.find("diverged"), std::string::npos) << message;
  EXPECT_EQ(t.status(), attention::TrainStatus::diverged);
  EXPECT_THROW(t.step(), std::runtime_error) << "a stopped run stays stopped";
  // back at the start of the last step whose loss was finite
  EXPECT_EQ(t.steps_done(), good - 1);
  EXPECT_EQ(t.snapshot(), before);
  for (float p : t.parameters()) ASSERT_TRUE(std::isfinite(p));
}

TEST(Trainer, SettingsOutOfBoundsAreRefusedByName) {
  auto refused = [](TrainSettings s, const std::string& field) {
    try {
      Trainer t(s);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what()).find(field) != std::string::npos;
    }
    return false;
  };
  TrainSettings s = small();
  s.heads = 3;
  EXPECT_TRUE(refused(s, "heads"));
  s = small();
  s.width = 100000;
  EXPECT_TRUE(refused(s, "width"));
  s = small();
  s.context = 100000;
  EXPECT_TRUE(refused(s, "context"));
  s = small();
  s.learning_rate = NAN;
  EXPECT_TRUE(refused(s, "learningRate"));
  s = small();
  s.distance = 23;
  EXPECT_TRUE(refused(s, "distance"));
  s = small(TrainTask::text);
  s.text = "too short";
  EXPECT_TRUE(refused(s, "text"));
  s = small();
  s.width = 512;
  s.layers = 12;
  s.context = 512;
  s.batch = 128;
  EXPECT_TRUE(refused(s, "MiB"));
  EXPECT_THROW(attention::parse_train_task("poetry"), std::invalid_argument);
}

TEST(AdamW, WarmsUpLinearlyThenFollowsTheCosineToTheFloor) {
  attention::train::AdamWSettings a;
  a.peak = 1.0;
  a.min_ratio = 0.1;
  a.warmup = 10;
  a.steps = 110;
  EXPECT_DOUBLE_EQ(attention::train::learning_rate_at(a, 0), 0.1);
  EXPECT_DOUBLE_EQ(attention::train::learning_rate_at(a, 9), 1.0);
  EXPECT_DOUBLE_EQ(attention::train::learning_rate_at(a, 10), 1.0);
  EXPECT_NEAR(attention::train::learning_rate_at(a, 60), 0.55, 1e-12);
  EXPECT_NEAR(attention::train::learning_rate_at(a, 110), 0.1, 1e-12);
  EXPECT_NEAR(attention::train::learning_rate_at(a, 500), 0.1, 1e-12);
}

TEST(AdamW, OneUpdateMatchesThePapersFormulaInFloat64) {
  attention::train::AdamWSettings a;
  a.peak = 0.01;
  a.warmup = 0;
  a.steps = 1;
  a.min_ratio = 1;
  a.weight_decay = 0.1;
  std::vector<float> p = {1.0f, -2.0f, 0.5f}, m = {0.1f, 0.0f, -0.2f}, v = {0.01f, 0.0f, 0.04f};
  const std::vector<float> g = {0.3f, -0.1f, 0.0f};
  const std::vector<std::uint8_t> decay = {1, 0, 1};
  const int step = 2;  // t = 3
  std::vector<double> want(3);
  for (int i = 0; i < 3; ++i) {
    const double mi = 0.9 * m[i] + 0.1 * g[i], vi = 0.95 * v[i] + 0.05 * g[i] * g[i];
    const double mh = mi / (1 - std::pow(0.9, 3)), vh = vi / (1 - std::pow(0.95, 3));
    want[i] = p[i] - 0.01 * (mh / (std::sqrt(vh) + 1e-8) + (decay[i] ? 0.1 * p[i] : 0.0));
  }
  attention::train::adamw_update(p.data(), m.data(), v.data(), g.data(), decay.data(), 3, a, step);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(p[i], want[i], 1e-6) << i;
}

TEST(AdamW, ClippingScalesTheGradientToTheGlobalNormAndNoFurther) {
  std::vector<float> g = {3, 4};
  const double norm = attention::train::global_norm(g.data(), 2);
  EXPECT_DOUBLE_EQ(norm, 5.0);
  attention::train::clip_by_norm(g.data(), 2, norm, 1.0);
  EXPECT_NEAR(g[0], 0.6, 1e-6);
  EXPECT_NEAR(g[1], 0.8, 1e-6);
  attention::train::clip_by_norm(g.data(), 2, 1.0, 2.0);  // under the limit: untouched
  EXPECT_NEAR(g[0], 0.6, 1e-6);
}

}  // namespace
