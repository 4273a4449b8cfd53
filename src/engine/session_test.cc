// Session behaviour on the shipped model: the parts working together, the
// autocorrect rule as a property, shared user models, and the hostile-input
// probe's cases (issue 12).
#include "hunch/engine.h"

#include <gtest/gtest.h>

#include "testing/test_paths.h"

#include <cmath>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine_impl.h"
#include "engine/presentation.h"
#include "eval/typing_sim.h"
#include "text/unicode.h"
#include "text/utf8.h"

namespace hunch {
namespace {

std::string ModelPath() { return hunch::testing::DefaultModelPath(); }

class SessionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const Status st = Engine::Open(ModelPath(), {}, &engine_);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  static void TearDownTestSuite() { engine_.reset(); }
  void SetUp() override { ASSERT_TRUE(engine_->NewSession(&session_).ok()); }

  std::vector<Suggestion> Suggest(const std::string& context, const std::string& typed, bool complete = false,
                                  int n = 3, Session* s = nullptr) {
    SuggestRequest r;
    r.context = context;
    r.typed = typed;
    r.complete = complete;
    r.max_suggestions = n;
    std::vector<Suggestion> out;
    const Status st = (s ? s : session_.get())->Suggest(r, &out);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  static std::shared_ptr<const Engine> engine_;
  std::unique_ptr<Session> session_;
};
std::shared_ptr<const Engine> SessionTest::engine_;

bool IsPunctuationOnly(const std::string& s) {
  for (size_t pos = 0; pos < s.size();)
    if (text::IsWordChar(text::NextCodePoint(s, &pos))) return false;
  return true;
}

// Typed strings for the autocorrect properties: common words with one letter
// changed, and random letters.
std::vector<std::string> TypedStrings(int n, unsigned seed) {
  std::mt19937 rng(seed);
  const std::vector<std::string> words = {"the", "that", "with", "have", "this", "will", "your", "from", "they",
                                          "know", "want", "been", "good", "much", "some", "time", "very", "when",
                                          "come", "here", "just", "like", "long", "make", "many", "over", "such",
                                          "take", "than", "them", "well", "were", "what", "word", "work", "year"};
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    std::string typed;
    if (i % 2 == 0) {
      typed = words[rng() % words.size()];
      typed[rng() % typed.size()] = static_cast<char>('a' + rng() % 26);
    } else {
      const int len = 1 + static_cast<int>(rng() % 6);
      for (int k = 0; k < len; ++k) typed += static_cast<char>('a' + rng() % 26);
    }
    out.push_back(typed);
  }
  return out;
}

const std::vector<std::string> kContexts = {"", "I think", "Thanks for the", "we will"};

// The autocorrect flag of a finished word, over many typed strings: set
// exactly when the first suggestion is a correction, the typed word has two
// or more code points, and it beats the literal typing by more than the
// margin: the literal's log P when the lexicon has it, else the unknown-word
// class's (ScoreNextToken) less kUnknownLiteralDiscount.
TEST_F(SessionTest, AutocorrectRuleHoldsOverManyTypedStrings) {
  const Engine::Impl& e = internal::EngineAccess::Get(*engine_);
  int flagged = 0, near_margin = 0, unknown_kept = 0, total = 0;
  const std::vector<std::string> typed_strings = TypedStrings(400, 11);
  for (size_t i = 0; i < typed_strings.size(); ++i) {
    const std::string& typed = typed_strings[i];
    const std::string& context = kContexts[i % kContexts.size()];
    const std::vector<Suggestion> out = Suggest(context, typed, /*complete=*/true);
    ++total;
    float literal = -INFINITY;
    bool in_vocab;
    ASSERT_TRUE(session_->ScoreNextToken(context, typed, &literal, &in_vocab).ok());
    const bool known = e.lexicon.Find(typed) >= 0;
    if (!known) literal -= engine::kUnknownLiteralDiscount;
    for (size_t k = 1; k < out.size(); ++k) EXPECT_FALSE(out[k].autocorrect) << typed;
    ASSERT_FALSE(out.empty()) << typed;
    const bool expect = out[0].kind == SuggestionKind::kCorrection && typed.size() >= 2 &&
                        out[0].score > literal + engine::kAutocorrectMargin;
    EXPECT_EQ(out[0].autocorrect, expect) << "typed '" << typed << "' after '" << context << "': first '"
                                          << out[0].text << "' score " << out[0].score << ", literal " << literal;
    flagged += out[0].autocorrect;
    unknown_kept += !known && typed.size() >= 2 && out[0].kind == SuggestionKind::kCorrection && !expect;
    if (out[0].kind == SuggestionKind::kCorrection && std::isfinite(literal) &&
        out[0].score > literal + 0.5f && out[0].score <= literal + engine::kAutocorrectMargin)
      ++near_margin;
  }
  EXPECT_EQ(total, 400);
  EXPECT_GT(flagged, 50);
  EXPECT_GT(near_margin, 0) << "no case between half the margin and the margin: the property would not see the margin";
  EXPECT_GT(unknown_kept, 0) << "no unknown typing kept against a correction: the property would not see its score";
}

// The flag means the word space puts in the text: the list shown while the
// word is typed flags the same word (first) as the finished word's list, or
// nothing when that flags nothing, over the same typed strings; with touches
// too.
TEST_F(SessionTest, TypingFlagAgreesWithTheFinishedWord) {
  const std::vector<std::string> typed_strings = TypedStrings(300, 23);
  int flagged = 0;
  for (size_t i = 0; i < typed_strings.size(); ++i) {
    const std::string& typed = typed_strings[i];
    const std::string& context = kContexts[i % kContexts.size()];
    const std::vector<Suggestion> done = Suggest(context, typed, /*complete=*/true);
    const std::vector<Suggestion> typing = Suggest(context, typed, /*complete=*/false);
    const bool done_flag = !done.empty() && done[0].autocorrect;
    const bool typing_flag = !typing.empty() && typing[0].autocorrect;
    ASSERT_EQ(typing_flag, done_flag) << "typed '" << typed << "' after '" << context << "'";
    if (done_flag) EXPECT_EQ(typing[0].text, done[0].text) << typed;
    for (size_t k = 1; k < typing.size(); ++k) EXPECT_FALSE(typing[k].autocorrect) << typed;
    flagged += done_flag;
  }
  EXPECT_GT(flagged, 40);
  // Touches between "t" and "y" then on "h", "e": the same answer both ways.
  SuggestRequest r;
  r.context = "I saw";
  r.typed = "yhe";
  r.touches = {{5.1f, 0.5f}, {6.0f, 1.5f}, {2.5f, 0.5f}};
  std::vector<Suggestion> a, b;
  ASSERT_TRUE(session_->Suggest(r, &a).ok());
  r.complete = true;
  ASSERT_TRUE(session_->Suggest(r, &b).ok());
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(a[0].autocorrect, b[0].autocorrect);
  EXPECT_TRUE(b[0].autocorrect) << b[0].text;
  EXPECT_EQ(b[0].text, "the");
  EXPECT_EQ(a[0].text, "the");
}

// A finished word always offers what was typed, as typed: a string no word
// is near, a name the lexicon lacks, a known word; with one slot, the literal
// unless the slot is the autocorrection.
TEST_F(SessionTest, FinishedWordAlwaysOffersTheLiteral) {
  for (const char* typed : {"qqqqqq", "Dominik", "xkcdxkcdxkcd", "the", "Thw", "zorblax"}) {
    for (int n : {1, 2, 3, 5}) {
      const std::vector<Suggestion> out = Suggest("my name is", typed, /*complete=*/true, n);
      ASSERT_FALSE(out.empty()) << typed;
      ASSERT_LE(out.size(), static_cast<size_t>(n));
      if (n == 1 && out[0].autocorrect) continue;
      int literals = 0;
      for (const Suggestion& s : out) {
        if (s.kind != SuggestionKind::kLiteral) continue;
        ++literals;
        EXPECT_EQ(text::Lower(s.text), text::Lower(typed)) << typed;
        EXPECT_TRUE(std::isfinite(s.score)) << typed;
        EXPECT_LE(s.score, 0.0f) << typed;
      }
      EXPECT_EQ(literals, 1) << typed << " with " << n << " slots";
    }
  }
  // The literal the lexicon lacks comes as typed.
  const std::vector<Suggestion> out = Suggest("my name is", "Dominik", true);
  bool as_typed = false;
  for (const Suggestion& s : out) as_typed = as_typed || (s.kind == SuggestionKind::kLiteral && s.text == "Dominik");
  EXPECT_TRUE(as_typed);
  // And a name is not autocorrected away to a word that needs two changes.
  ASSERT_FALSE(out.empty());
  EXPECT_FALSE(out[0].autocorrect) << out[0].text;
}

// A word the lexicon lacks that the user already wrote (in this context, or
// before: the user dictionary holds it), typed again exactly, is the
// finished word's first suggestion (its share outweighs a correction);
// otherwise it stays after the corrections, as before.
TEST_F(SessionTest, LiteralWrittenEarlierInTheContextComesFirst) {
  const std::vector<Suggestion> seen = Suggest("the new Matrox card beats the old", "matrox", /*complete=*/true);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen[0].kind, SuggestionKind::kLiteral) << seen[0].text;
  EXPECT_EQ(text::Lower(seen[0].text), "matrox");
  EXPECT_FALSE(seen[0].autocorrect);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_LE(seen[i].score, seen[0].score) << seen[i].text;

  const std::vector<Suggestion> unseen = Suggest("the new card beats the old", "matrox", /*complete=*/true);
  ASSERT_GE(unseen.size(), 2u);
  EXPECT_NE(unseen[0].kind, SuggestionKind::kLiteral) << unseen[0].text;
  EXPECT_EQ(unseen.back().kind, SuggestionKind::kLiteral);

  // Written once before (the user dictionary holds it, not yet suggested
  // on its own): the literal ranks by its score there too. Blocked: last.
  ASSERT_TRUE(session_->LearnWord("a new", "matrox").ok());
  const std::vector<Suggestion> learned = Suggest("the new card beats the old", "matrox", /*complete=*/true);
  ASSERT_FALSE(learned.empty());
  EXPECT_EQ(learned[0].kind, SuggestionKind::kLiteral) << learned[0].text;
  ASSERT_TRUE(session_->user_model()->Block("matrox").ok());
  const std::vector<Suggestion> blocked = Suggest("the new card beats the old", "matrox", /*complete=*/true);
  ASSERT_GE(blocked.size(), 2u);
  EXPECT_NE(blocked[0].kind, SuggestionKind::kLiteral) << blocked[0].text;
}

// Typing on toward a word never hides it: the likeliest completion of what
// is typed (the first completion a fresh session shows for it) stays in the
// list of a session that showed it for a shorter typing, over every prefix
// of many words; the case, "wi" then "wil": "will" stays.
TEST_F(SessionTest, LikeliestCompletionIsNeverHidden) {
  std::unique_ptr<Session> fresh;
  ASSERT_TRUE(engine_->NewSession(&fresh).ok());
  const std::vector<std::string> words = {"willing", "government", "something", "information", "because",
                                          "probably", "different", "question", "tomorrow", "everything"};
  int checked = 0;
  for (const std::string& word : words) {
    session_->Reset();
    for (size_t p = 1; p < word.size(); ++p) {
      const std::string typed = word.substr(0, p);
      const std::vector<Suggestion> on = Suggest("I think the", typed);
      fresh->Reset();
      const std::vector<Suggestion> alone = Suggest("I think the", typed, false, 3, fresh.get());
      const Suggestion* first = nullptr;
      for (const Suggestion& s : alone)
        if (s.kind == SuggestionKind::kCompletion) {
          first = &s;
          break;
        }
      if (!first) continue;
      bool kept = false;
      for (const Suggestion& s : on) kept = kept || s.text == first->text;
      EXPECT_TRUE(kept) << "typed '" << typed << "': '" << first->text << "' hidden";
      ++checked;
    }
  }
  EXPECT_GT(checked, 40);
  session_->Reset();
  bool shown = false;
  for (const Suggestion& s : Suggest("I", "wi")) shown = shown || s.text == "will";
  ASSERT_TRUE(shown);
  bool still = false;
  for (const Suggestion& s : Suggest("I", "wil")) still = still || s.text == "will";
  EXPECT_TRUE(still);
}

// Two sessions sharing one user model: what one learns, the other suggests;
// a session's own model stays its own; a model of another engine is refused.
// A loose typist (touches spread 0.5 key widths, the simulator of
// shared/EVAL.md) whose keyboard reports the touches of each word gets
// more of their words right at the space once the engine learned their
// spread; a private session's touches change nothing.
TEST_F(SessionTest, LearnedTouchSpreadCorrectsALooseTypist) {
  const std::vector<std::string> words = {"the", "that", "with", "have", "this", "will", "your", "from", "they",
                                          "know", "want", "been", "good", "much", "some", "time", "very", "when",
                                          "come", "here", "just", "like", "long", "make", "many", "over", "such",
                                          "take", "than", "them", "well", "were", "what", "word", "work", "year"};
  // What lands at the space for 400 loose typings (the same for each call).
  auto landed_right = [&](Session* s) {
    eval::TapSimulator sim(5, 0.5);
    int right = 0;
    for (int i = 0; i < 400; ++i) {
      const std::string& w = words[static_cast<size_t>(i) % words.size()];
      std::vector<eval::TapSimulator::Touch> t;
      std::string literal;
      sim.Type(w, &t, &literal);
      SuggestRequest r;
      r.context = "I think";
      r.typed = literal;
      r.touches = eval::TapSimulator::Points(t);
      r.complete = true;
      std::vector<Suggestion> out;
      EXPECT_TRUE(s->Suggest(r, &out).ok());
      const std::string put = !out.empty() && out[0].autocorrect ? out[0].text : literal;
      right += put == w;
    }
    return right;
  };
  std::shared_ptr<UserModel> user;
  ASSERT_TRUE(UserModel::Create(engine_, &user).ok());
  std::unique_ptr<Session> s, secret;
  ASSERT_TRUE(engine_->NewSession(user, &s).ok());
  SessionOptions po;
  po.private_mode = true;
  ASSERT_TRUE(engine_->NewSession(user, po, &secret).ok());
  const int before = landed_right(s.get());
  // Other typings of the same user (another seed), reported at commit; in
  // the private session first, which learns nothing.
  for (Session* learner : {secret.get(), s.get()}) {
    eval::TapSimulator sim(99, 0.5);
    for (int i = 0; i < 150; ++i) {
      const std::string& w = words[static_cast<size_t>(i * 7) % words.size()];
      std::vector<eval::TapSimulator::Touch> t;
      std::string literal;
      sim.Type(w, &t, &literal);
      ASSERT_TRUE(learner->LearnTouches(w, eval::TapSimulator::Points(t)).ok());
    }
    if (learner == secret.get()) {
      EXPECT_EQ(user->touch_sigma(), EngineOptions().touch_sigma);
      EXPECT_EQ(landed_right(s.get()), before);
    }
  }
  EXPECT_GT(user->touch_sigma(), 0.4f);
  const int after = landed_right(s.get());
  std::printf("loose typist: %d of 400 right before, %d after\n", before, after);
  EXPECT_GE(after, before + 40) << "before " << before << ", after " << after << " of 400";
}

TEST_F(SessionTest, SessionsShareAUserModel) {
  std::shared_ptr<UserModel> user;
  ASSERT_TRUE(UserModel::Create(engine_, &user).ok());
  std::unique_ptr<Session> a, b;
  ASSERT_TRUE(engine_->NewSession(user, &a).ok());
  ASSERT_TRUE(engine_->NewSession(user, &b).ok());
  EXPECT_EQ(a->user_model(), b->user_model());
  auto has = [](const std::vector<Suggestion>& v, const std::string& w) {
    for (const auto& s : v)
      if (s.text == w) return true;
    return false;
  };
  EXPECT_FALSE(has(Suggest("my friend", "zorb", false, 3, b.get()), "zorblax"));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(a->LearnWord("my friend", "zorblax").ok());
  EXPECT_TRUE(has(Suggest("my friend", "zorb", false, 3, b.get()), "zorblax"));
  EXPECT_EQ(user->word_count(), 3u);
  EXPECT_FALSE(has(Suggest("my friend", "zorb"), "zorblax"));  // session_ has a model of its own
  ASSERT_TRUE(session_->user_model()->Import(user->Export()).ok());
  EXPECT_TRUE(has(Suggest("my friend", "zorb"), "zorblax"));
  ASSERT_TRUE(user->Clear().ok());
  EXPECT_FALSE(has(Suggest("my friend", "zorb", false, 3, b.get()), "zorblax"));

  std::shared_ptr<const Engine> other;
  ASSERT_TRUE(Engine::Open(ModelPath(), {}, &other).ok());
  std::unique_ptr<Session> c;
  EXPECT_EQ(other->NewSession(user, &c).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->NewSession(nullptr, &c).code(), StatusCode::kInvalidArgument);
}

// Learning on one thread while another suggests (run under TSan/ASan in CI).
TEST_F(SessionTest, LearningWhileAnotherSessionSuggests) {
  std::shared_ptr<UserModel> user;
  ASSERT_TRUE(UserModel::Create(engine_, &user).ok());
  std::unique_ptr<Session> a, b;
  ASSERT_TRUE(engine_->NewSession(user, &a).ok());
  ASSERT_TRUE(engine_->NewSession(user, &b).ok());
  std::thread learner([&] {
    for (int i = 0; i < 200; ++i) EXPECT_TRUE(a->LearnWord("we met", "word" + std::to_string(i % 17)).ok());
  });
  for (int i = 0; i < 50; ++i) Suggest("we met", i % 2 ? "wo" : "", false, 3, b.get());
  learner.join();
  EXPECT_EQ(user->word_count(), 200u);
}

// The phrase look-ahead steps the LM on a branch: the context's state and
// every later score are as if it never ran.
TEST_F(SessionTest, PhraseLookAheadLeavesTheContextState) {
  float before, after;
  bool iv;
  ASSERT_TRUE(session_->ScoreNextToken("the President of the", "united", &before, &iv).ok());
  std::unique_ptr<Session> fresh;
  ASSERT_TRUE(engine_->NewSession(&fresh).ok());
  float fresh_lp;
  ASSERT_TRUE(fresh->ScoreNextToken("the President of the United States", "and", &fresh_lp, &iv).ok());
  bool phrase = false;
  for (const auto& s : Suggest("the President of the", "")) phrase = phrase || s.kind == SuggestionKind::kPhrase;
  EXPECT_TRUE(phrase) << "the test needs a context that gets a phrase";
  ASSERT_TRUE(session_->ScoreNextToken("the President of the", "united", &after, &iv).ok());
  EXPECT_EQ(before, after);
  ASSERT_TRUE(session_->ScoreNextToken("the President of the United States", "and", &after, &iv).ok());
  EXPECT_EQ(fresh_lp, after);
}

// Probe: a long word the lexicon does not know brings no common word back
// at a cost beyond the channel's limit (it used to be about -97), and
// nothing is flagged autocorrect.
TEST_F(SessionTest, LongUnknownWordsGetNoCandidatesBeyondTheCostLimit) {
  for (const char* typed : {"supercalifragilistic", "192.168.1.1", "qqqqqqqqqqqq", "xkcdxkcdxkcd"}) {
    for (bool complete : {false, true}) {
      const std::vector<Suggestion> out = Suggest("I love", typed, complete);
      for (const Suggestion& s : out) {
        EXPECT_GT(s.score, -40.0f) << typed << ": '" << s.text << "' " << s.score;
        EXPECT_FALSE(s.autocorrect) << typed << ": '" << s.text << "'";
      }
    }
  }
}

// Probe: punctuation is never offered as a correction of typed letters.
TEST_F(SessionTest, PunctuationIsNoCorrection) {
  for (const char* typed : {"a", "i", "s", "t", "ok", "th", "and", "x"}) {
    for (bool complete : {false, true})
      for (const Suggestion& s : Suggest("Hello there", typed, complete, 8))
        if (s.kind != SuggestionKind::kEmoji)
          EXPECT_FALSE(IsPunctuationOnly(s.text)) << typed << " -> '" << s.text << "'";
  }
  // Typed punctuation still finds itself.
  const std::vector<Suggestion> out = Suggest("Hello there", ",", true);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].text, ",");
}

// Probe: ill-formed UTF-8 typed is not "all capitals", and U+FFFD is never
// suggested.
TEST_F(SessionTest, IllFormedUtf8IsNotCapitalsAndReplacementCharIsNoWord) {
  for (const char* typed : {"th\xff", "\xff\xfe", "a\xc3"}) {
    for (const Suggestion& s : Suggest("I will", typed)) {
      EXPECT_EQ(engine::ApplyCase(s.text, engine::DisplayCase::kAllCaps) == s.text && s.text.size() >= 2 &&
                    text::Lower(s.text) != s.text,
                false)
          << "all caps: " << s.text;
      EXPECT_TRUE(text::IsValidUtf8(s.text));
    }
  }
  EXPECT_EQ(engine::CaseFor("THE", false), engine::DisplayCase::kAllCaps);
  EXPECT_EQ(engine::CaseFor("The", false), engine::DisplayCase::kCapitalizeFirst);
  EXPECT_EQ(engine::CaseFor("A1", false), engine::DisplayCase::kCapitalizeFirst);
  EXPECT_EQ(engine::CaseFor("\xc3\x89T\xc3\x89", false), engine::DisplayCase::kAllCaps);  // ÉTÉ
  EXPECT_EQ(engine::CaseFor("\xff\xfe", false), engine::DisplayCase::kAsIs);
  const std::string fffd = "\xef\xbf\xbd";
  for (const char* context : {"\xff \xff \xff \xff", "a \xef\xbf\xbd b \xef\xbf\xbd", ""})
    for (const Suggestion& s : Suggest(context, "", false, 16)) EXPECT_EQ(s.text.find(fffd), std::string::npos);
  for (const Suggestion& s : Suggest("x", fffd, false, 16)) EXPECT_EQ(s.text.find(fffd), std::string::npos);
}

// Probe: a 100 KB line answers like its last few KB (the work is bounded).
TEST_F(SessionTest, HugeContextLinesAreBounded) {
  std::string line;
  while (line.size() < 100000) line += "and then we went to the market ";
  line += "I will see you";
  const std::vector<Suggestion> out = Suggest(line, "tom");
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].text, "tomorrow");
}

}  // namespace
}  // namespace hunch
