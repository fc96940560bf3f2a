// Between the token-major stream and the head-major tensors attention takes.
//   qkv [T, 3C]: q in columns 0..C-1, k in C..2C-1, v in 2C..3C-1, and head h
//                in columns h*HS .. h*HS+HS-1 of each
//   q, k, v [NH, T, HS]        merged [T, C] from heads [NH, T, HS]
#pragma once

namespace attention {

void split_qkv_heads(float* q, float* k, float* v, const float* qkv, int tokens, int width, int heads);
void merge_heads(float* merged, const float* heads_out, int tokens, int width, int heads);

}  // namespace attention
