// Steps 1-5 of text.h: hashed character n-grams, sinusoidal positions and
// seeded near-identity projections.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "attention/attention.h"
#include "attention/text.h"

namespace attention {

namespace {

// UTF-8 string split into code points (each a byte string). A byte of the
// form 10xxxxxx continues the previous code point.
std::vector<std::string> code_points(const std::string& s) {
  std::vector<std::string> points;
  for (unsigned char c : s) {
    if ((c & 0xC0) == 0x80 && !points.empty()) {
      points.back().push_back(static_cast<char>(c));
    } else {
      points.emplace_back(1, static_cast<char>(c));
    }
  }
  return points;
}

std::uint32_t fnv1a_fmix32(const std::string& bytes) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 16777619u;
  }
  // fmix32 spreads FNV's weak low bits, which pick the bucket.
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

class SplitMix64 {
 public:
  SplitMix64(std::uint64_t seed, std::uint64_t stream)
      : state_(seed ^ (stream * 0xd1342543de82ef95ull)) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in (0, 1]: 53 random bits, shifted away from 0 for the log below.
  double uniform() { return (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53; }
  // Box-Muller; one of the pair is discarded to keep the stream simple.
  double normal() {
    const double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  std::uint64_t state_;
};

// w [D, D] = I + 0.5 * G, G ~ Normal(0, 1/D)
void near_identity(float* w, int dim, SplitMix64& rng) {
  const double sd = 0.5 / std::sqrt(static_cast<double>(dim));
  for (int i = 0; i < dim; ++i) {
    for (int j = 0; j < dim; ++j) {
      w[static_cast<size_t>(i) * dim + j] = static_cast<float>((i == j ? 1.0 : 0.0) + sd * rng.normal());
    }
  }
}

void check_dim(int dim) {
  if (dim < 1 || dim > 4096) {
    throw std::invalid_argument("dim: expected an integer from 1 to 4096, got " + std::to_string(dim));
  }
}

constexpr std::uint64_t kGeneralStream = 0x67656e6572616cull;  // "general"
constexpr std::uint64_t kAdditiveStream = 0x6164646974697665ull;  // "additive"

}  // namespace

std::vector<std::string> token_features(const std::string& token) {
  const std::vector<std::string> points = code_points("<" + token + ">");
  const int m = static_cast<int>(points.size());
  std::vector<std::string> features;
  for (int n = 1; n <= 3; ++n) {
    for (int start = 0; start + n <= m; ++start) {
      if (n == 1 && (start == 0 || start == m - 1)) continue;  // bare "<" or ">"
      std::string gram;
      for (int t = start; t < start + n; ++t) gram += points[t];
      features.push_back(gram);
    }
  }
  if (m > 3) features.push_back("<" + token + ">");
  return features;
}

void feature_bucket(const std::string& feature, int dim, int* bucket, float* sign) {
  const std::uint32_t h = fnv1a_fmix32(feature);
  *bucket = static_cast<int>(h % static_cast<std::uint32_t>(dim));
  *sign = (h & 0x80000000u) ? -1.0f : 1.0f;
}

void embed_tokens(float* x, const std::vector<std::string>& tokens, int dim, float position_weight) {
  check_dim(dim);
  const double root_d = std::sqrt(static_cast<double>(dim));
  std::vector<double> hashed(dim), position(dim);
  for (size_t t = 0; t < tokens.size(); ++t) {
    std::fill(hashed.begin(), hashed.end(), 0.0);
    for (const std::string& f : token_features(tokens[t])) {
      int bucket;
      float sign;
      feature_bucket(f, dim, &bucket, &sign);
      hashed[bucket] += sign;
    }
    double hashed_norm = 0.0, position_norm = 0.0;
    for (int i = 0; i < dim; ++i) {
      const double angle = static_cast<double>(t) / std::pow(10000.0, static_cast<double>(i - i % 2) / dim);
      position[i] = (i % 2 == 0) ? std::sin(angle) : std::cos(angle);
      hashed_norm += hashed[i] * hashed[i];
      position_norm += position[i] * position[i];
    }
    // Features can cancel to a zero vector; then only the position remains.
    const double hs = hashed_norm > 0.0 ? 1.0 / std::sqrt(hashed_norm) : 0.0;
    const double ps = position_norm > 0.0 ? position_weight / std::sqrt(position_norm) : 0.0;
    for (int i = 0; i < dim; ++i) {
      x[t * dim + i] = static_cast<float>(root_d * (hashed[i] * hs + position[i] * ps));
    }
  }
}

void seeded_projections(float* w, int heads, int dim, std::uint64_t seed) {
  check_dim(dim);
  for (int h = 0; h < heads; ++h) {
    for (int r = 0; r < 3; ++r) {
      SplitMix64 rng(seed, static_cast<std::uint64_t>(h) * 3 + r + 1);
      near_identity(w + (static_cast<size_t>(h) * 3 + r) * dim * dim, dim, rng);
    }
  }
}

void text_qkv(float* q, float* k, float* v, const std::vector<std::string>& tokens, int heads,
              int dim, std::uint64_t seed, float position_weight) {
  check_dim(dim);
  if (heads < 1 || heads > 64) {
    throw std::invalid_argument("heads: expected an integer from 1 to 64, got " + std::to_string(heads));
  }
  const size_t T = tokens.size();
  const long long projection_floats = 3LL * heads * dim * dim;
  if (projection_floats > kMaxTensorFloats || static_cast<long long>(T) * heads * dim > kMaxTensorFloats) {
    throw std::invalid_argument("heads, dim: the projections or Q/K/V would exceed " +
                                std::to_string(kMaxTensorFloats) + " floats (256 MiB)");
  }
  std::vector<float> x(T * dim);
  embed_tokens(x.data(), tokens, dim, position_weight);
  std::vector<float> w(static_cast<size_t>(heads) * 3 * dim * dim);
  seeded_projections(w.data(), heads, dim, seed);
  float* outputs[3] = {q, k, v};
  for (int h = 0; h < heads; ++h) {
    for (int r = 0; r < 3; ++r) {
      const float* w_hr = w.data() + (static_cast<size_t>(h) * 3 + r) * dim * dim;
      float* y_h = outputs[r] + static_cast<size_t>(h) * T * dim;
      for (size_t t = 0; t < T; ++t) {
        for (int i = 0; i < dim; ++i) {
          double sum = 0.0;
          for (int j = 0; j < dim; ++j) sum += static_cast<double>(w_hr[i * dim + j]) * x[t * dim + j];
          y_h[t * dim + i] = static_cast<float>(sum);
        }
      }
    }
  }
}

void seeded_general_params(float* w, int dim, std::uint64_t seed) {
  check_dim(dim);
  SplitMix64 rng(seed, kGeneralStream);
  near_identity(w, dim, rng);
}

void seeded_additive_params(float* wq, float* wk, float* v, int dim, std::uint64_t seed) {
  check_dim(dim);
  SplitMix64 rng(seed, kAdditiveStream);
  near_identity(wq, dim, rng);
  near_identity(wk, dim, rng);
  for (int i = 0; i < dim; ++i) v[i] = static_cast<float>(rng.normal());
}

}  // namespace attention
