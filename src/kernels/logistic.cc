// LOGISTIC (sigmoid): y = 1 / (1 + exp(-x)), element-wise
//   input:  x float32 (any shape)
//   output: y float32 (same shape)
// Computed by the active kernel set (kernels/dispatch.h): the reference never
// exponentiates a large positive number; optimized sets clamp the exponent.
// NaN in gives NaN out.
#include "kernels/dispatch.h"
#include "kernels/unary_op.h"

namespace hunch {
namespace internal {
namespace {

Status Eval(OpContext* ctx) { return EvalUnaryInPlace(ctx, Kernels().sigmoid); }

}  // namespace

OpRegistration Register_LOGISTIC() {
  OpRegistration r;
  r.name = "LOGISTIC";
  r.prepare = PrepareUnary;
  r.eval = Eval;
  return r;
}

}  // namespace internal
}  // namespace hunch
