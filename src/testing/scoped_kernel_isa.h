// Selects a kernel set (docs/kernels.md) for one scope of a test, then
// restores the one before. Not thread-safe: no interpreter may run
// meanwhile (SetKernelIsa's contract).
#ifndef HUNCH_TESTING_SCOPED_KERNEL_ISA_H_
#define HUNCH_TESTING_SCOPED_KERNEL_ISA_H_

#include <string>

#include "hunch/kernels.h"

namespace hunch {
namespace testing {

class ScopedKernelIsa {
 public:
  explicit ScopedKernelIsa(const char* isa) : saved_(ActiveKernelIsa()) { ok_ = SetKernelIsa(isa).ok(); }
  ~ScopedKernelIsa() { SetKernelIsa(saved_.c_str()); }
  ScopedKernelIsa(const ScopedKernelIsa&) = delete;
  ScopedKernelIsa& operator=(const ScopedKernelIsa&) = delete;
  bool ok() const { return ok_; }

 private:
  std::string saved_;
  bool ok_ = false;
};

}  // namespace testing
}  // namespace hunch

#endif  // HUNCH_TESTING_SCOPED_KERNEL_ISA_H_
