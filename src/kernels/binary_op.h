// The element-wise float32 binary ops (ADD, SUB, MUL) with numpy-style
// broadcasting: shapes are right-aligned and each pair of dimensions is equal
// or one of them is 1; the output has the broadcast shape.
#ifndef HUNCH_KERNELS_BINARY_OP_H_
#define HUNCH_KERNELS_BINARY_OP_H_

#include "hunch/op.h"

namespace hunch {
namespace internal {

enum class BinaryOp { kAdd, kSub, kMul };

// Two float32 inputs whose shapes broadcast; one float32 output of exactly
// the broadcast shape.
Status PrepareBinary(OpContext* ctx);

// y = a (op) b, element by element after broadcasting.
Status EvalBinary(OpContext* ctx, BinaryOp op);

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_KERNELS_BINARY_OP_H_
