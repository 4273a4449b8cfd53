// The x86-64 kernel sets. Each ISA file (compiled with its own -m flags)
// exports constant data only; cpu_x86.cc, built for the baseline ISA, checks
// the CPU and the OS and composes the sets, so no instruction of a newer ISA
// runs before the check.
#ifndef HUNCH_KERNELS_X86_X86_KERNELS_H_
#define HUNCH_KERNELS_X86_X86_KERNELS_H_

#include "kernels/dispatch.h"

namespace hunch {
namespace internal {

// avx2_kernels.cc: AVX2 + FMA + F16C, every primitive.
// exp(x) = 2^n * p(r): range reduction x = n ln2 + r (ln2 split into a high
// and a low part), |r| <= ln2/2, and p a degree-6 polynomial (Horner,
// highest coefficient first; relative error ~2e-7). The avx2 and avx512
// sets share these constants.
constexpr float kExpLog2e = 1.44269504f, kExpLn2Hi = 0.693145752f, kExpLn2Lo = 1.42860677e-6f;
constexpr float kExpPoly[7] = {1.3888949e-3f, 8.3333705e-3f, 4.1666620e-2f, 1.6666667e-1f, 0.5f, 1.f, 1.f};

extern const KernelSet kAvx2Kernels;
// avx_vnni_kernels.cc (AVX-VNNI) and avx512_kernels.cc (AVX-512 F/BW/VL/DQ +
// VNNI): the primitives each set implements itself; a null entry is the avx2
// function, used where the wider instructions do not pay (docs/kernels.md).
extern const KernelSet kAvxVnniOwnKernels;
extern const KernelSet kAvx512VnniOwnKernels;

// cpu_x86.cc (baseline ISA, one copy for every set): x arranged for
// int8_gemv256.h's int4 GEMV in blocks of `block` values (a multiple of 32,
// at least 64; cols <= 4096): into xp, zero-padded to whole 32-value units,
// per pair of units of a block its 32 even values then its 32 odd ones, per
// lone last unit its 16 even then its 16 odd ones; per block b, corr[b] =
// 8 * sum(x over b) and units[b] = its 32-value units.
void Int4ArrangeX(const int8_t* qx, int cols, int block, int blocks, int8_t* xp, int32_t* corr, int* units);

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_KERNELS_X86_X86_KERNELS_H_
