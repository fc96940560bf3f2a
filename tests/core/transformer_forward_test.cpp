// The whole forward pass (attention/transformer.h) against its float64
// reference, on tiny random models of each family's shape: GPT-2 (pre-norm,
// causal, GELU tanh, learned positions, final norm), BERT (post-norm, GELU
// erf, token types, embedding norm, [CLS] pooler) and USE (pre-norm, ReLU,
// sinusoidal positions, a layer that widens the stream, mean pooling, L2).
// Tolerances: attention weights within 1e-5; hidden states and embeddings
// within 1e-4 relative to the largest magnitude of the tensor (two or three
// float32 layers of sums of a few dozen terms each).
#include <attention/attention.h>
#include <attention/transformer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_support.h"

namespace {

using attention::TransformerConfig;
using attention::TransformerWeights;
using attention_test::random_floats;
using attention_test::Rng;

// A config's weights, random, owned here.
struct TinyModel {
  TransformerConfig config;
  TransformerWeights weights;
  std::vector<std::vector<float>> buffers;

  const float* add(Rng& rng, std::size_t n, float lo = -0.5f, float hi = 0.5f) {
    buffers.push_back(random_floats(rng, n, lo, hi));
    return buffers.back().data();
  }

  explicit TinyModel(TransformerConfig c, std::uint64_t seed) : config(std::move(c)) {
    buffers.reserve(64);
    Rng rng(seed);
    const int C0 = config.layers.front().width_in;
    weights.token_embedding = add(rng, static_cast<std::size_t>(config.vocab) * C0, -1, 1);
    if (config.positions == attention::Positions::learned) weights.position_embedding = add(rng, static_cast<std::size_t>(config.max_tokens) * C0);
    if (config.positions == attention::Positions::sinusoidal) weights.inv_timescales = add(rng, C0 / 2, 0.01f, 1.0f);
    if (config.token_types > 0) weights.token_type_embedding = add(rng, static_cast<std::size_t>(config.token_types) * C0);
    if (config.embedding_norm) {
      weights.embedding_norm_scale = add(rng, C0, 0.5f, 1.5f);
      weights.embedding_norm_bias = add(rng, C0);
    }
    for (const attention::TransformerLayerConfig& L : config.layers) {
      const std::size_t C = L.width_in, C2 = L.width_out, F = L.ffn_width;
      const std::size_t norm1 = config.norm == attention::NormPlacement::pre ? C : C2;
      attention::TransformerLayerWeights W;
      W.attn_norm_scale = add(rng, norm1, 0.5f, 1.5f);
      W.attn_norm_bias = add(rng, norm1);
      W.qkv = add(rng, C * 3 * C);
      W.qkv_bias = add(rng, 3 * C);
      W.out = add(rng, C * C2);
      W.out_bias = add(rng, C2);
      if (C != C2) {
        W.residual = add(rng, C * C2);
        W.residual_bias = add(rng, C2);
      }
      W.ffn_norm_scale = add(rng, C2, 0.5f, 1.5f);
      W.ffn_norm_bias = add(rng, C2);
      W.ffn_up = add(rng, C2 * F);
      W.ffn_up_bias = add(rng, F);
      W.ffn_down = add(rng, F * C2);
      W.ffn_down_bias = add(rng, C2);
      weights.layers.push_back(W);
    }
    const std::size_t CL = config.layers.back().width_out;
    if (config.final_norm) {
      weights.final_norm_scale = add(rng, CL, 0.5f, 1.5f);
      weights.final_norm_bias = add(rng, CL);
    }
    if (config.pool_dense_tanh) {
      weights.pool = add(rng, CL * CL);
      weights.pool_bias = add(rng, CL);
    }
  }
};

TransformerConfig gpt2_shape() {
  TransformerConfig c;
  c.name = "tiny gpt2";
  c.vocab = 23;
  c.max_tokens = 16;
  c.positions = attention::Positions::learned;
  c.norm = attention::NormPlacement::pre;
  c.activation = attention::Activation::gelu_tanh;
  c.causal = true;
  c.final_norm = true;
  c.layers = {{12, 12, 3, 20, 0}, {12, 12, 3, 20, 0}};
  return c;
}

TransformerConfig bert_shape() {
  TransformerConfig c;
  c.name = "tiny bert";
  c.vocab = 19;
  c.max_tokens = 12;
  c.token_types = 2;
  c.positions = attention::Positions::learned;
  c.embedding_norm = true;
  c.norm = attention::NormPlacement::post;
  c.norm_eps = 1e-12f;
  c.activation = attention::Activation::gelu_erf;
  c.layers = {{10, 10, 2, 13, 0}, {10, 10, 2, 13, 0}, {10, 10, 2, 13, 0}};
  c.pooling = attention::Pooling::first;
  c.pool_dense_tanh = true;
  return c;
}

TransformerConfig use_shape() {
  TransformerConfig c;
  c.name = "tiny use";
  c.vocab = 17;
  c.max_tokens = 10;
  c.embedding_multiplier = 2;
  c.positions = attention::Positions::sinusoidal;
  c.norm = attention::NormPlacement::pre;
  c.norm_eps = 1e-6f;
  c.activation = attention::Activation::relu;
  c.layers = {{8, 12, 2, 18, 0.5f}, {12, 12, 3, 18, 0}};
  c.pooling = attention::Pooling::mean;
  c.pool_dense_tanh = true;
  c.l2_normalize = true;
  return c;
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

void expect_matches_reference(const TinyModel& m, const std::vector<std::int32_t>& ids,
                              const std::vector<std::int32_t>* types = nullptr) {
  const int T = static_cast<int>(ids.size());
  const std::int32_t* type_ids = types ? types->data() : nullptr;
  const auto got = attention::transformer_forward(m.config, m.weights, ids.data(), type_ids, T);
  const auto want = attention::transformer_reference_f64(m.config, m.weights, ids.data(), type_ids, T);
  ASSERT_EQ(got.attentions.size(), m.config.layers.size());
  for (std::size_t l = 0; l < got.attentions.size(); ++l) {
    const int NH = m.config.layers[l].heads;
    ASSERT_EQ(got.attentions[l].size(), static_cast<std::size_t>(NH) * T * T);
    for (std::size_t i = 0; i < got.attentions[l].size(); ++i) {
      ASSERT_NEAR(got.attentions[l][i], want.attentions[l][i], 1e-5) << m.config.name << " layer " << l << " at " << i << ", T=" << T;
    }
  }
  const double hidden_tol = 1e-4 * std::max(1.0, max_abs(want.hidden));
  ASSERT_EQ(got.hidden.size(), want.hidden.size());
  for (std::size_t i = 0; i < got.hidden.size(); ++i) {
    ASSERT_NEAR(got.hidden[i], want.hidden[i], hidden_tol) << m.config.name << " hidden at " << i << ", T=" << T;
  }
  ASSERT_EQ(got.embedding.size(), want.embedding.size());
  for (std::size_t i = 0; i < got.embedding.size(); ++i) {
    ASSERT_NEAR(got.embedding[i], want.embedding[i], 1e-4) << m.config.name << " embedding at " << i;
  }
}

TEST(TransformerForward, Gpt2ShapeMatchesTheFloat64Reference) {
  const TinyModel m(gpt2_shape(), 101);
  expect_matches_reference(m, {4});
  expect_matches_reference(m, {1, 22, 5, 5, 0, 9, 13});
  expect_matches_reference(m, std::vector<std::int32_t>(16, 7));
}

TEST(TransformerForward, BertShapeMatchesTheFloat64Reference) {
  const TinyModel m(bert_shape(), 102);
  const std::vector<std::int32_t> ids{2, 7, 7, 18, 3}, types{0, 0, 0, 1, 1};
  expect_matches_reference(m, ids, &types);
  expect_matches_reference(m, ids);  // no types: all of type 0
}

TEST(TransformerForward, UseShapeWithAWideningLayerMatchesTheFloat64Reference) {
  const TinyModel m(use_shape(), 103);
  expect_matches_reference(m, {3});
  expect_matches_reference(m, {0, 16, 2, 9, 9, 1, 4, 11, 5, 6});
}

TEST(TransformerForward, CausalRowsSumToOneAndGiveNoWeightToLaterTokens) {
  const TinyModel m(gpt2_shape(), 104);
  const std::vector<std::int32_t> ids{3, 1, 4, 1, 5, 9};
  const int T = 6;
  const auto got = attention::transformer_forward(m.config, m.weights, ids.data(), nullptr, T);
  for (const auto& att : got.attentions) {
    for (int h = 0; h < 3; ++h) {
      for (int i = 0; i < T; ++i) {
        double sum = 0;
        for (int j = 0; j < T; ++j) {
          const float w = att[(h * T + i) * T + j];
          if (j > i) {
            ASSERT_EQ(w, 0.0f) << "head " << h << " query " << i << " key " << j;
          }
          sum += w;
        }
        ASSERT_NEAR(sum, 1.0, 1e-5);
      }
    }
  }
}

TEST(TransformerForward, KeepsEachLayersQueriesKeysValuesAndHeadOutputsAsTheAttentionSawThem) {
  const TinyModel m(use_shape(), 109);
  const std::vector<std::int32_t> ids{5, 6, 7, 1};
  const int T = 4;
  const auto got = attention::transformer_forward(m.config, m.weights, ids.data(), nullptr, T);
  ASSERT_EQ(got.layers.size(), 2u);
  for (std::size_t l = 0; l < 2; ++l) {
    const auto& L = got.layers[l];
    const int NH = m.config.layers[l].heads, HS = m.config.layers[l].width_in / NH;
    ASSERT_EQ(L.query.size(), static_cast<std::size_t>(NH) * T * HS);
    // Recomputing attention from the kept Q, K, V gives the kept weights and outputs.
    std::vector<float> out(L.output.size()), weights(got.attentions[l].size());
    attention::AttentionOptions options;
    options.scale = L.scale;
    attention::attention_forward(out.data(), weights.data(), L.query.data(), L.key.data(), L.value.data(), {NH, T, T, HS, HS}, options);
    EXPECT_EQ(weights, got.attentions[l]);
    EXPECT_EQ(out, L.output);
  }
  EXPECT_FLOAT_EQ(got.layers[0].scale, 0.5f) << "the config's q_scale";
  EXPECT_FLOAT_EQ(got.layers[1].scale, 1.0f / std::sqrt(4.0f)) << "1/sqrt(HS) when the config gives none";
}

TEST(TransformerForward, TheUseEmbeddingIsAUnitVector) {
  const TinyModel m(use_shape(), 105);
  const std::vector<std::int32_t> ids{5, 6, 7};
  const auto got = attention::transformer_forward(m.config, m.weights, ids.data(), nullptr, 3);
  double norm = 0;
  for (float e : got.embedding) norm += e * e;
  EXPECT_NEAR(norm, 1.0, 1e-5);
  EXPECT_EQ(got.hidden.size(), 3u * 12u) << "the last layer's width";
}

std::string refusal(const TinyModel& m, const std::vector<std::int32_t>& ids) {
  try {
    attention::transformer_forward(m.config, m.weights, ids.data(), nullptr, static_cast<int>(ids.size()));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(TransformerForward, RefusesIdsOutsideTheVocabularyAndSequencesOverTheLimit) {
  const TinyModel m(gpt2_shape(), 106);
  EXPECT_EQ(refusal(m, {1, 23}), "tiny gpt2: ids[1]: expected a token id from 0 to 22, got 23");
  EXPECT_EQ(refusal(m, {-1}), "tiny gpt2: ids[0]: expected a token id from 0 to 22, got -1");
  EXPECT_EQ(refusal(m, std::vector<std::int32_t>(17, 0)), "tiny gpt2: tokens: expected 1 to 16 token ids, got 17");
  EXPECT_EQ(refusal(m, {}), "tiny gpt2: tokens: expected 1 to 16 token ids, got 0");
}

TEST(TransformerForward, RefusesConfigsItCannotRunNamingTheField) {
  TinyModel m(gpt2_shape(), 107);
  m.config.layers[1].heads = 5;
  EXPECT_EQ(refusal(m, {1}), "tiny gpt2: layer 1 heads: 5 does not divide the width 12");
  m.config.layers[1].heads = 3;
  m.config.layers[1].width_in = 9;
  EXPECT_EQ(refusal(m, {1}), "tiny gpt2: layer 1 width_in: 9, but the layer before gives 12");
  m.config.layers[1].width_in = 12;
  m.weights.layers[0].ffn_up = nullptr;
  EXPECT_EQ(refusal(m, {1}), "tiny gpt2: layer 0 feed-forward up weight: missing");
  TinyModel u(use_shape(), 108);
  u.weights.layers[0].residual = nullptr;
  EXPECT_EQ(refusal(u, {1}), "tiny use: layer 0 residual projection (the layer changes width): missing");
}

}  // namespace
