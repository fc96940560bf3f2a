// The GPT-2 model the trainer trains: config, one flat parameter buffer with
// named views (offsets) into it, activations sized once for a batch, and the
// forward and backward passes as short sequences of the ops of train/ops.h
// and core/src/ops/. A float64 reference of the whole model (forward and
// backward, over double parameters) sits beside them for the tests.
//
// Dimension legend: B sequences, T tokens each (T <= P), N = B T rows,
// V vocabulary, P positions (the context), L layers, C width, NH heads,
// HS = C / NH, F = 4 C the feed-forward width.
// GPT-2's blocks, pre-norm:
//   x0 = wte[ids] + wpe[t]
//   r  = x + proj(attention(ln_1(x)))          (attention: causal softmax, or
//   x' = r + fc_proj(gelu(fc(ln_2(r))))          the baseline's uniform average)
//   logits = ln_f(x_L) wte^T                    (the output head is tied to wte)
// Matrices are [in, out], as Hugging Face's Conv1D stores them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace attention::train {

struct GptShape {
  int vocab = 0;    // V
  int context = 0;  // P
  int layers = 0;   // L
  int heads = 0;    // NH
  int width = 0;    // C
  bool attention = true;  // false: the baseline's uniform causal average
  float norm_eps = 1e-5f;
};

// One named tensor of the flat buffer: Hugging Face GPT2LMHeadModel's name,
// offset in floats, shape (cols = 0 for a vector) and whether AdamW decays it
// (matrices and embeddings yes; biases and norm gains no).
struct ParamTensor {
  std::string name;
  std::size_t offset = 0;
  int rows = 0, cols = 0;
  bool decay = false;
  std::size_t size() const { return static_cast<std::size_t>(rows) * (cols > 0 ? cols : 1); }
};

// Offsets of every view, in floats.
struct LayerOffsets {
  std::size_t ln1_w, ln1_b, qkv_w, qkv_b, proj_w, proj_b, ln2_w, ln2_b, fc_w, fc_b, fcproj_w, fcproj_b;
};
struct GptLayout {
  std::size_t wte, wpe;
  std::vector<LayerOffsets> layer;
  std::size_t lnf_w, lnf_b;
  std::size_t total;
};

GptLayout gpt_layout(const GptShape& shape);
std::vector<ParamTensor> gpt_tensors(const GptShape& shape);

// GPT-2's initialisation: weights normal(0, 0.02), the two projections into
// the residual stream scaled by 1/sqrt(2 L), biases 0, norm gains 1, drawn
// in the order of gpt_tensors from rng's stream.
class Rng;
void gpt_init(float* params, const GptShape& shape, Rng& rng);

// Everything the backward needs from the forward, for B x T, allocated once.
struct GptActivations {
  int batch = 0, tokens = 0;
  std::vector<float> resid;   // [L + 1, N, C]  the stream entering each layer, and the last one's output
  std::vector<float> ln1, merged, res2, ln2;  // [L, N, C]
  std::vector<float> qkv;     // [L, N, 3C]
  std::vector<float> q, k, v, atto;  // [L, B, NH, T, HS]
  std::vector<float> att;     // [L, B, NH, T, T]
  std::vector<float> fch, fcg, fct;  // [L, N, F]  before and after GELU, and its tanh
  std::vector<float> lnf;     // [N, C]
  std::vector<float> logits;  // [N, V], then dlogits
  std::vector<float> wte_t;   // [C, V]
  // backward scratch
  std::vector<float> d_resid, d_res2, d_c;   // [N, C]
  std::vector<float> d_qkv;                  // [N, 3C]
  std::vector<float> d_f1, d_f2;             // [N, F]
  std::vector<float> d_q, d_k, d_v, d_atto;  // [NH, T, HS]
  std::vector<float> d_wte_t;                // [C, V]
  std::vector<float> transpose;              // [max(F C, V C)]
};

// Bytes that GptActivations for B x T would take, computed in double before
// anything is allocated, for the size check of the settings.
double gpt_activation_bytes(const GptShape& shape, int batch, int tokens);
void gpt_allocate(GptActivations& a, const GptShape& shape, int batch, int tokens);

struct LossResult {
  double loss = 0;
  int correct = 0, scored = 0;
};

// Forward over ids [B, T], loss against targets [B, T] (-1 = not scored).
// With want_gradient, a.logits holds dlogits afterwards (for gpt_backward).
LossResult gpt_forward(GptActivations& a, const float* params, const GptShape& shape, const std::int32_t* ids,
                       const std::int32_t* targets, bool want_gradient);
// Accumulates d loss / d params into grads [total] (zero it first) from the
// activations of the last gpt_forward with want_gradient.
void gpt_backward(float* grads, GptActivations& a, const float* params, const GptShape& shape,
                  const std::int32_t* ids);

// The same model in float64: returns the loss and, if grads is not null,
// accumulates the gradient into grads [total].
double gpt_reference_f64(double* grads, const double* params, const GptShape& shape, const std::int32_t* ids,
                         const std::int32_t* targets, int batch, int tokens);

}  // namespace attention::train
