// Each op's backward (core/src/train/) checked twice: its float64 reference
// against central finite differences of the float64 forward, and the float32
// backward against that reference on the same inputs. Tolerances in
// train_support.h. Sizes are odd and not multiples of any vector width.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "attention/attention.h"
#include "ops/activations.h"
#include "ops/matmul_bias.h"
#include "test_support.h"
#include "train/ops.h"
#include "train_support.h"

namespace {

using attention_test::random_floats;
using attention_test::Rng;
using namespace attention::train;
using train_test::dot;
using train_test::matches_differences;
using train_test::matches_reference;
using train_test::numeric_gradient;
using train_test::widen;

std::vector<double> zeros(std::size_t n) { return std::vector<double>(n, 0.0); }

TEST(TrainMatmul, BackwardMatchesDifferencesAndTheFloat32KernelMatchesIt) {
  Rng rng(101);
  for (int rows : {1, 5}) {
    for (int in : {3, 7}) {
      for (int out : {1, 9}) {
        const auto xf = random_floats(rng, rows * in, -2, 2), wf = random_floats(rng, in * out),
                   bf = random_floats(rng, out), dyf = random_floats(rng, rows * out);
        auto x = widen(xf), w = widen(wf), b = widen(bf);
        const auto dy = widen(dyf);
        auto loss = [&] {
          std::vector<double> y(rows * out);
          f64_matmul_forward_ref(y.data(), x.data(), w.data(), b.data(), rows, in, out);
          return dot(y, dy);
        };
        auto dx = zeros(x.size()), dw = zeros(w.size()), db = zeros(b.size());
        f64_matmul_backward_ref(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), rows, in, out);
        EXPECT_TRUE(matches_differences("dx", dx, numeric_gradient(loss, x)));
        EXPECT_TRUE(matches_differences("dW", dw, numeric_gradient(loss, w)));
        EXPECT_TRUE(matches_differences("db", db, numeric_gradient(loss, b)));

        std::vector<float> dx32(x.size(), 0), dw32(w.size(), 0), db32(b.size(), 0), wt(w.size());
        f32_matmul_backward(dx32.data(), dw32.data(), db32.data(), dyf.data(), xf.data(), wf.data(), wt.data(), rows,
                            in, out);
        EXPECT_TRUE(matches_reference("dx", dx32, dx));
        EXPECT_TRUE(matches_reference("dW", dw32, dw));
        EXPECT_TRUE(matches_reference("db", db32, db));
      }
    }
  }
}

TEST(TrainMatmul, TheTrainingForwardIsTheOpKernelBitForBit) {
  Rng rng(100);
  for (int rows : {1, 3, 4, 9}) {
    const int in = 13, out = 19;
    const auto x = random_floats(rng, rows * in), w = random_floats(rng, in * out), b = random_floats(rng, out);
    std::vector<float> got(rows * out), want(rows * out);
    f32_matmul_forward(got.data(), x.data(), w.data(), b.data(), rows, in, out);
    attention::f32_matmul_bias(want.data(), x.data(), w.data(), b.data(), rows, in, out);
    EXPECT_EQ(got, want) << "rows " << rows;
    f32_matmul_forward(got.data(), x.data(), w.data(), nullptr, rows, in, out);
    attention::f32_matmul_bias(want.data(), x.data(), w.data(), nullptr, rows, in, out);
    EXPECT_EQ(got, want) << "rows " << rows << " without bias";
  }
}

TEST(TrainMatmul, BackwardAccumulatesIntoWhatIsThere) {
  const std::vector<float> x = {1, 2}, w = {3, 4}, dy = {1};  // x [1, 2], W [2, 1]
  std::vector<float> dx = {10, 10}, dw = {10, 10}, db = {10}, wt(2);
  f32_matmul_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), wt.data(), 1, 2, 1);
  EXPECT_EQ(dx, (std::vector<float>{13, 14}));
  EXPECT_EQ(dw, (std::vector<float>{11, 12}));
  EXPECT_EQ(db, (std::vector<float>{11}));
}

TEST(TrainLayerNorm, BackwardMatchesDifferencesAndTheFloat32KernelMatchesIt) {
  Rng rng(102);
  for (int width : {1, 2, 5, 33}) {
    for (float offset : {0.0f, 50.0f}) {
      const int rows = 3;
      auto xf = random_floats(rng, rows * width, -2, 2);
      for (float& v : xf) v += offset;
      const auto sf = random_floats(rng, width, 0.5f, 2.0f), bf = random_floats(rng, width),
                 dyf = random_floats(rng, rows * width);
      auto x = widen(xf), sc = widen(sf), bi = widen(bf);
      const auto dy = widen(dyf);
      const double eps = 1e-5;
      auto loss = [&] {
        std::vector<double> y(x.size());
        f64_layer_norm_forward_ref(y.data(), x.data(), sc.data(), bi.data(), rows, width, eps);
        return dot(y, dy);
      };
      auto dx = zeros(x.size()), ds = zeros(width), db = zeros(width);
      f64_layer_norm_backward_ref(dx.data(), ds.data(), db.data(), dy.data(), x.data(), sc.data(), rows, width, eps);
      EXPECT_TRUE(matches_differences("dx", dx, numeric_gradient(loss, x))) << "C=" << width << " offset " << offset;
      EXPECT_TRUE(matches_differences("dscale", ds, numeric_gradient(loss, sc)));
      EXPECT_TRUE(matches_differences("dbias", db, numeric_gradient(loss, bi)));

      std::vector<float> dx32(x.size(), 0), ds32(width, 0), db32(width, 0);
      f32_layer_norm_backward(dx32.data(), ds32.data(), db32.data(), dyf.data(), xf.data(), sf.data(), rows, width,
                              1e-5f);
      // dx is rstd (g - mean g - xhat mean(g xhat)), a cancellation: its scale
      // is that of its terms, rstd |g|. A row at offset 50 also has x - mean
      // rounded at 50 * 6e-8 against a spread that can be a tenth.
      double terms = 0;
      for (int n = 0; n < rows; ++n) {
        double mean = 0, var = 0;
        for (int i = 0; i < width; ++i) mean += x[n * width + i] / width;
        for (int i = 0; i < width; ++i) var += (x[n * width + i] - mean) * (x[n * width + i] - mean) / width;
        for (int i = 0; i < width; ++i) terms = std::max(terms, std::abs(dy[n * width + i] * sc[i]) / std::sqrt(var + eps));
      }
      const double rel = offset == 0 ? 1e-4 : 1e-3;
      EXPECT_TRUE(matches_reference("dx", dx32, dx, rel, terms)) << "C=" << width << " offset " << offset;
      EXPECT_TRUE(matches_reference("dscale", ds32, ds, rel));
      EXPECT_TRUE(matches_reference("dbias", db32, db));
    }
  }
}

TEST(TrainGelu, BackwardMatchesDifferencesAcrossBothTails) {
  Rng rng(103);
  auto xf = random_floats(rng, 41, -6, 6);
  xf[0] = 0.0f;
  const auto dyf = random_floats(rng, xf.size());
  auto x = widen(xf);
  const auto dy = widen(dyf);
  auto loss = [&] {
    double s = 0;
    for (std::size_t i = 0; i < x.size(); ++i) s += attention::f64_gelu_tanh_ref(x[i]) * dy[i];
    return s;
  };
  auto dx = zeros(x.size());
  f64_gelu_tanh_backward_ref(dx.data(), dy.data(), x.data(), static_cast<long long>(x.size()));
  EXPECT_TRUE(matches_differences("dx", dx, numeric_gradient(loss, x)));
  std::vector<float> dx32(x.size(), 0);
  f32_gelu_tanh_backward(dx32.data(), dyf.data(), xf.data(), static_cast<long long>(x.size()));
  EXPECT_TRUE(matches_reference("dx", dx32, dx));

  // the forward that keeps tanh(u) gives the op's values, and the backward
  // that reads it gives the one that recomputes it
  std::vector<float> y(xf.size()), th(xf.size()), want_y = xf, dx_saved(xf.size(), 0);
  f32_gelu_tanh_forward(y.data(), th.data(), xf.data(), static_cast<long long>(xf.size()));
  attention::f32_gelu_tanh(want_y.data(), static_cast<long long>(xf.size()));
  EXPECT_EQ(y, want_y);
  f32_gelu_tanh_backward_saved(dx_saved.data(), dyf.data(), xf.data(), th.data(), static_cast<long long>(xf.size()));
  EXPECT_EQ(dx_saved, dx32);
}

TEST(TrainCausalAttention, BackwardMatchesDifferencesAndTheFloat32KernelMatchesIt) {
  Rng rng(104);
  for (int heads : {1, 3}) {
    for (int tokens : {1, 2, 7}) {
      for (int hs : {1, 5}) {
        const std::size_t n = static_cast<std::size_t>(heads) * tokens * hs;
        const auto qf = random_floats(rng, n, -2, 2), kf = random_floats(rng, n, -2, 2), vf = random_floats(rng, n),
                   df = random_floats(rng, n);
        auto q = widen(qf), k = widen(kf), v = widen(vf);
        const auto dout = widen(df);
        std::vector<double> att(static_cast<std::size_t>(heads) * tokens * tokens);
        auto loss = [&] {
          std::vector<double> out(n);
          f64_causal_attention_forward_ref(out.data(), att.data(), q.data(), k.data(), v.data(), heads, tokens, hs);
          return dot(out, dout);
        };
        loss();
        const auto att64 = att;
        auto dq = zeros(n), dk = zeros(n), dv = zeros(n);
        f64_causal_attention_backward_ref(dq.data(), dk.data(), dv.data(), dout.data(), q.data(), k.data(), v.data(),
                                          att64.data(), heads, tokens, hs);
        EXPECT_TRUE(matches_differences("dq", dq, numeric_gradient(loss, q)));
        EXPECT_TRUE(matches_differences("dk", dk, numeric_gradient(loss, k)));
        EXPECT_TRUE(matches_differences("dv", dv, numeric_gradient(loss, v)));

        // float32: the forward is the playground's kernel, the backward takes its weights
        std::vector<float> out32(n), att32(att.size());
        attention::AttentionOptions causal;
        causal.causal = true;
        attention::attention_forward(out32.data(), att32.data(), qf.data(), kf.data(), vf.data(),
                                     {heads, tokens, tokens, hs, hs}, causal);
        EXPECT_TRUE(matches_reference("weights", att32, att64));
        std::vector<float> dq32(n, 0), dk32(n, 0), dv32(n, 0);
        f32_causal_attention_backward(dq32.data(), dk32.data(), dv32.data(), df.data(), qf.data(), kf.data(),
                                      vf.data(), att32.data(), heads, tokens, hs);
        EXPECT_TRUE(matches_reference("dq", dq32, dq)) << heads << "x" << tokens << "x" << hs;
        EXPECT_TRUE(matches_reference("dk", dk32, dk));
        EXPECT_TRUE(matches_reference("dv", dv32, dv));
      }
    }
  }
}

TEST(TrainUniformAttention, IsTheMeanOfThePrefixAndItsBackwardMatchesDifferences) {
  Rng rng(105);
  const int heads = 2, tokens = 6, hs = 3;
  const std::size_t n = heads * tokens * hs;
  const auto vf = random_floats(rng, n), df = random_floats(rng, n);
  auto v = widen(vf);
  const auto dout = widen(df);
  auto loss = [&] {
    std::vector<double> out(n);
    f64_uniform_attention_forward_ref(out.data(), v.data(), heads, tokens, hs);
    return dot(out, dout);
  };
  auto dv = zeros(n);
  f64_uniform_attention_backward_ref(dv.data(), dout.data(), heads, tokens, hs);
  EXPECT_TRUE(matches_differences("dv", dv, numeric_gradient(loss, v)));

  std::vector<double> want(n);
  f64_uniform_attention_forward_ref(want.data(), v.data(), heads, tokens, hs);
  std::vector<float> out32(n), att32(heads * tokens * tokens), dv32(n, 0);
  f32_uniform_attention_forward(out32.data(), att32.data(), vf.data(), heads, tokens, hs);
  EXPECT_TRUE(matches_reference("out", out32, want));
  EXPECT_FLOAT_EQ(att32[3 * tokens + 0], 0.25f);  // query 3 weighs keys 0..3 by 1/4
  EXPECT_EQ(att32[3 * tokens + 4], 0.0f);         // and never a later key
  f32_uniform_attention_backward(dv32.data(), df.data(), heads, tokens, hs);
  EXPECT_TRUE(matches_reference("dv", dv32, dv));
}

TEST(TrainEmbedding, BackwardGathersEveryUseOfARowAndMatchesDifferences) {
  Rng rng(106);
  const int batch = 2, tokens = 4, width = 3, vocab = 5;
  const std::vector<std::int32_t> ids = {1, 1, 4, 0, 4, 2, 1, 3};  // id 1 three times, 4 twice
  auto wte = widen(random_floats(rng, vocab * width)), wpe = widen(random_floats(rng, tokens * width));
  const auto dx = widen(random_floats(rng, batch * tokens * width));
  auto loss = [&] {
    std::vector<double> x(dx.size());
    f64_embed_forward_ref(x.data(), wte.data(), wpe.data(), ids.data(), batch, tokens, width);
    return dot(x, dx);
  };
  auto dwte = zeros(wte.size()), dwpe = zeros(wpe.size());
  f64_embed_backward_ref(dwte.data(), dwpe.data(), dx.data(), ids.data(), batch, tokens, width);
  EXPECT_TRUE(matches_differences("dwte", dwte, numeric_gradient(loss, wte)));
  EXPECT_TRUE(matches_differences("dwpe", dwpe, numeric_gradient(loss, wpe)));
  std::vector<float> dwte32(wte.size(), 0), dwpe32(wpe.size(), 0), dx32(dx.begin(), dx.end());
  f32_embed_backward(dwte32.data(), dwpe32.data(), dx32.data(), ids.data(), batch, tokens, width);
  EXPECT_TRUE(matches_reference("dwte", dwte32, dwte));
  EXPECT_TRUE(matches_reference("dwpe", dwpe32, dwpe));
}

TEST(TrainCrossEntropy, GradientMatchesDifferencesAndUnscoredRowsGetNone) {
  Rng rng(107);
  const int rows = 5, vocab = 7;
  const std::vector<std::int32_t> targets = {3, -1, 0, 6, -1};
  auto zf = random_floats(rng, rows * vocab, -4, 4);
  zf[2 * vocab + 5] = 80.0f;  // exp(80) overflows float32 without the max subtraction
  auto z = widen(zf);
  auto loss = [&] { return f64_cross_entropy_ref(nullptr, z.data(), targets.data(), rows, vocab); };
  auto dz = zeros(z.size());
  const double want = f64_cross_entropy_ref(dz.data(), z.data(), targets.data(), rows, vocab);
  EXPECT_TRUE(matches_differences("dlogits", dz, numeric_gradient(loss, z)));
  std::vector<float> dz32(z.size(), 1.0f);
  int correct = 0, scored = 0;
  const double got = f32_cross_entropy(dz32.data(), &correct, &scored, zf.data(), targets.data(), rows, vocab);
  EXPECT_NEAR(got, want, 1e-5 * std::abs(want));
  EXPECT_TRUE(std::isfinite(got));
  EXPECT_TRUE(matches_reference("dlogits", dz32, dz));
  EXPECT_EQ(scored, 3);
  for (int v = 0; v < vocab; ++v) EXPECT_EQ(dz32[vocab + v], 0.0f) << "an unscored row has no gradient";
  int argmax_right = 0;
  for (int r = 0; r < rows; ++r) {
    if (targets[r] < 0) continue;
    int best = 0;
    for (int v = 1; v < vocab; ++v) best = zf[r * vocab + v] > zf[r * vocab + best] ? v : best;
    argmax_right += best == targets[r];
  }
  EXPECT_EQ(correct, argmax_right);
}

}  // namespace
