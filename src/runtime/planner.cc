// Planning a verified model for the runtime (src/format/ has checked every
// index and size): op resolution, each node's prepare, views, the state
// block and the activation arena.
#include "runtime/planner.h"

#include <string>

#include "hunch/model.h"
#include "runtime/arena_planner.h"
#include "util/strings.h"

namespace hunch {
namespace internal {

namespace {

// Bounds that keep a hostile file from asking for absurd work or memory.
constexpr uint64_t kMaxScratchBytes = uint64_t{1} << 32;  // uint64_t: also on 32-bit targets (wasm32)
constexpr uint64_t kMaxArenaBytes = uint64_t{1} << 34;

size_t AlignUp(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }

std::string TensorLabel(const SubgraphPlan& sg, int t) { return internal::TensorLabel(sg.tensors[t].info, t); }

// The registration of every operator code, or one message listing every op
// name the resolver lacks.
Status ResolveOps(const ModelFile& file, const OpResolver& resolver, std::vector<const OpRegistration*>* regs) {
  regs->assign(file.op_names.size(), nullptr);
  std::string missing;
  for (size_t i = 0; i < file.op_names.size(); ++i) {
    (*regs)[i] = resolver.Find(file.op_names[i]);
    if (!(*regs)[i]) {
      if (!missing.empty()) missing += ", ";
      missing += "'" + std::string(file.op_names[i]) + "'";
    }
  }
  if (!missing.empty())
    return Status::Unsupported("the model uses ops that are not registered: " + missing +
                               " (register custom ops with OpResolver::AddCustom)");
  return Status::OK();
}

// Tensors, nodes and the state block from the file's description.
void BuildRecords(const FileSubgraph& g, const std::vector<const OpRegistration*>& regs, SubgraphPlan* sg) {
  sg->name = g.name;
  sg->inputs = g.inputs;
  sg->outputs = g.outputs;
  sg->tensors.resize(g.tensors.size());
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    TensorRec& rec = sg->tensors[t];
    rec.info = g.tensors[t].info;
    rec.const_data = g.tensors[t].data;
    if (rec.info.is_constant) rec.storage = Storage::kConstant;
  }
  // States live in one block, each at a 64-byte-aligned offset; SaveState
  // packs them back to back in the file's order.
  size_t block = 0, packed = 0;
  for (const FileState& fs : g.states) {
    TensorRec& st = sg->tensors[fs.state];
    st.storage = Storage::kState;
    st.offset = block;
    block = AlignUp(block + st.info.bytes, kBufferAlignment);
    StateRec rec;
    rec.state = fs.state;
    rec.next = fs.next;
    rec.packed_offset = packed;
    packed += st.info.bytes;
    sg->states.push_back(rec);
  }
  sg->state_block_bytes = block;
  sg->state_bytes = packed;
  sg->nodes.resize(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    NodeRec& node = sg->nodes[i];
    node.reg = *regs[g.nodes[i].opcode];
    node.op = g.nodes[i].op;
    node.inputs = g.nodes[i].inputs;
    node.outputs = g.nodes[i].outputs;
  }
}

Status PrepareNodes(SubgraphPlan* sg) {
  for (size_t i = 0; i < sg->nodes.size(); ++i) {
    NodeRec& node = sg->nodes[i];
    OpContext ctx = OpContextAccess::MakeForPrepare(sg, static_cast<int>(i));
    if (node.reg.prepare) {
      Status s = node.reg.prepare(&ctx);
      if (!s.ok()) return Status(s.code(), Format("node %zu (%s): %s", i, node.reg.name, s.message().c_str()));
    }
    node.scratch_bytes = OpContextAccess::scratch_request(ctx);
    if (node.scratch_bytes > kMaxScratchBytes)
      return Status::ResourceExhausted(Format("node %zu (%s) asks for %zu bytes of scratch", i, node.reg.name,
                                              node.scratch_bytes));
  }
  return Status::OK();
}

// Views alias their input; lifetimes in steps; greedy placement.
Status PlanMemory(SubgraphPlan* sg) {
  const int num_nodes = static_cast<int>(sg->nodes.size());
  const int end = num_nodes;  // a step after the last node: outputs, next-states
  const size_t nt = sg->tensors.size();

  // 1. Resolve views to their root tensor.
  for (int i = 0; i < num_nodes; ++i) {
    NodeRec& node = sg->nodes[i];
    if (!(node.reg.flags & kOpFlagAliasInput0)) continue;
    if (node.inputs.empty() || node.inputs[0] < 0 || node.outputs.size() != 1)
      return Status::Corruption(Format("node %d (%s) is a view and needs exactly one input and one output", i, node.reg.name));
    const int in = node.inputs[0], out = node.outputs[0];
    if (sg->tensors[in].info.bytes != sg->tensors[out].info.bytes || sg->tensors[in].info.dtype != sg->tensors[out].info.dtype)
      return Status::Corruption(Format("node %d (%s): %s %s and %s %s are not views of each other", i, node.reg.name,
                                       DTypeName(sg->tensors[in].info.dtype), ShapeString(sg->tensors[in].info.shape).c_str(),
                                       DTypeName(sg->tensors[out].info.dtype),
                                       ShapeString(sg->tensors[out].info.shape).c_str()));
    const int root = sg->tensors[in].storage == Storage::kAlias ? sg->tensors[in].alias_of : in;
    sg->tensors[out].storage = Storage::kAlias;
    sg->tensors[out].alias_of = root;
    if (sg->tensors[root].storage == Storage::kConstant) {
      sg->tensors[out].info.is_constant = true;
    }
  }

  // A state updated from (a view of) another state would make the result
  // depend on the order of the copies after Invoke.
  for (const StateRec& st : sg->states) {
    const TensorRec& nx = sg->tensors[st.next];
    const int root = nx.storage == Storage::kAlias ? nx.alias_of : st.next;
    if (sg->tensors[root].storage == Storage::kState && root != st.state)
      return Status::Corruption(Format("state %s is updated from state %s: copy it through an op first",
                                       TensorLabel(*sg, st.state).c_str(), TensorLabel(*sg, root).c_str()));
  }

  // 2. Lifetimes of arena tensors (by root).
  std::vector<int> first(nt, -1), last(nt, -1);
  auto touch = [&](int t, int step) {
    if (sg->tensors[t].storage == Storage::kAlias) t = sg->tensors[t].alias_of;
    const Storage st = sg->tensors[t].storage;
    if (st == Storage::kConstant || st == Storage::kState) return;
    if (first[t] < 0 || step < first[t]) first[t] = step;
    if (step > last[t]) last[t] = step;
  };
  for (int t : sg->inputs) {
    touch(t, 0);
    touch(t, end);  // inputs stay valid for the caller between Invokes
  }
  for (int i = 0; i < num_nodes; ++i) {
    for (int t : sg->nodes[i].inputs)
      if (t >= 0) touch(t, i);
    for (int t : sg->nodes[i].outputs) touch(t, i);
  }
  for (int t : sg->outputs) touch(t, end);  // from the node that writes it to the caller's read
  for (const StateRec& s : sg->states) touch(s.next, end);

  std::vector<ArenaRequest> requests;
  std::vector<int> owner;  // tensor index, or -(node + 1) for scratch
  size_t sum = 0;
  for (size_t t = 0; t < nt; ++t) {
    if (first[t] < 0 || sg->tensors[t].storage != Storage::kNone) continue;
    sg->tensors[t].storage = Storage::kArena;
    requests.push_back({sg->tensors[t].info.bytes, first[t], last[t]});
    owner.push_back(static_cast<int>(t));
    sum += sg->tensors[t].info.bytes;
  }
  for (int i = 0; i < num_nodes; ++i) {
    if (sg->nodes[i].scratch_bytes == 0) continue;
    requests.push_back({sg->nodes[i].scratch_bytes, i, i});
    owner.push_back(-(i + 1));
    sum += sg->nodes[i].scratch_bytes;
  }
  if (sum > kMaxArenaBytes) return Status::ResourceExhausted(Format("activations need %zu bytes", sum));
  std::vector<size_t> offsets;
  sg->arena_bytes = PlanArena(requests, kBufferAlignment, &offsets);
  for (size_t r = 0; r < requests.size(); ++r) {
    if (owner[r] >= 0)
      sg->tensors[owner[r]].offset = offsets[r];
    else
      sg->nodes[-owner[r] - 1].scratch_offset = offsets[r];
  }
  return Status::OK();
}

Status PlanSubgraph(const FileSubgraph& g, const std::vector<const OpRegistration*>& regs, SubgraphPlan* sg) {
  BuildRecords(g, regs, sg);
  HUNCH_RETURN_IF_ERROR(PrepareNodes(sg));
  return PlanMemory(sg);
}

}  // namespace

Status PlanModel(const ModelFile& file, const OpResolver& resolver, std::vector<SubgraphPlan>* plans) {
  std::vector<const OpRegistration*> regs;
  HUNCH_RETURN_IF_ERROR(ResolveOps(file, resolver, &regs));
  const size_t n = file.subgraphs.size();
  plans->clear();
  plans->resize(n);
  for (size_t i = 0; i < n; ++i) {
    Status s = PlanSubgraph(file.subgraphs[i], regs, &(*plans)[i]);
    if (!s.ok()) return n == 1 ? s : Status(s.code(), Format("subgraph %zu: %s", i, s.message().c_str()));
  }
  return Status::OK();
}

}  // namespace internal
}  // namespace hunch
