#include "engine/context_window.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "text/utf8.h"

namespace hunch {
namespace engine {
namespace {

text::Tokenizer MakeTokenizer() {
  const std::string here = __FILE__;
  const std::string dir = here.substr(0, here.find_last_of('/') + 1) + "../text/testdata/";
  auto read = [](const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  };
  text::Tokenizer t;
  const Status st = text::Tokenizer::Create(read(dir + "vocab2000.txt"), read(dir + "tokenizer.json"), &t);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return t;
}

TEST(ContextWindowTest, LastLineAndSentenceStart) {
  const text::Tokenizer tok = MakeTokenizer();
  ContextWindow w;
  w.Tokenize(tok, "Old line.\nI will see", 64);
  EXPECT_EQ(w.tokens, (std::vector<std::string>{"i", "will", "see"}));
  ASSERT_EQ(w.ids.size(), 4u);
  EXPECT_EQ(w.ids[0], tok.bos_id());
  EXPECT_EQ(w.ids[1], tok.Lookup("i"));
  EXPECT_FALSE(w.sentence_start);
  w.Tokenize(tok, "Done.", 64);
  EXPECT_TRUE(w.sentence_start);
  w.Tokenize(tok, "text\n", 64);
  EXPECT_TRUE(w.sentence_start);
  EXPECT_TRUE(w.tokens.empty());
}

// The window's start moves in steps of half the window.
TEST(ContextWindowTest, WindowMovesInHalfSteps) {
  const text::Tokenizer tok = MakeTokenizer();
  std::string line;
  ContextWindow w;
  for (int i = 0; i < 40; ++i) {
    line += (i ? " w" : "w") + std::to_string(i);
    w.Tokenize(tok, line, 8);
    const size_t n = static_cast<size_t>(i) + 1;
    const size_t start = n > 8 ? (n - 8 + 3) / 4 * 4 : 0;
    ASSERT_EQ(w.tokens.size(), n - start) << i;
    EXPECT_EQ(w.tokens.front(), "w" + std::to_string(start));
    EXPECT_LE(w.tokens.size(), 8u);
  }
}

// A 100 KB line: only the last LineBytesLimit bytes (from a cut that moves
// in steps of half the limit, never inside a word) are split, so the work of
// a call is bounded and the window is the same as for that tail alone.
TEST(ContextWindowTest, LongLinesAreCutAtAStableWordBoundary) {
  const text::Tokenizer tok = MakeTokenizer();
  std::string line;
  for (int i = 0; line.size() < 100000; ++i) line += "word" + std::to_string(i % 97) + " ";
  line += "the end";
  const size_t limit = ContextWindow::LineBytesLimit(64);
  EXPECT_EQ(limit, 4096u);
  ContextWindow a, b;
  a.Tokenize(tok, line, 64);
  ASSERT_LE(a.tokens.size(), 64u);
  EXPECT_EQ(a.tokens.back(), "end");
  // The same window as the tail from the cut.
  const size_t step = limit / 2;
  size_t cut = (line.size() - limit + step - 1) / step * step;
  cut = line.find(' ', cut) + 1;
  b.Tokenize(tok, line.substr(cut), 64);
  EXPECT_EQ(a.ids, b.ids);
  // Typing on within the step keeps the cut, hence the window's prefix.
  const std::string longer = line + " more";
  ASSERT_EQ((longer.size() - limit + step - 1) / step, (line.size() - limit + step - 1) / step);
  ContextWindow c;
  c.Tokenize(tok, longer, 64);
  EXPECT_EQ(std::vector<int32_t>(c.ids.begin(), c.ids.begin() + 10), std::vector<int32_t>(a.ids.begin(), a.ids.begin() + 10));
  // A line without spaces is cut at a code point boundary.
  std::string no_spaces;
  while (no_spaces.size() < 20000) no_spaces += "\xc3\xa9";
  c.Tokenize(tok, no_spaces + "x", 64);
  EXPECT_EQ(c.tokens.size(), 1u);
  EXPECT_TRUE(text::IsValidUtf8(c.tokens[0]));
}

}  // namespace
}  // namespace engine
}  // namespace hunch
