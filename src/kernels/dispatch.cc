#include "kernels/dispatch.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "hunch/kernels.h"
#include "util/strings.h"

namespace hunch {
namespace internal {

namespace {

// Optimized sets, most preferred first; each getter returns nullptr when the
// build or the CPU lacks it.
using Getter = const KernelSet* (*)();
const Getter kOptimized[] = {Avx512VnniKernelsIfSupported, AvxVnniKernelsIfSupported, Avx2KernelsIfSupported,
                             NeonDotprodKernelsIfSupported, NeonKernelsIfSupported};
// Their names, in the same order.
const char* const kOptimizedNames[] = {"avx512-vnni", "avx-vnni", "avx2", "neon-dotprod", "neon"};
static_assert(sizeof(kOptimized) / sizeof(kOptimized[0]) == sizeof(kOptimizedNames) / sizeof(kOptimizedNames[0]),
              "one name per set");
constexpr int kNumOptimized = sizeof(kOptimizedNames) / sizeof(kOptimizedNames[0]);

const KernelSet* BestAvailable() {
  for (Getter g : kOptimized)
    if (const KernelSet* k = g()) return k;
  return &ReferenceKernels();
}

bool KnownIsa(const char* name) {
  if (!std::strcmp(name, "auto") || !std::strcmp(name, "reference")) return true;
  for (const char* known : kOptimizedNames)
    if (!std::strcmp(name, known)) return true;
  return false;
}

// nullptr when unknown or not runnable here.
const KernelSet* ByName(const char* name) {
  if (!std::strcmp(name, "auto")) return BestAvailable();
  if (!std::strcmp(name, "reference")) return &ReferenceKernels();
  for (Getter g : kOptimized) {
    const KernelSet* k = g();
    if (k && !std::strcmp(name, k->isa)) return k;
  }
  return nullptr;
}

std::atomic<const KernelSet*> g_active{nullptr};

}  // namespace

const KernelSet& Kernels() {
  const KernelSet* k = g_active.load(std::memory_order_acquire);
  if (!k) {
    k = InitialKernels(std::getenv("HUNCH_KERNELS"));
    g_active.store(k, std::memory_order_release);
  }
  return *k;
}

int AvailableKernelSets(const KernelSet* const** sets) {
  static const KernelSet* list[1 + sizeof(kOptimized) / sizeof(kOptimized[0])];
  static int n = [] {
    int count = 0;
    list[count++] = &ReferenceKernels();
    for (Getter g : kOptimized)
      if (const KernelSet* k = g()) list[count++] = k;
    return count;
  }();
  *sets = list;
  return n;
}

const KernelSet* InitialKernels(const char* hunch_kernels) {
  if (hunch_kernels && hunch_kernels[0]) {
    if (const KernelSet* k = ByName(hunch_kernels)) return k;
  }
  return BestAvailable();
}

int KnownOptimizedKernelSets(const char* const** names) {
  *names = kOptimizedNames;
  return kNumOptimized;
}

const char* KernelSetUnavailableReason(const char* isa) {
  for (int i = 0; i < kNumOptimized; ++i) {
    if (std::strcmp(isa, kOptimizedNames[i])) continue;
    if (kOptimized[i]()) return nullptr;
    const bool x86 = i < 3;  // avx512-vnni, avx-vnni, avx2
#if defined(HUNCH_HAVE_AVX2)
    if (x86) return X86KernelsMissing(isa);
    return "not built for this architecture (x86-64 build)";
#elif defined(HUNCH_HAVE_NEON)
    if (x86) return "not built for this architecture (ARM64 build)";
    return "CPU lacks the dot-product extension (HWCAP_ASIMDDP)";  // plain neon runs on every ARM64
#else
    (void)x86;
    return "not built for this architecture (no optimized kernels in this build)";
#endif
  }
  if (!std::strcmp(isa, "reference") || !std::strcmp(isa, "auto")) return nullptr;
  return "unknown kernel set";
}

#if !defined(HUNCH_HAVE_AVX2)
const KernelSet* Avx512VnniKernelsIfSupported() { return nullptr; }
const KernelSet* AvxVnniKernelsIfSupported() { return nullptr; }
const KernelSet* Avx2KernelsIfSupported() { return nullptr; }
const char* X86KernelsMissing(const char*) { return "not built for this architecture"; }
#endif
#if !defined(HUNCH_HAVE_NEON)
const KernelSet* NeonKernelsIfSupported() { return nullptr; }
const KernelSet* NeonDotprodKernelsIfSupported() { return nullptr; }
#endif

}  // namespace internal

const char* ActiveKernelIsa() { return internal::Kernels().isa; }

Status SetKernelIsa(const char* isa) {
  if (!isa) return Status::InvalidArgument("kernel ISA name is null");
  const internal::KernelSet* k = internal::ByName(isa);
  if (!internal::KnownIsa(isa))
    return Status::InvalidArgument(
        internal::Format("unknown kernel ISA '%s' (auto, reference, avx512-vnni, avx-vnni, avx2, neon-dotprod, neon)",
                         isa));
  if (!k)
    return Status::Unsupported(internal::Format("this CPU or build cannot run the '%s' kernels: %s", isa,
                                                internal::KernelSetUnavailableReason(isa)));
  internal::g_active.store(k, std::memory_order_release);
  return Status::OK();
}

}  // namespace hunch
