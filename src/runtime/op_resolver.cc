#include <cstring>

#include "hunch/op.h"
#include "kernels/kernels.h"

namespace hunch {

namespace {
using Factory = OpRegistration (*)();
const Factory kBuiltins[] = {
    // Lookup and dense layers.
    internal::Register_GATHER,
    internal::Register_FULLY_CONNECTED,
    // Element-wise, normalization and shape ops.
    internal::Register_MATMUL,
    internal::Register_ADD,
    internal::Register_SUB,
    internal::Register_MUL,
    internal::Register_LOGISTIC,
    internal::Register_TANH,
    internal::Register_RELU,
    internal::Register_SOFTMAX,
    internal::Register_LOG_SOFTMAX,
    internal::Register_CONCAT,
    internal::Register_SPLIT,
    internal::Register_SLICE,
    internal::Register_RESHAPE,
    internal::Register_SQUEEZE,
    internal::Register_UNSQUEEZE,
    internal::Register_TRANSPOSE,
    internal::Register_TOPK,
    // Recurrent cells.
    internal::Register_LSTM,
    internal::Register_GRU,
};
}  // namespace

OpResolver::OpResolver() {
  ops_.reserve(sizeof(kBuiltins) / sizeof(kBuiltins[0]));
  for (Factory f : kBuiltins) ops_.push_back(f());
}

OpResolver OpResolver::Empty() { return OpResolver(EmptyTag{}); }

std::vector<const char*> OpResolver::BuiltinNames() {
  std::vector<const char*> names;
  for (Factory f : kBuiltins) names.push_back(f().name);
  return names;
}

Status OpResolver::AddCustom(const OpRegistration& reg) {
  if (!reg.name || !reg.name[0]) return Status::InvalidArgument("an op registration needs a name");
  if (!reg.eval && !(reg.flags & kOpFlagAliasInput0))
    return Status::InvalidArgument(std::string("op '") + reg.name + "' has no eval function");
  if (Find(reg.name)) return Status::InvalidArgument(std::string("op '") + reg.name + "' is already registered");
  ops_.push_back(reg);
  return Status::OK();
}

const OpRegistration* OpResolver::Find(const char* name) const {
  if (!name) return nullptr;
  for (const OpRegistration& r : ops_)
    if (std::strcmp(r.name, name) == 0) return &r;
  return nullptr;
}

}  // namespace hunch
