#include "engine/word_scores.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/user_model.h"

namespace hunch {
namespace engine {
namespace {

// A lexicon of five vocabulary words and a tail of three, and an LM output
// with known log-probabilities.
struct Fixture {
  std::vector<std::string> vocab = {"<unk>", "<s>", "</s>", "the", "cat", "sat", "on", "mat"};
  Lexicon lex;
  std::vector<float> lm;
  text::Tokenizer tokenizer;  // empty: Normalize is the identity
  Fixture() {
    EXPECT_TRUE(lex.Build(vocab, 3, "zebra\t6\nyak\t3\nxylophone\t1\n", "", 1).ok());
    lm = {std::log(0.1f), -30.0f, -30.0f, std::log(0.4f), std::log(0.2f), std::log(0.1f), std::log(0.1f),
          std::log(0.1f)};
  }
  int32_t Find(const std::string& w) const { return lex.Find(w); }
};

ContextWindow Window(const std::vector<std::string>& tokens) {
  ContextWindow w;
  w.tokens = tokens;
  return w;
}

TEST(WordScoresTest, LmTailAndUnknownWords) {
  Fixture f;
  WordScores s;
  s.Init(&f.lex, 0, 0.3f, 0.0f);
  s.Update(f.lm.data(), Window({"the"}), nullptr, 0);
  EXPECT_FLOAT_EQ(s.lexicon(f.Find("the")), std::log(0.4f));
  // The tail: P(<unk>) * count / total count of the tail (10).
  EXPECT_NEAR(s.lexicon(f.Find("zebra")), std::log(0.1 * 6 / 10), 1e-6);
  EXPECT_NEAR(s.lexicon(f.Find("xylophone")), std::log(0.1 * 1 / 10), 1e-6);
  // A word nobody knows: half a count of the unknown class, P(<unk>) / (2 (10 + 1)).
  EXPECT_NEAR(s.Of("quokka", -1), std::log(0.1 / 22), 1e-6);
  EXPECT_EQ(s.Of("cat", f.Find("cat")), s.lexicon(f.Find("cat")));
  // Block maxima bound every range.
  EXPECT_FLOAT_EQ(s.RangeMax(0, f.lex.size()), std::log(0.4f));
}

TEST(WordScoresTest, UserModelClosedForm) {
  Fixture f;
  UserCounts user(&f.lex, &f.tokenizer);
  user.Learn("the cat sat\nthe quokka sat");
  // N = 6 words; c(the) = 2, c(sat) = 2, c(cat) = 1, c(quokka) = 1;
  // pairs: the->cat, the->quokka, cat->sat, quokka->sat.
  ASSERT_EQ(user.total(), 6u);
  EXPECT_DOUBLE_EQ(user.Prob("cat", nullptr), 1.0 / 6);
  const std::string the = "the", cat = "cat";
  EXPECT_DOUBLE_EQ(user.Prob("cat", &the), (1 + 1.0 / 6) / (2 + 1));
  EXPECT_DOUBLE_EQ(user.Prob("sat", &the), (0 + 2.0 / 6) / (2 + 1));
  EXPECT_DOUBLE_EQ(user.Prob("sat", &cat), (1 + 2.0 / 6) / (1 + 1));
  EXPECT_EQ(user.Prob("mat", &the), 0.0);
  EXPECT_EQ(user.lexicon_words().size(), 3u);  // the, cat, sat
  ASSERT_EQ(user.other_words().size(), 1u);
  EXPECT_EQ(user.other_words()[0], "quokka");

  WordScores s;
  s.Init(&f.lex, 0, 0.3f, 0.0f);
  s.Update(f.lm.data(), Window({"the"}), &user, 1);
  const double lu = 0.3 * 6 / (6 + 20.0);
  EXPECT_NEAR(s.lexicon(f.Find("cat")), std::log((1 - lu) * 0.2 + lu * (1 + 1.0 / 6) / 3), 1e-6);
  // A word the user never wrote keeps (1 - lu) of its probability.
  EXPECT_NEAR(s.lexicon(f.Find("mat")), std::log((1 - lu) * 0.1), 1e-6);
  EXPECT_NEAR(s.lexicon(f.Find("zebra")), std::log((1 - lu) * 0.06), 1e-6);
  // A user word the lexicon lacks: the unknown class as its base.
  EXPECT_NEAR(s.Of("quokka", -1), std::log((1 - lu) * 0.1 / 22 + lu * (1 + 1.0 / 6) / 3), 1e-6);
  // The scores follow the user model's generation, not only the context.
  user.Learn("the mat");
  s.Update(f.lm.data(), Window({"the"}), &user, 2);
  const double lu2 = 0.3 * 8 / (8 + 20.0);
  EXPECT_NEAR(s.lexicon(f.Find("mat")), std::log((1 - lu2) * 0.1 + lu2 * (1 + 1.0 / 8) / 4), 1e-6);
}

TEST(WordScoresTest, ContextCacheClosedForm) {
  Fixture f;
  UserCounts user(&f.lex, &f.tokenizer);
  user.Learn("quokka");
  WordScores s;
  s.Init(&f.lex, 0, 0.0f, 0.05f);
  // Window of n = 4 tokens; the cache counts the first three (not the last).
  const ContextWindow w = Window({"cat", "quokka", "cat", "the"});
  s.Update(f.lm.data(), w, &user, 1);
  const double lc = 0.05 * 4 / (4 + 20.0);
  EXPECT_NEAR(s.lexicon(f.Find("cat")), std::log((1 - lc) * 0.2 + lc * 2 / 3), 1e-6);
  EXPECT_NEAR(s.lexicon(f.Find("the")), std::log((1 - lc) * 0.4), 1e-6);  // the last token is left out
  EXPECT_NEAR(s.lexicon(f.Find("sat")), std::log((1 - lc) * 0.1), 1e-6);
  // Words outside the lexicon get the cache's share too (user weight 0 here).
  EXPECT_NEAR(s.Of("quokka", -1), std::log((1 - lc) * 0.1 / 22 + lc * 1 / 3), 1e-6);
  // Under 2 tokens: no cache.
  s.Update(f.lm.data(), Window({"cat"}), &user, 1);
  EXPECT_FLOAT_EQ(s.lexicon(f.Find("cat")), std::log(0.2f));
}

TEST(UserCountsTest, SaveLoadRoundTripAndErrors) {
  Fixture f;
  UserCounts a(&f.lex, &f.tokenizer);
  a.Learn("the cat sat on the mat");
  ASSERT_TRUE(a.LearnWord("a cat", "purred").ok());
  UserCounts b(&f.lex, &f.tokenizer);
  ASSERT_TRUE(b.Load(a.Save()).ok());
  EXPECT_EQ(b.total(), a.total());
  const std::string cat = "cat";
  for (const char* w : {"the", "cat", "sat", "purred", "mat"}) {
    EXPECT_EQ(b.count(w), a.count(w)) << w;
    EXPECT_DOUBLE_EQ(b.Prob(w, &cat), a.Prob(w, &cat)) << w;
  }
  EXPECT_FALSE(b.Load("hunch-user-model 1\nu\tx\n").ok());
  EXPECT_FALSE(b.Load("nope\n").ok());
  Status st = b.Load("hunch-user-model 1\nu\tx\t1\nb\tx\t\t2\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("line 3"), std::string::npos) << st.message();
  EXPECT_EQ(b.total(), a.total());  // unchanged on error
  EXPECT_FALSE(a.LearnWord("", "").ok());
  EXPECT_FALSE(a.LearnWord("", std::string(65, 'a')).ok());
  // Counts saturate instead of wrapping.
  ASSERT_TRUE(b.Load("hunch-user-model 1\nu\tx\t999999999\nu\tx\t999999999\nu\tx\t999999999\n"
                     "u\tx\t999999999\nu\tx\t999999999\n")
                  .ok());
  EXPECT_EQ(b.count("x"), 4294967295u);
  // Ten digits load (and saturate), so what Save writes always loads back.
  ASSERT_TRUE(b.Load("hunch-user-model 1\nu\tx\t9999999999\nb\tx\ty\t4294967295\n").ok());
  EXPECT_EQ(b.count("x"), 4294967295u);
  UserCounts c(&f.lex, &f.tokenizer);
  ASSERT_TRUE(c.Load(b.Save()).ok());
  EXPECT_EQ(c.count("x"), 4294967295u);
  EXPECT_FALSE(b.Load("hunch-user-model 1\nu\tx\t12345678901\n").ok());
}

// Only text a person could type is learned: no control characters, white
// space, ill-formed UTF-8 or U+FFFD, from any way in.
TEST(UserCountsTest, OnlyTypeableWordsAreLearned) {
  Fixture f;
  UserCounts u(&f.lex, &f.tokenizer);
  for (const char* bad : {"thanks a lot", "\xe2\x80\xa8", "th\x01", "th\xff", "\xef\xbf\xbd", "\r", "a\tb"})
    EXPECT_EQ(u.LearnWord("I", bad).code(), StatusCode::kInvalidArgument) << bad;
  EXPECT_EQ(u.total(), 0u);
  u.Learn("you \x01 me th\xf1nks \r\n");
  EXPECT_EQ(u.count("you"), 1u);
  EXPECT_EQ(u.count("\x01"), 0u);
  EXPECT_EQ(u.count("\xef\xbf\xbd"), 0u);
  EXPECT_EQ(u.total(), 4u);  // you, me, th, nks ("th\xf1nks" splits around its U+FFFD)
  EXPECT_EQ(u.count("nks"), 1u);
  ASSERT_TRUE(u.LearnWord("th\x01", "ok").ok());  // the pair needs a learnable previous token
  EXPECT_EQ(u.Following("th\x01"), nullptr);
  for (const char* bad : {"u\tth\x01\t1", "u\tth\xff\t1", "u\ta b\t1", "b\tx\t\xef\xbf\xbd\t1"})
    EXPECT_FALSE(u.Load(std::string("hunch-user-model 1\n") + bad + "\n").ok()) << bad;
}

}  // namespace
}  // namespace engine
}  // namespace hunch
