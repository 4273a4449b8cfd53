// x86-64 CPU and OS feature checks, and the kernel sets they allow. Built for
// the baseline ISA: this is the code that runs before any check.
//
// A set runs when the CPU reports its instructions (CPUID) and the OS saves
// the register state they use (XCR0 through XGETBV, after CPUID's OSXSAVE):
//   avx2         AVX2, FMA, F16C; XMM and YMM state
//   avx-vnni     the above and AVX-VNNI (CPUID.(7,1):EAX[4])
//   avx512-vnni  the above and AVX512F, BW, VL, DQ, AVX512_VNNI; opmask,
//                ZMM_Hi256 and Hi16_ZMM state as well
#include <cpuid.h>

#include <cstdint>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/x86/x86_kernels.h"

namespace hunch {
namespace internal {
namespace {

struct X86Support {
  // nullptr when the set runs; otherwise what is missing.
  const char* avx2 = nullptr;
  const char* avx_vnni = nullptr;
  const char* avx512_vnni = nullptr;
};

uint64_t Xcr0() {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

X86Support Detect() {
  X86Support s;
  unsigned a = 0, b = 0, c = 0, d = 0;
  const unsigned max_leaf = __get_cpuid_max(0, nullptr);
  if (max_leaf < 7) {
    s.avx2 = s.avx_vnni = s.avx512_vnni = "CPU lacks AVX2 (no CPUID leaf 7)";
    return s;
  }
  __cpuid(1, a, b, c, d);
  const bool fma = c & (1u << 12), osxsave = c & (1u << 27), avx = c & (1u << 28), f16c = c & (1u << 29);
  __cpuid_count(7, 0, a, b, c, d);
  const bool avx2 = b & (1u << 5);
  const bool avx512f = b & (1u << 16), avx512dq = b & (1u << 17), avx512bw = b & (1u << 30), avx512vl = b & (1u << 31),
             avx512vnni = c & (1u << 11);
  const unsigned subleaves = a;
  bool avxvnni = false;
  if (subleaves >= 1) {
    __cpuid_count(7, 1, a, b, c, d);
    avxvnni = a & (1u << 4);
  }
  const uint64_t xcr0 = osxsave ? Xcr0() : 0;
  const bool ymm_state = (xcr0 & 0x6) == 0x6;    // XMM | YMM
  const bool zmm_state = (xcr0 & 0xe6) == 0xe6;  // and opmask | ZMM_Hi256 | Hi16_ZMM

  if (!avx || !avx2)
    s.avx2 = "CPU lacks AVX2";
  else if (!fma)
    s.avx2 = "CPU lacks FMA";
  else if (!f16c)
    s.avx2 = "CPU lacks F16C";
  else if (!ymm_state)
    s.avx2 = "OS does not save the YMM registers";

  if (s.avx2)
    s.avx_vnni = s.avx2;
  else if (!avxvnni)
    s.avx_vnni = "CPU lacks AVX-VNNI";

  if (s.avx2)
    s.avx512_vnni = s.avx2;
  else if (!avx512f)
    s.avx512_vnni = "CPU lacks AVX512F";
  else if (!avx512bw)
    s.avx512_vnni = "CPU lacks AVX512BW";
  else if (!avx512vl)
    s.avx512_vnni = "CPU lacks AVX512VL";
  else if (!avx512dq)
    s.avx512_vnni = "CPU lacks AVX512DQ";
  else if (!avx512vnni)
    s.avx512_vnni = "CPU lacks AVX512_VNNI";
  else if (!zmm_state)
    s.avx512_vnni = "OS does not save the ZMM and opmask registers";
  return s;
}

const X86Support& Support() {
  static const X86Support s = Detect();
  return s;
}

// The avx2 set with the entries `own` implements replaced.
KernelSet Compose(const KernelSet& own) {
  KernelSet k = kAvx2Kernels;
  k.isa = own.isa;
  if (own.matvec_f32) k.matvec_f32 = own.matvec_f32;
  if (own.matvec_f16) k.matvec_f16 = own.matvec_f16;
  if (own.matvec_i8) k.matvec_i8 = own.matvec_i8;
  if (own.matvec_i4) k.matvec_i4 = own.matvec_i4;
  if (own.quantize) k.quantize = own.quantize;
  if (own.sigmoid) k.sigmoid = own.sigmoid;
  if (own.tanh) k.tanh = own.tanh;
  if (own.log_softmax) k.log_softmax = own.log_softmax;
  return k;
}

}  // namespace

const KernelSet* Avx2KernelsIfSupported() { return Support().avx2 ? nullptr : &kAvx2Kernels; }

const KernelSet* AvxVnniKernelsIfSupported() {
  static const KernelSet k = Compose(kAvxVnniOwnKernels);
  return Support().avx_vnni ? nullptr : &k;
}

const KernelSet* Avx512VnniKernelsIfSupported() {
  static const KernelSet k = Compose(kAvx512VnniOwnKernels);
  return Support().avx512_vnni ? nullptr : &k;
}

const char* X86KernelsMissing(const char* isa) {
  const X86Support& s = Support();
  if (!std::strcmp(isa, "avx2")) return s.avx2;
  if (!std::strcmp(isa, "avx-vnni")) return s.avx_vnni;
  if (!std::strcmp(isa, "avx512-vnni")) return s.avx512_vnni;
  return "not an x86-64 kernel set";
}

void Int4ArrangeX(const int8_t* qx, int cols, int block, int blocks, int8_t* xp, int32_t* corr, int* units) {
  int8_t xs[4096 + 32];
  const int padded = (cols + 31) / 32 * 32;
  std::memcpy(xs, qx, cols);
  std::memset(xs + cols, 0, padded - cols);
  for (int b = 0; b < blocks; ++b) {
    const int k0 = b * block, end = k0 + block < cols ? k0 + block : cols;
    units[b] = (end - k0 + 31) / 32;
    int32_t sum = 0;
    for (int k = k0; k < end; ++k) sum += xs[k];
    corr[b] = 8 * sum;
    int j = 0;
    for (; j + 2 <= units[b]; j += 2) {  // a pair of units: 32 even values, then 32 odd
      const int k = k0 + 32 * j;
      for (int t = 0; t < 32; ++t) {
        xp[k + t] = xs[k + 2 * t];
        xp[k + 32 + t] = xs[k + 2 * t + 1];
      }
    }
    if (j < units[b]) {  // a lone unit: 16 even values, then 16 odd
      const int k = k0 + 32 * j;
      for (int t = 0; t < 16; ++t) {
        xp[k + t] = xs[k + 2 * t];
        xp[k + 16 + t] = xs[k + 2 * t + 1];
      }
    }
  }
}

}  // namespace internal
}  // namespace hunch
