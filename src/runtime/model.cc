// Model: a verified file (src/format/model_file.h) and its plans
// (src/runtime/planner.h).
#include "hunch/model.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "hunch_generated.h"
#include "runtime/model_internal.h"
#include "runtime/planner.h"
#include "util/strings.h"

namespace hunch {

using internal::Format;
using internal::ModelFile;
using internal::ModelSource;
using internal::SubgraphPlan;

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;

namespace {
bool LittleEndianHost() {
  const uint16_t one = 1;
  uint8_t b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}

// Verifies `file`, plans it and checks options.max_memory_bytes.
Status VerifyAndPlan(ModelFile* file, const ModelOptions& options, std::vector<SubgraphPlan>* plans) {
  if (!LittleEndianHost()) return Status::Unsupported("hunch models are little-endian; this host is big-endian");
  HUNCH_RETURN_IF_ERROR(file->Verify());
  const OpResolver builtins;
  const OpResolver& resolver = options.resolver ? *options.resolver : builtins;
  HUNCH_RETURN_IF_ERROR(internal::PlanModel(*file, resolver, plans));
  if (options.max_memory_bytes != 0) {
    size_t largest = 0;
    for (const SubgraphPlan& sg : *plans) largest = std::max(largest, sg.arena_bytes + sg.state_block_bytes);
    const size_t weights = file->weight_bytes;
    const size_t need = weights + largest;
    if (need > options.max_memory_bytes)
      return Status::ResourceExhausted(Format("the model needs %zu bytes (weights %zu + arena and state %zu); the "
                                              "limit is %zu",
                                              need, weights, largest, options.max_memory_bytes));
  }
  return Status::OK();
}
}  // namespace

// Takes the bytes, verifies them (the format layer), then plans them (the
// runtime).
Status Model::Load(const ModelSource& source, const ModelOptions& options,
                   std::shared_ptr<const Model>* model) {
  if (!model) return Status::InvalidArgument("model output pointer is null");
  model->reset();
  std::unique_ptr<Impl> impl(new (std::nothrow) Impl);
  if (!impl) return Status::ResourceExhausted("out of memory");
  HUNCH_RETURN_IF_ERROR(impl->file.Open(source));
  Status s = VerifyAndPlan(&impl->file, options, &impl->plans);
  // Map's own errors name the path already; the rest get it here.
  if (!s.ok()) return source.path ? Status(s.code(), std::string(source.path) + ": " + s.message()) : s;
  Model* m = new (std::nothrow) Model(std::move(impl));
  if (!m) return Status::ResourceExhausted("out of memory");
  model->reset(m);
  return Status::OK();
}

Status Model::Open(const std::string& path, const ModelOptions& options, std::shared_ptr<const Model>* model) {
  const ModelSource::Kind kind = options.load == LoadMode::kRead ? ModelSource::kRead : ModelSource::kMap;
  return Load({kind, path.c_str(), nullptr, 0}, options, model);
}

Status Model::FromBuffer(const void* data, size_t size, const ModelOptions& options,
                         std::shared_ptr<const Model>* model) {
  return Load({ModelSource::kBorrow, nullptr, data, size}, options, model);
}

Status Model::FromBufferCopy(const void* data, size_t size, const ModelOptions& options,
                             std::shared_ptr<const Model>* model) {
  return Load({ModelSource::kCopy, nullptr, data, size}, options, model);
}

uint32_t Model::format_version() const { return impl_->file.fb->version(); }
const char* Model::description() const {
  return impl_->file.fb->description() ? impl_->file.fb->description()->c_str() : "";
}
size_t Model::file_bytes() const { return impl_->file.size(); }
size_t Model::weight_bytes() const { return impl_->file.weight_bytes; }
int Model::num_subgraphs() const { return static_cast<int>(impl_->plans.size()); }

const char* Model::subgraph_name(int subgraph) const {
  if (subgraph < 0 || subgraph >= num_subgraphs()) return "";
  return impl_->plans[subgraph].name.c_str();
}

int Model::FindSubgraph(const char* name) const {
  if (!name) return -1;
  for (int i = 0; i < num_subgraphs(); ++i)
    if (impl_->plans[i].name == name) return i;
  return -1;
}

size_t Model::arena_bytes(int subgraph) const {
  if (subgraph < 0 || subgraph >= num_subgraphs()) return 0;
  return impl_->plans[subgraph].arena_bytes;
}

size_t Model::state_bytes(int subgraph) const {
  if (subgraph < 0 || subgraph >= num_subgraphs()) return 0;
  return impl_->plans[subgraph].state_bytes;
}

int Model::num_tensors(int subgraph) const {
  if (subgraph < 0 || subgraph >= num_subgraphs()) return 0;
  return static_cast<int>(impl_->plans[subgraph].tensors.size());
}

const TensorInfo& Model::tensor(int subgraph, int i) const { return impl_->plans[subgraph].tensors[i].info; }

int64_t Model::arena_offset(int subgraph, int i) const {
  if (subgraph < 0 || subgraph >= num_subgraphs() || i < 0 || i >= num_tensors(subgraph)) return -1;
  const SubgraphPlan& sg = impl_->plans[subgraph];
  const internal::TensorRec* r = &sg.tensors[i];
  if (r->storage == internal::Storage::kAlias) r = &sg.tensors[r->alias_of];
  return r->storage == internal::Storage::kArena ? static_cast<int64_t>(r->offset) : -1;
}

int Model::num_ops(int subgraph) const {
  if (subgraph < 0 || subgraph >= num_subgraphs()) return 0;
  return static_cast<int>(impl_->plans[subgraph].nodes.size());
}

const char* Model::op_name(int subgraph, int node) const {
  if (node < 0 || node >= num_ops(subgraph)) return "";
  return impl_->plans[subgraph].nodes[node].reg.name;
}

int Model::num_metadata() const {
  return impl_->file.fb->metadata() ? static_cast<int>(impl_->file.fb->metadata()->size()) : 0;
}

const char* Model::metadata_name(int i) const {
  if (i < 0 || i >= num_metadata()) return "";
  return impl_->file.fb->metadata()->Get(static_cast<uint32_t>(i))->name()->c_str();
}

Status Model::GetMetadata(const char* name, const uint8_t** data, size_t* size) const {
  if (!name || !data || !size) return Status::InvalidArgument("GetMetadata: null argument");
  const fb::Model* m = impl_->file.fb;
  for (int i = 0; i < num_metadata(); ++i) {
    const fb::Metadata* md = m->metadata()->Get(static_cast<uint32_t>(i));
    if (std::strcmp(md->name()->c_str(), name) != 0) continue;
    const fb::Buffer* b = m->buffers()->Get(md->buffer());
    *data = impl_->file.data() + b->offset();
    *size = static_cast<size_t>(b->size());
    return Status::OK();
  }
  return Status::NotFound(Format("no metadata named '%s'", name));
}

}  // namespace hunch
