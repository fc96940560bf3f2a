// The backward of the head split and merge (ops/heads.cpp) and of the
// token and position embeddings, each the transpose of a copy or a gather.
#include <cstddef>

#include "train/ops.h"

namespace attention::train {

void split_heads_backward(float* dqkv, const float* dq, const float* dk, const float* dv, int tokens, int width,
                          int heads) {
  const int hs = width / heads;
  const float* parts[3] = {dq, dk, dv};
  for (int t = 0; t < tokens; ++t) {
    float* row = dqkv + static_cast<std::size_t>(t) * 3 * width;
    for (int p = 0; p < 3; ++p) {
      for (int h = 0; h < heads; ++h) {
        const float* src = parts[p] + (static_cast<std::size_t>(h) * tokens + t) * hs;
        for (int d = 0; d < hs; ++d) row[p * width + h * hs + d] = src[d];
      }
    }
  }
}

void merge_heads_backward(float* dheads, const float* dmerged, int tokens, int width, int heads) {
  const int hs = width / heads;
  for (int h = 0; h < heads; ++h) {
    for (int t = 0; t < tokens; ++t) {
      const float* src = dmerged + static_cast<std::size_t>(t) * width + h * hs;
      float* dst = dheads + (static_cast<std::size_t>(h) * tokens + t) * hs;
      for (int d = 0; d < hs; ++d) dst[d] = src[d];
    }
  }
}

void f32_embed_forward(float* x, const float* wte, const float* wpe, const std::int32_t* ids, int batch, int tokens,
                       int width) {
  for (int b = 0; b < batch; ++b) {
    for (int t = 0; t < tokens; ++t) {
      const std::size_t bt = static_cast<std::size_t>(b) * tokens + t;
      const float* e = wte + static_cast<std::size_t>(ids[bt]) * width;
      const float* p = wpe + static_cast<std::size_t>(t) * width;
      float* x_bt = x + bt * width;
      for (int i = 0; i < width; ++i) x_bt[i] = e[i] + p[i];
    }
  }
}

void f32_embed_backward(float* dwte, float* dwpe, const float* dx, const std::int32_t* ids, int batch, int tokens,
                        int width) {
  for (int b = 0; b < batch; ++b) {
    for (int t = 0; t < tokens; ++t) {
      const std::size_t bt = static_cast<std::size_t>(b) * tokens + t;
      float* de = dwte + static_cast<std::size_t>(ids[bt]) * width;
      float* dp = dwpe + static_cast<std::size_t>(t) * width;
      const float* dx_bt = dx + bt * width;
      for (int i = 0; i < width; ++i) {
        de[i] += dx_bt[i];
        dp[i] += dx_bt[i];
      }
    }
  }
}

void f64_embed_forward_ref(double* x, const double* wte, const double* wpe, const std::int32_t* ids, int batch,
                           int tokens, int width) {
  for (int b = 0; b < batch; ++b) {
    for (int t = 0; t < tokens; ++t) {
      const std::size_t bt = static_cast<std::size_t>(b) * tokens + t;
      for (int i = 0; i < width; ++i) {
        x[bt * width + i] = wte[static_cast<std::size_t>(ids[bt]) * width + i] + wpe[static_cast<std::size_t>(t) * width + i];
      }
    }
  }
}

void f64_embed_backward_ref(double* dwte, double* dwpe, const double* dx, const std::int32_t* ids, int batch,
                            int tokens, int width) {
  for (int b = 0; b < batch; ++b) {
    for (int t = 0; t < tokens; ++t) {
      const std::size_t bt = static_cast<std::size_t>(b) * tokens + t;
      for (int i = 0; i < width; ++i) {
        dwte[static_cast<std::size_t>(ids[bt]) * width + i] += dx[bt * width + i];
        dwpe[static_cast<std::size_t>(t) * width + i] += dx[bt * width + i];
      }
    }
  }
}

}  // namespace attention::train
