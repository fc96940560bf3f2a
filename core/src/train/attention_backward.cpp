// Causal softmax attention's backward (its forward is attention.h's
// attention_forward, causal, scale 1/sqrt(HS)), the baseline's uniform
// average over the causal prefix with its backward, and float64 references.
#include <cmath>
#include <cstddef>
#include <vector>

#include "train/ops.h"

namespace attention::train {

namespace {
std::size_t at(int head, int row, int rows, int width) {
  return (static_cast<std::size_t>(head) * rows + row) * width;
}
}  // namespace

void f32_causal_attention_backward(float* dq, float* dk, float* dv, const float* dout, const float* q,
                                   const float* k, const float* v, const float* att, int heads, int tokens, int hs) {
  const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
  std::vector<float> datt(static_cast<std::size_t>(tokens));
  for (int h = 0; h < heads; ++h) {
    for (int i = 0; i < tokens; ++i) {
      const float* att_hi = att + at(h, i, tokens, tokens);
      const float* dout_hi = dout + at(h, i, tokens, hs);
      const float* q_hi = q + at(h, i, tokens, hs);
      float* dq_hi = dq + at(h, i, tokens, hs);
      // pass 1: d att_ij = dout_i . v_j, and dv_j += att_ij dout_i
      float weighted = 0;
      for (int j = 0; j <= i; ++j) {
        const float* v_hj = v + at(h, j, tokens, hs);
        float* dv_hj = dv + at(h, j, tokens, hs);
        float s = 0;
        for (int d = 0; d < hs; ++d) s += dout_hi[d] * v_hj[d];
        datt[j] = s;
        weighted += att_hi[j] * s;
        const float a = att_hi[j];
        for (int d = 0; d < hs; ++d) dv_hj[d] += a * dout_hi[d];
      }
      // pass 2: through the softmax to the scores, then to q and k
      for (int j = 0; j <= i; ++j) {
        const float ds = att_hi[j] * (datt[j] - weighted) * scale;
        const float* k_hj = k + at(h, j, tokens, hs);
        float* dk_hj = dk + at(h, j, tokens, hs);
        for (int d = 0; d < hs; ++d) {
          dq_hi[d] += ds * k_hj[d];
          dk_hj[d] += ds * q_hi[d];
        }
      }
    }
  }
}

void f64_causal_attention_forward_ref(double* out, double* att, const double* q, const double* k, const double* v,
                                      int heads, int tokens, int hs) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(hs));
  for (int h = 0; h < heads; ++h) {
    for (int i = 0; i < tokens; ++i) {
      double* row = att + at(h, i, tokens, tokens);
      double max = -INFINITY;
      for (int j = 0; j < tokens; ++j) {
        if (j > i) {
          row[j] = 0;
          continue;
        }
        double s = 0;
        for (int d = 0; d < hs; ++d) s += q[at(h, i, tokens, hs) + d] * k[at(h, j, tokens, hs) + d];
        row[j] = s * scale;
        if (row[j] > max) max = row[j];
      }
      double sum = 0;
      for (int j = 0; j <= i; ++j) sum += (row[j] = std::exp(row[j] - max));
      for (int j = 0; j <= i; ++j) row[j] /= sum;
      for (int d = 0; d < hs; ++d) {
        double o = 0;
        for (int j = 0; j <= i; ++j) o += row[j] * v[at(h, j, tokens, hs) + d];
        out[at(h, i, tokens, hs) + d] = o;
      }
    }
  }
}

void f64_causal_attention_backward_ref(double* dq, double* dk, double* dv, const double* dout, const double* q,
                                       const double* k, const double* v, const double* att, int heads, int tokens,
                                       int hs) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(hs));
  std::vector<double> datt(static_cast<std::size_t>(tokens));
  for (int h = 0; h < heads; ++h) {
    for (int i = 0; i < tokens; ++i) {
      const double* a = att + at(h, i, tokens, tokens);
      double weighted = 0;
      for (int j = 0; j <= i; ++j) {
        double s = 0;
        for (int d = 0; d < hs; ++d) s += dout[at(h, i, tokens, hs) + d] * v[at(h, j, tokens, hs) + d];
        datt[j] = s;
        weighted += a[j] * s;
        for (int d = 0; d < hs; ++d) dv[at(h, j, tokens, hs) + d] += a[j] * dout[at(h, i, tokens, hs) + d];
      }
      for (int j = 0; j <= i; ++j) {
        const double ds = a[j] * (datt[j] - weighted) * scale;
        for (int d = 0; d < hs; ++d) {
          dq[at(h, i, tokens, hs) + d] += ds * k[at(h, j, tokens, hs) + d];
          dk[at(h, j, tokens, hs) + d] += ds * q[at(h, i, tokens, hs) + d];
        }
      }
    }
  }
}

// A running sum of the prefix, divided by its length: out_i is exactly the
// mean the reference computes, up to float32 rounding of the running sum.
void f32_uniform_attention_forward(float* out, float* att, const float* v, int heads, int tokens, int hs) {
  std::vector<float> sum(static_cast<std::size_t>(hs));
  for (int h = 0; h < heads; ++h) {
    for (int d = 0; d < hs; ++d) sum[d] = 0;
    for (int i = 0; i < tokens; ++i) {
      const float inv = 1.0f / static_cast<float>(i + 1);
      const float* v_hi = v + at(h, i, tokens, hs);
      float* out_hi = out + at(h, i, tokens, hs);
      for (int d = 0; d < hs; ++d) {
        sum[d] += v_hi[d];
        out_hi[d] = sum[d] * inv;
      }
      if (att) {
        float* row = att + at(h, i, tokens, tokens);
        for (int j = 0; j < tokens; ++j) row[j] = j <= i ? inv : 0.0f;
      }
    }
  }
}

// dv_j += sum_{i >= j} dout_i / (i + 1): a running sum from the last row back.
void f32_uniform_attention_backward(float* dv, const float* dout, int heads, int tokens, int hs) {
  std::vector<float> sum(static_cast<std::size_t>(hs));
  for (int h = 0; h < heads; ++h) {
    for (int d = 0; d < hs; ++d) sum[d] = 0;
    for (int i = tokens - 1; i >= 0; --i) {
      const float inv = 1.0f / static_cast<float>(i + 1);
      const float* dout_hi = dout + at(h, i, tokens, hs);
      float* dv_hi = dv + at(h, i, tokens, hs);
      for (int d = 0; d < hs; ++d) {
        sum[d] += dout_hi[d] * inv;
        dv_hi[d] += sum[d];
      }
    }
  }
}

void f64_uniform_attention_forward_ref(double* out, const double* v, int heads, int tokens, int hs) {
  for (int h = 0; h < heads; ++h) {
    for (int i = 0; i < tokens; ++i) {
      for (int d = 0; d < hs; ++d) {
        double s = 0;
        for (int j = 0; j <= i; ++j) s += v[at(h, j, tokens, hs) + d];
        out[at(h, i, tokens, hs) + d] = s / (i + 1);
      }
    }
  }
}

void f64_uniform_attention_backward_ref(double* dv, const double* dout, int heads, int tokens, int hs) {
  for (int h = 0; h < heads; ++h) {
    for (int j = 0; j < tokens; ++j) {
      for (int d = 0; d < hs; ++d) {
        double s = 0;
        for (int i = j; i < tokens; ++i) s += dout[at(h, i, tokens, hs) + d] / (i + 1);
        dv[at(h, j, tokens, hs) + d] += s;
      }
    }
  }
}

}  // namespace attention::train
