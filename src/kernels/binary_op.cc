#include "kernels/binary_op.h"

#include "kernels/kernel_util.h"

namespace hunch {
namespace internal {
namespace {

// Pads `s` with leading 1s to `rank` (right-aligns it).
Shape Align(const Shape& s, int rank) {
  Shape out;
  out.rank = rank;
  const int pad = rank - s.rank;
  for (int i = 0; i < rank; ++i) out.dims[i] = i < pad ? 1 : s.dims[i - pad];
  return out;
}

// The broadcast shape of a and b; false when they do not broadcast.
bool BroadcastShape(const Shape& a, const Shape& b, Shape* out) {
  const int rank = a.rank > b.rank ? a.rank : b.rank;
  const Shape pa = Align(a, rank), pb = Align(b, rank);
  out->rank = rank;
  for (int i = 0; i < rank; ++i) {
    if (pa.dims[i] != pb.dims[i] && pa.dims[i] != 1 && pb.dims[i] != 1) return false;
    out->dims[i] = pa.dims[i] > pb.dims[i] ? pa.dims[i] : pb.dims[i];
  }
  return true;
}

// Strides of `s` (aligned to the output's rank) in elements, 0 along the
// dimensions that are broadcast.
void BroadcastStrides(const Shape& s, int64_t* strides) {
  int64_t stride = 1;
  for (int i = s.rank - 1; i >= 0; --i) {
    strides[i] = s.dims[i] == 1 ? 0 : stride;
    stride *= s.dims[i];
  }
}

template <typename F>
void Apply(const Shape& sa, const float* a, const Shape& sb, const float* b, const Shape& so, float* y, F f) {
  const int64_t n = so.NumElements();
  if (sa == sb) {  // fast path: no broadcasting
    for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], b[i]);
    return;
  }
  const int rank = so.rank;
  if (rank == 0) {  // both scalars
    y[0] = f(a[0], b[0]);
    return;
  }
  int64_t stride_a[kMaxRank], stride_b[kMaxRank];
  BroadcastStrides(Align(sa, rank), stride_a);
  BroadcastStrides(Align(sb, rank), stride_b);
  // Walk the output row by row (the last dimension), keeping an index into
  // the outer dimensions and the matching offsets into a and b.
  const int64_t inner = so.dims[rank - 1];
  const int64_t step_a = stride_a[rank - 1], step_b = stride_b[rank - 1];
  int64_t index[kMaxRank] = {0};
  int64_t off_a = 0, off_b = 0;
  for (int64_t row = 0; row < n / inner; ++row) {
    for (int64_t i = 0; i < inner; ++i) y[i] = f(a[off_a + i * step_a], b[off_b + i * step_b]);
    y += inner;
    for (int d = rank - 2; d >= 0; --d) {  // next row: increment the outer index
      off_a += stride_a[d];
      off_b += stride_b[d];
      if (++index[d] < so.dims[d]) break;
      off_a -= stride_a[d] * so.dims[d];
      off_b -= stride_b[d] * so.dims[d];
      index[d] = 0;
    }
  }
}

}  // namespace

Status PrepareBinary(OpContext* ctx) {
  HUNCH_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const TensorInfo* a = ctx->input(0);
  const TensorInfo* b = ctx->input(1);
  const TensorInfo* y = ctx->output(0);
  HUNCH_RETURN_IF_ERROR(CheckDType(a, DType::kFloat32, "input 0"));
  HUNCH_RETURN_IF_ERROR(CheckDType(b, DType::kFloat32, "input 1"));
  HUNCH_RETURN_IF_ERROR(CheckDType(y, DType::kFloat32, "output"));
  Shape expected;
  if (!BroadcastShape(a->shape, b->shape, &expected))
    return Status::Corruption(Format("input shapes %s and %s do not broadcast", ShapeString(a->shape).c_str(),
                                     ShapeString(b->shape).c_str()));
  if (y->shape != expected)
    return Status::Corruption(
        Format("output %s should be %s", ShapeString(y->shape).c_str(), ShapeString(expected).c_str()));
  return Status::OK();
}

Status EvalBinary(OpContext* ctx, BinaryOp op) {
  const Shape& sa = ctx->input(0)->shape;
  const Shape& sb = ctx->input(1)->shape;
  const Shape& so = ctx->output(0)->shape;
  const float* a = ctx->input_data<float>(0);
  const float* b = ctx->input_data<float>(1);
  float* y = ctx->output_data<float>(0);
  switch (op) {
    case BinaryOp::kAdd: Apply(sa, a, sb, b, so, y, [](float u, float v) { return u + v; }); break;
    case BinaryOp::kSub: Apply(sa, a, sb, b, so, y, [](float u, float v) { return u - v; }); break;
    case BinaryOp::kMul: Apply(sa, a, sb, b, so, y, [](float u, float v) { return u * v; }); break;
  }
  return Status::OK();
}

}  // namespace internal
}  // namespace hunch
