// LOG_SOFTMAX: y = (x - max) - log(sum(exp(x - max))) along one axis
//   input:  x float32 (rank >= 1)
//   output: y float32 (same shape)
//   options: AxisOptions.axis (default -1; negative counts from the end)
// Subtracting the maximum keeps exp from overflowing. A slice whose maximum
// is +inf, whose values are all -inf, or that holds a NaN, gives NaN.
#include <cmath>
#include <cstdint>

#include "kernels/axis_option.h"
#include "kernels/dispatch.h"
#include "kernels/kernel_util.h"

namespace hunch {
namespace internal {
namespace {

Status Eval(OpContext* ctx) {
  const AxisSplit& s = InputAxisSplit(ctx);
  const float* x = ctx->input_data<float>(0);
  float* y = ctx->output_data<float>(0);
  if (s.inner == 1 && s.size <= INT32_MAX) {
    // Contiguous rows (the last axis: a language model's output): the kernel
    // set's vectorized log-softmax, same semantics for non-finite inputs.
    for (int64_t o = 0; o < s.outer; ++o) Kernels().log_softmax(x + o * s.size, static_cast<int>(s.size), y + o * s.size);
    return Status::OK();
  }
  // Each (outer, inner) pair is one slice of s.size values, s.inner apart.
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      const float* xs = x + o * s.size * s.inner + i;
      float* ys = y + o * s.size * s.inner + i;
      float max = xs[0];
      for (int64_t j = 1; j < s.size; ++j) max = std::fmax(max, xs[j * s.inner]);
      float sum = 0.f;
      for (int64_t j = 0; j < s.size; ++j) sum += std::exp(xs[j * s.inner] - max);
      const float log_sum = std::log(sum);
      for (int64_t j = 0; j < s.size; ++j) ys[j * s.inner] = (xs[j * s.inner] - max) - log_sum;
    }
  }
  return Status::OK();
}

}  // namespace

OpRegistration Register_LOG_SOFTMAX() {
  OpRegistration r;
  r.name = "LOG_SOFTMAX";
  r.prepare = PrepareUnaryAlongAxis;
  r.eval = Eval;
  return r;
}

}  // namespace internal
}  // namespace hunch
