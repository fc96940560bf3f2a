// The whole GPT's gradient: the float64 reference against central finite
// differences for every parameter of a small model, and the float32 model
// (loss and every tensor of the gradient) against the reference, with
// attention and with the baseline's uniform average. Tolerances in
// train_support.h; the float32 gradient of the whole model gets a relative
// 1e-3 of each tensor's largest entry, its error being the sum of the ops'.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "train/gpt.h"
#include "train/rng.h"
#include "train_support.h"

namespace {

using namespace attention::train;
using train_test::matches_differences;
using train_test::matches_reference;
using train_test::numeric_gradient;

// Parameters far from GPT-2's small initialisation, so every path carries a
// gradient of order one: weights normal(0, 0.5), gains around 1, biases nonzero.
std::vector<float> lively_params(const GptShape& s, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<float> p(gpt_layout(s).total);
  for (const ParamTensor& t : gpt_tensors(s)) {
    const bool gain = t.name.find("ln_") != std::string::npos && t.name.find("weight") != std::string::npos;
    for (std::size_t i = 0; i < t.size(); ++i) {
      p[t.offset + i] = static_cast<float>(gain ? 1.0 + 0.2 * rng.normal() : 0.5 * rng.normal());
    }
  }
  return p;
}

struct Batch {
  int batch = 2, tokens = 5;
  std::vector<std::int32_t> ids = {0, 3, 6, 2, 2, 5, 1, 4, 0, 6};
  std::vector<std::int32_t> targets = {3, -1, 2, 2, 5, 1, 4, -1, 6, 0};
};

class TrainGpt : public ::testing::TestWithParam<bool> {
 protected:
  GptShape shape() const {
    GptShape s;
    s.vocab = 7;
    s.context = 6;
    s.layers = 2;
    s.heads = 2;
    s.width = 6;
    s.attention = GetParam();
    return s;
  }
};

TEST_P(TrainGpt, ReferenceGradientMatchesCentralDifferencesForEveryParameter) {
  const GptShape s = shape();
  const Batch b;
  const auto p32 = lively_params(s, 7);
  std::vector<double> p(p32.begin(), p32.end()), grads(p.size(), 0.0);
  gpt_reference_f64(grads.data(), p.data(), s, b.ids.data(), b.targets.data(), b.batch, b.tokens);
  auto loss = [&] { return gpt_reference_f64(nullptr, p.data(), s, b.ids.data(), b.targets.data(), b.batch, b.tokens); };
  const auto numeric = numeric_gradient(loss, p);
  for (const ParamTensor& t : gpt_tensors(s)) {
    std::vector<double> a(grads.begin() + t.offset, grads.begin() + t.offset + t.size());
    std::vector<double> n(numeric.begin() + t.offset, numeric.begin() + t.offset + t.size());
    EXPECT_TRUE(matches_differences(t.name, a, n));
  }
}

TEST_P(TrainGpt, Float32LossAndGradientMatchTheReferenceTensorByTensor) {
  const GptShape s = shape();
  const Batch b;
  const auto p32 = lively_params(s, 8);
  std::vector<double> p(p32.begin(), p32.end()), want(p.size(), 0.0);
  const double want_loss = gpt_reference_f64(want.data(), p.data(), s, b.ids.data(), b.targets.data(), b.batch, b.tokens);

  GptActivations a;
  gpt_allocate(a, s, b.batch, b.tokens);
  const LossResult r = gpt_forward(a, p32.data(), s, b.ids.data(), b.targets.data(), true);
  std::vector<float> got(p.size(), 0.0f);
  gpt_backward(got.data(), a, p32.data(), s, b.ids.data());
  EXPECT_NEAR(r.loss, want_loss, 1e-5 * want_loss);
  EXPECT_EQ(r.scored, 8);
  for (const ParamTensor& t : gpt_tensors(s)) {
    std::vector<float> g(got.begin() + t.offset, got.begin() + t.offset + t.size());
    std::vector<double> w(want.begin() + t.offset, want.begin() + t.offset + t.size());
    EXPECT_TRUE(matches_reference(t.name, g, w, 1e-3));
  }
}

TEST_P(TrainGpt, ALongerBatchAtGpt2sInitialisationAlsoMatches) {
  GptShape s = shape();
  s.vocab = 11;
  s.context = 19;
  s.width = 12;
  s.heads = 3;
  Rng rng(9);
  std::vector<float> p32(gpt_layout(s).total);
  gpt_init(p32.data(), s, rng);
  const int B = 3, T = 19;
  std::vector<std::int32_t> ids(B * T), targets(B * T);
  for (int i = 0; i < B * T; ++i) {
    ids[i] = rng.below(s.vocab);
    targets[i] = i % 4 == 0 ? -1 : rng.below(s.vocab);
  }
  std::vector<double> p(p32.begin(), p32.end()), want(p.size(), 0.0);
  const double want_loss = gpt_reference_f64(want.data(), p.data(), s, ids.data(), targets.data(), B, T);
  GptActivations a;
  gpt_allocate(a, s, B, T);
  const LossResult r = gpt_forward(a, p32.data(), s, ids.data(), targets.data(), true);
  std::vector<float> got(p.size(), 0.0f);
  gpt_backward(got.data(), a, p32.data(), s, ids.data());
  EXPECT_NEAR(r.loss, want_loss, 1e-5 * want_loss);
  EXPECT_NEAR(r.loss, std::log(11.0), 0.05) << "a fresh GPT-2 predicts nearly uniformly";
  for (const ParamTensor& t : gpt_tensors(s)) {
    std::vector<float> g(got.begin() + t.offset, got.begin() + t.offset + t.size());
    std::vector<double> w(want.begin() + t.offset, want.begin() + t.offset + t.size());
    EXPECT_TRUE(matches_reference(t.name, g, w, 1e-3));
  }
}

TEST(TrainGptLayout, NamesAndShapesAreGpt2LMHeadModelsAndTileTheBuffer) {
  GptShape s;
  s.vocab = 10;
  s.context = 8;
  s.layers = 2;
  s.heads = 2;
  s.width = 4;
  const auto tensors = gpt_tensors(s);
  std::size_t next = 0;
  for (const ParamTensor& t : tensors) {
    EXPECT_EQ(t.offset, next) << t.name;
    next += t.size();
  }
  EXPECT_EQ(next, gpt_layout(s).total);
  EXPECT_EQ(tensors[0].name, "transformer.wte.weight");
  EXPECT_EQ(tensors[4].name, "transformer.h.0.attn.c_attn.weight");
  EXPECT_EQ(tensors[4].rows, 4);
  EXPECT_EQ(tensors[4].cols, 12);  // Conv1D [in, out]
  EXPECT_EQ(tensors.back().name, "transformer.ln_f.bias");
}

INSTANTIATE_TEST_SUITE_P(AttentionAndBaseline, TrainGpt, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "attention" : "baseline"; });

}  // namespace
