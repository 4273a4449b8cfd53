// Checks shared by the ops that only move elements (CONCAT, SPLIT, SLICE,
// TRANSPOSE): they accept float32 and int32 tensors alike and copy bytes.
#ifndef HUNCH_KERNELS_DATA_MOVEMENT_H_
#define HUNCH_KERNELS_DATA_MOVEMENT_H_

#include <cstddef>

#include "hunch/op.h"

namespace hunch {
namespace internal {

// Bytes of one float32 or int32 element.
constexpr size_t kElementBytes = 4;

// Fails unless `t` is present and float32 or int32; `what` names it.
Status CheckFloatOrInt32(const TensorInfo* t, const char* what);
// Fails unless `t` is present and has the same dtype as `like`.
Status CheckSameDType(const TensorInfo* t, const TensorInfo* like, const char* what, const char* what_like);

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_KERNELS_DATA_MOVEMENT_H_
