// Where a model's bytes come from: a read-only mmap, the caller's buffer, or
// an aligned copy.
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
#include "util/strings.h"

namespace hunch {
namespace internal {

ModelFile::~ModelFile() {
  if (map_addr_) munmap(map_addr_, map_size_);
  if (owned_) ::operator delete(owned_, std::align_val_t(kBufferAlignment));
}

Status ModelFile::Open(const ModelSource& source) {
  switch (source.kind) {
    case ModelSource::kMap: return Map(source.path);
    case ModelSource::kCopy: return Copy(source.data, source.size);
    default: return Borrow(source.data, source.size);
  }
}

Status ModelFile::Map(const char* path) {
  if (!path) return Status::InvalidArgument("model path is null");
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return Status::NotFound(Format("%s: no such file", path));
    return Status::IOError(Format("%s: %s", path, std::strerror(err)));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::IOError(Format("%s: %s", path, std::strerror(err)));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(Format("%s is not a regular file", path));
  }
  if (st.st_size == 0) {
    ::close(fd);
    return Status::Corruption(Format("%s is empty", path));
  }
  const size_t size = static_cast<size_t>(st.st_size);
  void* addr = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  ::close(fd);
  if (addr == MAP_FAILED) return Status::IOError(Format("%s: mmap failed: %s", path, std::strerror(err)));
  map_addr_ = addr;
  map_size_ = size;
  data_ = static_cast<const uint8_t*>(addr);
  size_ = size;
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
  // Exactly `size` bytes (no padding), so a sanitizer flags any read past the
  // end of the file.
  owned_ = ::operator new(size ? size : 1, std::align_val_t(kBufferAlignment), std::nothrow);
  if (!owned_) return Status::ResourceExhausted(Format("cannot allocate %zu bytes for the model", size));
  if (size) std::memcpy(owned_, data, size);
  data_ = static_cast<const uint8_t*>(owned_);
  size_ = size;
  return Status::OK();
}

std::string TensorLabel(const TensorInfo& info, int index) {
  return info.name[0] ? Format("tensor %d '%s'", index, info.name) : Format("tensor %d", index);
}

}  // namespace internal
}  // namespace hunch
