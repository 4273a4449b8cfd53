#include "kernels/axis_option.h"

#include "kernels/kernel_util.h"

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

}  // namespace internal
}  // namespace hunch
