#include "hunch/interpreter.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "runtime/model_internal.h"
#include "runtime/plan.h"
#include "util/strings.h"

namespace hunch {

using internal::Format;
using internal::NodeRec;
using internal::OpContextAccess;
using internal::StateRec;
using internal::Storage;
using internal::SubgraphPlan;
using internal::TensorRec;

namespace {
uint8_t* AllocAligned(size_t bytes) {
  if (bytes == 0) bytes = kBufferAlignment;
  const size_t rounded = (bytes + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
  return static_cast<uint8_t*>(std::aligned_alloc(kBufferAlignment, rounded));
}
const SubgraphPlan& Plan(const void* p) { return *static_cast<const SubgraphPlan*>(p); }
}  // namespace

Status Interpreter::Create(std::shared_ptr<const Model> model, const InterpreterOptions& options,
                           std::unique_ptr<Interpreter>* interpreter) {
  if (!interpreter) return Status::InvalidArgument("interpreter output pointer is null");
  interpreter->reset();
  if (!model) return Status::InvalidArgument("model is null");
  if (options.subgraph < 0 || options.subgraph >= model->num_subgraphs())
    return Status::InvalidArgument(Format("subgraph %d does not exist (the model has %d)", options.subgraph,
                                          model->num_subgraphs()));
  const SubgraphPlan& sg = internal::ModelAccess::plan(*model, options.subgraph);
  std::unique_ptr<Interpreter> in(new (std::nothrow) Interpreter);
  if (!in) return Status::ResourceExhausted("out of memory");
  in->model_ = std::move(model);
  in->plan_ = &sg;
  in->arena_ = AllocAligned(sg.arena_bytes);
  in->state_ = AllocAligned(sg.state_block_bytes);
  if (!in->arena_ || !in->state_)
    return Status::ResourceExhausted(Format("cannot allocate %zu bytes of arena and %zu of state", sg.arena_bytes,
                                            sg.state_block_bytes));
  std::memset(in->arena_, 0, sg.arena_bytes);
  in->data_.assign(sg.tensors.size(), nullptr);
  for (size_t t = 0; t < sg.tensors.size(); ++t) {
    const TensorRec* r = &sg.tensors[t];
    if (r->storage == Storage::kAlias) r = &sg.tensors[r->alias_of];
    switch (r->storage) {
      case Storage::kConstant: in->data_[t] = const_cast<uint8_t*>(r->const_data); break;
      case Storage::kArena: in->data_[t] = in->arena_ + r->offset; break;
      case Storage::kState: in->data_[t] = in->state_ + r->offset; break;
      default: break;
    }
  }
  in->ResetState();
  *interpreter = std::move(in);
  return Status::OK();
}

Interpreter::~Interpreter() {
  std::free(arena_);
  std::free(state_);
}

int Interpreter::num_inputs() const { return static_cast<int>(Plan(plan_).inputs.size()); }
int Interpreter::num_outputs() const { return static_cast<int>(Plan(plan_).outputs.size()); }

namespace {
int FindByName(const SubgraphPlan& sg, const std::vector<int>& list, const char* name) {
  if (!name) return -1;
  for (size_t i = 0; i < list.size(); ++i)
    if (std::strcmp(sg.tensors[list[i]].info.name, name) == 0) return static_cast<int>(i);
  return -1;
}
}  // namespace

int Interpreter::FindInput(const char* name) const { return FindByName(Plan(plan_), Plan(plan_).inputs, name); }
int Interpreter::FindOutput(const char* name) const { return FindByName(Plan(plan_), Plan(plan_).outputs, name); }

const TensorInfo& Interpreter::input_info(int i) const { return Plan(plan_).tensors[Plan(plan_).inputs[i]].info; }
const TensorInfo& Interpreter::output_info(int i) const { return Plan(plan_).tensors[Plan(plan_).outputs[i]].info; }

void* Interpreter::input_data(int i) {
  if (i < 0 || i >= num_inputs()) return nullptr;
  return data_[Plan(plan_).inputs[i]];
}

const void* Interpreter::output_data(int i) const {
  if (i < 0 || i >= num_outputs()) return nullptr;
  return data_[Plan(plan_).outputs[i]];
}

Status Interpreter::Invoke() {
  const SubgraphPlan& sg = Plan(plan_);
  uint8_t* const* data = data_.data();
  for (size_t i = 0; i < sg.nodes.size(); ++i) {
    const NodeRec& node = sg.nodes[i];
    if (node.reg.flags & kOpFlagAliasInput0) continue;  // a view: nothing to compute
    OpContext ctx = OpContextAccess::MakeForEval(&sg, static_cast<int>(i), data,
                                                 node.scratch_bytes ? arena_ + node.scratch_offset : nullptr);
    Status s = node.reg.eval(&ctx);
    if (!s.ok()) return Status(s.code(), Format("node %zu (%s): %s", i, node.reg.name, s.message().c_str()));
  }
  for (const StateRec& st : sg.states) {
    // `next` may be a view of the state itself (s' = RESHAPE(s)): then there
    // is nothing to copy, and memcpy onto itself would be undefined.
    if (data_[st.state] != data_[st.next])
      std::memmove(data_[st.state], data_[st.next], sg.tensors[st.state].info.bytes);
  }
  return Status::OK();
}

void Interpreter::ResetState() {
  const SubgraphPlan& sg = Plan(plan_);
  for (const StateRec& st : sg.states) {
    const TensorRec& r = sg.tensors[st.state];
    if (r.const_data)
      std::memcpy(data_[st.state], r.const_data, r.info.bytes);
    else
      std::memset(data_[st.state], 0, r.info.bytes);
  }
}

size_t Interpreter::state_bytes() const { return Plan(plan_).state_bytes; }
size_t Interpreter::arena_bytes() const { return Plan(plan_).arena_bytes; }

Status Interpreter::SaveState(void* dst, size_t size) const {
  const SubgraphPlan& sg = Plan(plan_);
  if (!dst && sg.state_bytes) return Status::InvalidArgument("SaveState: destination is null");
  if (size < sg.state_bytes)
    return Status::InvalidArgument(Format("SaveState: %zu bytes given, %zu needed", size, sg.state_bytes));
  for (const StateRec& st : sg.states)
    std::memcpy(static_cast<uint8_t*>(dst) + st.packed_offset, data_[st.state], sg.tensors[st.state].info.bytes);
  return Status::OK();
}

Status Interpreter::RestoreState(const void* src, size_t size) {
  const SubgraphPlan& sg = Plan(plan_);
  if (!src && sg.state_bytes) return Status::InvalidArgument("RestoreState: source is null");
  if (size < sg.state_bytes)
    return Status::InvalidArgument(Format("RestoreState: %zu bytes given, %zu needed", size, sg.state_bytes));
  for (const StateRec& st : sg.states)
    std::memcpy(data_[st.state], static_cast<const uint8_t*>(src) + st.packed_offset, sg.tensors[st.state].info.bytes);
  return Status::OK();
}

}  // namespace hunch
