// AVX-VNNI kernel set (x86-64): the avx2 set with the int8 GEMV done by the
// VEX-encoded 256-bit vpdpbusd (int8_gemv256.h: exact, the sign moved from
// x to the weights). Compiled with -mavxvnni -mavx2 -mfma -mf16c and only
// called after cpu_x86.cc's checks; the other primitives are the avx2
// set's (x86_kernels.h).
#include "kernels/x86/int8_gemv256.h"

namespace hunch {
namespace internal {
namespace {

inline __m256i DotVex(__m256i acc, __m256i ax, __m256i x, __m256i w) {
  return _mm256_dpbusd_avx_epi32(acc, ax, _mm256_sign_epi8(w, x));
}

}  // namespace

extern const KernelSet kAvxVnniOwnKernels;
const KernelSet kAvxVnniOwnKernels = {"avx-vnni", nullptr, nullptr, MatVecI8Vnni256<DotVex>, nullptr,
                                      nullptr,    nullptr, nullptr, nullptr};

}  // namespace internal
}  // namespace hunch
