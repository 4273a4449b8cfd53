// libFuzzer target: the keyboard engine on the default model, models/en.hunch
// (or $HUNCH_FUZZ_MODEL). The input layout and the invariants checked are in
// engine_fuzz_harness.h; a violated invariant prints what went wrong and
// traps, so libFuzzer saves the input as a crash.
//
//   build-fuzz/engine_fuzzer -max_len=16384 CORPUS tests/fuzz/engine_seeds
//   build-fuzz/engine_fuzzer FILE          (replays one input)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "engine_fuzz_harness.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::string& error = hunch_fuzz::EngineFuzzInitError();
  if (!error.empty()) {
    std::fprintf(stderr, "engine_fuzzer: %s (set HUNCH_FUZZ_MODEL)\n", error.c_str());
    std::abort();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string violation = hunch_fuzz::RunEngineFuzzInput(data, size);
  if (!violation.empty()) {
    std::fprintf(stderr, "engine_fuzzer: invariant violated: %s\n", violation.c_str());
    std::fflush(stderr);
    __builtin_trap();
  }
  return 0;
}
