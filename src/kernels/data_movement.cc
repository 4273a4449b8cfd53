#include "kernels/data_movement.h"

#include "kernels/kernel_util.h"

namespace hunch {
namespace internal {

Status CheckFloatOrInt32(const TensorInfo* t, const char* what) {
  if (!t) return Status::Corruption(Format("%s is missing", what));
  if (t->dtype != DType::kFloat32 && t->dtype != DType::kInt32)
    return Status::Unsupported(Format("%s must be float32 or int32, not %s", what, DTypeName(t->dtype)));
  return Status::OK();
}

Status CheckSameDType(const TensorInfo* t, const TensorInfo* like, const char* what, const char* what_like) {
  if (!t) return Status::Corruption(Format("%s is missing", what));
  if (t->dtype != like->dtype)
    return Status::Unsupported(
        Format("%s is %s but %s is %s", what, DTypeName(t->dtype), what_like, DTypeName(like->dtype)));
  return Status::OK();
}

}  // namespace internal
}  // namespace hunch
