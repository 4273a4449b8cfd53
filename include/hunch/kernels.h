// Kernel selection. hunch picks the fastest kernel variants the CPU supports
// (CPU feature detection at first use); the portable reference kernels are
// always available as the fallback and for debugging. In order of
// preference:
//   "avx512-vnni"   x86-64 with AVX-512 F/BW/VL/DQ and AVX512_VNNI, and an OS
//                   that saves the ZMM and opmask registers
//   "avx-vnni"      x86-64 with AVX-VNNI (256-bit VEX vpdpbusd) and AVX2
//   "avx2"          x86-64 with AVX2, FMA and F16C
//   "neon-dotprod"  ARM64 with the dot-product extension
//   "neon"          every ARM64 CPU
//   "reference"     everywhere
//
// The environment variable HUNCH_KERNELS=<name> (or auto) forces a choice
// for the whole process when the CPU runs that set (otherwise the best
// available is used); SetKernelIsa does the same from code. Integer
// (int8/int4) paths give bit-identical results in every variant; float paths
// agree with the reference within the tolerances stated in
// src/kernels/kernels_consistency_test.cc. docs/kernels.md has the details.
//
// Thread safety: call SetKernelIsa before any interpreter runs, not while
// interpreters are invoked on other threads.
#ifndef HUNCH_KERNELS_H_
#define HUNCH_KERNELS_H_

#include "hunch/export.h"
#include "hunch/status.h"

namespace hunch {

// The variant in use: one of the names above.
HUNCH_EXPORT const char* ActiveKernelIsa();

// Selects "auto" (the best the CPU runs) or one of the names above. Fails
// with kUnsupported, saying what is missing, when the CPU (or this build)
// cannot run it, and kInvalidArgument for an unknown name; the selection is
// unchanged on failure.
HUNCH_EXPORT Status SetKernelIsa(const char* isa);

}  // namespace hunch

#endif  // HUNCH_KERNELS_H_
