// int8 and int4 GEMV with the ARMv8.2 dot-product instructions (SDOT): four
// int8 products summed into each int32 lane per instruction. Compiled with
// -march=armv8.2-a+dotprod and only called when the CPU reports ASIMDDP.
#include <arm_neon.h>

#include "kernels/arm/neon_common.h"

namespace hunch {
namespace internal {

namespace {
inline int32x4_t Sdot(int32x4_t acc, int8x16_t x, int8x16_t w) { return vdotq_s32(acc, x, w); }
}  // namespace

void MatVecI8Dotprod(const WeightMatrix& w, const int8_t* qx, float sx, float* y) {
  const int cols = w.cols, vec_end = cols & ~15;
  int o = 0;
  for (; o + 4 <= w.rows; o += 4) {
    const int8_t* r0 = reinterpret_cast<const int8_t*>(w.data + (o + 0) * w.row_bytes);
    const int8_t* r1 = reinterpret_cast<const int8_t*>(w.data + (o + 1) * w.row_bytes);
    const int8_t* r2 = reinterpret_cast<const int8_t*>(w.data + (o + 2) * w.row_bytes);
    const int8_t* r3 = reinterpret_cast<const int8_t*>(w.data + (o + 3) * w.row_bytes);
    int32x4_t a0 = vdupq_n_s32(0), a1 = a0, a2 = a0, a3 = a0;
    for (int k = 0; k < vec_end; k += 16) {
      const int8x16_t xv = vld1q_s8(qx + k);
      a0 = vdotq_s32(a0, xv, vld1q_s8(r0 + k));
      a1 = vdotq_s32(a1, xv, vld1q_s8(r1 + k));
      a2 = vdotq_s32(a2, xv, vld1q_s8(r2 + k));
      a3 = vdotq_s32(a3, xv, vld1q_s8(r3 + k));
    }
    int32_t s[4] = {vaddvq_s32(a0), vaddvq_s32(a1), vaddvq_s32(a2), vaddvq_s32(a3)};
    for (int k = vec_end; k < cols; ++k) {
      const int32_t xk = qx[k];
      s[0] += xk * r0[k];
      s[1] += xk * r1[k];
      s[2] += xk * r2[k];
      s[3] += xk * r3[k];
    }
    const float32x4_t scale = vmulq_f32(vdupq_n_f32(sx), vld1q_f32(w.scales + o));
    vst1q_f32(y + o, vmulq_f32(vcvtq_f32_s32(vld1q_s32(s)), scale));
  }
  for (; o < w.rows; ++o) {
    const int8_t* r = reinterpret_cast<const int8_t*>(w.data + o * w.row_bytes);
    int32x4_t a = vdupq_n_s32(0);
    for (int k = 0; k < vec_end; k += 16) a = vdotq_s32(a, vld1q_s8(qx + k), vld1q_s8(r + k));
    int32_t s = vaddvq_s32(a);
    for (int k = vec_end; k < cols; ++k) s += static_cast<int32_t>(qx[k]) * r[k];
    y[o] = static_cast<float>(s) * (sx * w.scales[o]);
  }
}

void MatVecI4Dotprod(const WeightMatrix& w, const int8_t* qx, float sx, float* y) {
  MatVecI4Generic<Sdot>(w, qx, sx, y);
}

}  // namespace internal
}  // namespace hunch
