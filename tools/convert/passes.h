// The converter's passes over the graph (tools/convert/onnx_ir.h), in order:
//   BindIo            which ONNX inputs are graph inputs or recurrent states,
//                     which values are outputs; input shapes (symbolic -> 1)
//   InferAndFold      shapes of every value; constant subgraphs and shape
//                     arithmetic evaluated; Identity-like nodes aliased;
//                     nodes without a hunch equivalent marked unsupported
//   MarkDead          nodes no output or state update needs
//   CanonicalizeLinear  Gemm / MatMul with a constant weight (+ a constant
//                     bias Add) -> one "hunch.Linear" node (FULLY_CONNECTED)
//   FuseCells         the explicit LSTM / CIFG / GRU gate math of
//                     train/model.py -> one "hunch.LSTM" / "hunch.GRU" node
// Each pass records per node what happened (Node::disposition, note) so that
// `hunch check` can report it.
#ifndef HUNCH_TOOLS_CONVERT_PASSES_H_
#define HUNCH_TOOLS_CONVERT_PASSES_H_

#include <string>
#include <utility>
#include <vector>

#include "hunch/status.h"
#include "tools/convert/onnx_ir.h"

namespace hunch {
namespace convert {

// What the user asked for (--inputs, --outputs, --state); empty = automatic.
struct IoSpec {
  std::vector<std::string> inputs;
  std::vector<std::vector<int64_t>> input_shapes;  // per `inputs` entry; empty = the declared shape
  std::vector<std::string> outputs;
  std::vector<std::pair<std::string, std::string>> states;  // (input, output)
};

struct Binding {
  std::vector<int> inputs;                  // ONNX graph inputs -> hunch graph inputs
  std::vector<int> outputs;                 // values -> hunch graph outputs
  std::vector<std::pair<int, int>> states;  // (ONNX input, value written each step)
  bool shapes_overridden = false;
};

// Automatic rule: an ONNX input "<name>_in" and an ONNX output "<name>_out"
// form a state pair; the other inputs are graph inputs and the other outputs
// graph outputs. Symbolic dimensions of the inputs are bound to 1.
Status BindIo(Graph* g, const IoSpec& spec, Binding* binding);

void InferAndFold(Graph* g, const Binding& binding);
void MarkDead(Graph* g, const Binding& binding);
void CanonicalizeLinear(Graph* g, const Binding& binding);
void FuseCells(Graph* g, const Binding& binding);

// Parameters of an ONNX LSTM or GRU node, checked for a single-step
// conversion (one direction, default activations, no clip, T = 1).
struct RnnParams {
  bool gru = false;
  bool layout1 = false;  // batch-major (layout = 1)
  int64_t hidden = 0, batch = 0, input = 0;
  bool linear_before_reset = false;
  const Tensor* w = nullptr;  // [1, G*H, I]
  const Tensor* r = nullptr;  // [1, G*H, H]
  const Tensor* b = nullptr;  // [1, 2*G*H] or null
  const Tensor* p = nullptr;  // LSTM peepholes [1, 3H] or null
};
Status ParseRnn(const Graph& g, const Node& n, RnnParams* p);

// The constant value `v` transposed (rank 2), created once and cached.
int TransposedConstant(Graph* g, int v);
// A new constant value holding `t`.
int NewConstant(Graph* g, const std::string& name, Tensor t);

// Consumers of `v` among live and converter nodes (dead, folded and fused
// nodes excluded), with alias chains followed.
std::vector<int> LiveConsumers(const Graph& g, int v);
// True when `v` is a graph output or the update of a state.
bool IsRoot(const Binding& b, const Graph& g, int v);

}  // namespace convert
}  // namespace hunch

#endif  // HUNCH_TOOLS_CONVERT_PASSES_H_
