// Weight matrices in every weight dtype, and the reference arithmetic on them
// that FULLY_CONNECTED, GATHER, LSTM and GRU share.
//
// Numerics (the contract optimized kernels reproduce; docs/format.md):
//   float32, float16: y[o] = sum over k ascending of W[o,k] * x[k], in float.
//     That order is the reference set's; the optimized sets (avx2,
//     avx-vnni, avx512-vnni, neon) reassociate the sum (lane-wise partial
//     sums with FMA, then a reduction tree) and match it within the
//     tolerance stated in kernels_consistency_test.cc, not bit for bit.
//   int8, int4 (dynamic-range quantization): the input row is quantized once,
//     symmetric: amax = max|x|; qx[k] = clamp(nearbyint(x[k] * (127 / amax)),
//     -127, 127), sx = amax / 127; a NaN element quantizes to 0, and all
//     are 0 with sx = 0 when amax is infinite or below kMinQuantizeAmax
//     (1e-30: such rows contribute nothing measurable). Then
//       int8: y[o] = float(sum_k qx[k] * qW[o,k]) * (sx * scale[o])
//       int4: y[o] = sum over blocks b ascending of
//                    float(sum_{k in b} qx[k] * qW[o,k]) * (sx * scale[o, b])
//     with the integer sums exact in int32. Every set reproduces these
//     bit for bit (quantization included), for weights in [-127, 127] (the
//     format's range) and any row width.
#ifndef HUNCH_KERNELS_WEIGHTS_H_
#define HUNCH_KERNELS_WEIGHTS_H_

#include <cstddef>
#include <cstdint>

#include "hunch/status.h"
#include "hunch/types.h"

namespace hunch {
namespace internal {

constexpr float kMinQuantizeAmax = 1e-30f;

struct WeightMatrix {
  DType dtype = DType::kFloat32;
  int rows = 0;  // output channels
  int cols = 0;  // input features
  const uint8_t* data = nullptr;
  const float* scales = nullptr;
  int block_size = 0;      // int4
  size_t row_bytes = 0;    // bytes between consecutive rows
  int blocks_per_row = 0;  // int4
};

// Checks that `info` is a rank-2 weight of a supported dtype; `what` names it
// in messages ("weights").
Status CheckWeightMatrix(const TensorInfo& info, const char* what);
WeightMatrix MakeWeightMatrix(const TensorInfo& info, const void* data);

// Scratch bytes MatVec needs for a matrix of this dtype and width.
size_t MatVecScratchBytes(DType dtype, int cols);

// Symmetric int8 quantization of n floats (see above). Returns sx.
float QuantizeActivations(const float* x, int n, int8_t* q);

// y[o] = W[o,:] . x for o in [0, rows). `scratch` holds MatVecScratchBytes.
void MatVec(const WeightMatrix& w, const float* x, void* scratch, float* y);

// out[k] = real value of W[row, k].
void DequantizeRow(const WeightMatrix& w, int row, float* out);

// Sign-extended value of int4 element k of a packed row.
inline int Int4At(const uint8_t* row, int k) {
  const int byte = row[k >> 1];
  const int nib = (k & 1) ? (byte >> 4) : (byte & 0xf);
  return (nib ^ 8) - 8;
}

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_KERNELS_WEIGHTS_H_
