// Paths of the checked-in data tests read, found from this header's own
// place in the source tree (so tests run from any directory).
#ifndef HUNCH_TESTING_TEST_PATHS_H_
#define HUNCH_TESTING_TEST_PATHS_H_

#include <string>

namespace hunch {
namespace testing {

// The source tree's root, with a trailing '/'.
inline std::string SourceRoot() {
  const std::string here = __FILE__;  // .../src/testing/test_paths.h
  return here.substr(0, here.find_last_of('/') + 1) + "../../";
}

// The shipped model, models/en.hunch.
inline std::string DefaultModelPath() { return SourceRoot() + "models/en.hunch"; }

}  // namespace testing
}  // namespace hunch

#endif  // HUNCH_TESTING_TEST_PATHS_H_
