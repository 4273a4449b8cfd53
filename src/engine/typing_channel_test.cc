#include "engine/typing_channel.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "engine/lexicon.h"
#include "engine/lexicon_search.h"
#include "engine/word_scores.h"

namespace hunch {
namespace engine {
namespace {

constexpr float kSigma = 0.3f;

TypingChannel Qwerty() {
  TypingChannel ch;
  ch.Init(KeyboardLayout::Qwerty(), kSigma);
  return ch;
}

std::vector<Observation> Typed(const TypingChannel& ch, const std::string& s) {
  std::vector<Observation> obs;
  ch.Observe(s, {}, &obs);
  return obs;
}

// Substitution: (d^2 - d_nearest^2) / (2 sigma^2) in key units.
TEST(TypingChannelTest, SubstitutionCostIsTheGaussianClosedForm) {
  const TypingChannel ch = Qwerty();
  std::vector<Observation> obs;
  ch.Observe("g", {TouchPoint{5.0f, 1.5f}}, &obs);  // exactly on g's centre (x = 5.0, y = 1.5)
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_FLOAT_EQ(obs[0].nearest_d2, 0.0f);
  EXPECT_FLOAT_EQ(ch.MatchCost(ch.FindCentre('g'), 'g', obs[0]), 0.0f);
  EXPECT_FLOAT_EQ(ch.MatchCost(ch.FindCentre('h'), 'h', obs[0]), 1.0f / (2 * kSigma * kSigma));
  // t is at (4.5, 0.5): d^2 = 0.25 + 1.
  EXPECT_FLOAT_EQ(ch.MatchCost(ch.FindCentre('t'), 't', obs[0]), 1.25f / (2 * kSigma * kSigma));
  // A touch between g and h, nearer g: g costs 0, h the difference of the squares.
  ch.Observe("g", {TouchPoint{5.4f, 1.5f}}, &obs);
  EXPECT_NEAR(obs[0].nearest_d2, 0.16f, 1e-6);
  EXPECT_NEAR(ch.MatchCost(ch.FindCentre('g'), 'g', obs[0]), 0.0f, 1e-6);
  EXPECT_NEAR(ch.MatchCost(ch.FindCentre('h'), 'h', obs[0]), (0.36f - 0.16f) / (2 * kSigma * kSigma), 1e-5);
  // A character without a key: exact match 0, anything else kNoKeySubCost.
  ch.Observe("\xc3\xa9", {}, &obs);  // é has no key on the QWERTY letter rows
  EXPECT_FALSE(obs[0].has_pos);
  EXPECT_EQ(ch.MatchCost(ch.FindCentre(U'\u00e9'), U'\u00e9', obs[0]), 0.0f);
  EXPECT_EQ(ch.MatchCost(ch.FindCentre('e'), 'e', obs[0]), 9.0f);
}

// A session's touch sigma (the user's spread) applies to the touches only;
// typed characters without a touch keep the engine's. KeyOffset2 measures a
// touch against the key it meant, in key widths.
TEST(TypingChannelTest, TouchSigmaAppliesToTouchesOnly) {
  const TypingChannel ch = Qwerty();
  std::vector<Observation> obs;
  ch.Observe("gh", {TouchPoint{5.0f, 1.5f}}, &obs, 0.6f);  // 'g' touched, 'h' beyond the touches: typed
  ASSERT_EQ(obs.size(), 2u);
  EXPECT_FLOAT_EQ(ch.MatchCost(ch.FindCentre('h'), 'h', obs[0]), 1.0f / (2 * 0.6f * 0.6f));
  EXPECT_FLOAT_EQ(ch.MatchCost(ch.FindCentre('j'), 'j', obs[1]), 1.0f / (2 * kSigma * kSigma));
  ch.Observe("g", {TouchPoint{5.0f, 1.5f}}, &obs, 0.0f);  // 0: the engine's
  EXPECT_FLOAT_EQ(ch.MatchCost(ch.FindCentre('h'), 'h', obs[0]), 1.0f / (2 * kSigma * kSigma));
  float d2 = -1;
  ASSERT_TRUE(ch.KeyOffset2('t', TouchPoint{5.0f, 1.5f}, &d2));  // t at (4.5, 0.5)
  EXPECT_FLOAT_EQ(d2, 1.25f);
  EXPECT_FALSE(ch.KeyOffset2(U'\u00e9', TouchPoint{5.0f, 1.5f}, &d2));
}

// The costs as numbers (docs/engine.md), not as the constants that hold
// them, so that changing a cost fails here and shows in the diff.
TEST(TypingChannelTest, AlignCostsAreTheEditCosts) {
  const TypingChannel ch = Qwerty();
  EXPECT_EQ(ch.Align("the", Typed(ch, "the"), true), 0.0f);
  EXPECT_EQ(ch.Align("the", Typed(ch, "teh"), true), 5.5f);     // transposition
  EXPECT_EQ(ch.Align("the", Typed(ch, "te"), true), 8.0f);      // omission
  EXPECT_EQ(ch.Align("the", Typed(ch, "thee"), true), 8.0f);    // insertion
  EXPECT_EQ(ch.Align("don't", Typed(ch, "dont"), true), 0.3f);  // omitted apostrophe
  EXPECT_EQ(ch.Align("x-ray", Typed(ch, "xray"), true), 1.5f);  // omitted hyphen
  EXPECT_EQ(ch.Align("the", Typed(ch, "tee"), true), 16.0f);  // h omitted, e inserted: cheaper than e for h
  EXPECT_EQ(TypingChannel::kMaxCost, 24.0f);
  // Completion: the best non-empty prefix.
  EXPECT_EQ(ch.Align("there", Typed(ch, "th"), false), 0.0f);
  EXPECT_EQ(ch.Align("there", Typed(ch, "the"), false), 0.0f);
  // Neighbour key, key centres: 1 key width away.
  EXPECT_FLOAT_EQ(ch.Align("the", Typed(ch, "thw"), true), 1.0f / (2 * kSigma * kSigma));
  // Costlier than kMaxCost: +inf, and the empty prefix is no completion.
  EXPECT_EQ(ch.Align("a", Typed(ch, "qqqqqq"), true), kInf);
  EXPECT_EQ(ch.Align("zz", Typed(ch, "ppppp"), false), kInf);
}

// The lexicon search and Align share one recurrence: every candidate the
// search emits costs exactly what Align says, and every correctable word
// whose score comes within the beam of the best is emitted (the pruning is
// exact), over random typed strings.
TEST(TypingChannelTest, SearchCostsEqualAlignAndThePruningIsExact) {
  std::mt19937 rng(7);
  const char letters[] = "abcdeghilnorst'";
  std::vector<std::string> vocab = {"<unk>", "<s>", "</s>"};
  std::string tsv;
  for (int i = 0; i < 400; ++i) {
    std::string w;
    const int len = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < len; ++k) w += letters[rng() % (k == 0 ? 14 : 15)];
    tsv += w + "\t" + std::to_string(2 + rng() % 50) + "\n";
  }
  tsv += ",\t1000\n.\t1000\n";
  Lexicon lex;
  ASSERT_TRUE(lex.Build(vocab, 3, tsv, "", 1).ok());
  const TypingChannel ch = Qwerty();
  std::vector<float> lm(vocab.size(), -1.0f);  // P(<unk>) = e^-1; words by their tail share
  WordScores scores;
  scores.Init(&lex, 0, 0.0f, 0.0f);
  ContextWindow window;
  scores.Update(lm.data(), window, nullptr, 0);
  const LexiconSearch search(lex, ch, scores);
  int checked = 0;
  for (int trial = 0; trial < 120; ++trial) {
    std::string typed;
    const int len = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < len; ++k) typed += letters[rng() % 14];
    const std::vector<Observation> obs = Typed(ch, typed);
    for (bool complete : {false, true}) {
      std::vector<Candidate> out;
      search.Run(obs, typed, complete, 100000, {}, &out);
      float best = kNegInf;
      for (const Candidate& c : out) {
        ASSERT_GE(c.word, 0);
        const std::string_view key = lex.key(c.word);
        const float align = ch.Align(key, obs, complete);
        if (c.cost > 0) EXPECT_EQ(c.cost, align) << key << " typed " << typed << " complete " << complete;
        EXPECT_LE(c.cost, TypingChannel::kMaxCost);
        EXPECT_TRUE(LexiconSearch::IsCorrectable(key) || c.cost == 0) << key;
        best = std::max(best, c.score);
        ++checked;
      }
      // Completeness: every correctable word scoring above best - kBeam is there.
      for (size_t i = 0; i < lex.size(); ++i) {
        const std::string_view key = lex.key(i);
        if (!LexiconSearch::IsCorrectable(key)) continue;
        const float cost = ch.Align(key, obs, complete);
        if (!(cost <= TypingChannel::kMaxCost) || cost == 0) continue;
        if (scores.lexicon(i) - cost > best - LexiconSearch::kBeam + 1e-3f) {
          bool found = false;
          for (const Candidate& c : out) found = found || c.word == static_cast<int32_t>(i);
          EXPECT_TRUE(found) << key << " (cost " << cost << ") missing for " << typed << " complete " << complete;
        }
      }
    }
  }
  EXPECT_GT(checked, 500);
}

}  // namespace
}  // namespace engine
}  // namespace hunch
