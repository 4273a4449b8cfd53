// TRANSPOSE: y[j, i] = x[i, j] (2-D only)
//   input:  x float32 or int32 [rows, cols]
//   output: y of x's dtype [cols, rows]
#include <cstring>

#include "kernels/data_movement.h"
#include "kernels/kernel_util.h"

namespace hunch {
namespace internal {
namespace {

Status Prepare(OpContext* ctx) {
  HUNCH_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const TensorInfo* x = ctx->input(0);
  const TensorInfo* y = ctx->output(0);
  HUNCH_RETURN_IF_ERROR(CheckFloatOrInt32(x, "input"));
  HUNCH_RETURN_IF_ERROR(CheckSameDType(y, x, "output", "input"));
  if (x->shape.rank != 2)
    return Status::Unsupported(Format("input %s must have rank 2", ShapeString(x->shape).c_str()));
  Shape expected = x->shape;
  expected.dims[0] = x->shape.dims[1];
  expected.dims[1] = x->shape.dims[0];
  if (y->shape != expected)
    return Status::Corruption(
        Format("output %s should be %s", ShapeString(y->shape).c_str(), ShapeString(expected).c_str()));
  return Status::OK();
}

Status Eval(OpContext* ctx) {
  const Shape& in = ctx->input(0)->shape;
  const int64_t rows = in.dims[0], cols = in.dims[1];
  const uint8_t* x = static_cast<const uint8_t*>(ctx->input_data(0));
  uint8_t* y = static_cast<uint8_t*>(ctx->output_data(0));
  // Elements are copied as bytes, so float32 and int32 share the loop.
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      std::memcpy(y + (j * rows + i) * kElementBytes, x + (i * cols + j) * kElementBytes, kElementBytes);
  return Status::OK();
}

}  // namespace

OpRegistration Register_TRANSPOSE() {
  OpRegistration r;
  r.name = "TRANSPOSE";
  r.prepare = Prepare;
  r.eval = Eval;
  return r;
}

}  // namespace internal
}  // namespace hunch
