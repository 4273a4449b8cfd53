// The FlatBuffer emitter of `hunch convert`: writes the live nodes of the
// graph the passes left (tools/convert/passes.h) as the hunch subgraph
// "step" of a ModelBuilder, one node at a time, and records on each node
// what it became (Node::note) or why it could not be converted
// (Disposition::kUnsupported and the reason).
//
//   Emitter em(&g, binding);
//   Status s = em.Begin();                          // graph inputs and states
//   for (int k : EmissionOrder(g)) em.EmitNode(k);  // skip unsupported nodes
//   if (s.ok()) s = em.Finish();                    // outputs and state updates
//   std::vector<uint8_t> file = em.builder().Finish();
#ifndef HUNCH_TOOLS_CONVERT_EMIT_H_
#define HUNCH_TOOLS_CONVERT_EMIT_H_

#include <memory>
#include <string>
#include <vector>

#include "builder/model_builder.h"
#include "hunch/status.h"
#include "tools/convert/onnx_ir.h"
#include "tools/convert/passes.h"

namespace hunch {
namespace convert {

class Emitter {
 public:
  Emitter(Graph* g, const Binding& b);  // both must outlive the emitter
  ~Emitter();
  Emitter(const Emitter&) = delete;
  Emitter& operator=(const Emitter&) = delete;

  // Graph inputs and state tensors first, so they exist before any node.
  Status Begin();
  // Emits one live node; on failure records why on the node.
  void EmitNode(int k);
  // Graph inputs, outputs and state pairs; then builder() holds the graph.
  Status Finish();

  ModelBuilder& builder();
  const std::vector<std::string>& ops() const;  // the hunch ops emitted, in order

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Live nodes in an order where every node follows the producers of its
// inputs, otherwise in the ONNX order.
std::vector<int> EmissionOrder(const Graph& g);

}  // namespace convert
}  // namespace hunch

#endif  // HUNCH_TOOLS_CONVERT_EMIT_H_
