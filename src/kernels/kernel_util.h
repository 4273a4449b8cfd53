// Helpers shared by the builtin kernels: arity, dtype and shape checks that
// produce uniform messages, and access to the operator's builtin options.
#ifndef HUNCH_KERNELS_KERNEL_UTIL_H_
#define HUNCH_KERNELS_KERNEL_UTIL_H_

#include "hunch/op.h"
#include "hunch_generated.h"
#include "runtime/plan.h"
#include "util/strings.h"

namespace hunch {
namespace internal {

// Fails unless min_inputs <= num_inputs <= max_inputs and num_outputs match.
Status CheckArity(const OpContext* ctx, int min_inputs, int max_inputs, int num_outputs);
// Fails unless input/output `t` is present and has `dtype`; `what` names it.
Status CheckDType(const TensorInfo* t, DType dtype, const char* what);
// Fails unless a and b have the same shape.
Status CheckSameShape(const TensorInfo* a, const TensorInfo* b, const char* what_a, const char* what_b);
// Resolves a possibly negative axis against `rank`; fails when out of range.
Status NormalizeAxis(int axis, int rank, int* out);

// prepare only: the operator's FlatBuffer table, to parse its builtin options
// (then kept with OpContextAccess::SetOptions; eval reads them with
// OpContextAccess::options and never the FlatBuffer: this is null there).
inline const fb::Operator* FbOp(const OpContext* ctx) { return OpContextAccess::op(*ctx); }

// Elements before, at and after `axis` of `shape` (outer * size * inner == NumElements).
struct AxisSplit {
  int64_t outer = 1;
  int64_t size = 1;
  int64_t inner = 1;
};
AxisSplit SplitAtAxis(const Shape& shape, int axis);

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_KERNELS_KERNEL_UTIL_H_
