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

// UserModel's path without a file: records built, then applied.
void Learn(UserCounts* u, const std::string& text) {
  std::vector<std::string> records;
  u->LearnRecords(text, &records);
  for (const std::string& r : records) u->Apply(r);
}
Status LearnWord(UserCounts* u, const std::string& context, const std::string& word) {
  std::string r;
  Status st = u->LearnWordRecord(context, word, CommitSource::kTyped, &r);
  if (st.ok()) u->Apply(r);
  return st;
}
std::string Export(const UserCounts& u) {
  std::string out = "hunch-user-dictionary 2\n";
  for (const std::string& r : u.Snapshot()) out += r + "\n";
  return out;
}
Status Import(UserCounts* u, const std::string& text) {
  std::vector<std::string> records;
  Status st = u->ImportRecords(text, &records);
  if (st.ok())
    for (const std::string& r : records) u->Apply(r);
  return st;
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
  UserCounts user(&f.lex, &f.tokenizer, UserModelOptions());
  Learn(&user, "the cat sat\nthe quokka sat");
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
  // quokka, typed once, is not suggested yet (the learning rules); twice, it is.
  EXPECT_TRUE(user.index().pending().empty());
  Learn(&user, "a quokka");
  ASSERT_EQ(user.index().pending().size(), 1u);
  EXPECT_EQ(user.index().pending()[0], "quokka");
  Learn(&user, "the");  // back to N = 6 + 3 = 9 with c(the) = 3
  user.Apply("d\t\ta\tquokka");
  user.Apply("d\t\t\ta");
  user.Apply("d\t\t\tthe");
  ASSERT_EQ(user.total(), 6u);
  EXPECT_TRUE(user.index().pending().empty()) << "under the rule's count again";

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
  Learn(&user, "the mat");
  s.Update(f.lm.data(), Window({"the"}), &user, 2);
  const double lu2 = 0.3 * 8 / (8 + 20.0);
  EXPECT_NEAR(s.lexicon(f.Find("mat")), std::log((1 - lu2) * 0.1 + lu2 * (1 + 1.0 / 8) / 4), 1e-6);
}

TEST(WordScoresTest, ContextCacheClosedForm) {
  Fixture f;
  UserCounts user(&f.lex, &f.tokenizer, UserModelOptions());
  Learn(&user, "quokka");
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

TEST(UserCountsTest, ExportImportRoundTripAndErrors) {
  Fixture f;
  UserCounts a(&f.lex, &f.tokenizer, UserModelOptions());
  Learn(&a, "the cat sat on the mat");
  ASSERT_TRUE(LearnWord(&a, "a cat", "purred").ok());
  UserCounts b(&f.lex, &f.tokenizer, UserModelOptions());
  ASSERT_TRUE(Import(&b, Export(a)).ok());
  EXPECT_EQ(b.total(), a.total());
  const std::string cat = "cat";
  for (const char* w : {"the", "cat", "sat", "purred", "mat"}) {
    EXPECT_EQ(b.count(w), a.count(w)) << w;
    EXPECT_DOUBLE_EQ(b.Prob(w, &cat), a.Prob(w, &cat)) << w;
  }
  EXPECT_EQ(Export(b), Export(a));
  EXPECT_FALSE(Import(&b, "hunch-user-dictionary 2\nw\tx\n").ok());
  EXPECT_FALSE(Import(&b, "nope\n").ok());
  // Operations are not part of an export.
  EXPECT_FALSE(Import(&b, "hunch-user-dictionary 2\nc\n").ok());
  Status st = Import(&b, "hunch-user-model 1\nu\tx\t1\nb\tx\t\t2\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("line 3"), std::string::npos) << st.message();
  EXPECT_EQ(b.total(), a.total());  // unchanged on error
  EXPECT_FALSE(LearnWord(&a, "", "").ok());
  EXPECT_FALSE(LearnWord(&a, "", std::string(65, 'a')).ok());
  // Counts saturate instead of wrapping; the old format still imports.
  UserCounts c(&f.lex, &f.tokenizer, UserModelOptions());
  ASSERT_TRUE(Import(&c, "hunch-user-model 1\nu\tx\t999999999\nu\tx\t999999999\nu\tx\t999999999\n"
                         "u\tx\t999999999\nu\tx\t999999999\n")
                  .ok());
  EXPECT_EQ(c.count("x"), 4294967295u);
  ASSERT_TRUE(Import(&c, "hunch-user-model 1\nu\tx\t9999999999\nb\tx\ty\t4294967295\n").ok());
  EXPECT_EQ(c.count("x"), 4294967295u);
  // A pair never counts more than its word: probabilities stay <= 1.
  const std::string x = "x";
  ASSERT_TRUE(Import(&c, "hunch-user-dictionary 2\nw\ty\t\t1\t0\t0\np\tx\ty\t4294967295\n").ok());
  EXPECT_LE(c.Prob("y", &x), 1.0);
  EXPECT_FALSE(Import(&c, "hunch-user-model 1\nu\tx\t12345678901\n").ok());
}

// Only text a person could type is learned: no control characters, white
// space, ill-formed UTF-8 or U+FFFD, from any way in.
TEST(UserCountsTest, OnlyTypeableWordsAreLearned) {
  Fixture f;
  UserCounts u(&f.lex, &f.tokenizer, UserModelOptions());
  for (const char* bad : {"thanks a lot", "\xe2\x80\xa8", "th\x01", "th\xff", "\xef\xbf\xbd", "\r", "a\tb"})
    EXPECT_EQ(LearnWord(&u, "I", bad).code(), StatusCode::kInvalidArgument) << bad;
  EXPECT_EQ(u.total(), 0u);
  Learn(&u, "you \x01 me th\xf1nks \r\n");
  EXPECT_EQ(u.count("you"), 1u);
  EXPECT_EQ(u.count("\x01"), 0u);
  EXPECT_EQ(u.count("\xef\xbf\xbd"), 0u);
  EXPECT_EQ(u.total(), 4u);  // you, me, th, nks ("th\xf1nks" splits around its U+FFFD)
  EXPECT_EQ(u.count("nks"), 1u);
  ASSERT_TRUE(LearnWord(&u, "th\x01", "ok").ok());  // the pair needs a learnable previous token
  EXPECT_EQ(u.Following("th\x01"), nullptr);
  for (const char* bad : {"u\tth\x01\t1", "u\tth\xff\t1", "u\ta b\t1", "b\tx\t\xef\xbf\xbd\t1"})
    EXPECT_FALSE(Import(&u, std::string("hunch-user-model 1\n") + bad + "\n").ok()) << bad;
  // Records read from a file are checked the same way.
  for (const char* bad : {"l\t0\t1\t\t\tth\x01\t", "l\t3\t1\t\t\tok\t", "l\t0\t1\t\tok\t", "w\tok\tOK\t1\t0\t0\textra",
                          "p\tok\t\t1", "q\ta\tb\t\t1", "d\tok", "z", ""})
    EXPECT_FALSE(u.IsValidRecord(bad)) << bad;
  EXPECT_TRUE(u.IsValidRecord("l\t0\t1\tso\tvery\tok\t"));
  EXPECT_TRUE(u.IsValidRecord("q\tso\tvery\tok\t3"));
  EXPECT_FALSE(u.IsValidRecord("l\t0\t1\t\t\tok\tNo"));  // a spelling must spell its key
}

}  // namespace
}  // namespace engine
}  // namespace hunch
