#include "train/rng.h"

#include <cmath>

namespace attention::train {

int Rng::below(int n) {
  const std::uint64_t bound = static_cast<std::uint64_t>(n);
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  std::uint64_t r = next();
  while (r >= limit) r = next();
  return static_cast<int>(r % bound);
}

// u1 in (0, 1] so log(u1) is finite.
double Rng::normal() {
  const double u1 = 1.0 - unit();
  const double u2 = unit();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

}  // namespace attention::train
