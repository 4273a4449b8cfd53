#include "kernels/unary_op.h"

#include <cstring>

#include "kernels/kernel_util.h"

namespace hunch {
namespace internal {

Status PrepareUnary(OpContext* ctx) {
  HUNCH_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  HUNCH_RETURN_IF_ERROR(CheckDType(ctx->input(0), DType::kFloat32, "input"));
  HUNCH_RETURN_IF_ERROR(CheckDType(ctx->output(0), DType::kFloat32, "output"));
  return CheckSameShape(ctx->input(0), ctx->output(0), "input", "output");
}

Status EvalUnaryInPlace(OpContext* ctx, void (*f)(float*, int)) {
  const float* x = ctx->input_data<float>(0);
  float* y = ctx->output_data<float>(0);
  int64_t n = ctx->input(0)->shape.NumElements();
  if (x != y) std::memcpy(y, x, static_cast<size_t>(n) * sizeof(float));
  const int64_t kChunk = int64_t{1} << 30;
  for (; n > 0; n -= kChunk, y += kChunk) f(y, static_cast<int>(n < kChunk ? n : kChunk));
  return Status::OK();
}

}  // namespace internal
}  // namespace hunch
