// The projection's backward (its forward is ops/matmul_bias.cpp):
//   dx = dy W^T,  dW = x^T dy,  db = sum over rows of dy.
#include <cstddef>

#include "ops/matmul_bias.h"
#include "train/ops.h"

namespace attention::train {

namespace {
std::size_t at(int row, int width) { return static_cast<std::size_t>(row) * width; }
}  // namespace

#if defined(__wasm_simd128__)
void f32_matmul_forward(float* y, const float* x, const float* w, const float* b, int rows, int in, int out) {
  f32_matmul_bias(y, x, w, b, rows, in, out);
}
#else
// Four rows of y at a time share each row of W they read; every y element
// still sums b + x_0 w_0 + x_1 w_1 + ... in order, as f32_matmul_bias_scalar.
void f32_matmul_forward(float* y, const float* x, const float* w, const float* b, int rows, int in, int out) {
  int n = 0;
  for (; n + 4 <= rows; n += 4) {
    float *y0 = y + at(n, out), *y1 = y0 + out, *y2 = y1 + out, *y3 = y2 + out;
    const float *x0 = x + at(n, in), *x1 = x0 + in, *x2 = x1 + in, *x3 = x2 + in;
    for (int m = 0; m < out; ++m) y0[m] = y1[m] = y2[m] = y3[m] = b ? b[m] : 0.0f;
    for (int k = 0; k < in; ++k) {
      const float* w_k = w + at(k, out);
      const float a0 = x0[k], a1 = x1[k], a2 = x2[k], a3 = x3[k];
      for (int m = 0; m < out; ++m) {
        const float wk = w_k[m];
        y0[m] += a0 * wk;
        y1[m] += a1 * wk;
        y2[m] += a2 * wk;
        y3[m] += a3 * wk;
      }
    }
  }
  if (n < rows) f32_matmul_bias_scalar(y + at(n, out), x + at(n, in), w, b, rows - n, in, out);
}
#endif

// Every inner loop runs along a contiguous row with no reduction across its
// lanes (dx_n += dy_nm W^T_m, dW_k += x_nk dy_n), so the compiler vectorises
// it without reassociating a sum. dW takes four rows of x and dy per sweep
// over its K x M values, a quarter of the traffic of one row at a time; the
// order of additions into each dW element stays row by row.
void f32_matmul_backward(float* dx, float* dw, float* db, const float* dy, const float* x, const float* w,
                         float* wt, int rows, int in, int out) {
  // pass 1: W^T, then dx
  for (int k = 0; k < in; ++k) {
    for (int m = 0; m < out; ++m) wt[at(m, in) + k] = w[at(k, out) + m];
  }
  for (int n = 0; n < rows; ++n) {
    float* dx_n = dx + at(n, in);
    const float* dy_n = dy + at(n, out);
    for (int m = 0; m < out; ++m) {
      const float g = dy_n[m];
      const float* wt_m = wt + at(m, in);
      for (int k = 0; k < in; ++k) dx_n[k] += g * wt_m[k];
    }
  }
  // pass 2: dW, four rows at a time, then the rest
  int n = 0;
  for (; n + 4 <= rows; n += 4) {
    const float *x0 = x + at(n, in), *x1 = x0 + in, *x2 = x1 + in, *x3 = x2 + in;
    const float *d0 = dy + at(n, out), *d1 = d0 + out, *d2 = d1 + out, *d3 = d2 + out;
    for (int k = 0; k < in; ++k) {
      float* dw_k = dw + at(k, out);
      const float a0 = x0[k], a1 = x1[k], a2 = x2[k], a3 = x3[k];
      for (int m = 0; m < out; ++m) {
        float s = dw_k[m];
        s += a0 * d0[m];
        s += a1 * d1[m];
        s += a2 * d2[m];
        s += a3 * d3[m];
        dw_k[m] = s;
      }
    }
  }
  for (; n < rows; ++n) {
    const float* x_n = x + at(n, in);
    const float* d_n = dy + at(n, out);
    for (int k = 0; k < in; ++k) {
      float* dw_k = dw + at(k, out);
      const float a = x_n[k];
      for (int m = 0; m < out; ++m) dw_k[m] += a * d_n[m];
    }
  }
  // pass 3: db
  if (db) {
    for (int r = 0; r < rows; ++r) {
      const float* d_r = dy + at(r, out);
      for (int m = 0; m < out; ++m) db[m] += d_r[m];
    }
  }
}

void f64_matmul_forward_ref(double* y, const double* x, const double* w, const double* b, int rows, int in, int out) {
  for (int n = 0; n < rows; ++n) {
    for (int m = 0; m < out; ++m) {
      double s = b ? b[m] : 0.0;
      for (int k = 0; k < in; ++k) s += x[at(n, in) + k] * w[at(k, out) + m];
      y[at(n, out) + m] = s;
    }
  }
}

void f64_matmul_backward_ref(double* dx, double* dw, double* db, const double* dy, const double* x, const double* w,
                             int rows, int in, int out) {
  for (int n = 0; n < rows; ++n) {
    for (int k = 0; k < in; ++k) {
      double s = 0;
      for (int m = 0; m < out; ++m) s += dy[at(n, out) + m] * w[at(k, out) + m];
      dx[at(n, in) + k] += s;
    }
  }
  for (int k = 0; k < in; ++k) {
    for (int m = 0; m < out; ++m) {
      double s = 0;
      for (int n = 0; n < rows; ++n) s += x[at(n, in) + k] * dy[at(n, out) + m];
      dw[at(k, out) + m] += s;
    }
  }
  if (db) {
    for (int m = 0; m < out; ++m) {
      double s = 0;
      for (int n = 0; n < rows; ++n) s += dy[at(n, out) + m];
      db[m] += s;
    }
  }
}

}  // namespace attention::train
