// The input of the first layer: token embeddings, positions and token types.
//   x [T, C]   table [V, C]   ids [T], each in [0, V)
// embedding_lookup:      x[t] = multiplier * table[ids[t]]
// add_rows:              x[t] += table[ids[t]]     (token types; learned
//                        positions with ids[t] = t, table [P, C])
// add_sinusoidal:        x[t][i] += sin(t inv[i]), x[t][C/2 + i] += cos(t inv[i])
//                        for i < C/2 (sines first, then cosines, as USE)
// Each has its float64 reference (the _ref names), over the same inputs.
#pragma once

#include <cstdint>

namespace attention {

void f32_embedding_lookup(float* x, const float* table, const std::int32_t* ids, int tokens, int width,
                          float multiplier);
void f32_add_rows(float* x, const float* table, const std::int32_t* ids, int tokens, int width);
void f32_add_positions(float* x, const float* table, int tokens, int width);
void f32_add_sinusoidal(float* x, const float* inv_timescales, int tokens, int width);

void f64_embedding_lookup_ref(double* x, const float* table, const std::int32_t* ids, int tokens, int width,
                              double multiplier);
void f64_add_rows_ref(double* x, const float* table, const std::int32_t* ids, int tokens, int width);
void f64_add_positions_ref(double* x, const float* table, int tokens, int width);
void f64_add_sinusoidal_ref(double* x, const float* inv_timescales, int tokens, int width);

}  // namespace attention
