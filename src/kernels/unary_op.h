// The element-wise float32 unary ops (LOGISTIC, TANH, RELU): the shared
// checks and loops. Each op file supplies only its function.
#ifndef HUNCH_KERNELS_UNARY_OP_H_
#define HUNCH_KERNELS_UNARY_OP_H_

#include <cstdint>

#include "hunch/op.h"

namespace hunch {
namespace internal {

// One float32 input, one float32 output of the same shape.
Status PrepareUnary(OpContext* ctx);

// y[i] = f(x[i]) for every element.
template <typename F>
Status EvalUnary(OpContext* ctx, F f) {
  const float* x = ctx->input_data<float>(0);
  float* y = ctx->output_data<float>(0);
  const int64_t n = ctx->input(0)->shape.NumElements();
  for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
  return Status::OK();
}

// y = x, then f(y, n) in place: for the vectorized math of the kernel set
// (kernels/dispatch.h). Sizes above INT32_MAX elements go in chunks.
Status EvalUnaryInPlace(OpContext* ctx, void (*f)(float*, int));

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_KERNELS_UNARY_OP_H_
