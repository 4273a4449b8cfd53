// Reading the AxisOptions of CONCAT, SPLIT, SOFTMAX and LOG_SOFTMAX.
#ifndef HUNCH_KERNELS_AXIS_OPTION_H_
#define HUNCH_KERNELS_AXIS_OPTION_H_

#include "hunch/op.h"
#include "kernels/kernel_util.h"

namespace hunch {
namespace internal {

// Reads AxisOptions.axis (-1 when the operator has no options) and resolves
// a negative axis against `rank`. Fails when the operator carries options of
// another type or the axis is out of range.
Status GetAxisOption(const OpContext* ctx, int rank, int* axis);

// SOFTMAX and LOG_SOFTMAX: one float32 input and output of the same shape,
// and a valid axis.
Status PrepareUnaryAlongAxis(OpContext* ctx);
// The input's shape split at the operator's axis (outer, size, inner).
Status InputAxisSplit(const OpContext* ctx, AxisSplit* split);

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_KERNELS_AXIS_OPTION_H_
