#include "engine/ranking.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/emoji.h"

namespace hunch {
namespace engine {
namespace {

Lexicon SmallLexicon() {
  Lexicon lex;
  const std::vector<std::string> vocab = {"<unk>", "<s>", "</s>", "the", "they", "then", "there", "thermometer"};
  EXPECT_TRUE(lex.Build(vocab, 3, "", "", 1).ok());
  return lex;
}

Candidate Cand(const Lexicon& lex, const char* key, float score, float cost = 0) {
  Candidate c;
  c.word = lex.Find(key);
  c.cost = cost;
  c.log_prob = score + cost;
  c.score = score;
  return c;
}

std::vector<std::string> Keys(const Lexicon& lex, const std::vector<const Candidate*>& v) {
  std::vector<std::string> r;
  for (const Candidate* c : v) r.emplace_back(c->key(lex));
  return r;
}

TEST(RankingTest, OrderDuplicatesTypedWordAndSavings) {
  const Lexicon lex = SmallLexicon();
  std::vector<Candidate> c = {Cand(lex, "they", -3), Cand(lex, "the", -1), Cand(lex, "then", -2),
                              Cand(lex, "the", -1.5f, 1), Cand(lex, "thermometer", -4)};
  RankCandidates(lex, 2, 0.0f, &c);
  EXPECT_EQ(c[0].key(lex), "the");
  EXPECT_EQ(c[4].key(lex), "thermometer");
  PassedOver passed;
  SelectOptions o;
  o.max = 3;
  EXPECT_EQ(Keys(lex, SelectCandidates(lex, c, "th", passed, o)), (std::vector<std::string>{"the", "then", "they"}));
  // While typing, the typed word itself is not offered.
  o.typing = true;
  EXPECT_EQ(Keys(lex, SelectCandidates(lex, c, "the", passed, o)),
            (std::vector<std::string>{"then", "they", "thermometer"}));
  EXPECT_EQ(LiteralScore(lex, c, "the"), -1.0f);
  EXPECT_EQ(LiteralScore(lex, c, "there"), kNegInf);
  // Savings: rank = score + log1p(w * characters left); with w = 1,
  // thermometer (9 left) overtakes they (2 left): -4 + log 10 > -3 + log 3.
  RankCandidates(lex, 2, 1.0f, &c);
  EXPECT_FLOAT_EQ(c[0].rank, -1 + std::log1p(1.0f));
  bool thermo_before_they = false;
  for (const Candidate& k : c) {
    if (k.key(lex) == "they") break;
    thermo_before_they = thermo_before_they || k.key(lex) == "thermometer";
  }
  EXPECT_TRUE(thermo_before_they);
}

TEST(RankingTest, PassedOverWordsMakeWayThenFillFreeSlots) {
  const Lexicon lex = SmallLexicon();
  std::vector<Candidate> c = {Cand(lex, "the", -1), Cand(lex, "then", -2), Cand(lex, "they", -3),
                              Cand(lex, "there", -4)};
  PassedOver passed;
  const std::vector<int32_t> ids = {1, 7};
  passed.Update(ids, "t");
  passed.Remember(ids, "t", {"the", "then"});
  passed.Update(ids, "th");  // typed on: the and then were passed over
  EXPECT_TRUE(passed.Contains("the"));
  EXPECT_EQ(passed.size(), 2u);
  SelectOptions o;
  o.max = 3;
  o.typing = true;
  // "the", the likeliest completion of "th", stays (the user may be typing
  // toward it); "then" makes way, and fills the slot left free.
  EXPECT_EQ(Keys(lex, SelectCandidates(lex, c, "th", passed, o)), (std::vector<std::string>{"the", "they", "there"}));
  o.max = 4;
  EXPECT_EQ(Keys(lex, SelectCandidates(lex, c, "th", passed, o)),
            (std::vector<std::string>{"the", "they", "there", "then"}));
  o.max = 3;
  o.skip_passed_over = false;
  EXPECT_EQ(Keys(lex, SelectCandidates(lex, c, "th", passed, o)), (std::vector<std::string>{"the", "then", "they"}));
  // A new context forgets them; the same request keeps them.
  passed.Remember(ids, "th", {"they"});
  passed.Update(ids, "th");
  EXPECT_EQ(passed.size(), 2u);
  passed.Update({1, 9}, "th");
  EXPECT_EQ(passed.size(), 0u);
}

// The autocorrection goes first: moved there when shown, else it comes in
// and the last entry goes, but never the likeliest completion.
TEST(RankingTest, PutFirstKeepsTheLikeliestCompletion) {
  const Lexicon lex = SmallLexicon();
  std::vector<Candidate> c = {Cand(lex, "the", -1), Cand(lex, "then", -2), Cand(lex, "they", -3),
                              Cand(lex, "there", -4)};
  Candidate fix = Cand(lex, "thermometer", -5);
  fix.cost = 3;
  std::vector<const Candidate*> chosen = {&c[0], &c[1], &c[2]};
  PutFirst(lex, &c[2], "th", 3, &chosen);  // shown already: moved
  EXPECT_EQ(Keys(lex, chosen), (std::vector<std::string>{"they", "the", "then"}));
  PutFirst(lex, &fix, "th", 3, &chosen);  // new: "then" goes, "the" (the likeliest completion) stays
  EXPECT_EQ(Keys(lex, chosen), (std::vector<std::string>{"thermometer", "they", "the"}));
  chosen = {&c[0], &c[1]};
  PutFirst(lex, &fix, "th", 3, &chosen);  // room for it
  EXPECT_EQ(Keys(lex, chosen), (std::vector<std::string>{"thermometer", "the", "then"}));
  chosen = {&c[0]};
  PutFirst(lex, &fix, "th", 1, &chosen);  // one slot: the autocorrection
  EXPECT_EQ(Keys(lex, chosen), (std::vector<std::string>{"thermometer"}));
}

TEST(EmojiTableTest, BuildPlacementAndErrors) {
  EmojiTable t;
  ASSERT_TRUE(t.Build("A\tlove\nB\tlove\nC\tlove\nD\tlove\nE\tlove\nW\tworld\n").ok());
  EXPECT_EQ(t.Find("love"), (std::vector<std::string_view>{"A", "B", "C", "D"}));  // kMaxPerKeyword, file order
  EXPECT_TRUE(t.Find("hate").empty());
  std::vector<Suggestion> out(2);
  out[0].score = -1;
  out[1].score = -5;
  t.Offer("love", -3, 3, &out);  // a free slot
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].text, "A");
  EXPECT_EQ(out[2].kind, SuggestionKind::kEmoji);
  out.resize(2);
  t.Offer("love", -6, 2, &out);  // full, and the keyword is less likely than the last: stays out
  EXPECT_NE(out[1].text, "A");
  t.Offer("love", -4, 2, &out);  // likelier than the last: takes its place
  EXPECT_EQ(out[1].text, "A");
  EXPECT_EQ(out[1].score, -4);
  // Dropped emoji give way to the keyword's next one; a keyword with all
  // of its emoji dropped offers none.
  t.Drop({"A", "W", "not held"});
  EXPECT_EQ(t.Find("love"), (std::vector<std::string_view>{"B", "C", "D"}));
  out[1].text = "x";
  out[1].score = -5;
  t.Offer("love", -4, 2, &out);
  EXPECT_EQ(out[1].text, "B");
  out.resize(2);
  t.Offer("world", 0, 3, &out);
  EXPECT_EQ(out.size(), 2u);
  Status st = t.Build("A\tlove\nno tab\n");
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace engine
}  // namespace hunch
