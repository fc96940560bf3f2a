#include <algorithm>

#include "kernels.h"

namespace attention {

bool key_allowed(const AttentionOptions& options, int keys, int i, int j) {
  if (options.causal && j > i) return false;
  if (options.window && (j - i > *options.window || i - j > *options.window)) return false;
  if (options.mask && !options.mask[static_cast<long long>(i) * keys + j]) return false;
  if (options.key_padding && options.key_padding[j]) return false;
  return true;
}

void allowed_key_range(const AttentionOptions& options, int keys, int i, long long* lo, long long* hi) {
  *lo = 0;
  *hi = keys;
  if (options.causal) *hi = std::min<long long>(*hi, static_cast<long long>(i) + 1);
  if (options.window) {
    *lo = std::max<long long>(*lo, static_cast<long long>(i) - *options.window);
    *hi = std::min<long long>(*hi, static_cast<long long>(i) + *options.window + 1);
  }
}

void fill_allowed_row(std::uint8_t* allowed, const AttentionOptions& options, int keys, int i) {
  // Causal and window bound a contiguous range [lo, hi); mask and padding
  // then knock out single keys.
  long long lo, hi;
  allowed_key_range(options, keys, i, &lo, &hi);
  std::fill(allowed, allowed + keys, std::uint8_t{0});
  const std::uint8_t* mask_i = options.mask ? options.mask + static_cast<long long>(i) * keys : nullptr;
  for (long long j = lo; j < hi; ++j) {
    allowed[j] = (!mask_i || mask_i[j]) && (!options.key_padding || !options.key_padding[j]) ? 1 : 0;
  }
}

}  // namespace attention
