// Pieces shared by the NEON kernel files (neon_kernels.cc, neon_dotprod.cc).
#ifndef HUNCH_KERNELS_ARM_NEON_COMMON_H_
#define HUNCH_KERNELS_ARM_NEON_COMMON_H_

#include <arm_neon.h>

#include "kernels/dispatch.h"

namespace hunch {
namespace internal {

// 32 int4 values (16 bytes, low nibble first) as two vectors of 16 int8.
inline void UnpackI4(const uint8_t* p, int8x16_t* lo_half, int8x16_t* hi_half) {
  const uint8x16_t b = vld1q_u8(p);
  const uint8x16_t mask = vdupq_n_u8(0x0f);
  const uint8x16_t lo = vandq_u8(b, mask);
  const uint8x16_t hi = vshrq_n_u8(b, 4);
  const int8x16_t eight = vdupq_n_s8(8);
  *lo_half = vsubq_s8(veorq_s8(vreinterpretq_s8_u8(vzip1q_u8(lo, hi)), eight), eight);
  *hi_half = vsubq_s8(veorq_s8(vreinterpretq_s8_u8(vzip2q_u8(lo, hi)), eight), eight);
}

// Shared by both sets: `dot` accumulates 16 int8 pairs into 4 int32 lanes.
template <int32x4_t (*Dot)(int32x4_t, int8x16_t, int8x16_t)>
void MatVecI4Generic(const WeightMatrix& w, const int8_t* qx, float sx, float* y) {
  if (w.block_size % 32 != 0) {
    ReferenceKernels().matvec_i4(w, qx, sx, y);
    return;
  }
  const int cols = w.cols, bs = w.block_size, nb = w.blocks_per_row;
  for (int o = 0; o < w.rows; ++o) {
    const uint8_t* r = w.data + o * w.row_bytes;
    const float* scales = w.scales + static_cast<size_t>(o) * nb;
    float sum = 0.f;
    for (int b = 0; b < nb; ++b) {
      const int begin = b * bs;
      const int end = begin + bs < cols ? begin + bs : cols;
      const int vec_end = begin + ((end - begin) & ~31);
      int32x4_t a = vdupq_n_s32(0);
      for (int k = begin; k < vec_end; k += 32) {
        int8x16_t w0, w1;
        UnpackI4(r + k / 2, &w0, &w1);
        a = Dot(a, vld1q_s8(qx + k), w0);
        a = Dot(a, vld1q_s8(qx + k + 16), w1);
      }
      int32_t s = vaddvq_s32(a);
      for (int k = vec_end; k < end; ++k) s += static_cast<int32_t>(qx[k]) * Int4At(r, k);
      sum += static_cast<float>(s) * (sx * scales[b]);
    }
    y[o] = sum;
  }
}

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_KERNELS_ARM_NEON_COMMON_H_
