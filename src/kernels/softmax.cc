// SOFTMAX: y = exp(x - max) / sum(exp(x - max)) along one axis
//   input:  x float32 (rank >= 1)
//   output: y float32 (same shape)
//   options: AxisOptions.axis (default -1; negative counts from the end)
// Subtracting the maximum keeps exp from overflowing. A slice whose maximum
// is +inf, whose values are all -inf, or that holds a NaN, gives NaN.
#include <cmath>

#include "kernels/axis_option.h"
#include "kernels/kernel_util.h"

namespace hunch {
namespace internal {
namespace {

Status Eval(OpContext* ctx) {
  const AxisSplit& s = InputAxisSplit(ctx);
  const float* x = ctx->input_data<float>(0);
  float* y = ctx->output_data<float>(0);
  // Each (outer, inner) pair is one slice of s.size values, s.inner apart.
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      const float* xs = x + o * s.size * s.inner + i;
      float* ys = y + o * s.size * s.inner + i;
      float max = xs[0];
      for (int64_t j = 1; j < s.size; ++j) max = std::fmax(max, xs[j * s.inner]);
      float sum = 0.f;
      for (int64_t j = 0; j < s.size; ++j) {
        const float e = std::exp(xs[j * s.inner] - max);
        ys[j * s.inner] = e;
        sum += e;
      }
      const float inv = 1.f / sum;
      for (int64_t j = 0; j < s.size; ++j) ys[j * s.inner] *= inv;
    }
  }
  return Status::OK();
}

}  // namespace

OpRegistration Register_SOFTMAX() {
  OpRegistration r;
  r.name = "SOFTMAX";
  r.prepare = PrepareUnaryAlongAxis;
  r.eval = Eval;
  return r;
}

}  // namespace internal
}  // namespace hunch
