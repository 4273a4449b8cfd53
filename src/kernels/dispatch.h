// The hot-path primitives every kernel variant implements, and the choice of
// variant at run time (include/hunch/kernels.h). The reference set is the
// readable definition; optimized sets live per ISA (src/kernels/x86/,
// src/kernels/arm/) and are checked against it by
// src/kernels/kernels_consistency_test.cc.
#ifndef HUNCH_KERNELS_DISPATCH_H_
#define HUNCH_KERNELS_DISPATCH_H_

#include <cstdint>

#include "kernels/weights.h"

namespace hunch {
namespace internal {

struct KernelSet {
  const char* isa;
  // y[o] = W[o,:] . x (float32 / float16 weights).
  void (*matvec_f32)(const WeightMatrix& w, const float* x, float* y);
  void (*matvec_f16)(const WeightMatrix& w, const float* x, float* y);
  // y[o] from int8 activations qx with scale sx (int8 / int4 weights); see weights.h.
  void (*matvec_i8)(const WeightMatrix& w, const int8_t* qx, float sx, float* y);
  void (*matvec_i4)(const WeightMatrix& w, const int8_t* qx, float sx, float* y);
  // Symmetric int8 quantization (weights.h); returns sx. Bit-exact in every set.
  float (*quantize)(const float* x, int n, int8_t* q);
  // In place, element-wise.
  void (*sigmoid)(float* x, int n);
  void (*tanh)(float* x, int n);
  // y = (x - max(x)) - log(sum(exp(x - max(x)))) over n values (y may equal x).
  void (*log_softmax)(const float* x, int n, float* y);
};

// The set in use (chosen on first call: HUNCH_KERNELS, else the best the CPU runs).
const KernelSet& Kernels();
const KernelSet& ReferenceKernels();
// Every set this build and CPU can run, reference first, then the optimized
// ones in order of preference.
int AvailableKernelSets(const KernelSet* const** sets);

// The names of every optimized set hunch knows, in order of preference
// (avx512-vnni, avx-vnni, avx2, neon-dotprod, neon), whether or not this
// build and CPU run them.
int KnownOptimizedKernelSets(const char* const** names);
// nullptr when set `isa` runs here; otherwise why not, e.g. "CPU lacks
// AVX512_VNNI" or "not built for this architecture".
const char* KernelSetUnavailableReason(const char* isa);
// The set a process starts with, given the value of HUNCH_KERNELS (null or
// empty: unset): the named set when it runs here, else the best available.
const KernelSet* InitialKernels(const char* hunch_kernels);

// Defined per ISA when built in; nullptr when the CPU lacks the features.
const KernelSet* Avx512VnniKernelsIfSupported();
const KernelSet* AvxVnniKernelsIfSupported();
const KernelSet* Avx2KernelsIfSupported();
// x86-64 builds: why an x86 set does not run (nullptr when it does).
const char* X86KernelsMissing(const char* isa);
const KernelSet* NeonKernelsIfSupported();
const KernelSet* NeonDotprodKernelsIfSupported();

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_KERNELS_DISPATCH_H_
