// Attention Playground core: scaled dot-product attention and its variants.
//
// Dimension legend, used by every file in core/:
//   H   heads
//   NQ  queries (rows of the weight matrix)
//   NK  keys = values (columns of the weight matrix)
//   D   query/key width
//   DV  value width
//   DA  hidden width of additive (Bahdanau) attention
//   E   model width of multi-head attention (E = H * E/H)
// All tensors are dense, row-major float32 with the shapes written above each
// function. The core has no Emscripten dependency; errors are std::invalid_argument.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attention {

enum class Variant {
  scaled_dot,      // s = q.k * scale, scale = 1/sqrt(D) unless given
  dot,             // s = q.k
  general,         // s = q^T W k (Luong), W [D, D]
  additive,        // s = v^T tanh(Wq q + Wk k) (Bahdanau), Wq, Wk [DA, D], v [DA]
  hard,            // one-hot at the highest scaled_dot score
  top_k,           // softmax over the k highest scaled_dot scores
};

// Parses "scaled_dot", "dot", ...; throws std::invalid_argument naming the choices.
Variant parse_variant(const std::string& name);
const char* variant_name(Variant variant);

struct AttentionShape {
  int heads = 1;  // H
  int queries = 0;  // NQ
  int keys = 0;  // NK
  int dim = 0;  // D
  int value_dim = 0;  // DV
};

// The parameters of the variants that have them, each under its variant and
// named as in the JS API's request.params (W; Wq, Wk, v; k). Only the chosen
// variant's are read; the others stay empty.
struct GeneralParams {
  const float* W = nullptr;  // [D, D]
};
struct AdditiveParams {
  const float* Wq = nullptr;  // [DA, D]
  const float* Wk = nullptr;  // [DA, D]
  const float* v = nullptr;  // [DA]
  int da = 0;  // DA, the length of v
};
struct TopKParams {
  int k = 0;  // >= 1
};

// Everything that is not a tensor of the shape above, named as in the JS
// API's request. Pointers may be null where the comment says so; they are
// borrowed, never owned.
struct AttentionOptions {
  Variant variant = Variant::scaled_dot;
  float temperature = 1.0f;  // > 0, divides every score
  std::optional<float> scale;  // applies to scaled_dot, hard and top_k; none = 1/sqrt(D)
  bool causal = false;  // key j allowed only if j <= i (top-left aligned)
  std::optional<int> window;  // key j allowed only if |i - j| <= window; none = unlimited
  const std::uint8_t* mask = nullptr;  // [NQ, NK], nonzero = may attend; null = all
  const std::uint8_t* key_padding = nullptr;  // [NK], nonzero = padding; null = none
  GeneralParams general;
  AdditiveParams additive;
  TopKParams top_k;
};

// Largest sizes the core accepts; the JS layer checks them before allocating.
constexpr long long kMaxExtent = 1 << 16;  // any single dimension
constexpr long long kMaxTensorFloats = 1LL << 26;  // 256 MiB of float32 per tensor

// Throws std::invalid_argument if the shape or options are unusable, naming
// the offending argument.
void validate_attention(const AttentionShape& shape, const AttentionOptions& options);

// The playground's kernel: scores, masked softmax (or hard / top-k), weighted
// sum of values. scaled_dot, dot and general run a fused kernel that takes
// blocks of queries against blocks of keys with an online softmax and skips
// blocks that causal, window, mask or padding exclude; additive, hard and
// top_k run one row at a time. Uses WebAssembly SIMD when compiled with -msimd128.
//   out      [H, NQ, DV]
//   weights  [H, NQ, NK]
//   query    [H, NQ, D]
//   key      [H, NK, D]
//   value    [H, NK, DV]
// A query with no allowed key gets zero weights and a zero output row.
void attention_forward(float* out, float* weights, const float* query, const float* key,
                       const float* value, const AttentionShape& shape,
                       const AttentionOptions& options);

// attention_forward without the weights (PyTorch's need_weights=False): only
// out [H, NQ, DV] is written and nothing of size NQ x NK is allocated, so the
// weights limit does not apply. out is bit-identical to attention_forward's.
void attention_forward_output_only(float* out, const float* query, const float* key,
                                   const float* value, const AttentionShape& shape,
                                   const AttentionOptions& options);

// Query rows row_begin .. row_end - 1 of every head, to split one call across
// workers (0 <= row_begin < row_end <= NQ):
//   out      [H, R, DV]   R = row_end - row_begin
//   weights  [H, R, NK]   or null for none
// query, key, value and the options are those of the whole call (query row i
// is still row i for causal, window and mask). Every row is bit-identical to
// the same row of attention_forward.
void attention_forward_rows(float* out, float* weights, const float* query, const float* key,
                            const float* value, const AttentionShape& shape,
                            const AttentionOptions& options, int row_begin, int row_end);

// K and V packed for the fused kernel, kept across calls of
// attention_forward_piece for one request, so that splitting it into many
// pieces (a worker pool's chunks, long mode's row blocks) packs each head once:
// a head is packed by the first piece that needs it. Belongs to one request
// (query, key, value, shape, options); reusing it for another is refused when
// the shape differs and wrong when only the contents do. Its layout is the
// kernel's business (core/src/key_value_packs.h); callers only hold one.
struct KeyValuePacks;
struct KeyValuePacksDeleter {
  void operator()(KeyValuePacks* packs) const;
};
using KeyValuePacksHandle = std::unique_ptr<KeyValuePacks, KeyValuePacksDeleter>;
KeyValuePacksHandle make_key_value_packs();

// Query rows [row_begin, row_end) of heads [head_begin, head_end), with the
// packed K and V kept in `packs` (0 <= head_begin < head_end <= H):
//   out      [HP, R, DV]   HP = head_end - head_begin, R = row_end - row_begin
//   weights  [HP, R, NK]   or null for none
// query, key, value, shape and options are those of the whole request. Every
// row is bit-identical to the same row of attention_forward.
void attention_forward_piece(float* out, float* weights, const float* query, const float* key,
                             const float* value, const AttentionShape& shape, const AttentionOptions& options,
                             int head_begin, int head_end, int row_begin, int row_end, KeyValuePacks& packs);

// Plain float64 reference of attention_forward: one loop per formula, no
// SIMD, accumulation in double. Fast kernels are tested against it.
void attention_reference_f64(double* out, double* weights, const float* query,
                             const float* key, const float* value,
                             const AttentionShape& shape, const AttentionOptions& options);

// Every intermediate number of one row (head, query i) of attention_forward,
// for the playground's step-through view. Buffers are the caller's:
//   scores   [NK]  compatibility before scale and temperature (q.k, q^T W k, v^T tanh(..))
//   logits   [NK]  scores * scale / temperature, as the kernel computes them
//   allowed  [NK]  1 where query i may attend key j
//   kept     [NK]  1 where key j takes part in the normalisation (top_k: k best; hard: argmax)
//   exps     [NK]  exp(logit - max) over kept keys, else 0 (hard: 1 at the argmax)
//   weights  [NK]  identical to attention_forward's row
//   output   [DV]  identical to attention_forward's row
// scores and logits are given for every key, allowed or not.
struct AttentionRowTrace {
  float* scores = nullptr;
  float* logits = nullptr;
  std::uint8_t* allowed = nullptr;
  std::uint8_t* kept = nullptr;
  float* exps = nullptr;
  float* weights = nullptr;
  float* output = nullptr;
  float scale = 1.0f;  // the factor applied to scores (1 for dot, general, additive)
  float max = 0.0f;  // largest kept logit, 0 if none
  double sum = 0.0;  // sum of exps
};

void attention_row_trace(AttentionRowTrace& trace, const float* query, const float* key,
                         const float* value, const AttentionShape& shape,
                         const AttentionOptions& options, int head, int row);

// Whether query i may attend key j under causal, window, mask and padding.
bool key_allowed(const AttentionOptions& options, int keys, int i, int j);

// nn.MultiheadAttention with a batch of one.
struct MultiHeadShape {
  int heads = 1;  // H, divides E
  int queries = 0;  // NQ
  int keys = 0;  // NK
  int embed_dim = 0;  // E
};

struct MultiHeadOptions {
  bool causal = false;
  const std::uint8_t* key_padding = nullptr;  // [NK], nonzero = padding
  const float* in_proj_bias = nullptr;  // [3E] or null (zero)
  const float* out_proj_bias = nullptr;  // [E] or null (zero)
};

void validate_multi_head(const MultiHeadShape& shape);

//   out              [NQ, E]
//   weights          [H, NQ, NK]  per head
//   average_weights  [NQ, NK]     mean over heads
//   query            [NQ, E]
//   key, value       [NK, E]
//   in_proj_weight   [3E, E]  rows 0..E-1 project queries, E..2E-1 keys, 2E..3E-1 values
//   out_proj_weight  [E, E]
// y = x W^T + b for every projection; head h uses columns h*E/H .. (h+1)*E/H - 1
// of the projected q, k, v, and scale 1/sqrt(E/H).
void multi_head_attention_forward(float* out, float* weights, float* average_weights,
                                  const float* query, const float* key, const float* value,
                                  const float* in_proj_weight, const float* out_proj_weight,
                                  const MultiHeadShape& shape, const MultiHeadOptions& options);

}  // namespace attention
