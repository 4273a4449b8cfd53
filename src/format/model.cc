#include "hunch/model.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>

#include "format/model_impl.h"
#include "hunch_generated.h"
#include "util/strings.h"

namespace hunch {

using internal::Format;

Model::Impl::~Impl() {
  if (map_addr) munmap(map_addr, map_size);
}

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;

namespace {
bool LittleEndianHost() {
  const uint16_t one = 1;
  uint8_t b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}
}  // namespace

Status Model::Load(std::unique_ptr<Impl> impl, const ModelOptions& options, std::shared_ptr<const Model>* model) {
  if (!LittleEndianHost()) return Status::Unsupported("hunch models are little-endian; this host is big-endian");
  const OpResolver builtins;
  const OpResolver& resolver = options.resolver ? *options.resolver : builtins;
  HUNCH_RETURN_IF_ERROR(internal::LoadModel(impl.get(), resolver));
  if (options.max_memory_bytes != 0) {
    size_t largest = 0;
    for (const auto& sg : impl->subgraphs) largest = std::max(largest, sg.arena_bytes + sg.state_block_bytes);
    const size_t need = impl->weight_bytes + largest;
    if (need > options.max_memory_bytes)
      return Status::ResourceExhausted(Format("the model needs %zu bytes (weights %zu + arena and state %zu); the "
                                              "limit is %zu",
                                              need, impl->weight_bytes, largest, options.max_memory_bytes));
  }
  Model* m = new (std::nothrow) Model(std::move(impl));
  if (!m) return Status::ResourceExhausted("out of memory");
  model->reset(m);
  return Status::OK();
}

Status Model::Open(const std::string& path, const ModelOptions& options, std::shared_ptr<const Model>* model) {
  if (!model) return Status::InvalidArgument("model output pointer is null");
  model->reset();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return Status::NotFound(Format("%s: no such file", path.c_str()));
    return Status::IOError(Format("%s: %s", path.c_str(), std::strerror(err)));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::IOError(Format("%s: %s", path.c_str(), std::strerror(err)));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(Format("%s is not a regular file", path.c_str()));
  }
  if (st.st_size == 0) {
    ::close(fd);
    return Status::Corruption(Format("%s is empty", path.c_str()));
  }
  const size_t size = static_cast<size_t>(st.st_size);
  void* addr = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  ::close(fd);
  if (addr == MAP_FAILED) return Status::IOError(Format("%s: mmap failed: %s", path.c_str(), std::strerror(err)));
  std::unique_ptr<Impl> impl(new (std::nothrow) Impl);
  if (!impl) {
    munmap(addr, size);
    return Status::ResourceExhausted("out of memory");
  }
  impl->map_addr = addr;
  impl->map_size = size;
  impl->data = static_cast<const uint8_t*>(addr);
  impl->size = size;
  Status s = Load(std::move(impl), options, model);
  if (!s.ok()) return Status(s.code(), path + ": " + s.message());
  return s;
}

Status Model::FromBuffer(const void* data, size_t size, const ModelOptions& options,
                         std::shared_ptr<const Model>* model) {
  if (!model) return Status::InvalidArgument("model output pointer is null");
  model->reset();
  if (!data) return Status::InvalidArgument("model buffer is null");
  if (reinterpret_cast<uintptr_t>(data) % kBufferAlignment != 0)
    return Status::InvalidArgument(Format("model buffer must be aligned to %zu bytes", kBufferAlignment));
  std::unique_ptr<Impl> impl(new (std::nothrow) Impl);
  if (!impl) return Status::ResourceExhausted("out of memory");
  impl->data = static_cast<const uint8_t*>(data);
  impl->size = size;
  return Load(std::move(impl), options, model);
}

uint32_t Model::format_version() const { return impl_->fb->version(); }
const char* Model::description() const {
  return impl_->fb->description() ? impl_->fb->description()->c_str() : "";
}
size_t Model::file_bytes() const { return impl_->size; }
size_t Model::weight_bytes() const { return impl_->weight_bytes; }
int Model::num_subgraphs() const { return static_cast<int>(impl_->subgraphs.size()); }

const char* Model::subgraph_name(int subgraph) const {
  if (subgraph < 0 || subgraph >= num_subgraphs()) return "";
  return impl_->subgraphs[subgraph].name.c_str();
}

int Model::FindSubgraph(const char* name) const {
  if (!name) return -1;
  for (int i = 0; i < num_subgraphs(); ++i)
    if (impl_->subgraphs[i].name == name) return i;
  return -1;
}

size_t Model::arena_bytes(int subgraph) const {
  if (subgraph < 0 || subgraph >= num_subgraphs()) return 0;
  return impl_->subgraphs[subgraph].arena_bytes;
}

size_t Model::state_bytes(int subgraph) const {
  if (subgraph < 0 || subgraph >= num_subgraphs()) return 0;
  return impl_->subgraphs[subgraph].state_bytes;
}

int Model::num_tensors(int subgraph) const {
  if (subgraph < 0 || subgraph >= num_subgraphs()) return 0;
  return static_cast<int>(impl_->subgraphs[subgraph].tensors.size());
}

const TensorInfo& Model::tensor(int subgraph, int i) const { return impl_->subgraphs[subgraph].tensors[i].info; }

int64_t Model::arena_offset(int subgraph, int i) const {
  if (subgraph < 0 || subgraph >= num_subgraphs() || i < 0 || i >= num_tensors(subgraph)) return -1;
  const internal::SubgraphPlan& sg = impl_->subgraphs[subgraph];
  const internal::TensorRec* r = &sg.tensors[i];
  if (r->storage == internal::Storage::kAlias) r = &sg.tensors[r->alias_of];
  return r->storage == internal::Storage::kArena ? static_cast<int64_t>(r->offset) : -1;
}

int Model::num_ops(int subgraph) const {
  if (subgraph < 0 || subgraph >= num_subgraphs()) return 0;
  return static_cast<int>(impl_->subgraphs[subgraph].nodes.size());
}

const char* Model::op_name(int subgraph, int node) const {
  if (node < 0 || node >= num_ops(subgraph)) return "";
  return impl_->subgraphs[subgraph].nodes[node].reg.name;
}

int Model::num_metadata() const {
  return impl_->fb->metadata() ? static_cast<int>(impl_->fb->metadata()->size()) : 0;
}

const char* Model::metadata_name(int i) const {
  if (i < 0 || i >= num_metadata()) return "";
  return impl_->fb->metadata()->Get(static_cast<uint32_t>(i))->name()->c_str();
}

Status Model::GetMetadata(const char* name, const uint8_t** data, size_t* size) const {
  if (!name || !data || !size) return Status::InvalidArgument("GetMetadata: null argument");
  for (int i = 0; i < num_metadata(); ++i) {
    const fb::Metadata* md = impl_->fb->metadata()->Get(static_cast<uint32_t>(i));
    if (std::strcmp(md->name()->c_str(), name) != 0) continue;
    const fb::Buffer* b = impl_->fb->buffers()->Get(md->buffer());
    *data = impl_->data + b->offset();
    *size = static_cast<size_t>(b->size());
    return Status::OK();
  }
  return Status::NotFound(Format("no metadata named '%s'", name));
}

}  // namespace hunch
