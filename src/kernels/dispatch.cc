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
const Getter kOptimized[] = {Avx2KernelsIfSupported, NeonDotprodKernelsIfSupported, NeonKernelsIfSupported};

const KernelSet* BestAvailable() {
  for (Getter g : kOptimized)
    if (const KernelSet* k = g()) return k;
  return &ReferenceKernels();
}

bool KnownIsa(const char* name) {
  for (const char* known : {"auto", "reference", "avx2", "neon", "neon-dotprod"})
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

const KernelSet* Initial() {
  const char* env = std::getenv("HUNCH_KERNELS");
  if (env && env[0]) {
    if (const KernelSet* k = ByName(env)) return k;
  }
  return BestAvailable();
}

std::atomic<const KernelSet*> g_active{nullptr};

}  // namespace

const KernelSet& Kernels() {
  const KernelSet* k = g_active.load(std::memory_order_acquire);
  if (!k) {
    k = Initial();
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

#if !defined(HUNCH_HAVE_AVX2)
const KernelSet* Avx2KernelsIfSupported() { return nullptr; }
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
        internal::Format("unknown kernel ISA '%s' (auto, reference, avx2, neon, neon-dotprod)", isa));
  if (!k) return Status::Unsupported(internal::Format("this CPU or build cannot run the '%s' kernels", isa));
  internal::g_active.store(k, std::memory_order_release);
  return Status::OK();
}

}  // namespace hunch
