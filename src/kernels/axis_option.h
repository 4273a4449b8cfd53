// The AxisOptions of CONCAT, SPLIT, SOFTMAX and LOG_SOFTMAX: parsed once by
// prepare, kept in the node's plan, read by eval.
#ifndef HUNCH_KERNELS_AXIS_OPTION_H_
#define HUNCH_KERNELS_AXIS_OPTION_H_

#include "hunch/op.h"
#include "kernels/kernel_util.h"

namespace hunch {
namespace internal {

// prepare: reads AxisOptions.axis (-1 when the operator has no options),
// resolves a negative axis against `rank`, keeps it for AxisOption and
// returns it in *axis. Fails when the operator carries options of another
// type or the axis is out of range.
Status PrepareAxisOption(OpContext* ctx, int rank, int* axis);
// eval: the axis prepare resolved.
int AxisOption(const OpContext* ctx);

// SOFTMAX and LOG_SOFTMAX prepare: one float32 input and output of the same
// shape, and a valid axis; keeps the input's shape split at that axis.
Status PrepareUnaryAlongAxis(OpContext* ctx);
// Their eval: that split (outer, size, inner).
const AxisSplit& InputAxisSplit(const OpContext* ctx);

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_KERNELS_AXIS_OPTION_H_
