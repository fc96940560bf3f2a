// The one binding file: embind wrappers over the core's public headers.
// Tensors cross as addresses into WASM memory that the JS layer (index.js)
// allocated, filled and will free; this file only converts and forwards.
// C++ exceptions become JS Errors with their message (see guarded()).
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "attention/attention.h"
#include "attention/text.h"

namespace {

using attention::AttentionOptions;
using attention::AttentionShape;

EM_JS(void, throw_js_error, (const char* message), { throw new Error(UTF8ToString(message)); });

// Runs body; if it throws, the message is copied to the stack, the C++
// exception is ended (so its heap memory is freed) and a JS Error is thrown.
// The JS caller restores the stack pointer, which a JS throw leaves behind.
template <class Body>
void guarded(Body&& body) {
  char message[512];
  try {
    body();
    return;
  } catch (const std::exception& e) {
    std::strncpy(message, e.what(), sizeof message - 1);
    message[sizeof message - 1] = '\0';
  }
  throw_js_error(message);
}

template <class T>
T* at(std::uintptr_t address) {
  return reinterpret_cast<T*>(address);
}

struct AttentionCall {
  std::uintptr_t out = 0, weights = 0, query = 0, key = 0, value = 0;
  std::uintptr_t mask = 0, keyPadding = 0, W = 0, Wq = 0, Wk = 0, v = 0;
  int heads = 1, queries = 0, keys = 0, dim = 0, valueDim = 0;
  std::string variant = "scaled_dot";
  bool causal = false;
  int window = -1;
  float temperature = 1.0f;
  bool hasScale = false;
  float scale = 1.0f;
  int k = 0, da = 0;
};

AttentionOptions options_of(const AttentionCall& c) {
  AttentionOptions options;
  options.variant = attention::parse_variant(c.variant);
  options.temperature = c.temperature;
  options.has_scale = c.hasScale;
  options.scale = c.scale;
  options.causal = c.causal;
  options.window = c.window;
  options.mask = at<const std::uint8_t>(c.mask);
  options.key_padding = at<const std::uint8_t>(c.keyPadding);
  options.general_w = at<const float>(c.W);
  options.additive_wq = at<const float>(c.Wq);
  options.additive_wk = at<const float>(c.Wk);
  options.additive_v = at<const float>(c.v);
  options.additive_dim = c.da;
  options.top_k = c.k;
  return options;
}

void attention_call(const AttentionCall& c) {
  guarded([&] {
    AttentionShape shape{c.heads, c.queries, c.keys, c.dim, c.valueDim};
    const AttentionOptions options = options_of(c);
    attention::attention_forward(at<float>(c.out), at<float>(c.weights), at<const float>(c.query),
                                 at<const float>(c.key), at<const float>(c.value), shape, options);
  });
}

// attention without weights (c.weights is ignored): no [H, NQ, NK] matrix, no weights limit.
void attention_output_call(const AttentionCall& c) {
  guarded([&] {
    AttentionShape shape{c.heads, c.queries, c.keys, c.dim, c.valueDim};
    attention::attention_forward_output_only(at<float>(c.out), at<const float>(c.query), at<const float>(c.key),
                                             at<const float>(c.value), shape, options_of(c));
  });
}

// Query rows [rowBegin, rowEnd) of every head, for the worker pool: out
// [H, R, DV], weights [H, R, NK] or 0 for none (R = rowEnd - rowBegin).
void attention_rows_call(const AttentionCall& c, int row_begin, int row_end) {
  guarded([&] {
    AttentionShape shape{c.heads, c.queries, c.keys, c.dim, c.valueDim};
    attention::attention_forward_rows(at<float>(c.out), at<float>(c.weights), at<const float>(c.query),
                                      at<const float>(c.key), at<const float>(c.value), shape, options_of(c),
                                      row_begin, row_end);
  });
}

// One request cut into pieces (engine.prepareRows in index.js): the call's
// tensors stay where the JS layer copied them, and each head's packed K and
// V are kept here across pieces. JS deletes it (and frees the tensors) on release.
class PreparedPieces {
 public:
  explicit PreparedPieces(const AttentionCall& call) : call_(call) {}

  // Heads [headBegin, headEnd), query rows [rowBegin, rowEnd): out [HP, R, DV], weights [HP, R, NK] or 0.
  void piece(std::uintptr_t out, std::uintptr_t weights, int head_begin, int head_end, int row_begin, int row_end) {
    guarded([&] {
      const AttentionCall& c = call_;
      AttentionShape shape{c.heads, c.queries, c.keys, c.dim, c.valueDim};
      attention::attention_forward_piece(at<float>(out), at<float>(weights), at<const float>(c.query),
                                         at<const float>(c.key), at<const float>(c.value), shape, options_of(c),
                                         head_begin, head_end, row_begin, row_end, packs_);
    });
  }

 private:
  AttentionCall call_;
  attention::KeyValuePacks packs_;
};

// One row's intermediates (see attention::AttentionRowTrace); scalars [3] = scale, max, sum.
struct TraceCall {
  AttentionCall call;
  int head = 0, row = 0;
  std::uintptr_t scores = 0, logits = 0, allowed = 0, kept = 0, exps = 0, scalars = 0;
};

void trace_call(const TraceCall& c) {
  guarded([&] {
    const AttentionCall& a = c.call;
    AttentionShape shape{a.heads, a.queries, a.keys, a.dim, a.valueDim};
    attention::AttentionRowTrace trace;
    trace.scores = at<float>(c.scores);
    trace.logits = at<float>(c.logits);
    trace.allowed = at<std::uint8_t>(c.allowed);
    trace.kept = at<std::uint8_t>(c.kept);
    trace.exps = at<float>(c.exps);
    trace.weights = at<float>(a.weights);
    trace.output = at<float>(a.out);
    attention::attention_row_trace(trace, at<const float>(a.query), at<const float>(a.key),
                                   at<const float>(a.value), shape, options_of(a), c.head, c.row);
    float* scalars = at<float>(c.scalars);
    scalars[0] = trace.scale;
    scalars[1] = trace.max;
    scalars[2] = static_cast<float>(trace.sum);
  });
}

struct MultiHeadCall {
  std::uintptr_t out = 0, weights = 0, averageWeights = 0, query = 0, key = 0, value = 0;
  std::uintptr_t inProjWeight = 0, inProjBias = 0, outProjWeight = 0, outProjBias = 0;
  std::uintptr_t keyPadding = 0;
  int heads = 1, queries = 0, keys = 0, embedDim = 0;
  bool causal = false;
};

void multi_head_call(const MultiHeadCall& c) {
  guarded([&] {
    attention::MultiHeadShape shape{c.heads, c.queries, c.keys, c.embedDim};
    attention::MultiHeadOptions options;
    options.causal = c.causal;
    options.key_padding = at<const std::uint8_t>(c.keyPadding);
    options.in_proj_bias = at<const float>(c.inProjBias);
    options.out_proj_bias = at<const float>(c.outProjBias);
    attention::multi_head_attention_forward(
        at<float>(c.out), at<float>(c.weights), at<float>(c.averageWeights), at<const float>(c.query),
        at<const float>(c.key), at<const float>(c.value), at<const float>(c.inProjWeight),
        at<const float>(c.outProjWeight), shape, options);
  });
}

// tokens arrive joined by '\n' (the tokenizer never keeps whitespace in a token).
void text_qkv_call(const std::string& joined, int heads, int dim, double seed, float position_weight,
                   std::uintptr_t q, std::uintptr_t k, std::uintptr_t v) {
  guarded([&] {
    std::vector<std::string> tokens;
    size_t start = 0;
    while (start <= joined.size()) {
      const size_t end = std::min(joined.find('\n', start), joined.size());
      tokens.push_back(joined.substr(start, end - start));
      start = end + 1;
    }
    attention::text_qkv(at<float>(q), at<float>(k), at<float>(v), tokens, heads, dim,
                        static_cast<std::uint64_t>(seed), position_weight);
  });
}

void seeded_general_call(std::uintptr_t w, int dim, double seed) {
  guarded([&] { attention::seeded_general_params(at<float>(w), dim, static_cast<std::uint64_t>(seed)); });
}

void seeded_additive_call(std::uintptr_t wq, std::uintptr_t wk, std::uintptr_t v, int dim, double seed) {
  guarded([&] {
    attention::seeded_additive_params(at<float>(wq), at<float>(wk), at<float>(v), dim,
                                      static_cast<std::uint64_t>(seed));
  });
}

// The index of the first NaN or infinite float of n at address, or -1: the
// engine's finite check of Q, K and V, run on the copies in WASM memory. A
// float is not finite exactly when its exponent bits are all ones; blocks of 64
// are tested without a branch (so the loop vectorises), then the one that
// holds a bad float is searched.
int first_non_finite_call(std::uintptr_t address, int n) {
  const std::uint32_t* bits = at<const std::uint32_t>(address);
  constexpr std::uint32_t kExponent = 0x7f800000u;
  constexpr int kBlock = 64;
  int i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    std::uint32_t bad = 0;
    for (int j = 0; j < kBlock; ++j) bad |= (bits[i + j] & kExponent) == kExponent ? 1u : 0u;
    if (bad) break;
  }
  for (; i < n; ++i) {
    if ((bits[i] & kExponent) == kExponent) return i;
  }
  return -1;
}

}  // namespace

EMSCRIPTEN_BINDINGS(attention_core) {
  using emscripten::class_;
  using emscripten::function;
  using emscripten::value_object;
  value_object<AttentionCall>("AttentionCall")
      .field("out", &AttentionCall::out)
      .field("weights", &AttentionCall::weights)
      .field("query", &AttentionCall::query)
      .field("key", &AttentionCall::key)
      .field("value", &AttentionCall::value)
      .field("mask", &AttentionCall::mask)
      .field("keyPadding", &AttentionCall::keyPadding)
      .field("W", &AttentionCall::W)
      .field("Wq", &AttentionCall::Wq)
      .field("Wk", &AttentionCall::Wk)
      .field("v", &AttentionCall::v)
      .field("heads", &AttentionCall::heads)
      .field("queries", &AttentionCall::queries)
      .field("keys", &AttentionCall::keys)
      .field("dim", &AttentionCall::dim)
      .field("valueDim", &AttentionCall::valueDim)
      .field("variant", &AttentionCall::variant)
      .field("causal", &AttentionCall::causal)
      .field("window", &AttentionCall::window)
      .field("temperature", &AttentionCall::temperature)
      .field("hasScale", &AttentionCall::hasScale)
      .field("scale", &AttentionCall::scale)
      .field("k", &AttentionCall::k)
      .field("da", &AttentionCall::da);
  value_object<TraceCall>("TraceCall")
      .field("call", &TraceCall::call)
      .field("head", &TraceCall::head)
      .field("row", &TraceCall::row)
      .field("scores", &TraceCall::scores)
      .field("logits", &TraceCall::logits)
      .field("allowed", &TraceCall::allowed)
      .field("kept", &TraceCall::kept)
      .field("exps", &TraceCall::exps)
      .field("scalars", &TraceCall::scalars);
  value_object<MultiHeadCall>("MultiHeadCall")
      .field("out", &MultiHeadCall::out)
      .field("weights", &MultiHeadCall::weights)
      .field("averageWeights", &MultiHeadCall::averageWeights)
      .field("query", &MultiHeadCall::query)
      .field("key", &MultiHeadCall::key)
      .field("value", &MultiHeadCall::value)
      .field("inProjWeight", &MultiHeadCall::inProjWeight)
      .field("inProjBias", &MultiHeadCall::inProjBias)
      .field("outProjWeight", &MultiHeadCall::outProjWeight)
      .field("outProjBias", &MultiHeadCall::outProjBias)
      .field("keyPadding", &MultiHeadCall::keyPadding)
      .field("heads", &MultiHeadCall::heads)
      .field("queries", &MultiHeadCall::queries)
      .field("keys", &MultiHeadCall::keys)
      .field("embedDim", &MultiHeadCall::embedDim)
      .field("causal", &MultiHeadCall::causal);
  function("attention", &attention_call);
  function("firstNonFinite", &first_non_finite_call);
  function("attentionOutput", &attention_output_call);
  function("attentionRows", &attention_rows_call);
  class_<PreparedPieces>("PreparedPieces")
      .constructor<const AttentionCall&>()
      .function("piece", &PreparedPieces::piece);
  function("attentionTrace", &trace_call);
  function("multiHeadAttention", &multi_head_call);
  function("textQKV", &text_qkv_call);
  function("seededGeneral", &seeded_general_call);
  function("seededAdditive", &seeded_additive_call);
}
