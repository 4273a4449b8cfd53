// TANH: y = tanh(x), element-wise
//   input:  x float32 (any shape)
//   output: y float32 (same shape)
// Computed by the active kernel set (kernels/dispatch.h).
#include "kernels/dispatch.h"
#include "kernels/unary_op.h"

namespace hunch {
namespace internal {
namespace {

Status Eval(OpContext* ctx) { return EvalUnaryInPlace(ctx, Kernels().tanh); }

}  // namespace

OpRegistration Register_TANH() {
  OpRegistration r;
  r.name = "TANH";
  r.prepare = PrepareUnary;
  r.eval = Eval;
  return r;
}

}  // namespace internal
}  // namespace hunch
