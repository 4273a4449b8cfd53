// SQUEEZE: removes dimensions of size 1 (a view: no copy, no eval)
//   input:  x (any dtype and shape)
//   output: y of x's dtype; its shape is x's with zero or more dimensions of
//           size 1 removed (the other dimensions in the same order)
#include "kernels/kernel_util.h"
#include "kernels/view_op.h"

namespace hunch {
namespace internal {
namespace {

Status Prepare(OpContext* ctx) {
  HUNCH_RETURN_IF_ERROR(PrepareView(ctx));
  const Shape& in = ctx->input(0)->shape;
  const Shape& out = ctx->output(0)->shape;
  if (!RemovesOnlyOnes(in, out))
    return Status::Corruption(Format("output %s is not input %s with dimensions of size 1 removed",
                                     ShapeString(out).c_str(), ShapeString(in).c_str()));
  return Status::OK();
}

}  // namespace

OpRegistration Register_SQUEEZE() { return ViewRegistration("SQUEEZE", Prepare); }

}  // namespace internal
}  // namespace hunch
