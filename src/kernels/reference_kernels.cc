// The reference kernel set: plain loops that define the numerics (see
// weights.h). Optimized sets must match the integer paths bit for bit.
#include <cmath>

#include "kernels/dispatch.h"
#include "util/fp16.h"

namespace hunch {
namespace internal {
namespace {

void MatVecF32(const WeightMatrix& w, const float* x, float* y) {
  for (int o = 0; o < w.rows; ++o) {
    const float* row = reinterpret_cast<const float*>(w.data + o * w.row_bytes);
    float acc = 0.f;
    for (int k = 0; k < w.cols; ++k) acc += row[k] * x[k];
    y[o] = acc;
  }
}

void MatVecF16(const WeightMatrix& w, const float* x, float* y) {
  for (int o = 0; o < w.rows; ++o) {
    const uint16_t* row = reinterpret_cast<const uint16_t*>(w.data + o * w.row_bytes);
    float acc = 0.f;
    for (int k = 0; k < w.cols; ++k) acc += HalfToFloat(row[k]) * x[k];
    y[o] = acc;
  }
}

void MatVecI8(const WeightMatrix& w, const int8_t* qx, float sx, float* y) {
  for (int o = 0; o < w.rows; ++o) {
    const int8_t* row = reinterpret_cast<const int8_t*>(w.data + o * w.row_bytes);
    int32_t acc = 0;
    for (int k = 0; k < w.cols; ++k) acc += static_cast<int32_t>(qx[k]) * row[k];
    y[o] = static_cast<float>(acc) * (sx * w.scales[o]);
  }
}

void MatVecI4(const WeightMatrix& w, const int8_t* qx, float sx, float* y) {
  for (int o = 0; o < w.rows; ++o) {
    const uint8_t* row = w.data + o * w.row_bytes;
    const float* scales = w.scales + static_cast<size_t>(o) * w.blocks_per_row;
    float sum = 0.f;
    for (int b = 0; b < w.blocks_per_row; ++b) {
      const int begin = b * w.block_size;
      const int end = begin + w.block_size < w.cols ? begin + w.block_size : w.cols;
      int32_t acc = 0;
      for (int k = begin; k < end; ++k) acc += static_cast<int32_t>(qx[k]) * Int4At(row, k);
      sum += static_cast<float>(acc) * (sx * scales[b]);
    }
    y[o] = sum;
  }
}

float Quantize(const float* x, int n, int8_t* q) {
  float amax = 0.f;  // fmax skips NaN
  for (int k = 0; k < n; ++k) amax = std::fmax(amax, std::fabs(x[k]));
  if (!(amax >= kMinQuantizeAmax) || !std::isfinite(amax)) {
    for (int k = 0; k < n; ++k) q[k] = 0;
    return 0.f;
  }
  const float inv = 127.f / amax;  // finite: amax >= kMinQuantizeAmax
  for (int k = 0; k < n; ++k) {
    float v = std::nearbyint(x[k] * inv);
    v = v > 127.f ? 127.f : (v < -127.f ? -127.f : v);
    q[k] = v == v ? static_cast<int8_t>(v) : 0;  // NaN -> 0
  }
  return amax / 127.f;
}

void Sigmoid(float* x, int n) {
  for (int i = 0; i < n; ++i) {
    // Stable for large |x|: never exponentiates a large positive number.
    if (x[i] >= 0.f) {
      x[i] = 1.f / (1.f + std::exp(-x[i]));
    } else {
      const float e = std::exp(x[i]);
      x[i] = e / (1.f + e);
    }
  }
}

void Tanh(float* x, int n) {
  for (int i = 0; i < n; ++i) x[i] = std::tanh(x[i]);
}

void LogSoftmax(const float* x, int n, float* y) {
  float mx = -INFINITY;
  for (int i = 0; i < n; ++i) mx = std::fmax(mx, x[i]);
  double sum = 0.0;
  for (int i = 0; i < n; ++i) sum += std::exp(static_cast<double>(x[i] - mx));
  // (x - max) - log(sum): exact subtraction first, so large logits keep their precision.
  const float log_sum = static_cast<float>(std::log(sum));
  for (int i = 0; i < n; ++i) y[i] = (x[i] - mx) - log_sum;
}

const KernelSet kReference = {"reference", MatVecF32, MatVecF16, MatVecI8, MatVecI4,
                              Quantize,    Sigmoid,   Tanh,      LogSoftmax};

}  // namespace

const KernelSet& ReferenceKernels() { return kReference; }

}  // namespace internal
}  // namespace hunch
