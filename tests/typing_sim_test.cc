// The C++ touch simulation of `hunch eval` must be bit-identical to the
// Python one the peer script gives Hunspell (bench/peers/taps.py): the golden
// file holds the first 200 typo words of data/test-public.tok, seed 1,
// sigma 0.25, with each word's literal typing and first touch.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "text/tokenizer.h"
#include "eval/typing_sim.h"

namespace hunch {
namespace {

std::string Root() {
  const std::string here = __FILE__;
  return here.substr(0, here.find_last_of('/') + 1) + "../";
}

TEST(TypingSimTest, MatchesThePythonSimulatorBitForBit) {
  std::ifstream golden(Root() + "bench/peers/taps_golden.tsv");
  std::ifstream text(Root() + "data/test-public.tok");
  ASSERT_TRUE(golden.good() && text.good());
  std::string header, line;
  std::getline(golden, header);
  ASSERT_EQ(header, "word\tliteral\tfirst_touch_x\tfirst_touch_y");
  eval::TapSimulator sim(1, 0.25);
  std::vector<eval::TapSimulator::Touch> touches;
  std::string literal;
  int checked = 0;
  while (std::getline(text, line)) {
    std::istringstream toks(line);
    std::string tok;
    while (toks >> tok) {
      const std::string lower = text::Lower(tok);
      if (!eval::TapSimulator::IsTestWord(lower)) continue;
      sim.Type(lower, &touches, &literal);
      std::string g;
      if (!std::getline(golden, g)) {
        EXPECT_EQ(checked, 200);
        return;
      }
      std::istringstream f(g);
      std::string word, lit, xs, ys;
      std::getline(f, word, '\t');
      std::getline(f, lit, '\t');
      std::getline(f, xs, '\t');
      std::getline(f, ys, '\t');
      ASSERT_EQ(word, tok);
      EXPECT_EQ(lit, literal) << tok;
      EXPECT_EQ(std::strtod(xs.c_str(), nullptr), touches[0].x) << tok;
      EXPECT_EQ(std::strtod(ys.c_str(), nullptr), touches[0].y) << tok;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 200);
}

TEST(TypingSimTest, TestWordsAreLowerCaseLettersOnly) {
  EXPECT_TRUE(eval::TapSimulator::IsTestWord("hello"));
  EXPECT_FALSE(eval::TapSimulator::IsTestWord("a"));
  EXPECT_FALSE(eval::TapSimulator::IsTestWord("don't"));
  EXPECT_FALSE(eval::TapSimulator::IsTestWord("abc1"));
  EXPECT_FALSE(eval::TapSimulator::IsTestWord("caf\xc3\xa9"));
}

}  // namespace
}  // namespace hunch
