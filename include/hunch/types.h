// Plain value types shared by the hunch C++ API: element types, shapes and
// the description of a tensor.
#ifndef HUNCH_TYPES_H_
#define HUNCH_TYPES_H_

#include <cstddef>
#include <cstdint>

#include "hunch/export.h"

namespace hunch {

// Element type of a tensor. The numeric values match the file format.
enum class DType : int8_t {
  kFloat32 = 0,
  kFloat16 = 1,  // weights only: IEEE 754 binary16
  kInt8 = 2,     // weights only: symmetric, one scale per row
  kInt4 = 3,     // weights only: symmetric, one scale per block of a row
  kInt32 = 4,    // indices
};

// "float32", "float16", "int8", "int4", "int32", or "unknown".
HUNCH_EXPORT const char* DTypeName(DType dtype);

// Bytes taken by a tensor of `dtype` and `shape`; for kInt4 each row
// (last dimension) is padded to a whole byte. Returns 0 on overflow.
// `rank` may be 0 (a scalar).
HUNCH_EXPORT size_t TensorByteSize(DType dtype, const int32_t* dims, int rank);

constexpr int kMaxRank = 6;

struct HUNCH_EXPORT Shape {
  int rank = 0;
  int32_t dims[kMaxRank] = {0, 0, 0, 0, 0, 0};

  int64_t NumElements() const {
    int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
  // The size of the last dimension (1 for a scalar).
  int32_t Last() const { return rank ? dims[rank - 1] : 1; }
  bool operator==(const Shape& o) const {
    if (rank != o.rank) return false;
    for (int i = 0; i < rank; ++i)
      if (dims[i] != o.dims[i]) return false;
    return true;
  }
  bool operator!=(const Shape& o) const { return !(*this == o); }
};

// Quantization parameters of a weight tensor (see docs/format.md).
// `scales` points into the model and lives as long as the Model.
struct Quantization {
  const float* scales = nullptr;
  int32_t num_scales = 0;
  int32_t block_size = 0;  // kInt4 only
};

// Static description of a tensor, fixed when the model is loaded.
struct TensorInfo {
  const char* name = "";  // never null; points into the model
  DType dtype = DType::kFloat32;
  Shape shape;
  size_t bytes = 0;
  Quantization quant;
  bool is_constant = false;  // a weight held in the model file
  bool is_state = false;     // persistent recurrent state
};

}  // namespace hunch

#endif  // HUNCH_TYPES_H_
