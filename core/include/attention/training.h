// Training a small GPT-2 in the core: the settings a person picks, the
// built-in tasks, and a Trainer that steps AdamW over batches drawn from the
// seed, reports loss and accuracy, shows every head's attention on a probe
// sequence, and saves and restores its whole state.
//
// Deterministic: the same settings (seed included) give the same losses bit
// for bit on one build, whether the run is paused, snapshotted and restored
// or not; the state holds the parameters, AdamW's moments, the step and the
// data generator's state.
//
// The model is GPT-2's (learned positions, pre-norm blocks, causal multi-head
// attention, GELU (tanh) MLP of width 4C, final norm, output head tied to the
// token embedding). With attention = false every attention layer is replaced
// by a uniform average over the causal prefix (the baseline); everything
// else, including the parameters' layout and initialisation, is the same, so
// two trainers that differ only there see the same batches from the same start.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace attention {

enum class TrainTask {
  copy,       // x1..xn | x1..xn        scored: the copy
  reverse,    // x1..xn | xn..x1        scored: the reversed copy
  recall,     // k1 v1 .. kP vP . . . q1 a1 .. qP aP   scored: each answer a = the v of key q
  induction,  // r1..rn r1..rn          scored: the second copy after its first token
  sort,       // digits | sorted digits scored: the sorted digits
  text,       // a character-level language model of the given text; scored: every next character
};
TrainTask parse_train_task(const std::string& name);  // throws naming the choices
const char* train_task_name(TrainTask task);

struct TrainSettings {
  TrainTask task = TrainTask::recall;
  std::string text;  // UTF-8, for task text (its characters are the vocabulary)
  int layers = 2;
  int heads = 4;      // divides width
  int width = 64;
  int context = 64;   // T, tokens of every training sequence
  int batch = 16;
  double learning_rate = 1e-3;  // the peak, after warm-up
  int steps = 1000;   // the planned run: warm-up, then cosine decay to min_lr_ratio over these steps
  int warmup = -1;    // steps of linear warm-up; -1 = steps / 10, at most 100
  double min_lr_ratio = 0.1;
  double weight_decay = 0.1;  // AdamW's, on matrices and embeddings only
  double beta1 = 0.9, beta2 = 0.95, adam_eps = 1e-8;
  double clip = 1.0;  // largest global gradient norm; 0 = no clipping
  std::uint64_t seed = 1;
  bool attention = true;
  int distance = 64;  // recall: the least distance from a key to its query (2..context-2)
};

// Largest sizes the trainer takes; validate_train_settings names the field.
constexpr int kTrainMaxLayers = 12;
constexpr int kTrainMaxHeads = 16;
constexpr int kTrainMaxWidth = 512;
constexpr int kTrainMaxContext = 512;
constexpr int kTrainMaxBatch = 128;
constexpr int kTrainMaxSteps = 10000000;
constexpr double kTrainMaxBytes = 768.0 * 1024 * 1024;  // parameters, moments and activations together
constexpr std::size_t kTrainMaxTextBytes = 8u << 20;

// Throws std::invalid_argument naming the first unusable field, before
// anything is allocated; returns the bytes the trainer will hold.
double validate_train_settings(const TrainSettings& settings);

struct TrainStepResult {
  int step = 0;         // steps done, this one included
  double loss = 0;      // mean cross-entropy of the batch's scored tokens
  double accuracy = 0;  // fraction of them whose most likely token is right
  double learning_rate = 0;  // used by this step
  double grad_norm = 0;      // before clipping
};

struct TrainEvaluation {
  double loss = 0, accuracy = 0;
  int scored = 0;  // tokens scored
};

enum class TrainStatus { ready, diverged };

class Trainer {
 public:
  explicit Trainer(const TrainSettings& settings);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // One AdamW step on the next batch. A loss or gradient that is not finite
  // stops the run: the state goes back to before the last update (the last
  // parameters whose loss was finite), status() becomes diverged, and this
  // and every later step throws std::runtime_error saying so.
  TrainStepResult step();
  // Loss and accuracy on held-out batches: the same ones at every call (a
  // fixed stream of the task's generator apart from training's; for text,
  // windows of the last tenth, which training never sees).
  TrainEvaluation evaluate();
  // Every layer's attention [NH, T, T] (rows = queries) over ids (1..context
  // tokens, each < vocab); the baseline's is its uniform average.
  std::vector<std::vector<float>> attentions(const std::vector<std::int32_t>& ids);
  // A fixed sequence of the task, the same for every seed, to watch heads on.
  const std::vector<std::int32_t>& probe() const;
  // The tokens' names (one UTF-8 string per id) and what each task reads as.
  const std::vector<std::string>& vocabulary() const;

  // The whole state as bytes, and back: restore refuses bytes that are not a
  // snapshot of a trainer with the same settings.
  std::vector<std::uint8_t> snapshot() const;
  void restore(const std::vector<std::uint8_t>& bytes);

  int steps_done() const;
  TrainStatus status() const;
  const std::string& message() const;  // why it stopped, when diverged
  const TrainSettings& settings() const;
  // The parameters, with GPT2LMHeadModel's name, offset and shape of each tensor.
  const std::vector<float>& parameters() const;
  struct Tensor {
    std::string name;
    std::size_t offset;
    std::vector<int> shape;
  };
  std::vector<Tensor> tensors() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace attention
