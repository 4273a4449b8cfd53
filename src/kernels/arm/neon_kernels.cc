// NEON kernel sets (ARM64): "neon" (baseline ASIMD, every ARM64 CPU) and
// "neon-dotprod" (int8 dot products with SDOT, ARMv8.2+ where the CPU
// reports it). Same contracts as reference_kernels.cc: integer paths
// bit-exact (the library is built with -ffp-contract=off, so the final float
// operations round as the reference's), float paths within the consistency
// test's tolerances.
#include <arm_neon.h>
#include <sys/auxv.h>

#include <cmath>

#include "kernels/arm/neon_common.h"
#include "kernels/dispatch.h"
#include "util/fp16.h"

#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif

namespace hunch {
namespace internal {

// Defined in neon_dotprod.cc (compiled with +dotprod).
void MatVecI8Dotprod(const WeightMatrix& w, const int8_t* qx, float sx, float* y);
void MatVecI4Dotprod(const WeightMatrix& w, const int8_t* qx, float sx, float* y);

namespace neon {

// ---- float GEMV ------------------------------------------------------------

inline float32x4_t LoadF32(const uint8_t* row, int k) { return vld1q_f32(reinterpret_cast<const float*>(row) + k); }
inline float32x4_t LoadF16(const uint8_t* row, int k) {
  return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(reinterpret_cast<const uint16_t*>(row) + k)));
}
inline float ScalarF32(const uint8_t* row, int k) { return reinterpret_cast<const float*>(row)[k]; }
inline float ScalarF16(const uint8_t* row, int k) { return HalfToFloat(reinterpret_cast<const uint16_t*>(row)[k]); }

template <float32x4_t (*Load)(const uint8_t*, int), float (*Scalar)(const uint8_t*, int)>
void MatVecFloat(const WeightMatrix& w, const float* x, float* y) {
  const int cols = w.cols, vec_end = cols & ~3;
  int o = 0;
  for (; o + 4 <= w.rows; o += 4) {
    const uint8_t* r0 = w.data + (o + 0) * w.row_bytes;
    const uint8_t* r1 = w.data + (o + 1) * w.row_bytes;
    const uint8_t* r2 = w.data + (o + 2) * w.row_bytes;
    const uint8_t* r3 = w.data + (o + 3) * w.row_bytes;
    float32x4_t a0 = vdupq_n_f32(0), a1 = a0, a2 = a0, a3 = a0;
    for (int k = 0; k < vec_end; k += 4) {
      const float32x4_t xv = vld1q_f32(x + k);
      a0 = vfmaq_f32(a0, Load(r0, k), xv);
      a1 = vfmaq_f32(a1, Load(r1, k), xv);
      a2 = vfmaq_f32(a2, Load(r2, k), xv);
      a3 = vfmaq_f32(a3, Load(r3, k), xv);
    }
    float s[4] = {vaddvq_f32(a0), vaddvq_f32(a1), vaddvq_f32(a2), vaddvq_f32(a3)};
    for (int k = vec_end; k < cols; ++k) {
      s[0] += Scalar(r0, k) * x[k];
      s[1] += Scalar(r1, k) * x[k];
      s[2] += Scalar(r2, k) * x[k];
      s[3] += Scalar(r3, k) * x[k];
    }
    for (int i = 0; i < 4; ++i) y[o + i] = s[i];
  }
  for (; o < w.rows; ++o) {
    const uint8_t* r = w.data + o * w.row_bytes;
    float32x4_t a = vdupq_n_f32(0);
    for (int k = 0; k < vec_end; k += 4) a = vfmaq_f32(a, Load(r, k), vld1q_f32(x + k));
    float s = vaddvq_f32(a);
    for (int k = vec_end; k < cols; ++k) s += Scalar(r, k) * x[k];
    y[o] = s;
  }
}

// ---- int8 / int4 GEMV without SDOT -----------------------------------------

// acc += pairwise sums of x[i] * w[i] over 16 int8 pairs (exact in int32).
inline int32x4_t DotI8(int32x4_t acc, int8x16_t x, int8x16_t w) {
  acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(x), vget_low_s8(w)));
  return vpadalq_s16(acc, vmull_high_s8(x, w));
}

void MatVecI8(const WeightMatrix& w, const int8_t* qx, float sx, float* y) {
  const int cols = w.cols, vec_end = cols & ~15;
  for (int o = 0; o < w.rows; ++o) {
    const int8_t* r = reinterpret_cast<const int8_t*>(w.data + o * w.row_bytes);
    int32x4_t a = vdupq_n_s32(0);
    for (int k = 0; k < vec_end; k += 16) a = DotI8(a, vld1q_s8(qx + k), vld1q_s8(r + k));
    int32_t s = vaddvq_s32(a);
    for (int k = vec_end; k < cols; ++k) s += static_cast<int32_t>(qx[k]) * r[k];
    y[o] = static_cast<float>(s) * (sx * w.scales[o]);
  }
}

}  // namespace neon

namespace neon {

void MatVecI4(const WeightMatrix& w, const int8_t* qx, float sx, float* y) { MatVecI4Generic<DotI8>(w, qx, sx, y); }

// ---- activation quantization -------------------------------------------------

float Quantize(const float* x, int n, int8_t* q) {
  float32x4_t vmax = vdupq_n_f32(0);
  uint32x4_t nan = vdupq_n_u32(0);
  int k = 0;
  for (; k + 4 <= n; k += 4) {
    const float32x4_t v = vld1q_f32(x + k);
    vmax = vmaxq_f32(vmax, vabsq_f32(v));
    nan = vorrq_u32(nan, vmvnq_u32(vceqq_f32(v, v)));
  }
  float amax = vmaxvq_f32(vmax);
  bool finite = vmaxvq_u32(nan) == 0;
  for (; k < n; ++k) {
    amax = std::fmax(amax, std::fabs(x[k]));
    finite = finite && !std::isnan(x[k]);
  }
  finite = finite && std::isfinite(amax);
  if (!(amax >= kMinQuantizeAmax) || !finite) return ReferenceKernels().quantize(x, n, q);
  const float inv = 127.f / amax;
  const float32x4_t vinv = vdupq_n_f32(inv);
  const float32x4_t lo = vdupq_n_f32(-127.f), hi = vdupq_n_f32(127.f);
  k = 0;
  for (; k + 8 <= n; k += 8) {
    float32x4_t f0 = vminq_f32(vmaxq_f32(vrndnq_f32(vmulq_f32(vld1q_f32(x + k), vinv)), lo), hi);
    float32x4_t f1 = vminq_f32(vmaxq_f32(vrndnq_f32(vmulq_f32(vld1q_f32(x + k + 4), vinv)), lo), hi);
    const int16x8_t h = vcombine_s16(vmovn_s32(vcvtq_s32_f32(f0)), vmovn_s32(vcvtq_s32_f32(f1)));
    vst1_s8(q + k, vmovn_s16(h));
  }
  for (; k < n; ++k) {
    float v = std::nearbyint(x[k] * inv);
    v = v > 127.f ? 127.f : (v < -127.f ? -127.f : v);
    q[k] = static_cast<int8_t>(v);
  }
  return amax / 127.f;
}

// ---- element-wise math (see the AVX2 version for the method) ------------------

inline float32x4_t Exp4(float32x4_t x) {
  // vmaxq/vminq propagate NaN on ARM.
  x = vminq_f32(vmaxq_f32(x, vdupq_n_f32(-87.33654f)), vdupq_n_f32(88.72283f));
  const float32x4_t n = vrndnq_f32(vmulq_f32(x, vdupq_n_f32(1.44269504f)));
  float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(0.693145752f));
  r = vfmsq_f32(r, n, vdupq_n_f32(1.42860677e-6f));
  float32x4_t p = vdupq_n_f32(1.3888949e-3f);
  p = vfmaq_f32(vdupq_n_f32(8.3333705e-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(4.1666620e-2f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.6666667e-1f), p, r);
  p = vfmaq_f32(vdupq_n_f32(0.5f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.f), p, r);
  const int32x4_t ni = vcvtq_s32_f32(n);
  const int32x4_t half = vshrq_n_s32(ni, 1);
  const float32x4_t s1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(half, vdupq_n_s32(127)), 23));
  const float32x4_t s2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(vsubq_s32(ni, half), vdupq_n_s32(127)), 23));
  return vmulq_f32(vmulq_f32(p, s1), s2);
}

void Sigmoid(float* x, int n) {
  const float32x4_t one = vdupq_n_f32(1.f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t e = Exp4(vnegq_f32(vld1q_f32(x + i)));
    vst1q_f32(x + i, vdivq_f32(one, vaddq_f32(one, e)));
  }
  if (i < n) ReferenceKernels().sigmoid(x + i, n - i);
}

void Tanh(float* x, int n) {
  const float32x4_t one = vdupq_n_f32(1.f), two = vdupq_n_f32(2.f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t v = vld1q_f32(x + i);
    const float32x4_t a = vabsq_f32(v);
    const float32x4_t v2 = vmulq_f32(v, v);
    float32x4_t p = vdupq_n_f32(-17.f / 315.f);
    p = vfmaq_f32(vdupq_n_f32(2.f / 15.f), p, v2);
    p = vfmaq_f32(vdupq_n_f32(-1.f / 3.f), p, v2);
    p = vfmaq_f32(v, vmulq_f32(p, v2), v);
    const float32x4_t e = Exp4(vmulq_f32(two, a));
    float32x4_t t = vsubq_f32(one, vdivq_f32(two, vaddq_f32(e, one)));
    // Restore the sign: copy v's sign bit onto t.
    const uint32x4_t sign = vdupq_n_u32(0x80000000u);
    t = vbslq_f32(sign, v, t);
    const uint32x4_t small = vcltq_f32(a, vdupq_n_f32(0.0625f));
    float32x4_t out = vbslq_f32(small, p, t);
    // NaN in, NaN out (comparisons with NaN select t, which is NaN already).
    vst1q_f32(x + i, out);
  }
  if (i < n) ReferenceKernels().tanh(x + i, n - i);
}

void LogSoftmax(const float* x, int n, float* y) {
  if (n < 4) {
    ReferenceKernels().log_softmax(x, n, y);
    return;
  }
  float32x4_t vmax = vdupq_n_f32(-INFINITY);
  int i = 0;
  for (; i + 4 <= n; i += 4) vmax = vmaxq_f32(vmax, vld1q_f32(x + i));
  float mx = vmaxvq_f32(vmax);
  for (; i < n; ++i) mx = std::fmax(mx, x[i]);
  if (!std::isfinite(mx)) {
    ReferenceKernels().log_softmax(x, n, y);
    return;
  }
  const float32x4_t vm = vdupq_n_f32(mx);
  float32x4_t s0 = vdupq_n_f32(0), s1 = s0;
  i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = vaddq_f32(s0, Exp4(vsubq_f32(vld1q_f32(x + i), vm)));
    s1 = vaddq_f32(s1, Exp4(vsubq_f32(vld1q_f32(x + i + 4), vm)));
  }
  double sum = vaddvq_f32(vaddq_f32(s0, s1));
  for (; i < n; ++i) sum += std::exp(static_cast<double>(x[i] - mx));
  const float log_sum = static_cast<float>(std::log(sum));
  const float32x4_t vls = vdupq_n_f32(log_sum);
  i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vsubq_f32(vsubq_f32(vld1q_f32(x + i), vm), vls));
  for (; i < n; ++i) y[i] = (x[i] - mx) - log_sum;
}

const KernelSet kNeon = {"neon",
                         MatVecFloat<LoadF32, ScalarF32>,
                         MatVecFloat<LoadF16, ScalarF16>,
                         MatVecI8,
                         MatVecI4,
                         Quantize,
                         Sigmoid,
                         Tanh,
                         LogSoftmax};

const KernelSet kNeonDotprod = {"neon-dotprod",
                                MatVecFloat<LoadF32, ScalarF32>,
                                MatVecFloat<LoadF16, ScalarF16>,
                                MatVecI8Dotprod,
                                MatVecI4Dotprod,
                                Quantize,
                                Sigmoid,
                                Tanh,
                                LogSoftmax};

}  // namespace neon

const KernelSet* NeonKernelsIfSupported() { return &neon::kNeon; }

const KernelSet* NeonDotprodKernelsIfSupported() {
  static const bool ok = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
  return ok ? &neon::kNeonDotprod : nullptr;
}

}  // namespace internal
}  // namespace hunch
