// Ops: the registration API through which every op, builtin or custom, is
// found by name when a model is loaded, validated, and run.
//
// An app whose model contains an op hunch does not ship registers it:
//
//   hunch::Status MyPrepare(hunch::OpContext* ctx) {
//     if (ctx->num_inputs() != 1) return hunch::Status::Corruption("MyOp takes 1 input");
//     ...                                      // check shapes and dtypes
//     ctx->RequestScratch(256);                // optional scratch for Eval
//     return hunch::Status::OK();
//   }
//   hunch::Status MyEval(hunch::OpContext* ctx) {
//     const float* x = ctx->input_data<float>(0);
//     float* y = ctx->output_data<float>(0);
//     ...
//   }
//   hunch::OpResolver resolver;                // all builtin ops
//   resolver.AddCustom({"MyOp", MyPrepare, MyEval});
//   hunch::ModelOptions options;
//   options.resolver = &resolver;
//   hunch::Model::Open("model.hunch", options, &model);
//
// Loading a model that uses an op the resolver does not know fails with
// StatusCode::kUnsupported and a message naming every such op.
//
// Contracts for op implementations:
//   - prepare runs once per node while the model loads. It sees tensor
//     descriptions only (no data), must not keep pointers to the context, and
//     may be called from any thread. Output shapes are fixed by the model; an
//     op checks that they are consistent with its inputs.
//   - eval runs at each Interpreter::Invoke. It must not allocate memory
//     (use RequestScratch) and must be safe to call concurrently on
//     different interpreters (the same node, different contexts).
//   - Both return a Status; a failing eval aborts that Invoke and the error
//     is returned to the caller, prefixed with the node's index and op name.
#ifndef HUNCH_OP_H_
#define HUNCH_OP_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "hunch/export.h"
#include "hunch/status.h"
#include "hunch/types.h"

namespace hunch {

namespace internal {
struct SubgraphPlan;
struct OpContextAccess;
}  // namespace internal

class OpContext;

using OpFunction = Status (*)(OpContext* ctx);

// Registration flags.
enum OpFlags : uint32_t {
  kOpFlagNone = 0,
  // Output 0 is a view of input 0 (same bytes, another shape): no copy is
  // made and eval is not called. Used by RESHAPE, SQUEEZE, UNSQUEEZE.
  kOpFlagAliasInput0 = 1u << 0,
};

struct OpRegistration {
  const char* name = nullptr;  // matched against the model's op names; must outlive the resolver
  OpFunction prepare = nullptr;
  OpFunction eval = nullptr;
  void* user_data = nullptr;  // returned by OpContext::user_data()
  uint32_t flags = kOpFlagNone;
};

// The view of one node that prepare and eval receive.
class HUNCH_EXPORT OpContext {
 public:
  const char* op_name() const;
  int node_index() const;
  void* user_data() const;

  int num_inputs() const;
  int num_outputs() const;
  // nullptr for an omitted optional input or an index out of range.
  const TensorInfo* input(int i) const;
  const TensorInfo* output(int i) const;
  // Raw bytes of the operator's custom_options (nullptr, 0 when absent).
  const uint8_t* custom_options() const;
  size_t custom_options_size() const;

  // prepare only: reserve `bytes` of 64-byte-aligned scratch memory for
  // eval, planned in the interpreter's arena. Calls accumulate the maximum.
  void RequestScratch(size_t bytes);

  // eval only: data of inputs (read-only), outputs and the scratch memory.
  // Valid until eval returns. nullptr for an omitted input.
  const void* input_data(int i) const;
  void* output_data(int i) const;
  void* scratch() const;
  template <typename T>
  const T* input_data(int i) const {
    return static_cast<const T*>(input_data(i));
  }
  template <typename T>
  T* output_data(int i) const {
    return static_cast<T*>(output_data(i));
  }

 private:
  friend struct internal::OpContextAccess;
  OpContext() = default;
  const internal::SubgraphPlan* plan_ = nullptr;
  int node_ = 0;
  uint8_t* const* data_ = nullptr;  // per tensor, eval only
  uint8_t* scratch_ = nullptr;
  size_t scratch_request_ = 0;
  void* prepare_options_ = nullptr;  // prepare only: the node's parsed builtin options (internal::NodeOptions)
};

// A set of op registrations by name. The default constructor registers every
// builtin op. Not thread-safe while being modified; once built it may be read
// by many threads (Model::Open only reads it and does not keep it).
class HUNCH_EXPORT OpResolver {
 public:
  OpResolver();  // all builtin ops

  // An empty resolver (for apps that want to list exactly the ops they ship).
  static OpResolver Empty();

  // Adds an op. Fails with kInvalidArgument if `reg.name` is null or empty,
  // eval is null, or an op of that name is already registered.
  Status AddCustom(const OpRegistration& reg);

  // nullptr when no op of that name is registered.
  const OpRegistration* Find(const char* name) const;

  // The names of the builtin ops, in a fixed order.
  static std::vector<const char*> BuiltinNames();

 private:
  struct EmptyTag {};
  explicit OpResolver(EmptyTag) {}
  std::vector<OpRegistration> ops_;
};

}  // namespace hunch

#endif  // HUNCH_OP_H_
