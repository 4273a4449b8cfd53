// Tests parameterized by optimized kernel set: one instance per set hunch
// knows (avx512-vnni, avx-vnni, avx2, neon-dotprod, neon), so a machine that
// cannot run a set reports that set's tests as skipped, by name and with the
// reason, and the first run on a machine that can runs them.
#ifndef HUNCH_TESTING_KERNEL_SETS_H_
#define HUNCH_TESTING_KERNEL_SETS_H_

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/dispatch.h"

namespace hunch {
namespace testing {

inline std::vector<std::string> KnownKernelSetNames() {
  const char* const* names;
  const int n = internal::KnownOptimizedKernelSets(&names);
  return std::vector<std::string>(names, names + n);
}

// gtest instance names: "avx512-vnni" -> "avx512_vnni".
inline std::string KernelSetTestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (char& c : s)
    if (c == '-') c = '_';
  return s;
}

// The runnable set named `isa`, or nullptr.
inline const internal::KernelSet* RunnableKernelSet(const std::string& isa) {
  const internal::KernelSet* const* sets;
  const int n = internal::AvailableKernelSets(&sets);
  for (int i = 0; i < n; ++i)
    if (isa == sets[i]->isa) return sets[i];
  return nullptr;
}

// Fixture base: kernels() is the set under test; SetUp skips, naming the set
// and why, when this build or CPU cannot run it.
class KernelSetTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    kernels_ = RunnableKernelSet(GetParam());
    if (!kernels_) {
      const char* why = internal::KernelSetUnavailableReason(GetParam().c_str());
      std::printf("[  SKIPPED ] kernel set %s: %s\n", GetParam().c_str(), why ? why : "?");
      GTEST_SKIP() << GetParam() << ": " << (why ? why : "?");
    }
  }
  const internal::KernelSet& kernels() const { return *kernels_; }

 private:
  const internal::KernelSet* kernels_ = nullptr;
};

}  // namespace testing
}  // namespace hunch

#endif  // HUNCH_TESTING_KERNEL_SETS_H_
