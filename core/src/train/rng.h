// The trainer's one source of randomness: SplitMix64, a 64-bit state that is
// the whole generator, so a snapshot that stores it resumes the exact stream.
// Identical on every platform (integer arithmetic only); normal() uses the
// C library's log, sqrt and cos, so its bits are those of one build.
#pragma once

#include <cstdint>

namespace attention::train {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, 1), 53 bits.
  double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }

  // Uniform integer in [0, n), n >= 1, without modulo bias (rejection of the
  // top sliver of the 64-bit range).
  int below(int n);

  // Standard normal (Box-Muller, one value per call; no cached second value
  // so the state stays the single word above).
  double normal();

  std::uint64_t state() const { return state_; }
  void set_state(std::uint64_t s) { state_ = s; }

 private:
  std::uint64_t state_;
};

}  // namespace attention::train
