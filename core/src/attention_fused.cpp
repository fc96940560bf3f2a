// The fused kernel of scaled_dot, dot and general attention (legend in attention.h).
//
//   out      [H, R, DV]   rows row_begin .. row_end - 1 of every head (R of them)
//   weights  [H, R, NK]   or null: then nothing of size NQ x NK exists
//   query    [H, NQ, D]   only the rows in range are read
//   key      [H, NK, D]
//   value    [H, NK, DV]
//
// For query i of a head, with logits s_j = q'·k_j, q' = c q (general: q' = c Wᵀq,
// so that qᵀW k = q'·k / c), c = scale / temperature, over the allowed keys j:
//   out_i = Σ_j exp(s_j - m) v_j / l,   m = max_j s_j,   l = Σ_j exp(s_j - m)
// computed block by block over the keys, never holding a row of NK logits
// (online softmax): after a block B the running m, l and o = Σ exp(s_j - m) v_j become
//   m' = max(m, max_B s_j),  l' = l exp(m - m') + Σ_B exp(s_j - m'),
//   o' = o exp(m - m') + Σ_B exp(s_j - m') v_j,                 and out_i = o / l.
// Subtracting the running maximum keeps every exp argument <= 0, so logits of
// ±1e4 cannot overflow. A row with no allowed key keeps m = -inf, l = 0 and
// gets a zero output. With weights, each logit is stored where its weight goes
// and pass 4 turns it into exp(s_j - m) / l with the final m and l: the exact
// softmax, not an estimate.
//
// Blocking: kQueryBlock rows against kKeyBlock keys at a time, so one block of
// K and V (2 x 128 x D floats, 64 KiB at D = 64) stays in L2, most of it
// in L1, while the query block's 4-row tiles pass over it; the tile micro-kernels are in fused_tiles.h. A tile
// whose keys are all excluded by causal, window, mask or padding is skipped;
// one whose keys are all allowed needs no masking.
//
// Every row is computed with the same operations whatever rows share its tile
// or block (an all-masked block changes nothing: alpha = exp(0) = 1 exactly and
// exp(-inf) = 0), so any split of the rows, across calls or workers, gives the
// same bits as one call.
//
// Overflow. Finite inputs can still give logits beyond float32 (1e20 · 1e20).
// By Cauchy-Schwarz |q'·k_j| <= |q'| max_j |k_j| (partial sums too); rows where
// that bound passes 2^126 go to the row kernel instead, which computes them or
// names the logit that overflows, as attention_forward always has.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "fused_pack.h"
#include "fused_tiles.h"
#include "key_value_packs.h"
#include "kernels.h"
#include "simd_f32.h"

namespace attention {

namespace {

constexpr double kLogitBoundSquared = 0x1p252;  // (2^126)^2: |logit| <= 2^126 leaves room for the exp arguments

int round_up(int n, int multiple) { return (n + multiple - 1) / multiple * multiple; }

// n zero floats in storage, the first at a 64-byte boundary (one cache line).
float* aligned_floats(std::vector<float>& storage, std::size_t n) {
  storage.assign(n + 15, 0.0f);
  const auto address = reinterpret_cast<std::uintptr_t>(storage.data());
  return storage.data() + (64 - address % 64) % 64 / sizeof(float);
}

enum class Tile { skip, full, partial };

// How the tile of query rows i0 .. i0 + rows - 1 meets the key block j0 .. j0 + nk - 1
// (ncols = nk rounded up to a panel). For a partial tile, allowed [kKeyBlock, 4]
// (key-major, as the logit tile) gets 1 where the logit counts; rows past
// `rows` and keys past nk get 0.
Tile classify_tile(std::uint8_t* allowed, const AttentionOptions& options, int keys, int i0, int rows,
                   int j0, int nk, int ncols, int padded_keys) {
  if (padded_keys == nk) return Tile::skip;
  const long long j1 = static_cast<long long>(j0) + nk;
  // Only causal and window give a row less than all keys; without them every
  // row reaches the whole block, and asking row by row cost 0.4-1.2% at
  // N = 256 (bench/core-ab.mjs).
  const bool ranged = options.causal || options.window.has_value();
  bool any = !ranged;
  bool whole = !options.mask && padded_keys == 0 && nk == ncols;
  for (int r = 0; ranged && r < rows; ++r) {
    long long lo, hi;
    allowed_key_range(options, keys, i0 + r, &lo, &hi);
    const long long a = std::max<long long>(lo, j0), b = std::min(hi, j1);
    any = any || a < b;
    whole = whole && a == j0 && b == j1;
  }
  if (!any) return Tile::skip;
  if (whole) return Tile::full;
  std::fill(allowed, allowed + kTileRows * kKeyBlock, std::uint8_t{0});
  int count = 0;
  for (int r = 0; r < rows; ++r) {
    const int i = i0 + r;
    long long lo, hi;
    allowed_key_range(options, keys, i, &lo, &hi);
    const std::uint8_t* mask_i = options.mask ? options.mask + static_cast<std::size_t>(i) * keys : nullptr;
    const std::uint8_t* padding = options.key_padding;
    for (long long j = std::max<long long>(lo, j0), end = std::min(hi, j1); j < end; ++j) {
      const bool ok = (!mask_i || mask_i[j]) && (!padding || !padding[j]);
      allowed[(j - j0) * kTileRows + r] = ok ? 1 : 0;
      count += ok ? 1 : 0;
    }
  }
  return count > 0 ? Tile::partial : Tile::skip;
}

// key_panels [NK/8 rounded up, D, 8] = Kᵀ in panels of 8 keys, zero past NK;
// returns max_j |k_j|². The norms only choose which rows take the row kernel,
// so float32 sums do: a norm that overflows is +inf and sends rows there, as a
// NaN or infinite key does (the comparison is written so that NaN also wins),
// and float32 rounding (relative 64 · 2⁻²⁴ at D = 64) is far inside the
// bound's factor-4 margin. zero_row: dim zeros, standing in for keys past NK.
double pack_keys(float* key_panels, const float* key_h, int keys, int dim, const float* zero_row) {
  double norm2_max = 0.0;
  for (int j0 = 0; j0 < keys; j0 += kPanel) {
    const float* rows[kPanel];
    for (int c = 0; c < kPanel; ++c) {
      rows[c] = j0 + c < keys ? key_h + static_cast<std::size_t>(j0 + c) * dim : zero_row;
    }
    float norm2[kPanel];
    f32_pack_key_panel_8xd(key_panels + static_cast<std::size_t>(j0) * dim, norm2, rows, dim);
    for (float n : norm2) {
      if (!(n <= norm2_max)) norm2_max = n;
    }
  }
  return norm2_max;
}

// value_panels [DV/8 rounded up, NKP, 8]: columns 8p .. 8p + 7 of V (entries past
// NK and DV are left zero, as aligned_floats made them), for a DV that is not a
// multiple of 8. Whole panels are copied 8 floats at a time, row by row of V.
void pack_values(float* value_panels, const float* value_h, int keys, int padded_keys, int value_dim) {
  const int whole_panels = value_dim / kPanel;
  const std::size_t panel_stride = static_cast<std::size_t>(padded_keys) * kPanel;
  for (int j = 0; j < keys; ++j) {
    const float* value_hj = value_h + static_cast<std::size_t>(j) * value_dim;
    float* dst = value_panels + static_cast<std::size_t>(j) * kPanel;
    for (int p = 0; p < whole_panels; ++p) {
      for (int c = 0; c < kPanel; ++c) dst[p * panel_stride + c] = value_hj[p * kPanel + c];
    }
    for (int e = whole_panels * kPanel; e < value_dim; ++e) {
      dst[whole_panels * panel_stride + e % kPanel] = value_hj[e];
    }
  }
}

}  // namespace

bool fused_variant(Variant variant) {
  return variant == Variant::scaled_dot || variant == Variant::dot || variant == Variant::general;
}

void attention_fused_rows(float* out, float* weights, const float* query, const float* key, const float* value,
                          const AttentionShape& shape, const AttentionOptions& options, int row_begin,
                          int row_end, int head_begin, int head_end, KeyValuePacks* packs) {
  const int NQ = shape.queries, NK = shape.keys, D = shape.dim, DV = shape.value_dim;
  const int R = row_end - row_begin;
  const int NKP = round_up(NK, kPanel);
  const int DVP = round_up(DV, kPanel);
  const int value_panels = DVP / kPanel;
  const bool scaled = options.variant == Variant::scaled_dot;
  const float scale = options.scale.value_or(1.0f / std::sqrt(static_cast<float>(D)));
  const float multiplier = (scaled ? scale : 1.0f) / options.temperature;

  // V is read where it is when its rows split into whole panels of 8 columns:
  // the kernel loads 8 columns of a row at a time from anywhere. Packing it
  // copied all of V for every head, and was measured slower at N = 256
  // (bench/core-ab.mjs, in the commit that brought this).
  const bool pack_v = DV % kPanel != 0;
  const std::size_t v_panel_stride = pack_v ? static_cast<std::size_t>(NKP) * kPanel : kPanel;
  const std::size_t v_key_stride = pack_v ? kPanel : static_cast<std::size_t>(DV);

  // a head's packed K and V: kept in `packs` (one Head per head) by the first
  // call that needs them, else packed here for each head into one set of buffers
  KeyValuePacks::Head local_pack;
  std::vector<float> query_storage, out_storage, score_storage;
  float* q_block = aligned_floats(query_storage, static_cast<std::size_t>(kQueryBlock) * D);  // tiles [D, 4]
  float* o_block = aligned_floats(out_storage, static_cast<std::size_t>(kQueryBlock) * DVP);
  float* scores = aligned_floats(score_storage, static_cast<std::size_t>(kKeyBlock) * kTileRows);  // [keys, 4]
  std::vector<float> zero_row(D, 0.0f), general_rows(options.variant == Variant::general ? kTileRows * D : 0);
  std::vector<float> row_max(kQueryBlock), row_sum(kQueryBlock);
  std::vector<std::uint8_t> unsafe(kQueryBlock), allowed(kTileRows * kKeyBlock);
  float alpha[kTileRows];

  // padded keys per key block (all of a block padded: skip it; none: no masking)
  const int key_blocks = (NK + kKeyBlock - 1) / kKeyBlock;
  std::vector<int> padded_keys(key_blocks, 0);
  if (options.key_padding) {
    for (int j = 0; j < NK; ++j) padded_keys[j / kKeyBlock] += options.key_padding[j] ? 1 : 0;
  }

  // the row kernel's state, made only if a row needs it
  ScoreContext ctx;
  std::vector<std::uint8_t> row_allowed;
  std::vector<float> row_weights;

  for (int h = head_begin; h < head_end; ++h) {
    const float* query_h = query + static_cast<std::size_t>(h) * NQ * D;
    const float* key_h = key + static_cast<std::size_t>(h) * NK * D;
    const float* value_h = value + static_cast<std::size_t>(h) * NK * DV;
    float* out_h = out + static_cast<std::size_t>(h - head_begin) * R * DV;
    float* weights_h = weights ? weights + static_cast<std::size_t>(h - head_begin) * R * NK : nullptr;
    bool ctx_ready = false;

    // pass 1: Kᵀ in panels of 8 keys, V (only if DV is not a multiple of 8) in
    // panels of 8 columns, and the largest |k|²
    KeyValuePacks::Head& pack = packs ? packs->heads[h] : local_pack;
    const bool kept = packs && pack.key_panels;
    if (!kept) {
      if (!pack.key_panels) {  // zeroed once: the padding past NK and DV stays zero
        pack.key_panels = aligned_floats(pack.key_storage, static_cast<std::size_t>(NKP) * D);
        if (pack_v) pack.value_panels = aligned_floats(pack.value_storage, static_cast<std::size_t>(NKP) * DVP);
      }
      pack.key_norm2_max = pack_keys(pack.key_panels, key_h, NK, D, zero_row.data());
      if (pack_v) pack_values(pack.value_panels, value_h, NK, NKP, DV);
    }
    const float* key_panels = pack.key_panels;
    const float* values = pack_v ? pack.value_panels : value_h;
    const double key_norm2_max = pack.key_norm2_max;

    for (int b0 = row_begin; b0 < row_end; b0 += kQueryBlock) {
      const int rows = std::min(kQueryBlock, row_end - b0);
      const int tiles = (rows + kTileRows - 1) / kTileRows;

      // pass 2: q' = c q (general: c Wᵀq) for the block's rows, interleaved in
      // tiles, zero rows up to a whole tile; a row whose logits could overflow
      // is zeroed and marked
      for (int t = 0; t < tiles; ++t) {
        const float* rows_q[kTileRows];
        for (int r = 0; r < kTileRows; ++r) {
          const int i = t * kTileRows + r;
          const float* query_hi = i < rows ? query_h + static_cast<std::size_t>(b0 + i) * D : nullptr;
          if (!query_hi) {
            rows_q[r] = zero_row.data();
          } else if (options.variant == Variant::general) {
            float* wq = general_rows.data() + static_cast<std::size_t>(r) * D;
            std::fill(wq, wq + D, 0.0f);
            for (int a = 0; a < D; ++a) f32_axpy(wq, query_hi[a], options.general.W + static_cast<std::size_t>(a) * D, D);
            rows_q[r] = wq;
          } else {
            rows_q[r] = query_hi;
          }
        }
        float* tile = q_block + static_cast<std::size_t>(t) * D * kTileRows;
        float norm2[kTileRows];
        f32_pack_query_tile_4xd(tile, norm2, rows_q, D, multiplier);
        for (int r = 0; r < kTileRows; ++r) {
          const int i = t * kTileRows + r;
          unsafe[i] = i < rows && !(static_cast<double>(norm2[r]) * key_norm2_max <= kLogitBoundSquared);
          if (unsafe[i]) {
            for (int d = 0; d < D; ++d) tile[d * kTileRows + r] = 0.0f;
          }
        }
      }
      std::fill(o_block, o_block + static_cast<std::size_t>(tiles) * kTileRows * DVP, 0.0f);
      std::fill(row_max.begin(), row_max.end(), -INFINITY);
      std::fill(row_sum.begin(), row_sum.end(), 0.0f);

      // pass 3: each key block against each tile: logits, online softmax, weighted values
      for (int kb = 0; kb < key_blocks; ++kb) {
        const int j0 = kb * kKeyBlock;
        const int nk = std::min(kKeyBlock, NK - j0);
        const int ncols = round_up(nk, kPanel);
        for (int t = 0; t < tiles; ++t) {
          const int i0 = b0 + t * kTileRows;
          const int tile_rows = std::min(kTileRows, b0 + rows - i0);
          const Tile kind =
              classify_tile(allowed.data(), options, NK, i0, tile_rows, j0, nk, ncols, padded_keys[kb]);
          if (kind == Tile::skip) {
            if (weights_h) {
              for (int r = 0; r < tile_rows; ++r) {
                float* w = weights_h + static_cast<std::size_t>(i0 + r - row_begin) * NK + j0;
                std::fill(w, w + nk, -INFINITY);
              }
            }
            continue;
          }
          f32_qk_4x8(scores, q_block + static_cast<std::size_t>(t) * D * kTileRows,
                     key_panels + static_cast<std::size_t>(j0) * D, D, ncols / kPanel);
          if (kind == Tile::partial) {
            for (int x = 0; x < ncols * kTileRows; ++x) {
              if (!allowed[x]) scores[x] = -INFINITY;
            }
          }
          if (weights_h) {
            for (int r = 0; r < tile_rows; ++r) {
              float* w = weights_h + static_cast<std::size_t>(i0 + r - row_begin) * NK + j0;
              for (int c = 0; c < nk; ++c) w[c] = scores[c * kTileRows + r];
            }
          }
          f32_softmax_online_4xn(scores, ncols, row_max.data() + t * kTileRows, row_sum.data() + t * kTileRows,
                                 alpha);
          // the keys past nk (up to ncols) have weight 0 and are not read
          f32_pv_4x8(o_block + static_cast<std::size_t>(t) * kTileRows * DVP, DVP, alpha, scores, nk,
                     values + j0 * v_key_stride, v_panel_stride, v_key_stride, value_panels);
        }
      }

      // pass 4: out = o / l and weights = exp(s - m) / l; rows with no allowed key are zero
      for (int r = 0; r < rows; ++r) {
        if (unsafe[r]) continue;
        const std::size_t row = static_cast<std::size_t>(b0 + r - row_begin);
        float* out_hi = out_h + row * DV;
        const float* o_r = o_block + static_cast<std::size_t>(r) * DVP;
        const bool any = row_sum[r] > 0.0f;
        const float inv_sum = any ? 1.0f / row_sum[r] : 0.0f;
        if (any) {
          for (int e = 0; e < DV; ++e) out_hi[e] = o_r[e] * inv_sum;
        } else {
          std::fill(out_hi, out_hi + DV, 0.0f);
        }
        if (weights_h) {
          float* weights_hi = weights_h + row * NK;
          if (any) {
            f32_exp_normalize_row(weights_hi, NK, row_max[r], inv_sum);
          } else {
            std::fill(weights_hi, weights_hi + NK, 0.0f);
          }
        }
      }

      // pass 5: marked rows by the row kernel, which names a logit that overflows
      for (int r = 0; r < rows; ++r) {
        if (!unsafe[r]) continue;
        if (!ctx_ready) {
          prepare_scores(ctx, options, key_h, NK, D);
          row_allowed.resize(NK);
          if (!weights_h) row_weights.resize(NK);
          ctx_ready = true;
        }
        const int i = b0 + r;
        const std::size_t row = static_cast<std::size_t>(i - row_begin);
        row_kernel_row(out_h + row * DV, weights_h ? weights_h + row * NK : row_weights.data(),
                       row_allowed.data(), ctx, query_h + static_cast<std::size_t>(i) * D, key_h, value_h, NK,
                       DV, options, h, i);
      }
    }
  }
}

}  // namespace attention
