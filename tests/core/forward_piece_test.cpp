// attention_forward_piece: rectangles of heads and query rows computed with
// K and V packed once per head and kept across calls (KeyValuePacks), each
// row the bits of the whole call, for every variant, with and without
// weights, whatever order the pieces come in; bad ranges and a packs of
// another shape are refused by name.
#include <attention/attention.h>
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "fused_tiles.h"
#include "test_support.h"
#include "key_value_packs.h"  // the packs, to see which heads a piece packed

namespace {

using attention::KeyValuePacks;
using attention::Variant;
using attention_test::Case;
using attention_test::Result32;
using attention_test::Rng;

struct Piece {
  int h0, h1, begin, end;
};

// Computes `piece` with `packs` and checks every row against `whole`.
void expect_piece_matches(const Case& c, const Result32& whole, KeyValuePacks& packs, Piece p, bool with_weights) {
  const int nq = c.shape.queries, nk = c.shape.keys, dv = c.shape.value_dim;
  const int heads = p.h1 - p.h0, rows = p.end - p.begin;
  std::vector<float> out(static_cast<std::size_t>(heads) * rows * dv, NAN);
  std::vector<float> weights(with_weights ? static_cast<std::size_t>(heads) * rows * nk : 0, NAN);
  attention::attention_forward_piece(out.data(), with_weights ? weights.data() : nullptr, c.query.data(), c.key.data(),
                                     c.value.data(), c.shape, c.options, p.h0, p.h1, p.begin, p.end, packs);
  for (int h = p.h0; h < p.h1; ++h) {
    for (int r = 0; r < rows; ++r) {
      const std::size_t whole_row = static_cast<std::size_t>(h) * nq + p.begin + r;
      const std::size_t part_row = static_cast<std::size_t>(h - p.h0) * rows + r;
      for (int x = 0; x < dv; ++x) {
        ASSERT_EQ(out[part_row * dv + x], whole.out[whole_row * dv + x])
            << "out of head " << h << ", row " << p.begin + r << " in heads [" << p.h0 << ", " << p.h1 << "), rows ["
            << p.begin << ", " << p.end << ")";
      }
      for (int j = 0; j < nk && with_weights; ++j) {
        ASSERT_EQ(weights[part_row * nk + j], whole.weights[whole_row * nk + j])
            << "weights of head " << h << ", row " << p.begin + r << ", key " << j;
      }
    }
  }
}

class PiecesWithKeptPacks : public ::testing::TestWithParam<Variant> {};

TEST_P(PiecesWithKeptPacks, GiveEveryRowTheBitsOfTheWholeCallInAnyOrder) {
  const int nq = attention::kQueryBlock + 3, nk = attention::kKeyBlock + 42;  // two blocks each way
  Case c(3, nq, nk, 5, 6, GetParam(), 1700 + static_cast<int>(GetParam()));
  Rng rng(78);
  c.options.causal = true;
  c.options.window = 70;
  c.set_mask(attention_test::random_bytes(rng, static_cast<std::size_t>(nq) * nk, 0.9));
  const Result32 whole = attention_test::run_fast(c);
  // later rows of head 1 first, then pieces that reuse head 1's packs and pack heads 0 and 2
  const Piece pieces[] = {{1, 2, 100, nq}, {1, 2, 0, 3}, {0, 2, 3, 100}, {2, 3, 0, nq}, {0, 3, 0, 1}, {1, 2, 64, 65}};
  for (bool with_weights : {true, false}) {
    KeyValuePacks packs;
    for (const Piece& p : pieces) expect_piece_matches(c, whole, packs, p, with_weights);
  }
}

INSTANTIATE_TEST_SUITE_P(AllVariants, PiecesWithKeptPacks,
                         ::testing::Values(Variant::scaled_dot, Variant::dot, Variant::general, Variant::additive,
                                           Variant::hard, Variant::top_k),
                         [](const ::testing::TestParamInfo<Variant>& info) {
                           return std::string(attention::variant_name(info.param));
                         });

TEST(PiecesWithKeptPacks, PackEachHeadOnceByTheFirstPieceThatNeedsIt) {
  Case c(3, 9, 20, 4, 4, Variant::scaled_dot, 1800);
  KeyValuePacks packs;
  std::vector<float> out(9 * 4);
  attention::attention_forward_piece(out.data(), nullptr, c.query.data(), c.key.data(), c.value.data(), c.shape,
                                     c.options, 1, 2, 0, 9, packs);
  ASSERT_EQ(packs.heads.size(), 3u);
  EXPECT_EQ(packs.heads[0].key_panels, nullptr) << "head 0 packed by a piece of head 1";
  EXPECT_NE(packs.heads[1].key_panels, nullptr);
  EXPECT_EQ(packs.heads[2].key_panels, nullptr);
  // head 1's keys change after it was packed: a later piece still sees the packed ones
  const std::vector<float> first(out.begin() + 4 * 4, out.begin() + 5 * 4);  // row 4 of head 1
  for (int j = 0; j < 20 * 4; ++j) c.key[20 * 4 + j] = 0.0f;
  std::vector<float> row(4);
  attention::attention_forward_piece(row.data(), nullptr, c.query.data(), c.key.data(), c.value.data(), c.shape,
                                     c.options, 1, 2, 4, 5, packs);
  EXPECT_EQ(row, first) << "head 1 was packed again";
}

TEST(PiecesWithKeptPacks, RefuseRangesOutsideTheRequestNamingThem) {
  Case c(2, 5, 5, 2, 2, Variant::scaled_dot, 1900);
  std::vector<float> out(2 * 5 * 2);
  const Piece bad[] = {{0, 1, -1, 2}, {0, 1, 0, 6}, {0, 1, 3, 3}, {-1, 1, 0, 5}, {0, 3, 0, 5}, {1, 1, 0, 5}};
  for (const Piece& p : bad) {
    KeyValuePacks packs;
    try {
      attention::attention_forward_piece(out.data(), nullptr, c.query.data(), c.key.data(), c.value.data(), c.shape,
                                         c.options, p.h0, p.h1, p.begin, p.end, packs);
      ADD_FAILURE() << "no error for heads [" << p.h0 << ", " << p.h1 << "), rows [" << p.begin << ", " << p.end << ")";
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      const bool rows_bad = p.begin < 0 || p.end > 5 || p.begin >= p.end;
      EXPECT_EQ(what.rfind(rows_bad ? "rows: " : "heads: ", 0), 0u) << what;
    }
  }
}

TEST(PiecesWithKeptPacks, RefusePacksKeptForAnotherShape) {
  Case small(1, 4, 8, 2, 2, Variant::scaled_dot, 2000), wide(1, 4, 16, 2, 2, Variant::scaled_dot, 2001);
  KeyValuePacks packs;
  std::vector<float> out(4 * 2);
  attention::attention_forward_piece(out.data(), nullptr, small.query.data(), small.key.data(), small.value.data(),
                                     small.shape, small.options, 0, 1, 0, 4, packs);
  try {
    attention::attention_forward_piece(out.data(), nullptr, wide.query.data(), wide.key.data(), wide.value.data(),
                                       wide.shape, wide.options, 0, 1, 0, 4, packs);
    ADD_FAILURE() << "no error for packs of another shape";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("packs: ", 0), 0u) << e.what();
  }
}

}  // namespace
