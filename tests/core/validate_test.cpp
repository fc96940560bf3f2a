// Argument checks: every rejection is std::invalid_argument whose message
// names the offending argument, so the JS layer can pass it on unchanged.
#include <attention/attention.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>

namespace {

using attention::AttentionOptions;
using attention::AttentionShape;
using attention::MultiHeadShape;
using attention::Variant;

// Runs `call`, expects std::invalid_argument, and that its message contains `needle`.
::testing::AssertionResult throws_naming(const std::function<void()>& call,
                                         const std::string& needle) {
  try {
    call();
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).find(needle) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "message \"" << e.what() << "\" does not mention \"" << needle << "\"";
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw another exception: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw (expected a message naming \"" << needle
                                       << "\")";
}

AttentionShape valid_shape() {
  AttentionShape s;
  s.heads = 2;
  s.queries = 3;
  s.keys = 4;
  s.dim = 5;
  s.value_dim = 6;
  return s;
}

::testing::AssertionResult rejects(const AttentionShape& s, const AttentionOptions& o,
                                   const std::string& needle) {
  return throws_naming([&] { attention::validate_attention(s, o); }, needle);
}

TEST(ParseVariant, AcceptsEveryNameAndRoundTripsThroughVariantName) {
  for (Variant v : {Variant::scaled_dot, Variant::dot, Variant::general, Variant::additive,
                    Variant::hard, Variant::top_k}) {
    EXPECT_EQ(attention::parse_variant(attention::variant_name(v)), v)
        << attention::variant_name(v);
  }
  EXPECT_EQ(attention::parse_variant("scaled_dot"), Variant::scaled_dot);
  EXPECT_EQ(attention::parse_variant("top_k"), Variant::top_k);
}

TEST(ParseVariant, RejectsAnUnknownNameAndNamesIt) {
  EXPECT_TRUE(throws_naming([] { attention::parse_variant("softmax_plus"); }, "softmax_plus"));
  EXPECT_TRUE(throws_naming([] { attention::parse_variant(""); }, "variant"));
}

TEST(ParseVariant, IsCaseSensitiveAndRejectsNearMisses) {
  EXPECT_TRUE(throws_naming([] { attention::parse_variant("Dot"); }, "Dot"));
  EXPECT_TRUE(throws_naming([] { attention::parse_variant("top-k"); }, "top-k"));
  EXPECT_TRUE(throws_naming([] { attention::parse_variant("dot "); }, "dot "));
}

TEST(ParseVariant, MessageListsTheChoices) {
  EXPECT_TRUE(throws_naming([] { attention::parse_variant("x"); }, "scaled_dot"));
  EXPECT_TRUE(throws_naming([] { attention::parse_variant("x"); }, "top_k"));
}

TEST(ValidateAttention, AcceptsAValidShapeForEveryVariant) {
  const float w[25] = {}, v[3] = {};
  AttentionOptions o;
  for (Variant variant : {Variant::scaled_dot, Variant::dot, Variant::general, Variant::additive,
                          Variant::hard, Variant::top_k}) {
    o.variant = variant;
    o.general.W = w;
    o.additive.Wq = w;
    o.additive.Wk = w;
    o.additive.v = v;
    o.additive.da = 3;
    o.top_k.k = 2;
    EXPECT_NO_THROW(attention::validate_attention(valid_shape(), o))
        << attention::variant_name(variant);
  }
}

TEST(ValidateAttention, RejectsZeroAndNegativeTemperature) {
  AttentionOptions o;
  for (float t : {0.0f, -0.0f, -1.0f}) {
    o.temperature = t;
    EXPECT_TRUE(rejects(valid_shape(), o, "temperature")) << "temperature " << t;
  }
}

TEST(ValidateAttention, RejectsNanAndInfiniteTemperature) {
  AttentionOptions o;
  for (float t : {NAN, INFINITY}) {
    o.temperature = t;
    EXPECT_TRUE(rejects(valid_shape(), o, "temperature")) << "temperature " << t;
  }
}

TEST(ValidateAttention, RejectsZeroAndNegativeSizesNamingThem) {
  struct Field {
    int AttentionShape::*member;
    const char* name;
  };
  const Field fields[] = {{&AttentionShape::heads, "heads"},
                          {&AttentionShape::queries, "queries"},
                          {&AttentionShape::keys, "keys"},
                          {&AttentionShape::dim, "dim"},
                          {&AttentionShape::value_dim, "valueDim"}};
  for (const Field& f : fields) {
    for (int bad : {0, -1, -1000}) {
      AttentionShape s = valid_shape();
      s.*f.member = bad;
      EXPECT_TRUE(rejects(s, AttentionOptions{}, f.name)) << f.name << " = " << bad;
    }
  }
}

TEST(ValidateAttention, RejectsSizesOverTheMaximumExtent) {
  const int over = static_cast<int>(attention::kMaxExtent) + 1;
  AttentionShape s = valid_shape();
  s.keys = over;
  EXPECT_TRUE(rejects(s, AttentionOptions{}, "keys"));
  s = valid_shape();
  s.dim = over;
  EXPECT_TRUE(rejects(s, AttentionOptions{}, "dim"));
  s = valid_shape();
  s.heads = over;
  EXPECT_TRUE(rejects(s, AttentionOptions{}, "heads"));
}

TEST(ValidateAttention, AcceptsSizesAtTheMaximumExtent) {
  AttentionShape s;
  s.heads = 1;
  s.queries = 1;
  s.keys = static_cast<int>(attention::kMaxExtent);
  s.dim = 1;
  s.value_dim = 1;
  EXPECT_NO_THROW(attention::validate_attention(s, AttentionOptions{}));
}

TEST(ValidateAttention, RejectsTensorsOverTheFloatLimit) {
  // Each extent is allowed, but weights [H, NQ, NK] = 2^32 floats is not.
  AttentionShape s;
  s.heads = 1;
  s.queries = static_cast<int>(attention::kMaxExtent);
  s.keys = static_cast<int>(attention::kMaxExtent);
  s.dim = 1;
  s.value_dim = 1;
  EXPECT_TRUE(rejects(s, AttentionOptions{}, "weights"));
}

TEST(ValidateAttention, RejectsGeneralWithoutW) {
  AttentionOptions o;
  o.variant = Variant::general;
  EXPECT_TRUE(rejects(valid_shape(), o, "params.W"));
}

TEST(ValidateAttention, RejectsAdditiveWithAnyParameterMissing) {
  const float w[25] = {}, v[3] = {};
  AttentionOptions full;
  full.variant = Variant::additive;
  full.additive.Wq = w;
  full.additive.Wk = w;
  full.additive.v = v;
  full.additive.da = 3;
  AttentionOptions o = full;
  o.additive.Wq = nullptr;
  EXPECT_TRUE(rejects(valid_shape(), o, "params.Wq"));
  o = full;
  o.additive.Wk = nullptr;
  EXPECT_TRUE(rejects(valid_shape(), o, "params.Wk"));
  o = full;
  o.additive.v = nullptr;
  EXPECT_TRUE(rejects(valid_shape(), o, "params.v"));
}

TEST(ValidateAttention, RejectsAdditiveWithNoHiddenWidth) {
  const float w[25] = {}, v[3] = {};
  AttentionOptions o;
  o.variant = Variant::additive;
  o.additive.Wq = w;
  o.additive.Wk = w;
  o.additive.v = v;
  o.additive.da = 0;
  EXPECT_TRUE(rejects(valid_shape(), o, "da"));
}

TEST(ValidateAttention, RejectsTopKBelowOne) {
  AttentionOptions o;
  o.variant = Variant::top_k;
  for (int k : {0, -3}) {
    o.top_k.k = k;
    EXPECT_TRUE(rejects(valid_shape(), o, "params.k")) << "k = " << k;
  }
}

TEST(ValidateAttention, IgnoresParametersOfOtherVariants) {
  // top_k = 0 and missing W only matter to their own variants.
  AttentionOptions o;
  o.variant = Variant::scaled_dot;
  o.top_k.k = 0;
  EXPECT_NO_THROW(attention::validate_attention(valid_shape(), o));
}

TEST(ValidateAttention, RejectsANegativeWindowAndTakesNoWindowAsUnlimited) {
  AttentionOptions o;
  o.window = -2;
  EXPECT_TRUE(rejects(valid_shape(), o, "window"));
  o.window = -1;
  EXPECT_TRUE(rejects(valid_shape(), o, "window"));
  o.window.reset();
  EXPECT_NO_THROW(attention::validate_attention(valid_shape(), o));
}

TEST(ValidateAttention, RejectsANonFiniteExplicitScale) {
  AttentionOptions o;
  o.scale = NAN;
  EXPECT_TRUE(rejects(valid_shape(), o, "scale"));
}

TEST(ValidateMultiHead, RejectsHeadsThatDoNotDivideTheEmbedDim) {
  MultiHeadShape s;
  s.heads = 3;
  s.queries = 2;
  s.keys = 2;
  s.embed_dim = 8;
  EXPECT_TRUE(throws_naming([&] { attention::validate_multi_head(s); }, "heads"));
  s.heads = 4;
  EXPECT_NO_THROW(attention::validate_multi_head(s));
}

TEST(ValidateMultiHead, RejectsZeroSizesNamingThem) {
  MultiHeadShape s;
  s.heads = 1;
  s.queries = 2;
  s.keys = 2;
  s.embed_dim = 0;
  EXPECT_TRUE(throws_naming([&] { attention::validate_multi_head(s); }, "embedDim"));
  s.embed_dim = 4;
  s.keys = 0;
  EXPECT_TRUE(throws_naming([&] { attention::validate_multi_head(s); }, "keys"));
  s.keys = 2;
  s.heads = 0;
  EXPECT_TRUE(throws_naming([&] { attention::validate_multi_head(s); }, "heads"));
}

}  // namespace

namespace {

TEST(ValidateAttention, RejectsATemperatureSoSmallThatScaleOverTemperatureOverflows) {
  AttentionShape s{1, 1, 1, 1, 1};
  AttentionOptions o;
  o.temperature = 1e-40f;  // a positive float32 (denormal), but 1 / 1e-40 is infinite
  EXPECT_TRUE(throws_naming([&] { attention::validate_attention(s, o); }, "temperature: scale / temperature"));
}

TEST(AttentionForward, RefusesScoresThatOverflowFloat32InsteadOfReturningNaN) {
  // 1e20 * 1e20 is finite in float64 but infinite in float32.
  const float query[] = {1e20f};
  const float key[] = {1e20f, 1e19f};
  const float value[] = {1.0f, 2.0f};
  float out[1], weights[2];
  AttentionShape s{1, 1, 2, 1, 1};
  AttentionOptions o;
  o.variant = Variant::dot;
  EXPECT_TRUE(throws_naming(
      [&] { attention::attention_forward(out, weights, query, key, value, s, o); },
      "query, key: the score of head 0, query 0, key 0 overflows float32"));
}

}  // namespace
