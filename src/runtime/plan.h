// Internal representation of a loaded model: per subgraph, the resolved
// tensors (where each one's bytes live), the nodes with their registrations
// and parsed options, and the memory plan. Built once by the planner
// (runtime/planner.h) from a verified file; read-only afterwards.
#ifndef HUNCH_RUNTIME_PLAN_H_
#define HUNCH_RUNTIME_PLAN_H_

#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <type_traits>
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

// A builtin kernel's options, parsed from the FlatBuffer once by its prepare
// and read by its eval (OpContextAccess::SetOptions / options): raw storage
// for a small trivially copyable struct of the kernel's own.
struct alignas(8) NodeOptions {
  static constexpr size_t kBytes = 32;
  unsigned char bytes[kBytes] = {};
};

struct NodeRec {
  OpRegistration reg;
  const fb::Operator* op = nullptr;  // prepare (builtin options) and custom_options only
  NodeOptions options;
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

// Accessors for the private parts of OpContext, for the planner, the
// interpreter and the builtin kernels.
struct OpContextAccess {
  // The context prepare receives: no data, and the node's options writable.
  static OpContext MakeForPrepare(SubgraphPlan* plan, int node) {
    OpContext ctx;
    ctx.plan_ = plan;
    ctx.node_ = node;
    ctx.prepare_options_ = &plan->nodes[node].options;
    return ctx;
  }
  // The context eval receives.
  static OpContext MakeForEval(const SubgraphPlan* plan, int node, uint8_t* const* data, uint8_t* scratch) {
    OpContext ctx;
    ctx.plan_ = plan;
    ctx.node_ = node;
    ctx.data_ = data;
    ctx.scratch_ = scratch;
    return ctx;
  }
  static size_t scratch_request(const OpContext& ctx) { return ctx.scratch_request_; }

  // prepare only (nullptr in eval, which reads what prepare parsed): the
  // node's FlatBuffer operator, for its builtin options.
  static const fb::Operator* op(const OpContext& ctx) {
    return ctx.prepare_options_ ? ctx.plan_->nodes[ctx.node_].op : nullptr;
  }
  // prepare only: keeps `value` for eval (a no-op in an eval context).
  template <typename T>
  static void SetOptions(OpContext* ctx, const T& value) {
    CheckOptionsType<T>();
    if (ctx->prepare_options_) new (static_cast<NodeOptions*>(ctx->prepare_options_)->bytes) T(value);
  }
  // eval: the value prepare kept with SetOptions.
  template <typename T>
  static const T& options(const OpContext& ctx) {
    CheckOptionsType<T>();
    return *std::launder(reinterpret_cast<const T*>(ctx.plan_->nodes[ctx.node_].options.bytes));
  }

 private:
  template <typename T>
  static constexpr void CheckOptionsType() {
    static_assert(std::is_trivially_copyable<T>::value && std::is_trivially_destructible<T>::value,
                  "parsed options must be plain data");
    static_assert(sizeof(T) <= NodeOptions::kBytes && alignof(T) <= alignof(NodeOptions),
                  "parsed options must fit NodeOptions");
  }
};

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_RUNTIME_PLAN_H_
