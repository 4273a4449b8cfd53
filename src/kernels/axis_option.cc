#include "kernels/axis_option.h"

#include "kernels/kernel_util.h"
#include "kernels/unary_op.h"

namespace hunch {
namespace internal {

namespace {
// Reads and resolves the axis without keeping it.
Status ReadAxis(const OpContext* ctx, int rank, int* axis) {
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
}  // namespace

Status PrepareAxisOption(OpContext* ctx, int rank, int* axis) {
  HUNCH_RETURN_IF_ERROR(ReadAxis(ctx, rank, axis));
  OpContextAccess::SetOptions(ctx, *axis);
  return Status::OK();
}

int AxisOption(const OpContext* ctx) { return OpContextAccess::options<int>(*ctx); }

Status PrepareUnaryAlongAxis(OpContext* ctx) {
  HUNCH_RETURN_IF_ERROR(PrepareUnary(ctx));
  const Shape& shape = ctx->input(0)->shape;
  int axis = 0;
  HUNCH_RETURN_IF_ERROR(ReadAxis(ctx, shape.rank, &axis));
  OpContextAccess::SetOptions(ctx, SplitAtAxis(shape, axis));
  return Status::OK();
}

const AxisSplit& InputAxisSplit(const OpContext* ctx) { return OpContextAccess::options<AxisSplit>(*ctx); }

}  // namespace internal
}  // namespace hunch
