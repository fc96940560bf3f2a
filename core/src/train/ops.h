// The backward of every op the GPT trainer uses, each beside its forward and
// a float64 reference of both (forward and backward over double inputs, so a
// central finite difference of the reference forward checks the reference
// backward, and the reference backward checks the float32 one).
//
// Dimension legend (llm.c's):
//   N   rows (tokens of the whole batch, B * T)
//   B   sequences of a batch, T tokens each
//   C   width, NH heads, HS = C / NH
//   K   a projection's input width, M its output width
//   V   vocabulary
// Every backward ACCUMULATES (+=) into its gradient buffers, so the caller
// zeroes them once per step and a tensor used twice (the tied embedding)
// collects both contributions. Forwards overwrite their outputs.
#pragma once

#include <cstdint>

namespace attention::train {

// --- matmul: y = x W + b
// The forward is ops/matmul_bias.h's f32_matmul_bias where that is the
// WebAssembly SIMD kernel; natively its dispatch is the plain scalar loop,
// so training runs a four-row version of it instead (same sums, same order).
//   y, dy [N, M]   x, dx [N, K]   W, dW [K, M]   b, db [M] (db may be null)
//   wt    [M, K]   scratch for W transposed, so dx is a sum of rows of W^T
void f32_matmul_forward(float* y, const float* x, const float* w, const float* b, int rows, int in, int out);
void f32_matmul_backward(float* dx, float* dw, float* db, const float* dy, const float* x, const float* w,
                         float* wt, int rows, int in, int out);
void f64_matmul_forward_ref(double* y, const double* x, const double* w, const double* b, int rows, int in, int out);
void f64_matmul_backward_ref(double* dx, double* dw, double* db, const double* dy, const double* x, const double* w,
                             int rows, int in, int out);

// --- layer norm: y = scale (x - mean) rstd + bias   (forward: ops/layer_norm.h)
//   dx, dy, x [N, C]   scale, dscale, dbias [C]
// The backward recomputes each row's mean and rstd from x the way the forward
// does, so the forward saves nothing but its input.
//   dx = rstd (g - mean(g) - xhat mean(g xhat)),  g = dy scale, xhat = (x - mean) rstd
void f32_layer_norm_backward(float* dx, float* dscale, float* dbias, const float* dy, const float* x,
                             const float* scale, int rows, int width, float eps);
void f64_layer_norm_forward_ref(double* y, const double* x, const double* scale, const double* bias, int rows,
                                int width, double eps);
void f64_layer_norm_backward_ref(double* dx, double* dscale, double* dbias, const double* dy, const double* x,
                                 const double* scale, int rows, int width, double eps);

// --- GELU (tanh): y = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3)
//   (forward: ops/activations.h's f32_gelu_tanh; f32_gelu_tanh_forward is
//   the same arithmetic that also keeps tanh(u) [n] for the backward)
//   dy/dx = (1 + tanh u)/2 + x/2 (1 - tanh^2 u) sqrt(2/pi) (1 + 3 0.044715 x^2)
//   dx, dy, x [n]  (x is the activation's input)
void f32_gelu_tanh_forward(float* y, float* th, const float* x, long long n);
void f32_gelu_tanh_backward(float* dx, const float* dy, const float* x, long long n);
void f32_gelu_tanh_backward_saved(float* dx, const float* dy, const float* x, const float* th, long long n);
void f64_gelu_tanh_backward_ref(double* dx, const double* dy, const double* x, long long n);

// --- causal softmax attention of one sequence (forward: attention.h's
//     attention_forward with causal = true, scale 1/sqrt(HS))
//   q, k, v, out, dq, dk, dv, dout [NH, T, HS]   att [NH, T, T] (rows = queries)
//   dS_ij = att_ij (dout_i . v_j - sum_j' att_ij' dout_i . v_j')
//   dq_i += scale sum_j dS_ij k_j,  dk_j += scale sum_i dS_ij q_i,  dv_j += sum_i att_ij dout_i
void f32_causal_attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* q,
                                   const float* k, const float* v, const float* att, int heads, int tokens, int hs);
void f64_causal_attention_forward_ref(double* out, double* att, const double* q, const double* k, const double* v,
                                      int heads, int tokens, int hs);
void f64_causal_attention_backward_ref(double* dq, double* dk, double* dv, const double* dout, const double* q,
                                       const double* k, const double* v, const double* att, int heads, int tokens,
                                       int hs);

// --- the baseline's attention: a uniform average over the causal prefix,
//     out_i = (1/(i+1)) sum_{j<=i} v_j, no weights learned
//   v, out, dv, dout [NH, T, HS]   att [NH, T, T] (filled with 1/(i+1) for j <= i, else 0)
void f32_uniform_attention_forward(float* out, float* att, const float* v, int heads, int tokens, int hs);
void f32_uniform_attention_backward(float* dv, const float* dout, int heads, int tokens, int hs);
void f64_uniform_attention_forward_ref(double* out, const double* v, int heads, int tokens, int hs);
void f64_uniform_attention_backward_ref(double* dv, const double* dout, int heads, int tokens, int hs);

// --- heads: qkv [T, 3C] <-> q, k, v [NH, T, HS] (forward: ops/heads.h)
//   dqkv [T, 3C] (overwritten from dq, dk, dv [NH, T, HS])
//   dmerged [T, C] -> dheads [NH, T, HS] (overwritten)
void split_heads_backward(float* dqkv, const float* dq, const float* dk, const float* dv, int tokens, int width,
                          int heads);
void merge_heads_backward(float* dheads, const float* dmerged, int tokens, int width, int heads);

// --- embeddings: x[b][t] = wte[ids[b][t]] + wpe[t]
//   x, dx [B, T, C]   wte, dwte [V, C]   wpe, dwpe [T_max, C]   ids [B, T]
void f32_embed_forward(float* x, const float* wte, const float* wpe, const std::int32_t* ids, int batch, int tokens,
                       int width);
void f32_embed_backward(float* dwte, float* dwpe, const float* dx, const std::int32_t* ids, int batch, int tokens,
                        int width);
void f64_embed_forward_ref(double* x, const double* wte, const double* wpe, const std::int32_t* ids, int batch,
                           int tokens, int width);
void f64_embed_backward_ref(double* dwte, double* dwpe, const double* dx, const std::int32_t* ids, int batch,
                            int tokens, int width);

// --- cross-entropy over the scored rows (target >= 0; -1 = not scored):
//   loss = (1/S) sum_scored -log softmax(logits_n)[target_n],  S = scored rows
//   dlogits_n = (softmax(logits_n) - onehot(target_n)) / S on scored rows, 0 elsewhere
//   logits, dlogits [N, V]   targets [N]
// Returns the loss (0 when no row is scored) and writes the count of scored
// rows whose argmax is the target to *correct (the first maximum wins ties),
// the number scored to *scored. dlogits may be null (evaluation only); it is
// overwritten, not accumulated, and may be logits itself.
double f32_cross_entropy(float* dlogits, int* correct, int* scored, const float* logits,
                         const std::int32_t* targets, int rows, int vocab);
double f64_cross_entropy_ref(double* dlogits, const double* logits, const std::int32_t* targets, int rows, int vocab);

}  // namespace attention::train
