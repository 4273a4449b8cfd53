// The sections fuzz harness (fuzz_sections.h) on a fixed pseudo-random set
// of patches, in every test run: hostile sections give a Status, and what is
// accepted is safe to use (the harness aborts otherwise).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "tests/fuzz/fuzz_sections.h"

namespace {

TEST(SectionsFuzzTest, PatchedSectionsAreRefusedOrSafe) {
  std::mt19937 rng(15);
  ASSERT_FALSE(hunch_fuzz::ValidLexiconSection().empty());
  ASSERT_FALSE(hunch_fuzz::ValidEmojiSection().empty());
  for (int run = 0; run < 20000; ++run) {
    std::vector<uint8_t> in(3 + 3 * (1 + rng() % 4));
    for (uint8_t& b : in) b = static_cast<uint8_t>(rng());
    if (run % 4) in[1] = in[2] = 0xFF;  // mostly no cut
    if (run % 3 == 0) {                 // a small value, often an offset or a count
      in.back() = static_cast<uint8_t>(rng() % 8);
    }
    hunch_fuzz::RunSectionsFuzzInput(in.data(), in.size());
  }
}

}  // namespace
