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
extern const KernelSet kAvx2Kernels;
// avx_vnni_kernels.cc (AVX-VNNI) and avx512_kernels.cc (AVX-512 F/BW/VL/DQ +
// VNNI): the primitives each set implements itself; a null entry is the avx2
// function, used where the wider instructions do not pay (docs/kernels.md).
extern const KernelSet kAvxVnniOwnKernels;
extern const KernelSet kAvx512VnniOwnKernels;

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_KERNELS_X86_X86_KERNELS_H_
