// The view ops (RESHAPE, SQUEEZE, UNSQUEEZE): output 0 shares input 0's
// bytes under another shape. They register with kOpFlagAliasInput0 and no
// eval; the loader makes the output an alias of the input, and the
// interpreter skips the node.
#ifndef HUNCH_KERNELS_VIEW_OP_H_
#define HUNCH_KERNELS_VIEW_OP_H_

#include "hunch/op.h"

namespace hunch {
namespace internal {

// One input and one output of the same dtype and element count.
Status PrepareView(OpContext* ctx);

// True when `small` is `big` with zero or more dimensions of size 1 removed
// (the other dimensions kept, in order).
bool RemovesOnlyOnes(const Shape& big, const Shape& small);

// A registration of a view op called `name` with `prepare`.
OpRegistration ViewRegistration(const char* name, OpFunction prepare);

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_KERNELS_VIEW_OP_H_
