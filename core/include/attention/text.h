// From tokens to queries, keys and values, deterministically and explainably.
//
// Legend: T tokens, D width, H heads (see attention.h for the rest).
//
// 1. Token features. Each token (already NFKC-normalised and lower-cased by
//    the caller) is wrapped as "<token>"; its features are every run of 1, 2
//    and 3 Unicode code points of the wrapped string (except the bare "<" and
//    ">") plus the whole wrapped string. This is fastText's trick: "cat" and
//    "cats" share "<ca", "cat", "at" ... so their vectors are close.
// 2. Hashing. A feature's UTF-8 bytes are hashed with 32-bit FNV-1a and then
//    murmur3's fmix32; bucket = hash mod D, sign = +1 if the top bit is 0,
//    else -1. h_t = sum of sign * e_bucket over the token's features.
// 3. Position. p_t[2i] = sin(t / 10000^(2i/D)), p_t[2i+1] = cos(same), the
//    sinusoids of "Attention Is All You Need".
// 4. Embedding. x_t = sqrt(D) * (h_t / |h_t| + position_weight * p_t / |p_t|).
//    The sqrt(D) makes q.k/sqrt(D) of similar tokens a few units, so softmax
//    weights are visibly peaked rather than uniform.
// 5. Projections. For head h and role r in (query, key, value):
//    W[h][r] = I + 0.5 * G, G[i][j] ~ Normal(0, 1/D) from a SplitMix64 stream
//    seeded by (seed, h, r); q = W[h][0] x, k = W[h][1] x, v = W[h][2] x.
//    Near-identity projections keep attention following token similarity
//    while each head still sees the text a little differently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attention {

constexpr float kDefaultPositionWeight = 0.5f;

// The hashed features of step 1, for display and tests.
std::vector<std::string> token_features(const std::string& token);

// Step 2 for one feature: returns bucket in [0, D) and sign in {-1, +1}.
void feature_bucket(const std::string& feature, int dim, int* bucket, float* sign);

// x [T, D]: steps 1-4.
void embed_tokens(float* x, const std::vector<std::string>& tokens, int dim,
                  float position_weight);

// w [H, 3, D, D]: step 5's matrices, row-major (w[h][r][i][j] multiplies x[j] into y[i]).
void seeded_projections(float* w, int heads, int dim, std::uint64_t seed);

// q, k, v [H, T, D]: steps 1-5 together.
void text_qkv(float* q, float* k, float* v, const std::vector<std::string>& tokens, int heads,
              int dim, std::uint64_t seed, float position_weight);

// Seeded parameters for the variants that need them, so a playground view is
// rebuilt exactly from its seed. Streams are distinct from step 5's.
// general:  w [D, D] = I + 0.5 * G, G ~ Normal(0, 1/D)
void seeded_general_params(float* w, int dim, std::uint64_t seed);
// additive: wq, wk [D, D] = I + 0.5 * G each, v [D] ~ Normal(0, 1); DA = D
void seeded_additive_params(float* wq, float* wk, float* v, int dim, std::uint64_t seed);

}  // namespace attention
