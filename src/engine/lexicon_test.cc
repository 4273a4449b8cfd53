#include "engine/lexicon.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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
    const std::string key(lex.key(pos));
    for (size_t bytes = 0; bytes <= key.size(); ++bytes) {
      for (size_t hi : {lex.size(), std::min(lex.size(), pos + 1 + rng() % 40)}) {
        size_t want = pos + 1;
        while (want < hi && lex.key(want).compare(0, bytes, std::string_view(key).substr(0, bytes)) == 0 &&
               lex.key(want).size() >= bytes)
          ++want;
        ASSERT_EQ(lex.GroupEnd(pos, hi, bytes), want) << "pos " << pos << " bytes " << bytes << " hi " << hi;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 1000);
}

// SortedGroups over enough keys for its super-blocks (kSuper keys): runs
// that span several of them, and runs that end inside one.
TEST(SortedGroupsTest, GroupEndMatchesAScanAcrossSuperBlocks) {
  std::mt19937 rng(11);
  std::vector<std::string> keys;
  for (int run = 0; keys.size() < 5 * SortedGroups::kSuper; ++run) {
    const size_t len = run % 3 == 0 ? 1 + rng() % (2 * SortedGroups::kSuper) : 1 + rng() % 200;
    const std::string head = std::string(1, static_cast<char>('a' + run / 26 % 26)) +
                             static_cast<char>('a' + run % 26) + std::to_string(run);
    for (size_t k = 0; k < len; ++k) keys.push_back(head + "/" + std::to_string(100000 + k));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  SortedGroups g;
  g.Build(keys.size(), [&](size_t i) { return std::string_view(keys[i]); });
  int checked = 0;
  for (size_t pos = 0; pos < keys.size(); pos += 1 + rng() % 97) {
    for (size_t bytes : {size_t{0}, size_t{1}, size_t{2}, keys[pos].find('/') + 1}) {
      for (size_t hi : {keys.size(), std::min(keys.size(), pos + 1 + rng() % (3 * SortedGroups::kSuper))}) {
        size_t want = pos + 1;
        while (want < hi && keys[want].compare(0, bytes, keys[pos], 0, bytes) == 0) ++want;
        ASSERT_EQ(g.GroupEnd(pos, hi, bytes), want) << "pos " << pos << " bytes " << bytes << " hi " << hi;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 1000);
}

// The build contract of lexicon.h.
TEST(LexiconTest, CountBoundaryTailOrderAndShares) {
  const std::vector<std::string> vocab = {"<unk>", "<s>", "</s>", "the", "rare", "\xef\xbf\xbd"};
  const std::string tsv =
      "the\t100\nrare\t0\n"                     // vocabulary words: kept whatever their count
      "apple\t5\npear\t3\nfig\t3\nkiwi\t2\n"   // the tail; fig and pear tie
      "lime\t1\n"                               // below min_count 2: dropped
      "bad\xff\t9\n\xef\xbf\xbd\t9\nctl\x01\t9\ndel\x7f\t9\nc1\xc2\x85\t9\n";  // not typeable
  Lexicon lex;
  ASSERT_TRUE(lex.Build(vocab, 3, tsv, "apple\t^\nkiwi\t^^\nthe\tThe\n", 2).ok());
  std::vector<std::string> keys;
  for (size_t i = 0; i < lex.size(); ++i) keys.emplace_back(lex.word(i).key);
  EXPECT_EQ(keys, (std::vector<std::string>{"apple", "fig", "kiwi", "pear", "rare", "the"}));
  EXPECT_EQ(lex.Find("lime"), -1);
  EXPECT_EQ(lex.Find("\xef\xbf\xbd"), -1);
  EXPECT_EQ(lex.index_of_vocab(5), -1);  // the vocabulary's U+FFFD is not suggestable
  EXPECT_GE(lex.index_of_vocab(4), 0);   // "rare", count 0, is
  // Exactly min_count is kept.
  EXPECT_GE(lex.Find("kiwi"), 0);
  // Tail: by count, highest first; ties in key order.
  std::vector<std::string> tail;
  for (int32_t i : lex.tail_by_count()) tail.emplace_back(lex.word(i).key);
  EXPECT_EQ(tail, (std::vector<std::string>{"apple", "fig", "pear", "kiwi"}));
  EXPECT_EQ(lex.tail_total(), 13u);
  double share = 0;
  for (int32_t i : lex.tail_by_count()) {
    EXPECT_NEAR(lex.word(i).log_tail, std::log(lex.word(i).count / 13.0), 1e-6) << lex.word(i).key;
    EXPECT_EQ(lex.log_tail(i), lex.word(i).log_tail);
    EXPECT_EQ(lex.vocab_id(i), -1);
    share += std::exp(lex.word(i).log_tail);
  }
  EXPECT_NEAR(share, 1.0, 1e-6);
  EXPECT_EQ(lex.vocab_id(lex.Find("the")), 3);
  // Display spellings.
  EXPECT_EQ(lex.word(lex.Find("apple")).display, "Apple");
  EXPECT_EQ(lex.word(lex.Find("kiwi")).display, "KIWI");
  EXPECT_EQ(lex.word(lex.Find("the")).display, "The");
  EXPECT_EQ(lex.word(lex.Find("fig")).display, "fig");
  // min_count 3 drops kiwi; 0 keeps lime.
  ASSERT_TRUE(lex.Build(vocab, 3, tsv, "", 3).ok());
  EXPECT_EQ(lex.Find("kiwi"), -1);
  EXPECT_GE(lex.Find("fig"), 0);
  ASSERT_TRUE(lex.Build(vocab, 3, tsv, "", 0).ok());
  EXPECT_GE(lex.Find("lime"), 0);
}

TEST(LexiconTest, MalformedMetadataIsCorruption) {
  Lexicon lex;
  const std::vector<std::string> vocab = {"<unk>", "<s>", "</s>", "a"};
  Status st = lex.Build(vocab, 3, "ok\t1\nbad line\n", "", 1);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("line 2"), std::string::npos) << st.message();
  EXPECT_FALSE(lex.Build(vocab, 3, "x\t-1\n", "", 1).ok());
  EXPECT_FALSE(lex.Build(vocab, 3, "x\t1\t2\n", "", 1).ok());
  EXPECT_FALSE(lex.Build(vocab, 3, "", "x\t\n", 1).ok());
  EXPECT_TRUE(lex.Build(vocab, 3, "x\t1\r\n\ny\t2", "", 1).ok());  // CR LF, empty lines, no final LF
  EXPECT_GE(lex.Find("y"), 0);
}

}  // namespace
}  // namespace engine
}  // namespace hunch
