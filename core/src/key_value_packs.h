// The packed K and V that attention_forward_piece keeps across the pieces of
// one request (the public header only names the type). Each head is packed
// by the first piece that needs it, in the panel layout the fused kernel's
// micro-kernels read.
#pragma once

#include <vector>

#include "attention/attention.h"

namespace attention {

struct KeyValuePacks {
  struct Head {
    std::vector<float> key_storage, value_storage;
    float* key_panels = nullptr;    // [NK/8 rounded up, D, 8], in key_storage; null until packed
    // [DV/8 rounded up, NK rounded up to 8, 8], in value_storage; null when DV
    // is a multiple of 8 (the kernel then reads V where it is)
    float* value_panels = nullptr;
    double key_norm2_max = 0.0;
  };
  std::vector<Head> heads;  // one per head of the request, from the first piece on
  AttentionShape shape{0, 0, 0, 0, 0};  // of the request, set by the first piece
};

}  // namespace attention
