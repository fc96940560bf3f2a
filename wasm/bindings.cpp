// The one binding file: embind functions over the core's public headers.
// Every call arrives as a record of 32-bit slots in WASM memory that the JS
// layer (index.js, through call-records.js) allocated, filled and will free,
// so no JS object is converted here: embind's conversion of value objects
// walks every enumerable key, a polluted Object.prototype included, and the
// memory it allocates is never freed when the call fails.
// A failing call returns a nonzero status and leaves its message in one
// buffer (lastError); no exception crosses into JS, so a refusal leaves
// nothing behind on the WASM stack or heap.
#include <emscripten/bind.h>

#include <malloc.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "attention/attention.h"
#include "attention/models/load.h"
#include "attention/text.h"
#include "attention/transformer.h"

namespace {

using attention::AttentionOptions;
using attention::AttentionShape;

char g_last_error[512];

void set_error(const char* message) {
  std::strncpy(g_last_error, message, sizeof g_last_error - 1);
  g_last_error[sizeof g_last_error - 1] = '\0';
}

// Runs body: 0 if it returned, 1 with the message in g_last_error if it
// threw. The exception is ended inside the catch, which frees it; every C++
// object the call made was destroyed on the way out.
template <class Body>
int guarded(Body&& body) {
  try {
    body();
    return 0;
  } catch (const std::exception& e) {
    set_error(e.what());
  } catch (...) {
    set_error("the attention core failed without a message");
  }
  return 1;
}

template <class T>
T* at(std::uint32_t address) {
  return reinterpret_cast<T*>(static_cast<std::uintptr_t>(address));
}

// The record layouts below are mirrored slot by slot in call-records.js; the
// asserts keep the two in step with the struct definitions here.

// attention::AttentionShape, AttentionOptions and the tensors' addresses.
struct AttentionRecord {
  std::uint32_t out, weights, query, key, value, mask, key_padding;
  std::uint32_t general_W, additive_Wq, additive_Wk, additive_v;
  std::int32_t heads, queries, keys, dim, value_dim;
  std::int32_t variant;  // index into attention::Variant
  std::int32_t causal;
  std::int32_t has_window, window;  // the optional window
  std::int32_t has_scale;
  float temperature, scale;  // scale read only with has_scale
  std::int32_t additive_da, top_k_k;
};
static_assert(sizeof(AttentionRecord) == 25 * 4, "call-records.js: attention record has 25 slots");
static_assert(offsetof(AttentionRecord, temperature) == 21 * 4, "call-records.js: temperature is slot 21");

// One row's intermediates (attention::AttentionRowTrace); scalars [3] = scale, max, sum.
struct TraceRecord {
  AttentionRecord call;
  std::int32_t head, row;
  std::uint32_t scores, logits, allowed, kept, exps, scalars;
};
static_assert(sizeof(TraceRecord) == 33 * 4, "call-records.js: trace record has 33 slots");

struct MultiHeadRecord {
  std::uint32_t out, weights, average_weights, query, key, value;
  std::uint32_t in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias, key_padding;
  std::int32_t heads, queries, keys, embed_dim, causal;
};
static_assert(sizeof(MultiHeadRecord) == 16 * 4, "call-records.js: multi-head record has 16 slots");

constexpr int kVariantCount = static_cast<int>(attention::Variant::top_k) + 1;

AttentionShape shape_of(const AttentionRecord& r) { return {r.heads, r.queries, r.keys, r.dim, r.value_dim}; }

AttentionOptions options_of(const AttentionRecord& r) {
  if (r.variant < 0 || r.variant >= kVariantCount) {
    throw std::invalid_argument("variant: expected a variant code from 0 to " + std::to_string(kVariantCount - 1) +
                                ", got " + std::to_string(r.variant));
  }
  AttentionOptions options;
  options.variant = static_cast<attention::Variant>(r.variant);
  options.temperature = r.temperature;
  if (r.has_scale) options.scale = r.scale;
  options.causal = r.causal != 0;
  if (r.has_window) options.window = r.window;
  options.mask = at<const std::uint8_t>(r.mask);
  options.key_padding = at<const std::uint8_t>(r.key_padding);
  options.general.W = at<const float>(r.general_W);
  options.additive.Wq = at<const float>(r.additive_Wq);
  options.additive.Wk = at<const float>(r.additive_Wk);
  options.additive.v = at<const float>(r.additive_v);
  options.additive.da = r.additive_da;
  options.top_k.k = r.top_k_k;
  return options;
}

const AttentionRecord& attention_record(std::uint32_t address) { return *at<const AttentionRecord>(address); }

int attention_call(std::uint32_t record) {
  return guarded([&] {
    const AttentionRecord& r = attention_record(record);
    attention::attention_forward(at<float>(r.out), at<float>(r.weights), at<const float>(r.query),
                                 at<const float>(r.key), at<const float>(r.value), shape_of(r), options_of(r));
  });
}

// attention without weights (r.weights is ignored): no [H, NQ, NK] matrix, no weights limit.
int attention_output_call(std::uint32_t record) {
  return guarded([&] {
    const AttentionRecord& r = attention_record(record);
    attention::attention_forward_output_only(at<float>(r.out), at<const float>(r.query), at<const float>(r.key),
                                             at<const float>(r.value), shape_of(r), options_of(r));
  });
}

// Query rows [rowBegin, rowEnd) of every head: out [H, R, DV], weights
// [H, R, NK] or 0 for none (R = rowEnd - rowBegin).
int attention_rows_call(std::uint32_t record, int row_begin, int row_end) {
  return guarded([&] {
    const AttentionRecord& r = attention_record(record);
    attention::attention_forward_rows(at<float>(r.out), at<float>(r.weights), at<const float>(r.query),
                                      at<const float>(r.key), at<const float>(r.value), shape_of(r), options_of(r),
                                      row_begin, row_end);
  });
}

// One request cut into pieces (engine.prepareRows in index.js): the record
// and the tensors it points to stay where the JS layer put them until
// releasePieces, and each head's packed K and V are kept across pieces.
struct PreparedPieces {
  AttentionRecord record;
  attention::KeyValuePacksHandle packs;
};

// The address of a new PreparedPieces for the record, or 0 with lastError set.
std::uint32_t prepare_pieces_call(std::uint32_t record) {
  PreparedPieces* pieces = nullptr;
  guarded([&] {
    const AttentionRecord& r = attention_record(record);
    options_of(r);  // refuses a bad variant code now rather than at the first piece
    pieces = new PreparedPieces{r, attention::make_key_value_packs()};
  });
  return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(pieces));
}

// Heads [headBegin, headEnd), query rows [rowBegin, rowEnd): out [HP, R, DV], weights [HP, R, NK] or 0.
int piece_call(std::uint32_t prepared, std::uint32_t out, std::uint32_t weights, int head_begin, int head_end,
               int row_begin, int row_end) {
  return guarded([&] {
    PreparedPieces& p = *at<PreparedPieces>(prepared);
    const AttentionRecord& r = p.record;
    attention::attention_forward_piece(at<float>(out), at<float>(weights), at<const float>(r.query),
                                       at<const float>(r.key), at<const float>(r.value), shape_of(r), options_of(r),
                                       head_begin, head_end, row_begin, row_end, *p.packs);
  });
}

void release_pieces_call(std::uint32_t prepared) { delete at<PreparedPieces>(prepared); }

int trace_call(std::uint32_t record) {
  return guarded([&] {
    const TraceRecord& c = *at<const TraceRecord>(record);
    const AttentionRecord& a = c.call;
    attention::AttentionRowTrace trace;
    trace.scores = at<float>(c.scores);
    trace.logits = at<float>(c.logits);
    trace.allowed = at<std::uint8_t>(c.allowed);
    trace.kept = at<std::uint8_t>(c.kept);
    trace.exps = at<float>(c.exps);
    trace.weights = at<float>(a.weights);
    trace.output = at<float>(a.out);
    attention::attention_row_trace(trace, at<const float>(a.query), at<const float>(a.key),
                                   at<const float>(a.value), shape_of(a), options_of(a), c.head, c.row);
    float* scalars = at<float>(c.scalars);
    scalars[0] = trace.scale;
    scalars[1] = trace.max;
    scalars[2] = static_cast<float>(trace.sum);
  });
}

int multi_head_call(std::uint32_t record) {
  return guarded([&] {
    const MultiHeadRecord& c = *at<const MultiHeadRecord>(record);
    attention::MultiHeadShape shape{c.heads, c.queries, c.keys, c.embed_dim};
    attention::MultiHeadOptions options;
    options.causal = c.causal != 0;
    options.key_padding = at<const std::uint8_t>(c.key_padding);
    options.in_proj_bias = at<const float>(c.in_proj_bias);
    options.out_proj_bias = at<const float>(c.out_proj_bias);
    attention::multi_head_attention_forward(
        at<float>(c.out), at<float>(c.weights), at<float>(c.average_weights), at<const float>(c.query),
        at<const float>(c.key), at<const float>(c.value), at<const float>(c.in_proj_weight),
        at<const float>(c.out_proj_weight), shape, options);
  });
}

// text: `bytes` bytes of UTF-8 at address, the tokens joined by '\n' (the JS
// layer refuses tokens with whitespace). The split must give exactly
// token_count tokens, the count q, k and v [H, T, D] were sized for.
int text_qkv_call(std::uint32_t text, int bytes, int token_count, int heads, int dim, double seed,
                  float position_weight, std::uint32_t q, std::uint32_t k, std::uint32_t v) {
  return guarded([&] {
    if (bytes < 0) throw std::invalid_argument("tokens: the text's byte count is negative");
    const std::string joined(at<const char>(text), static_cast<std::size_t>(bytes));
    std::vector<std::string> tokens;
    std::size_t start = 0;
    while (start <= joined.size()) {
      const std::size_t end = std::min(joined.find('\n', start), joined.size());
      tokens.push_back(joined.substr(start, end - start));
      start = end + 1;
    }
    if (static_cast<long long>(tokens.size()) != token_count) {
      throw std::invalid_argument("tokens: the text holds " + std::to_string(tokens.size()) +
                                  " tokens, expected " + std::to_string(token_count));
    }
    attention::text_qkv(at<float>(q), at<float>(k), at<float>(v), tokens, heads, dim,
                        static_cast<std::uint64_t>(seed), position_weight);
  });
}

int seeded_general_call(std::uint32_t w, int dim, double seed) {
  return guarded([&] { attention::seeded_general_params(at<float>(w), dim, static_cast<std::uint64_t>(seed)); });
}

int seeded_additive_call(std::uint32_t wq, std::uint32_t wk, std::uint32_t v, int dim, double seed) {
  return guarded([&] {
    attention::seeded_additive_params(at<float>(wq), at<float>(wk), at<float>(v), dim,
                                      static_cast<std::uint64_t>(seed));
  });
}

// The index of the first NaN or infinite float of n at address, or -1: the
// engine's finite check of Q, K and V, run on the copies in WASM memory. A
// float is not finite exactly when its exponent bits are all ones; blocks of 64
// are tested without a branch (so the loop vectorises), then the one that
// holds a bad float is searched.
int first_non_finite_call(std::uint32_t address, int n) {
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

// A loaded model (engine.loadModel in model.js): the model, its tokenizer, the
// ids of the last encode and the tokenizer's pieces as one text.
struct ModelHandle {
  attention::LoadedModel loaded;
  std::vector<std::int32_t> ids;
  std::string pieces;  // every piece, each followed by '\0', in id order
};

// files: `count` records of 4 slots (name address, name bytes, data address,
// data bytes). The address of a new ModelHandle, or 0 with lastError set.
std::uint32_t model_load_call(std::uint32_t files, int count) {
  ModelHandle* handle = nullptr;
  guarded([&] {
    if (count < 0 || count > 4096) throw std::invalid_argument("files: expected 0 to 4096 files");
    const std::uint32_t* slots = at<const std::uint32_t>(files);
    std::vector<attention::ModelFile> list;
    for (int i = 0; i < count; ++i) {
      const std::uint32_t* f = slots + 4 * i;
      list.push_back({std::string(at<const char>(f[0]), f[1]), at<const std::uint8_t>(f[2]), f[3]});
    }
    auto loaded = attention::load_model(list);
    handle = new ModelHandle{std::move(loaded), {}, {}};
    // Hugging Face checkpoints come without one: their tokenizer runs in JS.
    if (const attention::SentencePieceUnigram* t = handle->loaded.tokenizer.get()) {
      for (int id = 0; id < t->size(); ++id) handle->pieces.append(t->piece(id)).push_back('\0');
    }
  });
  return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(handle));
}

ModelHandle& model_at(std::uint32_t handle) { return *at<ModelHandle>(handle); }

// info [8 + 3 * layers] int32: layers, vocab, max_tokens, output width, 1 if
// the model makes a sentence embedding, the family (0 USE, 1 GPT-2, 2 BERT),
// the rows of its token-type table (0 for none), 1 if it gives logits; then
// heads, width_in, width_out per layer. The caller sizes info from info_size.
constexpr int kInfoHeader = 8;

int model_info_size_call(std::uint32_t handle) {
  return kInfoHeader + 3 * static_cast<int>(model_at(handle).loaded.model.config.layers.size());
}

void model_info_call(std::uint32_t handle, std::uint32_t info) {
  const attention::TransformerConfig& c = model_at(handle).loaded.model.config;
  std::int32_t* out = at<std::int32_t>(info);
  out[0] = static_cast<std::int32_t>(c.layers.size());
  out[1] = c.vocab;
  out[2] = c.max_tokens;
  out[3] = c.layers.back().width_out;
  out[4] = c.pooling != attention::Pooling::none ? 1 : 0;
  const std::string& family = model_at(handle).loaded.family;
  out[5] = family == "gpt2" ? 1 : family == "bert" ? 2 : 0;
  out[6] = c.token_types;
  out[7] = c.tied_lm_head ? 1 : 0;
  for (std::size_t l = 0; l < c.layers.size(); ++l) {
    out[kInfoHeader + 3 * l] = c.layers[l].heads;
    out[kInfoHeader + 1 + 3 * l] = c.layers[l].width_in;
    out[kInfoHeader + 2 + 3 * l] = c.layers[l].width_out;
  }
}

// The pieces text (see ModelHandle); its length in bytes at length_out.
std::uint32_t model_pieces_call(std::uint32_t handle, std::uint32_t length_out) {
  const std::string& pieces = model_at(handle).pieces;
  *at<std::uint32_t>(length_out) = static_cast<std::uint32_t>(pieces.size());
  return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(pieces.data()));
}

// Tokenizes `bytes` of UTF-8 (NFKC-normalised by the JS layer); the count of
// ids goes to count_out and the ids stay in the handle (model_ids).
int model_encode_call(std::uint32_t handle, std::uint32_t text, int bytes, std::uint32_t count_out) {
  return guarded([&] {
    ModelHandle& m = model_at(handle);
    if (!m.loaded.tokenizer) throw std::invalid_argument("model: its tokenizer runs in JS, not in the core");
    m.ids = m.loaded.tokenizer->encode(std::string(at<const char>(text), static_cast<std::size_t>(bytes)));
    *at<std::int32_t>(count_out) = static_cast<std::int32_t>(m.ids.size());
  });
}

std::uint32_t model_ids_call(std::uint32_t handle) {
  return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(model_at(handle).ids.data()));
}

// The forward pass over ids [T] and token types [T] (0: all type 0); outputs
// into the caller's buffers, whose addresses are the 6 slots of `outputs`:
// attentions [sum over layers of NH * T * T], hidden [T, C last], embedding
// [C last] (0 when the model makes none), layers [sum over layers of 4 * T * C]
// (each layer's query, key, value and head outputs, [NH, T, HS] each), scales
// [layers] (what each layer multiplied q.k by) and logits [V] of the last
// position (0 when the model gives none).
int model_run_call(std::uint32_t handle, std::uint32_t ids, std::uint32_t types, int tokens, std::uint32_t outputs) {
  return guarded([&] {
    const attention::TransformerModel& model = model_at(handle).loaded.model;
    const attention::TransformerOutputs out = attention::transformer_forward(
        model.config, model.weights, at<const std::int32_t>(ids), types ? at<const std::int32_t>(types) : nullptr, tokens);
    const std::uint32_t* slots = at<const std::uint32_t>(outputs);
    float* a = at<float>(slots[0]);
    for (const std::vector<float>& layer : out.attentions) a = std::copy(layer.begin(), layer.end(), a);
    std::copy(out.hidden.begin(), out.hidden.end(), at<float>(slots[1]));
    if (slots[2]) std::copy(out.embedding.begin(), out.embedding.end(), at<float>(slots[2]));
    float* l = at<float>(slots[3]);
    float* scales = at<float>(slots[4]);
    for (const attention::LayerAttention& layer : out.layers) {
      for (const std::vector<float>* part : {&layer.query, &layer.key, &layer.value, &layer.output}) {
        l = std::copy(part->begin(), part->end(), l);
      }
      *scales++ = layer.scale;
    }
    if (slots[5]) std::copy(out.logits.begin(), out.logits.end(), at<float>(slots[5]));
  });
}

void model_release_call(std::uint32_t handle) { delete at<ModelHandle>(handle); }

// The NUL-terminated message of the last failed call.
std::uint32_t last_error_call() { return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(g_last_error)); }

// Bytes the allocator has handed out and not had back: flat across many
// failed calls exactly when a failure frees what it allocated.
double heap_bytes_in_use_call() { return static_cast<double>(mallinfo().uordblks); }

}  // namespace

EMSCRIPTEN_BINDINGS(attention_core) {
  using emscripten::function;
  function("attention", &attention_call);
  function("attentionOutput", &attention_output_call);
  function("attentionRows", &attention_rows_call);
  function("preparePieces", &prepare_pieces_call);
  function("piece", &piece_call);
  function("releasePieces", &release_pieces_call);
  function("attentionTrace", &trace_call);
  function("multiHeadAttention", &multi_head_call);
  function("textQKV", &text_qkv_call);
  function("seededGeneral", &seeded_general_call);
  function("seededAdditive", &seeded_additive_call);
  function("firstNonFinite", &first_non_finite_call);
  function("modelLoad", &model_load_call);
  function("modelInfoSize", &model_info_size_call);
  function("modelInfo", &model_info_call);
  function("modelPieces", &model_pieces_call);
  function("modelEncode", &model_encode_call);
  function("modelIds", &model_ids_call);
  function("modelRun", &model_run_call);
  function("modelRelease", &model_release_call);
  function("lastError", &last_error_call);
  function("heapBytesInUse", &heap_bytes_in_use_call);
}

// ---------------------------------------------------------------------------
// Training (attention/training.h): a Trainer per handle. Settings arrive as
// plain numbers (and the text as UTF-8 bytes in WASM memory); results go to
// buffers the JS layer (train.js) allocated. Failures return a nonzero status
// or a 0 handle with the message in lastError, as every call above.
#include <memory>

#include "attention/training.h"

namespace {

struct TrainerHandle {
  std::unique_ptr<attention::Trainer> trainer;
  std::string vocabulary;  // every token's name, each followed by '\0'
  std::string tensors;     // "name\0offset\0rows\0cols\0" per tensor (cols 0 for a vector)
  std::vector<std::uint8_t> snapshot;
};

TrainerHandle& trainer_at(std::uint32_t handle) { return *at<TrainerHandle>(handle); }

std::uint32_t address_of(const void* p) { return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(p)); }

// ints [10]: task, layers, heads, width, context, batch, steps, warmup, attention, distance
// reals [9]: seed, learningRate, minLearningRateRatio, weightDecay, beta1, beta2, adamEps, clip, (unused)
std::uint32_t trainer_create_call(std::uint32_t ints_address, std::uint32_t reals_address, std::uint32_t text,
                                  int text_bytes) {
  TrainerHandle* handle = nullptr;
  guarded([&] {
    const std::int32_t* i = at<const std::int32_t>(ints_address);
    const double* r = at<const double>(reals_address);
    constexpr int kTasks = static_cast<int>(attention::TrainTask::text) + 1;
    if (i[0] < 0 || i[0] >= kTasks) throw std::invalid_argument("task: an unknown task code");
    if (text_bytes < 0 || static_cast<std::size_t>(text_bytes) > attention::kTrainMaxTextBytes) {
      throw std::invalid_argument("text: at most " + std::to_string(attention::kTrainMaxTextBytes) + " bytes");
    }
    attention::TrainSettings s;
    s.task = static_cast<attention::TrainTask>(i[0]);
    s.layers = i[1];
    s.heads = i[2];
    s.width = i[3];
    s.context = i[4];
    s.batch = i[5];
    s.steps = i[6];
    s.warmup = i[7];
    s.attention = i[8] != 0;
    s.distance = i[9];
    if (!(r[0] >= 0 && r[0] <= 9007199254740991.0 && r[0] == static_cast<double>(static_cast<std::uint64_t>(r[0])))) {
      throw std::invalid_argument("seed: expected an integer from 0 to 2^53 - 1");
    }
    s.seed = static_cast<std::uint64_t>(r[0]);
    s.learning_rate = r[1];
    s.min_lr_ratio = r[2];
    s.weight_decay = r[3];
    s.beta1 = r[4];
    s.beta2 = r[5];
    s.adam_eps = r[6];
    s.clip = r[7];
    if (s.task == attention::TrainTask::text) s.text.assign(at<const char>(text), static_cast<std::size_t>(text_bytes));
    auto trainer = std::make_unique<attention::Trainer>(s);
    auto* h = new TrainerHandle{std::move(trainer), {}, {}, {}};
    for (const std::string& name : h->trainer->vocabulary()) h->vocabulary.append(name).push_back('\0');
    for (const auto& t : h->trainer->tensors()) {
      h->tensors.append(t.name).push_back('\0');
      h->tensors.append(std::to_string(t.offset)).push_back('\0');
      h->tensors.append(std::to_string(t.shape[0])).push_back('\0');
      h->tensors.append(std::to_string(t.shape.size() > 1 ? t.shape[1] : 0)).push_back('\0');
    }
    handle = h;
  });
  return address_of(handle);
}

// info [8] int32: vocab, context, layers, heads, width, steps done, status (1 = diverged), parameters
void trainer_info_call(std::uint32_t handle, std::uint32_t info) {
  const attention::Trainer& t = *trainer_at(handle).trainer;
  std::int32_t* out = at<std::int32_t>(info);
  const attention::TrainSettings& s = t.settings();
  out[0] = static_cast<std::int32_t>(t.vocabulary().size());
  out[1] = s.context;
  out[2] = s.layers;
  out[3] = s.heads;
  out[4] = s.width;
  out[5] = t.steps_done();
  out[6] = t.status() == attention::TrainStatus::diverged ? 1 : 0;
  out[7] = static_cast<std::int32_t>(t.parameters().size());
}

// One step; out [5] float64: step, loss, accuracy, learning rate, gradient norm.
int trainer_step_call(std::uint32_t handle, std::uint32_t out) {
  return guarded([&] {
    const attention::TrainStepResult r = trainer_at(handle).trainer->step();
    double* o = at<double>(out);
    o[0] = r.step;
    o[1] = r.loss;
    o[2] = r.accuracy;
    o[3] = r.learning_rate;
    o[4] = r.grad_norm;
  });
}

// out [3] float64: loss, accuracy, tokens scored.
int trainer_evaluate_call(std::uint32_t handle, std::uint32_t out) {
  return guarded([&] {
    const attention::TrainEvaluation e = trainer_at(handle).trainer->evaluate();
    double* o = at<double>(out);
    o[0] = e.loss;
    o[1] = e.accuracy;
    o[2] = e.scored;
  });
}

// Every layer's attention over ids [T], into out [layers, NH, T, T].
int trainer_attentions_call(std::uint32_t handle, std::uint32_t ids, int tokens, std::uint32_t out) {
  return guarded([&] {
    if (tokens < 0 || tokens > attention::kTrainMaxContext) throw std::invalid_argument("ids: too many tokens");
    const std::int32_t* p = at<const std::int32_t>(ids);
    const auto layers = trainer_at(handle).trainer->attentions(std::vector<std::int32_t>(p, p + tokens));
    float* o = at<float>(out);
    for (const auto& layer : layers) o = std::copy(layer.begin(), layer.end(), o);
  });
}

std::uint32_t trainer_probe_call(std::uint32_t handle) { return address_of(trainer_at(handle).trainer->probe().data()); }

std::uint32_t trainer_parameters_call(std::uint32_t handle) {
  return address_of(trainer_at(handle).trainer->parameters().data());
}

// The '\0'-separated texts of the vocabulary (what = 0) or the tensors (1); bytes at length_out.
std::uint32_t trainer_text_call(std::uint32_t handle, int what, std::uint32_t length_out) {
  const TrainerHandle& h = trainer_at(handle);
  const std::string& text = what == 0 ? h.vocabulary : h.tensors;
  *at<std::uint32_t>(length_out) = static_cast<std::uint32_t>(text.size());
  return address_of(text.data());
}

// Takes a snapshot into the handle; its address, and its bytes at length_out.
std::uint32_t trainer_snapshot_call(std::uint32_t handle, std::uint32_t length_out) {
  TrainerHandle& h = trainer_at(handle);
  h.snapshot = h.trainer->snapshot();
  *at<std::uint32_t>(length_out) = static_cast<std::uint32_t>(h.snapshot.size());
  return address_of(h.snapshot.data());
}

void trainer_drop_snapshot_call(std::uint32_t handle) { std::vector<std::uint8_t>().swap(trainer_at(handle).snapshot); }

int trainer_restore_call(std::uint32_t handle, std::uint32_t bytes, int length) {
  return guarded([&] {
    if (length < 0) throw std::invalid_argument("snapshot: a negative length");
    const std::uint8_t* p = at<const std::uint8_t>(bytes);
    trainer_at(handle).trainer->restore(std::vector<std::uint8_t>(p, p + length));
  });
}

void trainer_release_call(std::uint32_t handle) { delete at<TrainerHandle>(handle); }

}  // namespace

EMSCRIPTEN_BINDINGS(attention_training) {
  using emscripten::function;
  function("trainerCreate", &trainer_create_call);
  function("trainerInfo", &trainer_info_call);
  function("trainerStep", &trainer_step_call);
  function("trainerEvaluate", &trainer_evaluate_call);
  function("trainerAttentions", &trainer_attentions_call);
  function("trainerProbe", &trainer_probe_call);
  function("trainerParameters", &trainer_parameters_call);
  function("trainerText", &trainer_text_call);
  function("trainerSnapshot", &trainer_snapshot_call);
  function("trainerDropSnapshot", &trainer_drop_snapshot_call);
  function("trainerRestore", &trainer_restore_call);
  function("trainerRelease", &trainer_release_call);
}
