// Kernel selection. hunch picks the fastest kernel variants the CPU supports
// (CPU feature detection at first use: AVX2+FMA+F16C on x86-64, NEON with
// the dot-product extension where present on ARM64); the portable reference
// kernels are always available as the fallback and for debugging.
//
// The environment variable HUNCH_KERNELS=reference (or avx2, neon, auto)
// forces a choice for the whole process; SetKernelIsa does the same from
// code. Integer (int8/int4) paths give bit-identical results in every
// variant; float paths agree with the reference within the tolerances stated
// in src/kernels/kernels_consistency_test.cc.
//
// Thread safety: call SetKernelIsa before any interpreter runs, not while
// interpreters are invoked on other threads.
#ifndef HUNCH_KERNELS_H_
#define HUNCH_KERNELS_H_

#include "hunch/export.h"
#include "hunch/status.h"

namespace hunch {

// "reference", "avx2", "neon", "neon-dotprod": the variant in use.
HUNCH_EXPORT const char* ActiveKernelIsa();

// Selects "auto", "reference", "avx2", "neon" or "neon-dotprod". Fails with
// kUnsupported when the CPU (or this build) lacks it, kInvalidArgument for an
// unknown name; the selection is unchanged on failure.
HUNCH_EXPORT Status SetKernelIsa(const char* isa);

}  // namespace hunch

#endif  // HUNCH_KERNELS_H_
