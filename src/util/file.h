// Opening and reading the files a user names (a model, a user dictionary, an
// ONNX file, a text or layout file) without hanging on them: every path the
// library and the tools open for reading goes through OpenRegularFile.
//
// A plain open() of a FIFO blocks until a writer appears (forever, if none
// does), and reading a character device may never end. So the file is opened
// with O_NONBLOCK (which makes the open itself return at once whatever the
// path names), checked with fstat, refused unless it is a regular file, and
// only then switched back to blocking I/O.
//
// Header-only (as util/strings.h's Format): both libhunch and libhunch_engine
// use it and neither exports internal symbols.
#ifndef HUNCH_UTIL_FILE_H_
#define HUNCH_UTIL_FILE_H_

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "hunch/status.h"

namespace hunch {
namespace internal {

// "a directory", "a FIFO", ... for a file that is not a regular one.
inline const char* FileKindName(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

// Opens `path` with `flags` (O_RDONLY, or O_RDWR | O_CREAT for a file the
// caller may create, mode 0644) plus O_NONBLOCK, O_NOCTTY and O_CLOEXEC, and
// refuses anything but a regular file; then clears O_NONBLOCK. On success
// *fd is the open descriptor (the caller closes it) and *size, when not
// null, the file's size. Errors name the path: kNotFound "PATH: no such
// file", kInvalidArgument "PATH is a FIFO, not a regular file" (a directory,
// a device, a socket), kIOError with the system's reason otherwise.
inline Status OpenRegularFile(const std::string& path, int flags, int* fd, uint64_t* size = nullptr) {
  *fd = -1;
  int f;
  do {
    f = ::open(path.c_str(), flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
  } while (f < 0 && errno == EINTR);
  if (f < 0) {
    const int err = errno;
    // With O_CREAT, ENOENT is a missing directory: an I/O error, as other
    // failures to create the file.
    if (err == ENOENT && !(flags & O_CREAT)) return Status::NotFound(path + ": no such file");
    if (err == EISDIR) return Status::InvalidArgument(path + " is a directory, not a regular file");
    return Status::IOError(path + ": " + std::strerror(err));
  }
  struct stat st;
  if (::fstat(f, &st) != 0) {
    const int err = errno;
    ::close(f);
    return Status::IOError(path + ": " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(f);
    return Status::InvalidArgument(path + " is " + FileKindName(st.st_mode) + ", not a regular file");
  }
  const int fl = ::fcntl(f, F_GETFL);
  if (fl < 0 || ::fcntl(f, F_SETFL, fl & ~O_NONBLOCK) != 0) {
    const int err = errno;
    ::close(f);
    return Status::IOError(path + ": " + std::strerror(err));
  }
  *fd = f;
  if (size) *size = static_cast<uint64_t>(st.st_size);
  return Status::OK();
}

// Reads exactly `size` bytes at `offset` of `fd` into `dst` (pread: the
// descriptor's position is unchanged). A file that ends sooner (it shrank
// while being read) is kIOError naming `path`.
inline Status ReadFileAt(int fd, const std::string& path, uint64_t offset, void* dst, size_t size) {
  uint8_t* p = static_cast<uint8_t*>(dst);
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, p + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(path + ": read failed: " + std::strerror(errno));
    }
    if (n == 0)
      return Status::IOError(path + ": the file ended after " + std::to_string(offset + done) + " bytes where " +
                             std::to_string(offset + size) + " were expected (changed while it was read?)");
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

// Reads the whole regular file at `path` into *out (OpenRegularFile's
// errors, then ReadFileAt's).
inline Status ReadRegularFile(const std::string& path, std::string* out) {
  int fd;
  uint64_t size;
  Status s = OpenRegularFile(path, O_RDONLY, &fd, &size);
  if (!s.ok()) return s;
  if (size > static_cast<uint64_t>(PTRDIFF_MAX) / 2) {
    ::close(fd);
    return Status::ResourceExhausted(path + ": the file is too large to read");
  }
  out->assign(static_cast<size_t>(size), '\0');
  s = ReadFileAt(fd, path, 0, out->empty() ? nullptr : &(*out)[0], out->size());
  ::close(fd);
  if (!s.ok()) out->clear();
  return s;
}

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_UTIL_FILE_H_
