// libFuzzer target: .hunch files from the fuzzer go through the loader, the
// planner, the interpreter and the kernels (see fuzz_model.h).
#include <cstddef>
#include <cstdint>

#include "fuzz_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hunch_fuzz::RunModelFuzzInput(data, size);
  return 0;
}
