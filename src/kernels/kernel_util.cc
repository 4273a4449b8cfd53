#include "kernels/kernel_util.h"

namespace hunch {
namespace internal {

Status CheckArity(const OpContext* ctx, int min_inputs, int max_inputs, int num_outputs) {
  const int n = ctx->num_inputs();
  if (n < min_inputs || n > max_inputs) {
    if (min_inputs == max_inputs) return Status::Corruption(Format("takes %d inputs, not %d", min_inputs, n));
    return Status::Corruption(Format("takes %d to %d inputs, not %d", min_inputs, max_inputs, n));
  }
  if (ctx->num_outputs() != num_outputs)
    return Status::Corruption(Format("has %d outputs, not %d", num_outputs, ctx->num_outputs()));
  return Status::OK();
}

Status CheckDType(const TensorInfo* t, DType dtype, const char* what) {
  if (!t) return Status::Corruption(Format("%s is missing", what));
  if (t->dtype != dtype)
    return Status::Unsupported(Format("%s must be %s, not %s", what, DTypeName(dtype), DTypeName(t->dtype)));
  return Status::OK();
}

Status CheckSameShape(const TensorInfo* a, const TensorInfo* b, const char* what_a, const char* what_b) {
  if (a->shape != b->shape)
    return Status::Corruption(Format("%s %s and %s %s must have the same shape", what_a, ShapeString(a->shape).c_str(),
                                     what_b, ShapeString(b->shape).c_str()));
  return Status::OK();
}

Status NormalizeAxis(int axis, int rank, int* out) {
  const int a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) return Status::Corruption(Format("axis %d is out of range for rank %d", axis, rank));
  *out = a;
  return Status::OK();
}

AxisSplit SplitAtAxis(const Shape& shape, int axis) {
  AxisSplit s;
  for (int i = 0; i < shape.rank; ++i) {
    if (i < axis)
      s.outer *= shape.dims[i];
    else if (i == axis)
      s.size = shape.dims[i];
    else
      s.inner *= shape.dims[i];
  }
  return s;
}

}  // namespace internal
}  // namespace hunch
