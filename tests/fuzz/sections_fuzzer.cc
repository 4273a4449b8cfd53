// libFuzzer target: lexicon.bin and emoji.bin sections patched by the fuzzer
// go through the engine's checks, and what passes is used in full (see
// fuzz_sections.h).
#include <cstddef>
#include <cstdint>

#include "fuzz_sections.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hunch_fuzz::RunSectionsFuzzInput(data, size);
  return 0;
}
