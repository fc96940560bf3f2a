// Tokens to queries, keys and values (text.h): deterministic, similar words
// close, every Unicode token handled by code points.
#include <attention/text.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using attention::embed_tokens;
using attention::feature_bucket;
using attention::seeded_projections;
using attention::text_qkv;
using attention::token_features;

std::vector<float> embed(const std::vector<std::string>& tokens, int dim,
                         float position_weight = attention::kDefaultPositionWeight) {
  std::vector<float> x(tokens.size() * dim);
  embed_tokens(x.data(), tokens, dim, position_weight);
  return x;
}

double cosine(const float* a, const float* b, int n) {
  double ab = 0, aa = 0, bb = 0;
  for (int i = 0; i < n; ++i) {
    ab += static_cast<double>(a[i]) * b[i];
    aa += static_cast<double>(a[i]) * a[i];
    bb += static_cast<double>(b[i]) * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// True if `s` is a sequence of whole UTF-8 code points (no cut sequence).
bool whole_code_points(const std::string& s) {
  std::size_t n = 0;
  while (n < s.size()) {
    const unsigned char c = s[n];
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3
                            : (c >> 3) == 0x1E                 ? 4
                                                               : 0;
    if (len == 0 || n + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[n + k]) & 0xC0) != 0x80) return false;
    }
    n += len;
  }
  return true;
}

TEST(TokenFeatures, OfCatIncludeItsNgramsAndTheWrappedWord) {
  const std::vector<std::string> f = token_features("cat");
  for (const char* expected : {"c", "a", "t", "<c", "ca", "at", "t>", "<ca", "cat", "at>", "<cat>"}) {
    EXPECT_TRUE(contains(f, expected)) << "missing feature \"" << expected << "\"";
  }
}

TEST(TokenFeatures, LeaveOutTheBareBrackets) {
  const std::vector<std::string> f = token_features("cat");
  EXPECT_FALSE(contains(f, "<"));
  EXPECT_FALSE(contains(f, ">"));
}

TEST(TokenFeatures, SplitCjkAndEmojiByCodePointNotByte) {
  for (const std::string token : {"猫", "😀", "naïve"}) {
    const std::vector<std::string> f = token_features(token);
    EXPECT_TRUE(contains(f, "<" + token + ">")) << token;
    for (const std::string& feature : f) {
      EXPECT_TRUE(whole_code_points(feature)) << "feature of \"" << token << "\" cuts a code point";
    }
  }
  for (const std::string token : {"猫", "😀"}) {
    const std::vector<std::string> f = token_features(token);
    for (const std::string& expected : {token, "<" + token, token + ">"}) {
      EXPECT_TRUE(contains(f, expected)) << "missing feature \"" << expected << "\"";
    }
  }
  EXPECT_TRUE(contains(token_features("naïve"), "aïv"));
}

TEST(FeatureBucket, IsInRangeWithSignPlusOrMinusOne) {
  int plus = 0, minus = 0;
  for (int dim : {1, 2, 7, 64, 100}) {
    for (const std::string token : {"cat", "dog", "attention", "猫", "😀"}) {
      for (const std::string& feature : token_features(token)) {
        int bucket = -1;
        float sign = 0;
        feature_bucket(feature, dim, &bucket, &sign);
        EXPECT_GE(bucket, 0) << feature << ", D=" << dim;
        EXPECT_LT(bucket, dim) << feature << ", D=" << dim;
        EXPECT_TRUE(sign == 1.0f || sign == -1.0f) << feature << " sign " << sign;
        (sign > 0 ? plus : minus) += 1;
      }
    }
  }
  // Both signs occur, or the hashed vectors would share a bias direction.
  EXPECT_GT(plus, 0);
  EXPECT_GT(minus, 0);
}

TEST(FeatureBucket, IsDeterministicAndSpreadsFeatures) {
  int b1, b2;
  float s1, s2;
  feature_bucket("<ca", 64, &b1, &s1);
  feature_bucket("<ca", 64, &b2, &s2);
  EXPECT_EQ(b1, b2);
  EXPECT_EQ(s1, s2);
  std::vector<int> used(64, 0);
  for (const std::string& feature : token_features("attention is all you need")) {
    int b;
    float s;
    feature_bucket(feature, 64, &b, &s);
    used[b] = 1;
  }
  EXPECT_GT(std::count(used.begin(), used.end(), 1), 20) << "features pile into few buckets";
}

TEST(EmbedTokens, IsDeterministic) {
  const std::vector<std::string> tokens = {"the", "cat", "sat", "猫", "😀"};
  EXPECT_EQ(embed(tokens, 32), embed(tokens, 32));
}

TEST(EmbedTokens, CatIsCloserToCatsThanToDog) {
  // Each word alone, so all three sit at position 0.
  for (int dim : {16, 32, 64}) {
    for (float position_weight : {0.0f, attention::kDefaultPositionWeight}) {
      const std::vector<float> cat = embed({"cat"}, dim, position_weight);
      const std::vector<float> cats = embed({"cats"}, dim, position_weight);
      const std::vector<float> dog = embed({"dog"}, dim, position_weight);
      EXPECT_GT(cosine(cat.data(), cats.data(), dim), cosine(cat.data(), dog.data(), dim))
          << "D=" << dim << ", position weight " << position_weight;
    }
  }
}

TEST(EmbedTokens, WithoutPositionHaveNormSqrtDim) {
  // x = sqrt(D) h / |h| when position_weight = 0
  const int dim = 24;
  const std::vector<float> x = embed({"cat", "猫", "😀", "a"}, dim, 0.0f);
  for (int t = 0; t < 4; ++t) {
    double norm2 = 0;
    for (int i = 0; i < dim; ++i) norm2 += static_cast<double>(x[t * dim + i]) * x[t * dim + i];
    EXPECT_NEAR(std::sqrt(norm2), std::sqrt(static_cast<double>(dim)), 1e-4) << "token " << t;
  }
}

TEST(EmbedTokens, SameTokenAtDifferentPositionsDiffersOnlyWithPositionWeight) {
  const int dim = 16;
  const std::vector<float> with = embed({"cat", "cat"}, dim);
  const std::vector<float> without = embed({"cat", "cat"}, dim, 0.0f);
  EXPECT_FALSE(std::equal(with.begin(), with.begin() + dim, with.begin() + dim));
  EXPECT_TRUE(std::equal(without.begin(), without.begin() + dim, without.begin() + dim));
}

TEST(EmbedTokens, HandleEmojiAndCjkTokens) {
  const int dim = 16;
  const std::vector<float> x = embed({"😀", "猫", "🐈‍⬛"}, dim);
  for (std::size_t n = 0; n < x.size(); ++n) ASSERT_TRUE(std::isfinite(x[n])) << "x[" << n << "]";
  EXPECT_NE(std::vector<float>(x.begin(), x.begin() + dim),
            std::vector<float>(x.begin() + dim, x.begin() + 2 * dim));
}

TEST(SeededProjections, EqualSeedsGiveEqualMatrices) {
  const int heads = 2, dim = 8;
  // different fills, so the test fails if an element is left unwritten
  std::vector<float> a(heads * 3 * dim * dim, 0.0f), b(a.size(), NAN);
  seeded_projections(a.data(), heads, dim, 42);
  seeded_projections(b.data(), heads, dim, 42);
  EXPECT_EQ(a, b);
}

TEST(SeededProjections, DifferentSeedsGiveDifferentMatrices) {
  const int heads = 2, dim = 8;
  std::vector<float> a(heads * 3 * dim * dim), b(a.size());
  seeded_projections(a.data(), heads, dim, 42);
  seeded_projections(b.data(), heads, dim, 43);
  EXPECT_NE(a, b);
}

TEST(SeededProjections, EveryHeadAndRoleGetsItsOwnNearIdentityMatrix) {
  const int heads = 3, dim = 16, plane = dim * dim;
  std::vector<float> w(heads * 3 * plane);
  seeded_projections(w.data(), heads, dim, 7);
  for (int m = 0; m < heads * 3; ++m) {
    double diagonal = 0, off_diagonal2 = 0;
    for (int i = 0; i < dim; ++i) {
      for (int j = 0; j < dim; ++j) {
        const double x = w[m * plane + i * dim + j];
        if (i == j) {
          diagonal += x;
        } else {
          off_diagonal2 += x * x;
        }
      }
    }
    // I + 0.5 G, G ~ N(0, 1/D): mean diagonal ~1, off-diagonal variance 0.25/D
    EXPECT_NEAR(diagonal / dim, 1.0, 0.3) << "matrix " << m;
    EXPECT_NEAR(off_diagonal2 / (dim * (dim - 1)), 0.25 / dim, 0.1 / dim) << "matrix " << m;
    for (int other = 0; other < m; ++other) {
      EXPECT_FALSE(std::equal(w.begin() + m * plane, w.begin() + (m + 1) * plane,
                              w.begin() + other * plane))
          << "matrices " << other << " and " << m << " are equal";
    }
  }
}

TEST(TextQkv, FillsHeadsByTokensByDimAndNothingMore) {
  const std::vector<std::string> tokens = {"the", "cat", "sat", "on", "the", "mat", "猫"};
  const int heads = 3, dim = 12, T = static_cast<int>(tokens.size());
  const std::size_t size = static_cast<std::size_t>(heads) * T * dim;
  // one guard float past each tensor catches writes beyond [H, T, D]
  std::vector<float> q(size + 1, NAN), k(size + 1, NAN), v(size + 1, NAN);
  text_qkv(q.data(), k.data(), v.data(), tokens, heads, dim, 5, attention::kDefaultPositionWeight);
  for (const std::vector<float>* t : {&q, &k, &v}) {
    for (std::size_t n = 0; n < size; ++n) ASSERT_TRUE(std::isfinite((*t)[n])) << "element " << n;
    EXPECT_TRUE(std::isnan((*t)[size])) << "wrote past [H, T, D]";
  }
}

TEST(TextQkv, EqualsSeededProjectionsOfTheEmbedding) {
  // q[h, t] = W[h][0] x_t, k = W[h][1] x_t, v = W[h][2] x_t
  const std::vector<std::string> tokens = {"attention", "is", "all", "you", "need"};
  const int heads = 2, dim = 8, T = static_cast<int>(tokens.size());
  const std::uint64_t seed = 1234;
  std::vector<float> q(heads * T * dim), k(q.size()), v(q.size());
  text_qkv(q.data(), k.data(), v.data(), tokens, heads, dim, seed, 0.3f);
  const std::vector<float> x = embed(tokens, dim, 0.3f);
  std::vector<float> w(heads * 3 * dim * dim);
  seeded_projections(w.data(), heads, dim, seed);
  const std::vector<float>* outputs[3] = {&q, &k, &v};
  for (int h = 0; h < heads; ++h) {
    for (int r = 0; r < 3; ++r) {
      for (int t = 0; t < T; ++t) {
        for (int i = 0; i < dim; ++i) {
          double want = 0, magnitude = 0;
          for (int j = 0; j < dim; ++j) {
            const double term = static_cast<double>(w[((h * 3 + r) * dim + i) * dim + j]) * x[t * dim + j];
            want += term;
            magnitude += std::abs(term);
          }
          const float got = (*outputs[r])[(h * T + t) * dim + i];
          EXPECT_NEAR(got, want, 1e-5 + 1e-5 * magnitude)
              << "head " << h << ", role " << r << ", token " << t << ", component " << i;
        }
      }
    }
  }
}

TEST(TextQkv, IsDeterministicAndChangesWithTheSeed) {
  const std::vector<std::string> tokens = {"😀", "猫", "cat"};
  const int heads = 2, dim = 8;
  auto run = [&](std::uint64_t seed) {
    std::vector<float> q(heads * 3 * dim), k(q.size()), v(q.size());
    text_qkv(q.data(), k.data(), v.data(), tokens, heads, dim, seed, 0.5f);
    q.insert(q.end(), k.begin(), k.end());
    q.insert(q.end(), v.begin(), v.end());
    return q;
  };
  EXPECT_EQ(run(9), run(9));
  EXPECT_NE(run(9), run(10));
}

TEST(SeededVariantParams, AreReproducibleFromTheSeed) {
  const int dim = 6;
  std::vector<float> g1(dim * dim), g2(dim * dim), g3(dim * dim);
  attention::seeded_general_params(g1.data(), dim, 3);
  attention::seeded_general_params(g2.data(), dim, 3);
  attention::seeded_general_params(g3.data(), dim, 4);
  EXPECT_EQ(g1, g2);
  EXPECT_NE(g1, g3);

  std::vector<float> wq1(dim * dim), wk1(dim * dim), v1(dim), wq2(dim * dim), wk2(dim * dim), v2(dim);
  attention::seeded_additive_params(wq1.data(), wk1.data(), v1.data(), dim, 3);
  attention::seeded_additive_params(wq2.data(), wk2.data(), v2.data(), dim, 3);
  EXPECT_EQ(wq1, wq2);
  EXPECT_EQ(wk1, wk2);
  EXPECT_EQ(v1, v2);
  EXPECT_NE(wq1, wk1);
  EXPECT_NE(wq1, g1) << "additive and general parameters share a stream";
}

}  // namespace
