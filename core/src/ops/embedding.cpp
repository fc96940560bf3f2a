#include "ops/embedding.h"

#include <cmath>
#include <cstddef>

namespace attention {

void f32_embedding_lookup(float* x, const float* table, const std::int32_t* ids, int tokens, int width,
                          float multiplier) {
  for (int t = 0; t < tokens; ++t) {
    const float* row = table + static_cast<std::size_t>(ids[t]) * width;
    float* x_t = x + static_cast<std::size_t>(t) * width;
    for (int i = 0; i < width; ++i) x_t[i] = multiplier * row[i];
  }
}

void f32_add_rows(float* x, const float* table, const std::int32_t* ids, int tokens, int width) {
  for (int t = 0; t < tokens; ++t) {
    const float* row = table + static_cast<std::size_t>(ids[t]) * width;
    float* x_t = x + static_cast<std::size_t>(t) * width;
    for (int i = 0; i < width; ++i) x_t[i] += row[i];
  }
}

void f32_add_positions(float* x, const float* table, int tokens, int width) {
  for (int t = 0; t < tokens; ++t) {
    const float* row = table + static_cast<std::size_t>(t) * width;
    float* x_t = x + static_cast<std::size_t>(t) * width;
    for (int i = 0; i < width; ++i) x_t[i] += row[i];
  }
}

// The angle in float32 as the graphs compute it (position times the stored
// inverse timescale), then sin and cos of it.
void f32_add_sinusoidal(float* x, const float* inv_timescales, int tokens, int width) {
  const int half = width / 2;
  for (int t = 0; t < tokens; ++t) {
    float* x_t = x + static_cast<std::size_t>(t) * width;
    for (int i = 0; i < half; ++i) {
      const float angle = static_cast<float>(t) * inv_timescales[i];
      x_t[i] += std::sin(angle);
      x_t[half + i] += std::cos(angle);
    }
  }
}

void f64_embedding_lookup_ref(double* x, const float* table, const std::int32_t* ids, int tokens, int width,
                              double multiplier) {
  for (int t = 0; t < tokens; ++t) {
    for (int i = 0; i < width; ++i) {
      x[static_cast<std::size_t>(t) * width + i] = multiplier * table[static_cast<std::size_t>(ids[t]) * width + i];
    }
  }
}

void f64_add_rows_ref(double* x, const float* table, const std::int32_t* ids, int tokens, int width) {
  for (int t = 0; t < tokens; ++t) {
    for (int i = 0; i < width; ++i) x[static_cast<std::size_t>(t) * width + i] += table[static_cast<std::size_t>(ids[t]) * width + i];
  }
}

void f64_add_positions_ref(double* x, const float* table, int tokens, int width) {
  for (int t = 0; t < tokens; ++t) {
    for (int i = 0; i < width; ++i) x[static_cast<std::size_t>(t) * width + i] += table[static_cast<std::size_t>(t) * width + i];
  }
}

void f64_add_sinusoidal_ref(double* x, const float* inv_timescales, int tokens, int width) {
  const int half = width / 2;
  for (int t = 0; t < tokens; ++t) {
    for (int i = 0; i < half; ++i) {
      const double angle = static_cast<double>(t) * inv_timescales[i];
      x[static_cast<std::size_t>(t) * width + i] += std::sin(angle);
      x[static_cast<std::size_t>(t) * width + half + i] += std::cos(angle);
    }
  }
}

}  // namespace attention
