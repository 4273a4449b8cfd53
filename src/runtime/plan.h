// Internal representation of a loaded model: per subgraph, the resolved
// tensors (where each one's bytes live), the nodes with their registrations,
// and the memory plan. Built once by the loader; read-only afterwards.
#ifndef HUNCH_RUNTIME_PLAN_H_
#define HUNCH_RUNTIME_PLAN_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hunch/op.h"
#include "hunch/types.h"

namespace hunch {
namespace fb {
struct Operator;
}

namespace internal {

enum class Storage : uint8_t {
  kNone,      // never read or written (dangling tensor)
  kConstant,  // bytes in the model file (const_data)
  kArena,     // activation: arena + offset
  kState,     // persistent: state block + offset
  kAlias,     // a view: same bytes as tensor `alias_of` (resolved to a non-alias root)
};

struct TensorRec {
  TensorInfo info;
  Storage storage = Storage::kNone;
  const uint8_t* const_data = nullptr;  // kConstant; kState: initial value or null (zeros)
  size_t offset = 0;                    // kArena, kState
  int alias_of = -1;                    // kAlias
};

struct NodeRec {
  OpRegistration reg;
  const fb::Operator* op = nullptr;
  std::vector<int> inputs;  // -1 = omitted
  std::vector<int> outputs;
  size_t scratch_bytes = 0;
  size_t scratch_offset = 0;
};

struct StateRec {
  int state = -1;
  int next = -1;
  size_t packed_offset = 0;  // where SaveState puts it
};

struct SubgraphPlan {
  std::string name;
  std::vector<TensorRec> tensors;
  std::vector<NodeRec> nodes;
  std::vector<int> inputs;
  std::vector<int> outputs;
  std::vector<StateRec> states;
  size_t arena_bytes = 0;
  size_t state_block_bytes = 0;  // aligned layout used in memory
  size_t state_bytes = 0;        // packed (SaveState) size
};

// Accessors for the private parts of OpContext, for the loader, the
// interpreter and the builtin kernels.
struct OpContextAccess {
  static OpContext Make(const SubgraphPlan* plan, int node, uint8_t* const* data, uint8_t* scratch) {
    OpContext ctx;
    ctx.plan_ = plan;
    ctx.node_ = node;
    ctx.data_ = data;
    ctx.scratch_ = scratch;
    return ctx;
  }
  static size_t scratch_request(const OpContext& ctx) { return ctx.scratch_request_; }
  static const fb::Operator* op(const OpContext& ctx) { return ctx.plan_->nodes[ctx.node_].op; }
};

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_RUNTIME_PLAN_H_
