// Status: the result of every fallible hunch call. No exception ever crosses
// the hunch API; the library is built with -fno-exceptions -fno-rtti.
//
// A Status is either OK (no allocation) or carries a code and a human-readable
// message that says what went wrong ("tensor 7 'h': buffer 3 lies outside the
// file (offset 4096, size 512, file 3000 bytes)").
//
// Thread safety: a Status is a value; distinct objects may be used from
// different threads freely.
#ifndef HUNCH_STATUS_H_
#define HUNCH_STATUS_H_

#include <string>

#include "hunch/export.h"

namespace hunch {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,    // the caller passed something unusable
  kNotFound = 2,           // a file, tensor, metadata entry or op does not exist
  kCorruption = 3,         // a model file is malformed, truncated or inconsistent
  kUnsupported = 4,        // well-formed but not supported (newer version, unknown op, dtype)
  kResourceExhausted = 5,  // a memory limit would be exceeded
  kIOError = 6,            // the operating system refused (open, stat, mmap)
  kInternal = 7,           // a bug in hunch
};

class HUNCH_EXPORT Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return Status(StatusCode::kInvalidArgument, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(StatusCode::kCorruption, std::move(msg)); }
  static Status Unsupported(std::string msg) { return Status(StatusCode::kUnsupported, std::move(msg)); }
  static Status ResourceExhausted(std::string msg) { return Status(StatusCode::kResourceExhausted, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(StatusCode::kIOError, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(StatusCode::kInternal, std::move(msg)); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // The message alone, without the code name. Empty when OK.
  const std::string& message() const { return message_; }
  // "Corruption: <message>", or "OK".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// The name of a code: "OK", "InvalidArgument", "Corruption", ...
HUNCH_EXPORT const char* StatusCodeName(StatusCode code);

}  // namespace hunch

// Returns from the enclosing function when `expr` yields a non-OK Status.
#define HUNCH_RETURN_IF_ERROR(expr)          \
  do {                                       \
    ::hunch::Status _hunch_status = (expr);  \
    if (!_hunch_status.ok()) return _hunch_status; \
  } while (0)

#endif  // HUNCH_STATUS_H_
