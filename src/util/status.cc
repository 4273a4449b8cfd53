#include "hunch/status.h"

#include "hunch/types.h"

namespace hunch {

Status::Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kCorruption: return "Corruption";
    case StatusCode::kUnsupported: return "Unsupported";
    case StatusCode::kResourceExhausted: return "ResourceExhausted";
    case StatusCode::kIOError: return "IOError";
    case StatusCode::kInternal: return "Internal";
  }
  return "Unknown";
}

const char* DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return "float32";
    case DType::kFloat16: return "float16";
    case DType::kInt8: return "int8";
    case DType::kInt4: return "int4";
    case DType::kInt32: return "int32";
  }
  return "unknown";
}

size_t TensorByteSize(DType dtype, const int32_t* dims, int rank) {
  // Elements of all but the last dimension, then the row in bytes.
  const uint64_t kLimit = uint64_t{1} << 40;
  uint64_t outer = 1;
  for (int i = 0; i + 1 < rank; ++i) {
    if (dims[i] < 0) return 0;
    outer *= static_cast<uint64_t>(dims[i]);
    if (outer > kLimit) return 0;
  }
  uint64_t last = rank ? static_cast<uint64_t>(dims[rank - 1] < 0 ? 0 : dims[rank - 1]) : 1;
  if (rank && dims[rank - 1] < 0) return 0;
  uint64_t row;
  switch (dtype) {
    case DType::kFloat32:
    case DType::kInt32: row = last * 4; break;
    case DType::kFloat16: row = last * 2; break;
    case DType::kInt8: row = last; break;
    case DType::kInt4: row = (last + 1) / 2; break;
    default: return 0;
  }
  uint64_t total = outer * row;
  if (row > kLimit || total > kLimit) return 0;
  return static_cast<size_t>(total);
}

}  // namespace hunch
