#include "kernels/axis_option.h"

#include "kernels/kernel_util.h"
#include "kernels/unary_op.h"

namespace hunch {
namespace internal {

Status GetAxisOption(const OpContext* ctx, int rank, int* axis) {
  const fb::Operator* op = FbOp(ctx);
  int value = -1;  // the schema's default
  const fb::Options type = op->options_type();
  if (type == fb::Options_AxisOptions) {
    if (const fb::AxisOptions* o = op->options_as_AxisOptions()) value = o->axis();
  } else if (type != fb::Options_NONE) {
    return Status::Corruption(
        Format("expects AxisOptions, not options of type %d (%s)", static_cast<int>(type), fb::EnumNameOptions(type)));
  }
  return NormalizeAxis(value, rank, axis);
}

Status PrepareUnaryAlongAxis(OpContext* ctx) {
  HUNCH_RETURN_IF_ERROR(PrepareUnary(ctx));
  int axis = 0;
  return GetAxisOption(ctx, ctx->input(0)->shape.rank, &axis);
}

Status InputAxisSplit(const OpContext* ctx, AxisSplit* split) {
  const Shape& shape = ctx->input(0)->shape;
  int axis = 0;
  HUNCH_RETURN_IF_ERROR(GetAxisOption(ctx, shape.rank, &axis));
  *split = SplitAtAxis(shape, axis);
  return Status::OK();
}

}  // namespace internal
}  // namespace hunch
