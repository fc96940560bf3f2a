// Row normalisations. For a row of scores s over the allowed keys A:
//   softmax: w_j = exp(s_j - m) / sum_{l in A} exp(s_l - m), m = max_{l in A} s_l
//            (subtracting the row max keeps exp from overflowing at s = 1e4)
//   hard:    w_j = 1 at the first j in A with s_j = m, else 0
//   top_k:   softmax over the k best of A (higher score first, lower index on ties)
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "kernels.h"

namespace attention {

bool exp_shifted_row(float* row, const std::uint8_t* allowed, int keys, float* max_out, double* sum_out) {
  // pass 1: max over allowed keys
  float max_score = -INFINITY;
  bool any = false;
  for (int j = 0; j < keys; ++j) {
    if (allowed[j] && (!any || row[j] > max_score)) {
      max_score = row[j];
      any = true;
    }
  }
  if (!any) {
    std::fill(row, row + keys, 0.0f);
    *max_out = 0.0f;
    *sum_out = 0.0;
    return false;
  }
  // pass 2: shifted exponentials and their sum (accumulated in double: rows can be 16k long)
  double sum = 0.0;
  for (int j = 0; j < keys; ++j) {
    row[j] = allowed[j] ? std::exp(row[j] - max_score) : 0.0f;
    sum += row[j];
  }
  *max_out = max_score;
  *sum_out = sum;
  return true;
}

void softmax_row(float* row, const std::uint8_t* allowed, int keys) {
  float max_score;
  double sum;
  if (!exp_shifted_row(row, allowed, keys, &max_score, &sum)) return;
  // pass 3: normalise; sum >= 1 because the max key contributes exp(0)
  const float inv = static_cast<float>(1.0 / sum);
  for (int j = 0; j < keys; ++j) row[j] *= inv;
}

int argmax_allowed(const float* row, const std::uint8_t* allowed, int keys) {
  int best = -1;
  for (int j = 0; j < keys; ++j) {
    if (allowed[j] && (best < 0 || row[j] > row[best])) best = j;
  }
  return best;
}

void hard_row(float* row, const std::uint8_t* allowed, int keys) {
  const int best = argmax_allowed(row, allowed, keys);
  std::fill(row, row + keys, 0.0f);
  if (best >= 0) row[best] = 1.0f;
}

void select_top_k(std::uint8_t* keep, const float* row, const std::uint8_t* allowed, int keys, int k) {
  std::vector<int> order;
  order.reserve(keys);
  for (int j = 0; j < keys; ++j) {
    if (allowed[j]) order.push_back(j);
  }
  const int kept = std::min<int>(k, static_cast<int>(order.size()));
  std::partial_sort(order.begin(), order.begin() + kept, order.end(), [row](int a, int b) {
    return row[a] > row[b] || (row[a] == row[b] && a < b);
  });
  std::fill(keep, keep + keys, std::uint8_t{0});
  for (int r = 0; r < kept; ++r) keep[order[r]] = 1;
}

void top_k_row(float* row, const std::uint8_t* allowed, int keys, int k) {
  std::vector<std::uint8_t> keep(keys);
  select_top_k(keep.data(), row, allowed, keys, k);
  softmax_row(row, keep.data(), keys);
}

}  // namespace attention
