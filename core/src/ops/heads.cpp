#include "ops/heads.h"

#include <cstddef>
#include <cstring>

namespace attention {

void split_qkv_heads(float* q, float* k, float* v, const float* qkv, int tokens, int width, int heads) {
  const int hs = width / heads;
  float* parts[3] = {q, k, v};
  for (int t = 0; t < tokens; ++t) {
    const float* row = qkv + static_cast<std::size_t>(t) * 3 * width;
    for (int p = 0; p < 3; ++p) {
      for (int h = 0; h < heads; ++h) {
        std::memcpy(parts[p] + (static_cast<std::size_t>(h) * tokens + t) * hs, row + p * width + h * hs,
                    sizeof(float) * hs);
      }
    }
  }
}

void merge_heads(float* merged, const float* heads_out, int tokens, int width, int heads) {
  const int hs = width / heads;
  for (int h = 0; h < heads; ++h) {
    for (int t = 0; t < tokens; ++t) {
      std::memcpy(merged + static_cast<std::size_t>(t) * width + h * hs,
                  heads_out + (static_cast<std::size_t>(h) * tokens + t) * hs, sizeof(float) * hs);
    }
  }
}

}  // namespace attention
