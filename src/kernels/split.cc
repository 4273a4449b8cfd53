// SPLIT: cuts one tensor into N >= 1 pieces along one axis
//   input:  x float32 or int32 (rank >= 1)
//   outputs: y0 .. y{N-1} of x's dtype and rank; the size of each piece along
//            `axis` is that output's dims[axis], and these sum to x.dims[axis];
//            the other dimensions equal x's
//   options: AxisOptions.axis (default -1; negative counts from the end)
#include <cstring>
#include <string>

#include "kernels/axis_option.h"
#include "kernels/data_movement.h"
#include "kernels/kernel_util.h"

namespace hunch {
namespace internal {
namespace {

Status Prepare(OpContext* ctx) {
  if (ctx->num_inputs() != 1) return Status::Corruption(Format("takes 1 input, not %d", ctx->num_inputs()));
  if (ctx->num_outputs() < 1) return Status::Corruption("has at least 1 output");
  const TensorInfo* x = ctx->input(0);
  HUNCH_RETURN_IF_ERROR(CheckFloatOrInt32(x, "input"));
  int axis = 0;
  HUNCH_RETURN_IF_ERROR(PrepareAxisOption(ctx, x->shape.rank, &axis));
  int64_t total = 0;
  for (int i = 0; i < ctx->num_outputs(); ++i) {
    const TensorInfo* y = ctx->output(i);
    const std::string what = Format("output %d", i);
    HUNCH_RETURN_IF_ERROR(CheckSameDType(y, x, what.c_str(), "input"));
    bool match = y->shape.rank == x->shape.rank;
    for (int d = 0; match && d < x->shape.rank; ++d)
      if (d != axis && y->shape.dims[d] != x->shape.dims[d]) match = false;
    if (!match)
      return Status::Corruption(Format("output %d %s does not match input %s outside axis %d", i,
                                       ShapeString(y->shape).c_str(), ShapeString(x->shape).c_str(), axis));
    total += y->shape.dims[axis];
  }
  if (total != x->shape.dims[axis])
    return Status::Corruption(Format("the outputs' sizes along axis %d sum to %lld, not the input's %d", axis,
                                     static_cast<long long>(total), x->shape.dims[axis]));
  return Status::OK();
}

Status Eval(OpContext* ctx) {
  const Shape& in = ctx->input(0)->shape;
  const int axis = AxisOption(ctx);
  const AxisSplit s = SplitAtAxis(in, axis);
  const uint8_t* x = static_cast<const uint8_t*>(ctx->input_data(0));
  // The input is, for each outer index, output 0's block, then output 1's, ...
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int i = 0; i < ctx->num_outputs(); ++i) {
      const size_t block = static_cast<size_t>(ctx->output(i)->shape.dims[axis] * s.inner) * kElementBytes;
      uint8_t* y = static_cast<uint8_t*>(ctx->output_data(i));
      std::memcpy(y + o * block, x, block);
      x += block;
    }
  }
  return Status::OK();
}

}  // namespace

OpRegistration Register_SPLIT() {
  OpRegistration r;
  r.name = "SPLIT";
  r.prepare = Prepare;
  r.eval = Eval;
  return r;
}

}  // namespace internal
}  // namespace hunch
