// Where a model's bytes come from: a read-only mmap, a private copy read from
// the file, the caller's buffer, or an aligned copy of it.
#include "format/model_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

#include "hunch/model.h"
#include "util/file.h"
#include "util/strings.h"

namespace hunch {
namespace internal {

ModelFile::~ModelFile() {
  if (map_addr_) munmap(map_addr_, map_size_);
  if (owned_) ::operator delete(owned_, std::align_val_t(kBufferAlignment));
}

Status ModelFile::Open(const ModelSource& source) {
  accept_unchecked_v1_ = source.accept_unchecked_v1;
  switch (source.kind) {
    case ModelSource::kMap: return Map(source.path);
    case ModelSource::kRead: return Read(source.path);
    case ModelSource::kCopy: return Copy(source.data, source.size);
    default: return Borrow(source.data, source.size);
  }
}

Status ModelFile::Map(const char* path) {
  if (!path) return Status::InvalidArgument("model path is null");
  int fd;
  uint64_t file_size;
  HUNCH_RETURN_IF_ERROR(OpenRegularFile(path, O_RDONLY, &fd, &file_size));
  if (file_size == 0) {
    ::close(fd);
    return Status::Corruption(Format("%s is empty", path));
  }
  const size_t size = static_cast<size_t>(file_size);
  // MAP_POPULATE: the checksum reads every page at open anyway, and the
  // kernel maps them in one pass far faster than page faults one by one.
#ifdef MAP_POPULATE
  const int flags = MAP_PRIVATE | MAP_POPULATE;
#else
  const int flags = MAP_PRIVATE;
#endif
  void* addr = mmap(nullptr, size, PROT_READ, flags, fd, 0);
  const int err = errno;
  ::close(fd);
  if (addr == MAP_FAILED) return Status::IOError(Format("%s: mmap failed: %s", path, std::strerror(err)));
  map_addr_ = addr;
  map_size_ = size;
  data_ = static_cast<const uint8_t*>(addr);
  size_ = size;
  return Status::OK();
}

Status ModelFile::Read(const char* path) {
  if (!path) return Status::InvalidArgument("model path is null");
  int fd;
  uint64_t file_size;
  HUNCH_RETURN_IF_ERROR(OpenRegularFile(path, O_RDONLY, &fd, &file_size));
  Status s = file_size == 0 ? Status::Corruption(Format("%s is empty", path))
             : file_size > static_cast<uint64_t>(PTRDIFF_MAX)
                 ? Status::ResourceExhausted(Format("%s is too large to read into memory", path))
                 : Allocate(static_cast<size_t>(file_size));
  // The size fstat gave: a file that shrinks meanwhile fails here, one that
  // grows is read as it was (and its trailer then decides).
  if (s.ok()) s = ReadFileAt(fd, path, 0, owned_, size_);
  ::close(fd);
  if (!s.ok()) return s.code() == StatusCode::kResourceExhausted ? Status(s.code(), path + (": " + s.message())) : s;
  return Status::OK();
}

Status ModelFile::Borrow(const void* data, size_t size) {
  if (!data) return Status::InvalidArgument("model buffer is null");
  if (reinterpret_cast<uintptr_t>(data) % kBufferAlignment != 0)
    return Status::InvalidArgument(Format("model buffer must be aligned to %zu bytes", kBufferAlignment));
  data_ = static_cast<const uint8_t*>(data);
  size_ = size;
  return Status::OK();
}

Status ModelFile::Copy(const void* data, size_t size) {
  if (!data && size) return Status::InvalidArgument("model buffer is null");
  if (size > static_cast<size_t>(PTRDIFF_MAX))
    return Status::InvalidArgument(Format("a model buffer of %zu bytes is too large", size));
  HUNCH_RETURN_IF_ERROR(Allocate(size));
  if (size) std::memcpy(owned_, data, size);
  return Status::OK();
}

Status ModelFile::Allocate(size_t size) {
  // Exactly `size` bytes (no padding), so a sanitizer flags any read past the
  // end of the file.
  owned_ = ::operator new(size ? size : 1, std::align_val_t(kBufferAlignment), std::nothrow);
  if (!owned_) return Status::ResourceExhausted(Format("cannot allocate %zu bytes for the model", size));
  data_ = static_cast<const uint8_t*>(owned_);
  size_ = size;
  return Status::OK();
}

std::string TensorLabel(const TensorInfo& info, int index) {
  return info.name[0] ? Format("tensor %d '%s'", index, info.name) : Format("tensor %d", index);
}

}  // namespace internal
}  // namespace hunch
