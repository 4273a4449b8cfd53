// RELU: y = max(x, 0), element-wise
//   input:  x float32 (any shape)
//   output: y float32 (same shape)
// NaN in gives NaN out.
#include "kernels/unary_op.h"

namespace hunch {
namespace internal {
namespace {

float Relu(float x) { return x < 0.f ? 0.f : x; }

Status Eval(OpContext* ctx) { return EvalUnary(ctx, Relu); }

}  // namespace

OpRegistration Register_RELU() {
  OpRegistration r;
  r.name = "RELU";
  r.prepare = PrepareUnary;
  r.eval = Eval;
  return r;
}

}  // namespace internal
}  // namespace hunch
