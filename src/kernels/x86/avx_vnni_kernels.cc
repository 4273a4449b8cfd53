// AVX-VNNI kernel set (x86-64): the avx2 set with the int8 GEMV done by the
// VEX-encoded 256-bit vpdpbusd (int8_gemv256.h: exact, the sign moved from
// x to the weights), and so is the int4 GEMV for blocks of 64 values or more. Compiled with -mavxvnni -mavx2 -mfma
// -mf16c and only called after cpu_x86.cc's checks; the other primitives are the avx2 set's (x86_kernels.h).
#include "kernels/x86/int8_gemv256.h"

namespace hunch {
namespace internal {
namespace {

inline __m256i DotVex(__m256i acc, __m256i ax, __m256i x, __m256i w) {
  return _mm256_dpbusd_avx_epi32(acc, ax, _mm256_sign_epi8(w, x));
}

// int4 blocks of 64 values or more (int8_gemv256.h); others take avx2's.
struct I4Vex : I4Nibbles {
  static constexpr int kMaxUnits = kMaxCols / 32;
  static __m256i Dot(__m256i acc, __m256i u, __m256i x) { return _mm256_dpbusd_avx_epi32(acc, u, x); }
  static __m256i Finish(__m256i acc) { return acc; }
};

void MatVecI4(const WeightMatrix& w, const int8_t* qx, float sx, float* y) {
  if (w.block_size >= 64 && I4Gemv<I4Vex>::Fits(w))  // avx2 has its own kernel for blocks of 32
    I4Gemv<I4Vex>::MatVec(w, qx, sx, y);
  else
    kAvx2Kernels.matvec_i4(w, qx, sx, y);
}

}  // namespace

extern const KernelSet kAvxVnniOwnKernels;
const KernelSet kAvxVnniOwnKernels = {"avx-vnni", nullptr, nullptr, MatVecI8Vnni256<DotVex>, MatVecI4, nullptr,
                                      nullptr,    nullptr, nullptr};

}  // namespace internal
}  // namespace hunch
