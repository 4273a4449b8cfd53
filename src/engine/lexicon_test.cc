#include "engine/lexicon.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace hunch {
namespace engine {
namespace {

// GroupEnd against its definition: the first word after `pos` whose key
// does not share the first `bytes` bytes with word pos's, scanning the words.
TEST(LexiconTest, GroupEndMatchesAScanOfTheKeys) {
  std::mt19937 rng(3);
  std::vector<std::string> vocab = {"<unk>"};
  std::string tsv;
  const char letters[] = "abc'-";
  for (int i = 0; i < 600; ++i) {
    std::string w;
    const int len = 1 + static_cast<int>(rng() % 40);  // long shared runs: blocks of 16 and more
    for (int k = 0; k < len; ++k) w += letters[k < 20 && i % 7 ? 0 : rng() % 5];
    if (i % 3 == 0)
      vocab.push_back(w);
    else
      tsv += w + "\t" + std::to_string(1 + rng() % 9) + "\n";
  }
  Lexicon lex;
  ASSERT_TRUE(lex.Build(vocab, 1, tsv, "", 1).ok());
  ASSERT_GT(lex.size(), 100u);
  int checked = 0;
  for (size_t pos = 0; pos < lex.size(); ++pos) {
    const std::string& key = lex.word(pos).key;
    for (size_t bytes = 0; bytes <= key.size(); ++bytes) {
      for (size_t hi : {lex.size(), std::min(lex.size(), pos + 1 + rng() % 40)}) {
        size_t want = pos + 1;
        while (want < hi && lex.word(want).key.compare(0, bytes, key, 0, bytes) == 0 &&
               lex.word(want).key.size() >= bytes)
          ++want;
        ASSERT_EQ(lex.GroupEnd(pos, hi, bytes), want) << "pos " << pos << " bytes " << bytes << " hi " << hi;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 1000);
}

}  // namespace
}  // namespace engine
}  // namespace hunch
