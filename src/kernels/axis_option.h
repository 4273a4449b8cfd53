// Reading the AxisOptions of CONCAT, SPLIT, SOFTMAX and LOG_SOFTMAX.
#ifndef HUNCH_KERNELS_AXIS_OPTION_H_
#define HUNCH_KERNELS_AXIS_OPTION_H_

#include "hunch/op.h"

namespace hunch {
namespace internal {

// Reads AxisOptions.axis (-1 when the operator has no options) and resolves
// a negative axis against `rank`. Fails when the operator carries options of
// another type or the axis is out of range.
Status GetAxisOption(const OpContext* ctx, int rank, int* axis);

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_KERNELS_AXIS_OPTION_H_
