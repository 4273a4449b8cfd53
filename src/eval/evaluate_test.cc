// eval::Evaluate and eval::ReadTokenLines on the default model: invariants of
// the shared/EVAL.md protocol that hold whatever the model predicts.
#include "eval/evaluate.h"

#include <gtest/gtest.h>

#include "testing/test_paths.h"
#include "text/unicode.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace hunch {
namespace eval {
namespace {

using Lines = std::vector<std::vector<std::string>>;

std::string ModelPath() { return hunch::testing::DefaultModelPath(); }

class EvaluateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Status s = Engine::Open(ModelPath(), EngineOptions(), &engine_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  static void TearDownTestSuite() { engine_.reset(); }

  // Evaluate with a fresh session.
  static EvalResult Run(const Lines& lines, const EvalOptions& options = EvalOptions()) {
    std::unique_ptr<Session> session;
    EXPECT_TRUE(engine_->NewSession(&session).ok());
    EvalResult r;
    Status s = Evaluate(session.get(), lines, options, &r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return r;
  }

  static std::shared_ptr<const Engine> engine_;
};
std::shared_ptr<const Engine> EvaluateTest::engine_;

// Every counter, for comparing two runs (latency aside).
void ExpectSameFigures(const EvalResult& a, const EvalResult& b) {
  EXPECT_EQ(a.words, b.words);
  EXPECT_EQ(a.top1_hits, b.top1_hits);
  EXPECT_EQ(a.top3_hits, b.top3_hits);
  EXPECT_EQ(a.keystrokes, b.keystrokes);
  EXPECT_EQ(a.keystrokes_without, b.keystrokes_without);
  EXPECT_EQ(a.keystrokes_by_suggestions, b.keystrokes_by_suggestions);
  EXPECT_EQ(a.oov, b.oov);
  EXPECT_EQ(a.nll_all, b.nll_all);
  EXPECT_EQ(a.nll_in_vocab, b.nll_in_vocab);
  EXPECT_EQ(a.typo_words, b.typo_words);
  EXPECT_EQ(a.typo_literal_ok, b.typo_literal_ok);
  EXPECT_EQ(a.typo_top1, b.typo_top1);
  EXPECT_EQ(a.typo_top3, b.typo_top3);
  EXPECT_EQ(a.hits_by_prefix, b.hits_by_prefix);
  EXPECT_EQ(a.latency_us.size(), b.latency_us.size());
  EXPECT_EQ(a.typo_latency_us.size(), b.typo_latency_us.size());
}

TEST(ReadTokenLinesTest, SplitsLinesAndTokens) {
  EXPECT_TRUE(ReadTokenLines("", 0).empty());
  EXPECT_TRUE(ReadTokenLines("\n\r\n   \n", 0).empty());
  EXPECT_EQ(ReadTokenLines("a b\r\n\r\n  \nc  d e", 0), (Lines{{"a", "b"}, {"c", "d", "e"}}));
  EXPECT_EQ(ReadTokenLines(" a  b \n", 0), (Lines{{"a", "b"}}));
  // Only a space separates tokens; only a final \r is a line end's.
  EXPECT_EQ(ReadTokenLines("a\tb c\rd\r\r\n", 0), (Lines{{"a\tb", "c\rd\r"}}));
}

TEST(ReadTokenLinesTest, MaxTokensCutsInsideALine) {
  const std::string text = "a b\n\nc d e\nf\n";
  EXPECT_EQ(ReadTokenLines(text, 0), (Lines{{"a", "b"}, {"c", "d", "e"}, {"f"}}));
  EXPECT_EQ(ReadTokenLines(text, 1), (Lines{{"a"}}));
  EXPECT_EQ(ReadTokenLines(text, 2), (Lines{{"a", "b"}}));
  EXPECT_EQ(ReadTokenLines(text, 3), (Lines{{"a", "b"}, {"c"}}));
  EXPECT_EQ(ReadTokenLines(text, 5), (Lines{{"a", "b"}, {"c", "d", "e"}}));
  EXPECT_EQ(ReadTokenLines(text, 100), ReadTokenLines(text, 0));
}

TEST_F(EvaluateTest, OneTokenLine) {
  // "café": 4 code points, 5 bytes; not a typo-test word (not a-z only).
  EvalResult r = Run({{"caf\xc3\xa9"}});
  EXPECT_EQ(r.lines, 1);
  EXPECT_EQ(r.words, 1);
  EXPECT_EQ(r.skipped_tokens, 0);
  EXPECT_EQ(r.keystrokes_without, 5);  // L + 1, L in code points
  EXPECT_GE(r.keystrokes, 1);
  EXPECT_LE(r.keystrokes, 5);
  EXPECT_EQ(r.typo_words, 0);
  EXPECT_TRUE(r.typo_latency_us.empty());
  // One Suggest call per prefix tried: up to the hit (cost p + 1) or all L + 1.
  EXPECT_EQ(static_cast<long long>(r.latency_us.size()), r.keystrokes);
  if (r.keystrokes < 5) {
    EXPECT_EQ(r.hits_by_prefix, (std::map<int, long long>{{static_cast<int>(r.keystrokes - 1), 1}}));
  } else {
    EXPECT_TRUE(r.hits_by_prefix.empty() || r.hits_by_prefix == (std::map<int, long long>{{4, 1}}));
  }
  EXPECT_EQ(r.oov + (r.nll_in_vocab != 0), 1);
  EXPECT_GT(r.nll_all, 0);
}

TEST_F(EvaluateTest, InvariantsOfASentence) {
  const Lines lines = {{"I", "will", "see", "you", "tomorrow", "."}, {"thanks", "for", "the", "quick", "reply"}};
  EvalOptions o;
  o.suggestions = 5;
  EvalResult r = Run(lines, o);
  EXPECT_EQ(r.lines, 2);
  EXPECT_EQ(r.words, 11);
  // Sum of (L + 1): 2 + 5 + 4 + 4 + 9 + 2 + 7 + 4 + 4 + 6 + 6.
  EXPECT_EQ(r.keystrokes_without, 53);
  ASSERT_EQ(r.keystrokes_by_suggestions.size(), 5u);
  for (size_t k = 1; k < 5; ++k) EXPECT_LE(r.keystrokes_by_suggestions[k], r.keystrokes_by_suggestions[k - 1]);
  EXPECT_EQ(r.keystrokes_by_suggestions.back(), r.keystrokes);
  EXPECT_LE(r.keystrokes_by_suggestions.front(), r.keystrokes_without);
  EXPECT_GE(r.keystrokes, r.words);  // at least one keystroke (the selection) per token
  const std::vector<double> by_k = r.ksr_by_suggestions();
  ASSERT_EQ(by_k.size(), 5u);
  EXPECT_DOUBLE_EQ(by_k.back(), r.ksr());
  EXPECT_DOUBLE_EQ(r.ksr(), 100.0 * (1.0 - static_cast<double>(r.keystrokes) / 53.0));
  EXPECT_LE(r.top1_hits, r.top3_hits);
  EXPECT_LE(r.top3_hits, r.words);
  long long hits = 0;
  for (const auto& kv : r.hits_by_prefix) hits += kv.second;
  EXPECT_LE(hits, r.words);
  EXPECT_LE(r.hits_by_prefix.count(0) ? r.hits_by_prefix.at(0) : 0, r.words);
  // Typo-test words: a-z only, 2+ letters (not "I", "."): 9 of them.
  EXPECT_EQ(r.typo_words, 9);
  EXPECT_LE(r.typo_top1, r.typo_top3);
  // The keystroke trace, the typo calls and the same words at the key centres.
  EXPECT_EQ(static_cast<long long>(r.latency_us.size()), r.keystrokes + 2 * r.typo_words);
  EXPECT_DOUBLE_EQ(r.wer(), 100.0 * (1.0 - r.typo_top1 / 9.0));
  EXPECT_GE(r.ppl(), 1.0);
  EXPECT_DOUBLE_EQ(r.top1(), 100.0 * r.top1_hits / 11);
  EXPECT_DOUBLE_EQ(r.oov_rate(), 100.0 * r.oov / 11);
  // The same run again gives the same figures (one seeded touch stream).
  ExpectSameFigures(Run(lines, o), r);
}

// Every call of the multiset `part` is one of `all` (the typo-correction
// calls are timed once and counted in both lists).
void ExpectSubset(std::vector<double> part, std::vector<double> all) {
  std::sort(part.begin(), part.end());
  std::sort(all.begin(), all.end());
  EXPECT_TRUE(std::includes(all.begin(), all.end(), part.begin(), part.end()));
}

TEST_F(EvaluateTest, TypoLatencyIsOneCallPerTypoWordAtEachNoise) {
  const Lines lines = {{"I", "will", "see", "you", "tomorrow", "."}, {"thanks", "for", "the", "quick", "reply"}};
  for (double noise : {0.0, 0.25, 0.5}) {
    EvalOptions o;
    o.noise = noise;
    EvalResult r = Run(lines, o);
    EXPECT_EQ(r.typo_words, 9) << noise;
    ASSERT_EQ(static_cast<long long>(r.typo_latency_us.size()), r.typo_words) << noise;
    // The keystroke trace, the typo calls, and the same words at the key centres.
    EXPECT_EQ(static_cast<long long>(r.latency_us.size()), r.keystrokes + 2 * r.typo_words) << noise;
    for (double us : r.typo_latency_us) {
      EXPECT_TRUE(std::isfinite(us)) << noise;
      EXPECT_GE(us, 0.0) << noise;
    }
    ExpectSubset(r.typo_latency_us, r.latency_us);
  }
}

TEST_F(EvaluateTest, SlowestCallsAreOrderedAndNameTheirWord) {
  const Lines lines = {{"I", "will", "see", "you", "tomorrow", "."}, {"thanks", "for", "the", "quick", "reply"}};
  EvalOptions o;
  EXPECT_TRUE(Run(lines, o).slowest_keystroke_calls.empty());  // none kept unless asked for
  o.slowest = 5;
  EvalResult r = Run(lines, o);
  ASSERT_EQ(r.slowest_keystroke_calls.size(), 5u);
  ASSERT_EQ(r.slowest_typo_calls.size(), 5u);
  // The word as the text has it for keystroke calls, lower-cased for typo calls.
  for (const auto* calls : {&r.slowest_keystroke_calls, &r.slowest_typo_calls}) {
    for (size_t i = 1; i < calls->size(); ++i) EXPECT_GE((*calls)[i - 1].us, (*calls)[i].us);
    for (const TimedCall& c : *calls) {
      ASSERT_TRUE(c.line == 1 || c.line == 2);
      const std::vector<std::string>& line = lines[c.line - 1];
      ASSERT_LT(c.context_words, line.size());
      const std::string& tok = line[c.context_words];
      EXPECT_EQ(c.word, calls == &r.slowest_typo_calls ? text::Lower(tok) : tok);
    }
  }
  // Keystroke calls type a prefix of the word; typo calls its simulated literal, of its length.
  for (const TimedCall& c : r.slowest_keystroke_calls) EXPECT_EQ(c.word.compare(0, c.typed.size(), c.typed), 0);
  for (const TimedCall& c : r.slowest_typo_calls) EXPECT_EQ(c.typed.size(), c.word.size());
  // The slowest kept are the slowest timed: none of the calls left out is slower.
  std::vector<double> typo = r.typo_latency_us;
  std::sort(typo.rbegin(), typo.rend());
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(r.slowest_typo_calls[i].us, typo[i]);
  std::vector<double> all = r.latency_us;
  std::sort(all.rbegin(), all.rend());
  // (the key-centre calls of EVAL.md 4b are in latency_us, not in the lists)
  EXPECT_LE(std::max(r.slowest_keystroke_calls[0].us, r.slowest_typo_calls[0].us), all[0]);
  // More asked for than there are: every call, once.
  o.slowest = 1000;
  r = Run(lines, o);
  EXPECT_EQ(static_cast<long long>(r.slowest_keystroke_calls.size()), r.keystrokes);
  EXPECT_EQ(static_cast<long long>(r.slowest_typo_calls.size()), r.typo_words);
}

TEST_F(EvaluateTest, ExactTouchesTypeTheWordLiterally) {
  EvalOptions o;
  o.noise = 0;
  EvalResult r = Run({{"thanks", "for", "the", "quick", "reply"}}, o);
  EXPECT_EQ(r.typo_words, 5);
  EXPECT_EQ(r.typo_literal_ok, 5);
  EXPECT_DOUBLE_EQ(r.wer_literal(), 0.0);
}

// EVAL.md 4b: what autocorrect lands. Counts within the typo words; at noise
// 0 the typo touches are the key centres, so both measures agree; the
// engine's own words typed exactly are never changed here; an engine that
// never corrects lands the literal (wer_auto = wer_literal,
// false_autocorrect = 0).
TEST_F(EvaluateTest, AutocorrectMeasures) {
  const Lines lines = {{"I", "will", "see", "you", "tomorrow", "."},
                       {"thanks", "for", "the", "quick", "reply"},
                       {"my", "name", "is", "Dominik", "and", "I", "live", "in", "Berlin"}};
  EvalResult r = Run(lines);
  ASSERT_EQ(r.typo_words, 17);
  EXPECT_GE(r.auto_wrong, 0);
  EXPECT_LE(r.auto_wrong, r.typo_words);
  EXPECT_EQ(r.false_autocorrect_words, 0);
  EXPECT_DOUBLE_EQ(r.wer_auto(), 100.0 * r.auto_wrong / r.typo_words);
  EXPECT_DOUBLE_EQ(r.false_autocorrect(), 0.0);
  EvalOptions exact;
  exact.noise = 0;
  r = Run(lines, exact);
  EXPECT_EQ(r.auto_wrong, r.false_autocorrect_words);
  EXPECT_EQ(r.typo_literal_ok, r.typo_words);

  EngineOptions none;
  none.corrections = false;
  std::shared_ptr<const Engine> literal_engine;
  ASSERT_TRUE(Engine::Open(ModelPath(), none, &literal_engine).ok());
  std::unique_ptr<Session> session;
  ASSERT_TRUE(literal_engine->NewSession(&session).ok());
  EvalOptions noisy;
  noisy.noise = 0.5;
  EvalResult lit;
  ASSERT_TRUE(Evaluate(session.get(), lines, noisy, &lit).ok());
  EXPECT_GT(lit.typo_literal_ok, 0);
  EXPECT_LT(lit.typo_literal_ok, lit.typo_words);  // noise 0.5 mistypes some
  EXPECT_DOUBLE_EQ(lit.wer_auto(), lit.wer_literal());
  EXPECT_EQ(lit.false_autocorrect_words, 0);
}

TEST_F(EvaluateTest, TokenOver256BytesIsSkippedAndCounted) {
  const std::string huge(300, 'a');
  long long last_done = -1, last_total = -1, calls = 0;
  EvalOptions o;
  o.progress = [&](long long done, long long total) {
    EXPECT_EQ(done, last_done < 0 ? 1 : last_done + 1);
    last_done = done;
    last_total = total;
    ++calls;
  };
  EvalResult r = Run({{"see", huge, "you"}, {huge}}, o);
  EXPECT_EQ(r.skipped_tokens, 2);
  EXPECT_EQ(r.words, 2);
  EXPECT_EQ(r.lines, 2);
  EXPECT_EQ(calls, 4);  // progress counts skipped tokens too
  EXPECT_EQ(last_done, 4);
  EXPECT_EQ(last_total, 4);
  // Skipped: neither scored nor context, and no touches drawn for it.
  EvalResult without = Run({{"see", "you"}});
  ExpectSameFigures(r, without);
  EXPECT_EQ(without.skipped_tokens, 0);
  // 256 bytes is still scored: 64 four-byte code points (not a typo-test word).
  std::string smileys;
  for (int i = 0; i < 64; ++i) smileys += "\xF0\x9F\x98\x80";
  ASSERT_EQ(smileys.size(), 256u);
  const EvalResult at_limit = Run({{smileys}});
  EXPECT_EQ(at_limit.words, 1);
  EXPECT_EQ(at_limit.skipped_tokens, 0);
  EXPECT_EQ(at_limit.keystrokes_without, 65);
}

TEST_F(EvaluateTest, LearningSkipsWordsTheSessionRefuses) {
  EvalOptions o;
  o.learn = true;
  std::string long_word;  // 17 four-byte code points, 68 bytes: LearnWord takes at most 64
  for (int i = 0; i < 17; ++i) long_word += "\xF0\x9F\x98\x80";
  std::unique_ptr<Session> session;
  ASSERT_TRUE(engine_->NewSession(&session).ok());
  ASSERT_EQ(session->LearnWord("see", long_word).code(), StatusCode::kInvalidArgument);
  EvalResult r = Run({{"see", long_word, "you"}}, o);
  EXPECT_EQ(r.words, 3);
  EXPECT_EQ(r.skipped_tokens, 0);
}

TEST_F(EvaluateTest, LearningChangesTheSecondPass) {
  // The same line twice: with learning the second pass knows "zorblax".
  const Lines lines = {{"the", "zorblax", "is", "here"}, {"the", "zorblax", "is", "here"}};
  EvalOptions o;
  EvalResult plain = Run(lines, o);
  o.learn = true;
  EvalResult learned = Run(lines, o);
  EXPECT_EQ(plain.keystrokes_without, learned.keystrokes_without);
  EXPECT_LT(learned.keystrokes, plain.keystrokes);
}

TEST_F(EvaluateTest, RejectsBadOptions) {
  std::unique_ptr<Session> session;
  ASSERT_TRUE(engine_->NewSession(&session).ok());
  EvalResult r;
  EvalOptions o;
  o.suggestions = 0;
  EXPECT_EQ(Evaluate(session.get(), {{"a"}}, o, &r).code(), StatusCode::kInvalidArgument);
  o.suggestions = 17;
  EXPECT_EQ(Evaluate(session.get(), {{"a"}}, o, &r).code(), StatusCode::kInvalidArgument);
  o.suggestions = 3;
  o.noise = -1;
  EXPECT_EQ(Evaluate(session.get(), {{"a"}}, o, &r).code(), StatusCode::kInvalidArgument);
  o.noise = 0.25;
  o.slowest = -1;
  EXPECT_EQ(Evaluate(session.get(), {{"a"}}, o, &r).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Evaluate(nullptr, {{"a"}}, EvalOptions(), &r).code(), StatusCode::kInvalidArgument);
}

TEST_F(EvaluateTest, EmptyInput) {
  EvalResult r = Run({});
  EXPECT_EQ(r.words, 0);
  EXPECT_EQ(r.lines, 0);
  EXPECT_EQ(r.ksr(), 0.0);
  EXPECT_EQ(r.top1(), 0.0);
  EXPECT_TRUE(std::isnan(r.ppl()));
  ASSERT_EQ(r.keystrokes_by_suggestions.size(), 3u);
}

}  // namespace
}  // namespace eval
}  // namespace hunch
