// Constant folding and shape rules shared by the passes and the emitter:
// evaluators of ONNX ops on constant tensors (shape arithmetic, casts, small
// element-wise math, data movement) and the helpers that compute shapes.
#ifndef HUNCH_TOOLS_CONVERT_FOLD_H_
#define HUNCH_TOOLS_CONVERT_FOLD_H_

#include <string>
#include <vector>

#include "hunch/status.h"
#include "tools/convert/onnx_ir.h"

namespace hunch {
namespace convert {

// True when `op_type` has an evaluator (FoldNode may still fail for some
// attribute values or input types, with a Status saying why).
bool IsFoldable(const std::string& op_type);

// Evaluates `node` whose inputs are all constant (Shape and Size only need
// the input's shape). `outs` gets one tensor per node output (an omitted
// output gets an empty tensor). Errors name what is wrong with the node.
Status FoldNode(const Graph& g, const Node& node, std::vector<Tensor>* outs);

// numpy broadcasting of two shapes; false when they do not broadcast.
bool BroadcastShapes(const std::vector<int64_t>& a, const std::vector<int64_t>& b, std::vector<int64_t>* out);

// `axis` in [-rank, rank) made non-negative; false when out of range.
bool NormalizeAxis(int64_t axis, int64_t rank, int64_t* out);

// Output shape of Reshape(in, target) (0 copies the input's dimension unless
// allowzero, one -1 is inferred).
Status ReshapeShape(const std::vector<int64_t>& in, const std::vector<int64_t>& target, bool allowzero,
                    std::vector<int64_t>* out);

// Output shape of a Reshape, Flatten, Squeeze or Unsqueeze node whose input
// has shape `in` (the shape / axes inputs must be constant).
Status ViewShape(const Graph& g, const Node& n, const std::vector<int64_t>& in, std::vector<int64_t>* out);

// Slice parameters for one ONNX Slice node over `in` (opset 1-9 attributes
// or opset 10+ constant inputs), normalized per dimension: begin, end (clamped
// to the dimension) and step for every axis of `in`.
struct SliceSpec {
  std::vector<int64_t> begin, size, step;  // per dimension of the input
};
Status SliceParams(const Graph& g, const Node& node, const std::vector<int64_t>& in, SliceSpec* spec);

// Sizes of the pieces of a Split node along `axis` of an input of dimension `dim`.
Status SplitSizes(const Graph& g, const Node& node, int64_t dim, std::vector<int64_t>* sizes);

// The axes of a Squeeze / Unsqueeze (attribute before opset 13, input from 13),
// not normalized; `present` false when none are given.
Status SqueezeAxes(const Graph& g, const Node& node, std::vector<int64_t>* axes, bool* present);

// A constant input of `node` (nullptr when absent or not constant).
const Tensor* ConstInput(const Graph& g, const Node& node, size_t k);

}  // namespace convert
}  // namespace hunch

#endif  // HUNCH_TOOLS_CONVERT_FOLD_H_
