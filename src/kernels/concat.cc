// CONCAT: joins N >= 1 tensors along one axis
//   inputs: x0 .. x{N-1}, all float32 or all int32, of the same rank; all
//           dimensions except `axis` equal
//   output: y of the inputs' dtype; y.dims[axis] = sum of the inputs' dims[axis],
//           the other dimensions as the inputs'
//   options: AxisOptions.axis (default -1; negative counts from the end)
#include <cstdint>
#include <cstring>
#include <string>

#include "kernels/axis_option.h"
#include "kernels/data_movement.h"
#include "kernels/kernel_util.h"

namespace hunch {
namespace internal {
namespace {

Status Prepare(OpContext* ctx) {
  if (ctx->num_inputs() < 1) return Status::Corruption("takes at least 1 input");
  if (ctx->num_outputs() != 1) return Status::Corruption(Format("has 1 output, not %d", ctx->num_outputs()));
  const TensorInfo* x0 = ctx->input(0);
  const TensorInfo* y = ctx->output(0);
  HUNCH_RETURN_IF_ERROR(CheckFloatOrInt32(x0, "input 0"));
  HUNCH_RETURN_IF_ERROR(CheckSameDType(y, x0, "output", "input 0"));
  int axis = 0;
  HUNCH_RETURN_IF_ERROR(PrepareAxisOption(ctx, x0->shape.rank, &axis));
  int64_t total = 0;
  for (int i = 0; i < ctx->num_inputs(); ++i) {
    const TensorInfo* x = ctx->input(i);
    const std::string what = Format("input %d", i);
    HUNCH_RETURN_IF_ERROR(CheckSameDType(x, x0, what.c_str(), "input 0"));
    bool match = x->shape.rank == x0->shape.rank;
    for (int d = 0; match && d < x0->shape.rank; ++d)
      if (d != axis && x->shape.dims[d] != x0->shape.dims[d]) match = false;
    if (!match)
      return Status::Corruption(Format("input %d %s does not match input 0 %s outside axis %d", i,
                                       ShapeString(x->shape).c_str(), ShapeString(x0->shape).c_str(), axis));
    total += x->shape.dims[axis];
  }
  Shape expected = x0->shape;
  if (total > INT32_MAX)
    return Status::Corruption(
        Format("the output's axis %d would have %lld entries", axis, static_cast<long long>(total)));
  expected.dims[axis] = static_cast<int32_t>(total);
  if (y->shape != expected)
    return Status::Corruption(
        Format("output %s should be %s", ShapeString(y->shape).c_str(), ShapeString(expected).c_str()));
  return Status::OK();
}

Status Eval(OpContext* ctx) {
  const Shape& out = ctx->output(0)->shape;
  const int axis = AxisOption(ctx);
  const AxisSplit s = SplitAtAxis(out, axis);
  uint8_t* y = static_cast<uint8_t*>(ctx->output_data(0));
  // The output is, for each outer index, input 0's block, then input 1's, ...
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int i = 0; i < ctx->num_inputs(); ++i) {
      const size_t block = static_cast<size_t>(ctx->input(i)->shape.dims[axis] * s.inner) * kElementBytes;
      const uint8_t* x = static_cast<const uint8_t*>(ctx->input_data(i));
      std::memcpy(y, x + o * block, block);
      y += block;
    }
  }
  return Status::OK();
}

}  // namespace

OpRegistration Register_CONCAT() {
  OpRegistration r;
  r.name = "CONCAT";
  r.prepare = Prepare;
  r.eval = Eval;
  return r;
}

}  // namespace internal
}  // namespace hunch
