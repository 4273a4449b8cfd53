// SUB: y = a - b, element-wise with numpy-style broadcasting
//   inputs: a float32, b float32 (shapes right-aligned; each dimension equal or 1)
//   output: y float32 of the broadcast shape
// The broadcasting loop is shared with the other binary ops (kernels/binary_op.h).
#include "kernels/binary_op.h"

namespace hunch {
namespace internal {
namespace {

Status Eval(OpContext* ctx) { return EvalBinary(ctx, BinaryOp::kSub); }

}  // namespace

OpRegistration Register_SUB() {
  OpRegistration r;
  r.name = "SUB";
  r.prepare = PrepareBinary;
  r.eval = Eval;
  return r;
}

}  // namespace internal
}  // namespace hunch
