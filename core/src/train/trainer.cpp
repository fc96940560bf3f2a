// The Trainer of attention/training.h: settings checked before anything is
// allocated, then one step = a batch from the data stream, forward, backward,
// clip, AdamW; a snapshot is every number the next step depends on.
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "attention/training.h"
#include "train/adamw.h"
#include "train/gpt.h"
#include "train/rng.h"
#include "train/tasks.h"

namespace attention {

using train::AdamWSettings;
using train::GptActivations;
using train::GptShape;
using train::Rng;
using train::TaskData;

namespace {

// Independent streams from one seed: the parameters' initialisation (the
// same for attention and baseline), training batches, held-out batches, and
// the probe (the same for every seed).
constexpr std::uint64_t kInitStream = 0x696e697400000000ULL;
constexpr std::uint64_t kDataStream = 0x6461746100000000ULL;
constexpr std::uint64_t kEvalStream = 0x6576616c00000000ULL;
constexpr std::uint64_t kProbeSeed = 0x70726f6265ULL;
constexpr int kEvalBatches = 4;
constexpr char kMagic[8] = {'A', 'P', 'G', 'P', 'T', 'S', 'N', 'P'};
constexpr std::uint32_t kVersion = 1;

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument(what); }

void check_int(const char* field, long long value, long long lo, long long hi) {
  if (value < lo || value > hi) {
    fail(std::string(field) + ": expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) +
         ", got " + std::to_string(value));
  }
}

void check_real(const char* field, double value, double lo, double hi, bool open_lo) {
  if (!std::isfinite(value) || value < lo || (open_lo && value == lo) || value > hi) {
    fail(std::string(field) + ": expected a number " + (open_lo ? "above " : "from ") + std::to_string(lo) +
         " to " + std::to_string(hi) + ", got " + std::to_string(value));
  }
}

GptShape shape_of(const TrainSettings& s, int vocab) {
  GptShape g;
  g.vocab = vocab;
  g.context = s.context;
  g.layers = s.layers;
  g.heads = s.heads;
  g.width = s.width;
  g.attention = s.attention;
  return g;
}

int warmup_of(const TrainSettings& s) { return s.warmup >= 0 ? s.warmup : std::min(100, s.steps / 10); }

// FNV-1a over every setting, so a snapshot is only taken back by a trainer
// that would have produced it.
std::uint64_t fingerprint(const TrainSettings& s) {
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](const void* p, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ULL;
  };
  const int ints[] = {static_cast<int>(s.task), s.layers, s.heads, s.width, s.context, s.batch, s.steps,
                      warmup_of(s), s.attention ? 1 : 0, s.distance};
  const double reals[] = {s.learning_rate, s.min_lr_ratio, s.weight_decay, s.beta1, s.beta2, s.adam_eps, s.clip};
  mix(ints, sizeof ints);
  mix(reals, sizeof reals);
  mix(&s.seed, sizeof s.seed);
  mix(s.text.data(), s.text.size());
  return h;
}

}  // namespace

TrainTask parse_train_task(const std::string& name) {
  for (TrainTask t : {TrainTask::copy, TrainTask::reverse, TrainTask::recall, TrainTask::induction, TrainTask::sort,
                      TrainTask::text}) {
    if (name == train_task_name(t)) return t;
  }
  fail("task: expected one of copy, reverse, recall, induction, sort, text, got \"" + name.substr(0, 40) + "\"");
}

const char* train_task_name(TrainTask t) {
  switch (t) {
    case TrainTask::copy: return "copy";
    case TrainTask::reverse: return "reverse";
    case TrainTask::recall: return "recall";
    case TrainTask::induction: return "induction";
    case TrainTask::sort: return "sort";
    case TrainTask::text: return "text";
  }
  return "?";
}

double validate_train_settings(const TrainSettings& s) {
  check_int("layers", s.layers, 1, kTrainMaxLayers);
  check_int("heads", s.heads, 1, kTrainMaxHeads);
  check_int("width", s.width, 1, kTrainMaxWidth);
  if (s.width % s.heads != 0) {
    fail("heads: " + std::to_string(s.heads) + " does not divide the width " + std::to_string(s.width));
  }
  check_int("context", s.context, 4, kTrainMaxContext);
  check_int("batch", s.batch, 1, kTrainMaxBatch);
  check_int("steps", s.steps, 1, kTrainMaxSteps);
  check_int("warmup", s.warmup, -1, s.steps);
  check_real("learningRate", s.learning_rate, 0, 1e300, true);
  check_real("minLearningRateRatio", s.min_lr_ratio, 0, 1, false);
  check_real("weightDecay", s.weight_decay, 0, 10, false);
  check_real("beta1", s.beta1, 0, 1, false);
  check_real("beta2", s.beta2, 0, 1, false);
  if (s.beta1 >= 1 || s.beta2 >= 1) fail("beta1, beta2: expected numbers below 1");
  check_real("adamEps", s.adam_eps, 0, 1, true);
  check_real("clip", s.clip, 0, 1e300, false);
  if (s.task == TrainTask::text && s.text.size() > kTrainMaxTextBytes) {
    fail("text: at most " + std::to_string(kTrainMaxTextBytes) + " bytes, got " + std::to_string(s.text.size()));
  }
  if (s.task == TrainTask::recall && (s.distance < 2 || s.distance > s.context - 2)) {
    fail("distance: expected 2 to " + std::to_string(s.context - 2) + " (context - 2), got " +
         std::to_string(s.distance));
  }
  // The text's vocabulary is at most 1024 characters; the synthetic tasks' is smaller.
  const int vocab_bound = s.task == TrainTask::text ? 1024 : 64;
  const GptShape g = shape_of(s, vocab_bound);
  const double params = static_cast<double>(train::gpt_layout(g).total);
  const double bytes = 7 * 4 * params + train::gpt_activation_bytes(g, s.batch, s.context) +
                       8.0 * s.batch * s.context + s.text.size() * 40.0;
  if (bytes > kTrainMaxBytes) {
    fail("settings: the model and its activations would take " + std::to_string(static_cast<long long>(bytes / 1048576)) +
         " MiB, more than " + std::to_string(static_cast<long long>(kTrainMaxBytes / 1048576)) +
         " MiB; lower width, layers, context or batch");
  }
  return bytes;
}

struct Trainer::State {
  TrainSettings settings;
  TaskData data;
  GptShape shape;
  AdamWSettings adam;
  std::vector<float> params, grads, m, v;
  std::vector<std::uint8_t> decay;
  GptActivations acts;
  std::vector<std::int32_t> ids, targets, probe;
  Rng data_rng;
  int steps = 0;
  TrainStatus status = TrainStatus::ready;
  std::string message;
  // the state before the last update, to go back to on divergence
  std::vector<float> last_params, last_m, last_v;
  std::uint64_t last_rng = 0;
  int last_steps = 0;
  bool has_last = false;

  explicit State(const TrainSettings& s) : settings(s), data(s) {}
};

Trainer::Trainer(const TrainSettings& settings) {
  validate_train_settings(settings);
  s_ = std::make_unique<State>(settings);
  State& z = *s_;
  z.shape = shape_of(settings, z.data.vocab());
  const std::size_t n = train::gpt_layout(z.shape).total;
  z.params.assign(n, 0.0f);
  z.grads.assign(n, 0.0f);
  z.m.assign(n, 0.0f);
  z.v.assign(n, 0.0f);
  z.decay.assign(n, 0);
  for (const auto& t : train::gpt_tensors(z.shape)) {
    if (t.decay) std::fill(z.decay.begin() + t.offset, z.decay.begin() + t.offset + t.size(), 1);
  }
  Rng init(settings.seed ^ kInitStream);
  train::gpt_init(z.params.data(), z.shape, init);
  z.data_rng.set_state(settings.seed ^ kDataStream);
  z.adam.peak = settings.learning_rate;
  z.adam.min_ratio = settings.min_lr_ratio;
  z.adam.warmup = warmup_of(settings);
  z.adam.steps = settings.steps;
  z.adam.beta1 = settings.beta1;
  z.adam.beta2 = settings.beta2;
  z.adam.eps = settings.adam_eps;
  z.adam.weight_decay = settings.weight_decay;
  train::gpt_allocate(z.acts, z.shape, settings.batch, settings.context);
  z.ids.assign(static_cast<std::size_t>(settings.batch) * settings.context, 0);
  z.targets.assign(z.ids.size(), -1);
  std::vector<std::int32_t> probe_targets(settings.context);
  z.probe.assign(settings.context, 0);
  Rng probe_rng(kProbeSeed);
  z.data.batch(z.probe.data(), probe_targets.data(), 1, probe_rng, true);
}

Trainer::~Trainer() = default;

TrainStepResult Trainer::step() {
  State& z = *s_;
  if (z.status == TrainStatus::diverged) throw std::runtime_error(z.message);
  const std::uint64_t rng_before = z.data_rng.state();
  z.data.batch(z.ids.data(), z.targets.data(), z.settings.batch, z.data_rng, false);
  // The attention kernel refuses scores that overflow float32: with finite
  // settings only parameters that have blown up make them, so that is a
  // divergence too.
  train::LossResult r;
  double norm = 0;
  const char* what = nullptr;
  try {
    r = train::gpt_forward(z.acts, z.params.data(), z.shape, z.ids.data(), z.targets.data(), true);
    std::fill(z.grads.begin(), z.grads.end(), 0.0f);
    if (std::isfinite(r.loss)) {
      train::gpt_backward(z.grads.data(), z.acts, z.params.data(), z.shape, z.ids.data());
      norm = train::global_norm(z.grads.data(), z.grads.size());
      if (!std::isfinite(norm)) what = "the gradient is not finite";
    } else {
      what = "the loss is not finite";
    }
  } catch (const std::invalid_argument&) {
    what = "the attention scores overflow float32";
  }
  if (what) {
    z.status = TrainStatus::diverged;
    z.message = "training diverged at step " + std::to_string(z.steps + 1) + ": " + what +
                " (learning rate too high?); the state is back at step " +
                std::to_string(z.has_last ? z.last_steps : z.steps) + ", the last with a finite loss";
    if (z.has_last) {
      z.params = z.last_params;
      z.m = z.last_m;
      z.v = z.last_v;
      z.data_rng.set_state(z.last_rng);
      z.steps = z.last_steps;
    } else {
      z.data_rng.set_state(rng_before);
    }
    throw std::runtime_error(z.message);
  }
  z.last_params = z.params;
  z.last_m = z.m;
  z.last_v = z.v;
  z.last_rng = rng_before;
  z.last_steps = z.steps;
  z.has_last = true;
  train::clip_by_norm(z.grads.data(), z.grads.size(), norm, z.settings.clip);
  TrainStepResult out;
  out.learning_rate = train::learning_rate_at(z.adam, z.steps);
  train::adamw_update(z.params.data(), z.m.data(), z.v.data(), z.grads.data(), z.decay.data(), z.params.size(),
                      z.adam, z.steps);
  ++z.steps;
  out.step = z.steps;
  out.loss = r.loss;
  out.accuracy = r.scored > 0 ? static_cast<double>(r.correct) / r.scored : 0.0;
  out.grad_norm = norm;
  return out;
}

TrainEvaluation Trainer::evaluate() {
  State& z = *s_;
  Rng rng(z.settings.seed ^ kEvalStream);
  double loss = 0;
  long long correct = 0, scored = 0;
  for (int i = 0; i < kEvalBatches; ++i) {
    z.data.batch(z.ids.data(), z.targets.data(), z.settings.batch, rng, true);
    const auto r = train::gpt_forward(z.acts, z.params.data(), z.shape, z.ids.data(), z.targets.data(), false);
    loss += r.loss * r.scored;
    correct += r.correct;
    scored += r.scored;
  }
  TrainEvaluation e;
  e.scored = static_cast<int>(scored);
  e.loss = scored > 0 ? loss / scored : 0;
  e.accuracy = scored > 0 ? static_cast<double>(correct) / scored : 0;
  return e;
}

std::vector<std::vector<float>> Trainer::attentions(const std::vector<std::int32_t>& ids) {
  const State& z = *s_;
  const int T = static_cast<int>(ids.size());
  if (T < 1 || T > z.settings.context) {
    fail("ids: expected 1 to " + std::to_string(z.settings.context) + " token ids, got " + std::to_string(T));
  }
  for (int t = 0; t < T; ++t) {
    if (ids[t] < 0 || ids[t] >= z.data.vocab()) {
      fail("ids[" + std::to_string(t) + "]: expected a token id from 0 to " + std::to_string(z.data.vocab() - 1) +
           ", got " + std::to_string(ids[t]));
    }
  }
  GptActivations a;
  train::gpt_allocate(a, z.shape, 1, T);
  const std::vector<std::int32_t> none(T, -1);
  train::gpt_forward(a, z.params.data(), z.shape, ids.data(), none.data(), false);
  const std::size_t per = static_cast<std::size_t>(z.shape.heads) * T * T;
  std::vector<std::vector<float>> out;
  for (int l = 0; l < z.shape.layers; ++l) out.emplace_back(a.att.begin() + l * per, a.att.begin() + (l + 1) * per);
  return out;
}

const std::vector<std::int32_t>& Trainer::probe() const { return s_->probe; }
const std::vector<std::string>& Trainer::vocabulary() const { return s_->data.names(); }
int Trainer::steps_done() const { return s_->steps; }
TrainStatus Trainer::status() const { return s_->status; }
const std::string& Trainer::message() const { return s_->message; }
const TrainSettings& Trainer::settings() const { return s_->settings; }
const std::vector<float>& Trainer::parameters() const { return s_->params; }

std::vector<Trainer::Tensor> Trainer::tensors() const {
  std::vector<Tensor> out;
  for (const auto& t : train::gpt_tensors(s_->shape)) {
    Tensor x{t.name, t.offset, {t.rows}};
    if (t.cols > 0) x.shape.push_back(t.cols);
    out.push_back(x);
  }
  return out;
}

namespace {
template <class T>
void put(std::vector<std::uint8_t>& out, const T& value) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}
template <class T>
T get(const std::vector<std::uint8_t>& in, std::size_t& at) {
  if (at + sizeof(T) > in.size()) fail("snapshot: truncated");
  T value;
  std::memcpy(&value, in.data() + at, sizeof(T));
  at += sizeof(T);
  return value;
}
}  // namespace

// magic, version, fingerprint of the settings, steps, data stream, status,
// parameter count, then parameters, first and second moments (float32,
// the machine's byte order, which is little-endian on every target here).
std::vector<std::uint8_t> Trainer::snapshot() const {
  const State& z = *s_;
  std::vector<std::uint8_t> out(kMagic, kMagic + 8);
  put(out, kVersion);
  put(out, fingerprint(z.settings));
  put(out, static_cast<std::int32_t>(z.steps));
  put(out, z.data_rng.state());
  const std::uint64_t count = z.params.size();
  put(out, count);
  for (const auto* v : {&z.params, &z.m, &z.v}) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(v->data());
    out.insert(out.end(), p, p + v->size() * sizeof(float));
  }
  return out;
}

void Trainer::restore(const std::vector<std::uint8_t>& in) {
  State& z = *s_;
  if (in.size() < 8 || std::memcmp(in.data(), kMagic, 8) != 0) fail("snapshot: not a trainer snapshot");
  std::size_t at = 8;
  if (get<std::uint32_t>(in, at) != kVersion) fail("snapshot: an unknown version");
  if (get<std::uint64_t>(in, at) != fingerprint(z.settings)) {
    fail("snapshot: taken from a trainer with other settings");
  }
  const auto steps = get<std::int32_t>(in, at);
  const auto rng = get<std::uint64_t>(in, at);
  const auto count = get<std::uint64_t>(in, at);
  if (count != z.params.size() || in.size() - at != 3 * count * sizeof(float) || steps < 0) {
    fail("snapshot: its size does not match the model");
  }
  for (auto* v : {&z.params, &z.m, &z.v}) {
    std::memcpy(v->data(), in.data() + at, count * sizeof(float));
    at += count * sizeof(float);
  }
  z.steps = steps;
  z.data_rng.set_state(rng);
  z.status = TrainStatus::ready;
  z.message.clear();
  z.has_last = false;
}

}  // namespace attention
