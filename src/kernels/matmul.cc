// MATMUL: y[..., n] = sum_k a[..., k] * b[k, n]
//   inputs: a float32 [..., K] (rank >= 1); b float32 [K, N] (constant or activation)
//   output: y float32 [..., N]
// Plain float accumulation over k in ascending order.
#include "kernels/kernel_util.h"

namespace hunch {
namespace internal {
namespace {

Status Prepare(OpContext* ctx) {
  HUNCH_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const TensorInfo* a = ctx->input(0);
  const TensorInfo* b = ctx->input(1);
  const TensorInfo* y = ctx->output(0);
  HUNCH_RETURN_IF_ERROR(CheckDType(a, DType::kFloat32, "input 0"));
  HUNCH_RETURN_IF_ERROR(CheckDType(b, DType::kFloat32, "input 1"));
  HUNCH_RETURN_IF_ERROR(CheckDType(y, DType::kFloat32, "output"));
  if (a->shape.rank < 1) return Status::Corruption("input 0 must have rank >= 1");
  if (b->shape.rank != 2)
    return Status::Corruption(Format("input 1 %s must have rank 2", ShapeString(b->shape).c_str()));
  if (a->shape.Last() != b->shape.dims[0])
    return Status::Corruption(
        Format("input 0 %s and input 1 %s do not match", ShapeString(a->shape).c_str(), ShapeString(b->shape).c_str()));
  Shape expected = a->shape;
  expected.dims[expected.rank - 1] = b->shape.dims[1];
  if (y->shape != expected)
    return Status::Corruption(
        Format("output %s should be %s", ShapeString(y->shape).c_str(), ShapeString(expected).c_str()));
  return Status::OK();
}

Status Eval(OpContext* ctx) {
  const Shape& sb = ctx->input(1)->shape;
  const int64_t K = sb.dims[0], N = sb.dims[1];
  const int64_t rows = ctx->input(0)->shape.NumElements() / K;
  const float* a = ctx->input_data<float>(0);
  const float* b = ctx->input_data<float>(1);
  float* y = ctx->output_data<float>(0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* ar = a + r * K;
    float* yr = y + r * N;
    for (int64_t n = 0; n < N; ++n) {
      float acc = 0.f;
      for (int64_t k = 0; k < K; ++k) acc += ar[k] * b[k * N + n];
      yr[n] = acc;
    }
  }
  return Status::OK();
}

}  // namespace

OpRegistration Register_MATMUL() {
  OpRegistration r;
  r.name = "MATMUL";
  r.prepare = Prepare;
  r.eval = Eval;
  return r;
}

}  // namespace internal
}  // namespace hunch
