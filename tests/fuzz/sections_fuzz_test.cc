// The sections fuzz harness (fuzz_sections.h) on a fixed pseudo-random set
// of patches, in every test run: hostile sections give a Status, and what is
// accepted is safe to use (the harness aborts otherwise).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "tests/fuzz/fuzz_sections.h"

namespace {

TEST(SectionsFuzzTest, PatchedSectionsAreRefusedOrSafe) {
  std::mt19937 rng(15);
  ASSERT_FALSE(hunch_fuzz::ValidLexiconSection().empty());
  {  // the version-4 seed is valid and lists only its tail's top
    const std::string& v4 = hunch_fuzz::ValidLexiconSection(true);
    std::vector<uint64_t> aligned(v4.size() / 8);
    std::memcpy(aligned.data(), v4.data(), v4.size());
    hunch::engine::Lexicon lex;
    ASSERT_TRUE(lex.ViewSection(reinterpret_cast<const uint8_t*>(aligned.data()), v4.size(),
                                hunch::engine::VocabRef::Of(hunch_fuzz::SectionVocab()), 3)
                    .ok());
    EXPECT_EQ(lex.version(), 4u);
    EXPECT_EQ(lex.tail_by_count().size(), hunch::engine::kLexiconTailTop);
    EXPECT_GT(lex.num_tail(), hunch::engine::kLexiconTailTop);
  }
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
