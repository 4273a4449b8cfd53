#include "kernels/weights.h"

#include <cmath>

#include "kernels/dispatch.h"
#include "util/fp16.h"
#include "util/strings.h"

namespace hunch {
namespace internal {

Status CheckWeightMatrix(const TensorInfo& info, const char* what) {
  if (info.shape.rank != 2)
    return Status::Corruption(Format("%s must have rank 2, not %s", what, ShapeString(info.shape).c_str()));
  switch (info.dtype) {
    case DType::kFloat32:
    case DType::kFloat16:
    case DType::kInt8:
    case DType::kInt4: return Status::OK();
    default: return Status::Unsupported(Format("%s of dtype %s are not supported", what, DTypeName(info.dtype)));
  }
}

WeightMatrix MakeWeightMatrix(const TensorInfo& info, const void* data) {
  WeightMatrix w;
  w.dtype = info.dtype;
  w.rows = info.shape.dims[0];
  w.cols = info.shape.dims[1];
  w.data = static_cast<const uint8_t*>(data);
  w.scales = info.quant.scales;
  w.block_size = info.quant.block_size;
  switch (info.dtype) {
    case DType::kFloat32: w.row_bytes = static_cast<size_t>(w.cols) * 4; break;
    case DType::kFloat16: w.row_bytes = static_cast<size_t>(w.cols) * 2; break;
    case DType::kInt8: w.row_bytes = static_cast<size_t>(w.cols); break;
    case DType::kInt4:
      w.row_bytes = static_cast<size_t>(w.cols + 1) / 2;
      w.blocks_per_row = (w.cols + w.block_size - 1) / w.block_size;
      break;
    default: break;
  }
  return w;
}

size_t MatVecScratchBytes(DType dtype, int cols) {
  return (dtype == DType::kInt8 || dtype == DType::kInt4) ? static_cast<size_t>(cols) : 0;
}

float QuantizeActivations(const float* x, int n, int8_t* q) { return Kernels().quantize(x, n, q); }

void MatVec(const WeightMatrix& w, const float* x, void* scratch, float* y) {
  const KernelSet& k = Kernels();
  switch (w.dtype) {
    case DType::kFloat32: k.matvec_f32(w, x, y); break;
    case DType::kFloat16: k.matvec_f16(w, x, y); break;
    case DType::kInt8:
    case DType::kInt4: {
      int8_t* qx = static_cast<int8_t*>(scratch);
      const float sx = k.quantize(x, w.cols, qx);
      if (w.dtype == DType::kInt8)
        k.matvec_i8(w, qx, sx, y);
      else
        k.matvec_i4(w, qx, sx, y);
      break;
    }
    default: break;
  }
}

void DequantizeRow(const WeightMatrix& w, int row, float* out) {
  const uint8_t* p = w.data + static_cast<size_t>(row) * w.row_bytes;
  switch (w.dtype) {
    case DType::kFloat32:
      for (int k = 0; k < w.cols; ++k) out[k] = reinterpret_cast<const float*>(p)[k];
      break;
    case DType::kFloat16:
      for (int k = 0; k < w.cols; ++k) out[k] = HalfToFloat(reinterpret_cast<const uint16_t*>(p)[k]);
      break;
    case DType::kInt8:
      for (int k = 0; k < w.cols; ++k)
        out[k] = static_cast<float>(reinterpret_cast<const int8_t*>(p)[k]) * w.scales[row];
      break;
    case DType::kInt4: {
      // Block by block (no division per value): the embedding row of GATHER.
      const float* scales = w.scales + static_cast<size_t>(row) * w.blocks_per_row;
      for (int b = 0, k = 0; b < w.blocks_per_row; ++b) {
        const float scale = scales[b];
        const int end = k + w.block_size < w.cols ? k + w.block_size : w.cols;
        for (; k < end; ++k) out[k] = static_cast<float>(Int4At(p, k)) * scale;
      }
      break;
    }
    default: break;
  }
}

}  // namespace internal
}  // namespace hunch
