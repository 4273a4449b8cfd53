// FULLY_CONNECTED: y[..., o] = sum_k x[..., k] * W[o, k] + bias[o]
//   inputs: x float32 [..., K]; W [O, K] float32/float16/int8/int4; bias float32 [O] (optional)
//   output: y float32 [..., O]
// Integer weights use dynamic-range quantization of each input row
// (kernels/weights.h).
#include "kernels/kernel_util.h"
#include "kernels/weights.h"

namespace hunch {
namespace internal {
namespace {

Status Prepare(OpContext* ctx) {
  HUNCH_RETURN_IF_ERROR(CheckArity(ctx, 2, 3, 1));
  const TensorInfo* x = ctx->input(0);
  const TensorInfo* w = ctx->input(1);
  const TensorInfo* b = ctx->input(2);
  const TensorInfo* y = ctx->output(0);
  HUNCH_RETURN_IF_ERROR(CheckDType(x, DType::kFloat32, "input"));
  if (!w) return Status::Corruption("weights are missing");
  HUNCH_RETURN_IF_ERROR(CheckWeightMatrix(*w, "weights"));
  HUNCH_RETURN_IF_ERROR(CheckDType(y, DType::kFloat32, "output"));
  const int out = w->shape.dims[0], in = w->shape.dims[1];
  if (x->shape.rank < 1 || x->shape.Last() != in)
    return Status::Corruption(Format("input %s does not match weights %s", ShapeString(x->shape).c_str(),
                                     ShapeString(w->shape).c_str()));
  if (b) {
    HUNCH_RETURN_IF_ERROR(CheckDType(b, DType::kFloat32, "bias"));
    if (b->shape.NumElements() != out)
      return Status::Corruption(Format("bias %s does not match %d outputs", ShapeString(b->shape).c_str(), out));
  }
  Shape expected = x->shape;
  expected.dims[expected.rank - 1] = out;
  if (y->shape != expected)
    return Status::Corruption(Format("output %s should be %s", ShapeString(y->shape).c_str(),
                                     ShapeString(expected).c_str()));
  ctx->RequestScratch(MatVecScratchBytes(w->dtype, in));
  return Status::OK();
}

Status Eval(OpContext* ctx) {
  const TensorInfo* xi = ctx->input(0);
  const WeightMatrix w = MakeWeightMatrix(*ctx->input(1), ctx->input_data(1));
  const float* bias = ctx->input_data<float>(2);
  const float* x = ctx->input_data<float>(0);
  float* y = ctx->output_data<float>(0);
  const int64_t rows = xi->shape.NumElements() / w.cols;
  for (int64_t r = 0; r < rows; ++r) {
    float* yr = y + r * w.rows;
    MatVec(w, x + r * w.cols, ctx->scratch(), yr);
    if (bias)
      for (int o = 0; o < w.rows; ++o) yr[o] += bias[o];
  }
  return Status::OK();
}

}  // namespace

OpRegistration Register_FULLY_CONNECTED() {
  OpRegistration r;
  r.name = "FULLY_CONNECTED";
  r.prepare = Prepare;
  r.eval = Eval;
  return r;
}

}  // namespace internal
}  // namespace hunch
