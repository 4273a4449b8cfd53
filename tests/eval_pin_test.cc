// Golden test: the exact figures of the evaluation protocol (shared/EVAL.md,
// eval::Evaluate, what `hunch eval` reports) on two models:
//   tests/testdata/tiny.hunch on tests/testdata/tiny-test.tok (the first 11
//     lines, 305 tokens, of data/test-public.tok: the EVAL.md rule with a
//     300-token cap, `train/data.py --cap 300`);
//   models/en.hunch on the first 500 tokens of data/test-public.tok;
// each without and with online learning (EvalOptions::learn).
// Every count is pinned exactly and the perplexities to a relative 1e-4.
// Kernel sets (docs/kernels.md): the LM's int8 GEMVs are bit-exact across
// sets, but its float paths are only within stated tolerances of the
// reference. All counts here agree between HUNCH_KERNELS=reference and avx2;
// the perplexities of models/en.hunch do not (relative 2.4e-4 to 3.2e-4): the
// two LMs agree to 1e-6 per token up to the 121st token of the 500 ("them",
// line 5), where they part by 3e-3 in one step (a jump, not a drift, as when
// one value lands on the other side of an int8 rounding), and stay up to
// 0.064 apart to the end of that line; 32 of the 500 tokens differ by more
// than 1e-5. The tiny model's agree to 1e-8. So each perplexity is pinned
// for the set the process runs (hunch::ActiveKernelIsa()): avx2 and
// reference as measured; on any other set (NEON, under qemu in CI) the runs
// use the reference kernels, whose figures do not depend on the CPU.
#include <gtest/gtest.h>

#include "testing/scoped_kernel_isa.h"
#include "testing/test_paths.h"

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "eval/evaluate.h"
#include "hunch/engine.h"
#include "hunch/kernels.h"

namespace hunch {
namespace {

using testing::ScopedKernelIsa;

std::string Root() { return testing::SourceRoot(); }

struct Pins {
  long long words, top1_hits, top3_hits, keystrokes, keystrokes_without;
  std::vector<long long> keystrokes_by_suggestions;
  long long oov, typo_words, typo_literal_ok, typo_top1, typo_top3;
  long long auto_wrong, false_autocorrect_words;  // EVAL.md 4b
  double ppl, ppl_in_vocab;                      // avx2 kernels
  double ppl_reference, ppl_in_vocab_reference;  // HUNCH_KERNELS=reference
  std::map<int, long long> hits_by_prefix;
  long long suggest_calls;
};

void RunEval(const std::string& model, const std::string& text_file, long long max_tokens, bool learn,
         eval::EvalResult* r) {
  // Kernel sets whose figures were not measured run the reference kernels.
  const std::string isa = ActiveKernelIsa();
  std::unique_ptr<ScopedKernelIsa> reference;
  if (isa != "avx2" && isa != "reference") {
    reference.reset(new ScopedKernelIsa("reference"));
    ASSERT_TRUE(reference->ok());
  }
  std::shared_ptr<const Engine> engine;
  Status s = Engine::Open(Root() + model, EngineOptions(), &engine);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::unique_ptr<Session> session;
  ASSERT_TRUE(engine->NewSession(&session).ok());
  std::ifstream f(Root() + text_file, std::ios::binary);
  ASSERT_TRUE(f.good()) << "cannot read " << Root() + text_file;
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string text = ss.str();
  eval::EvalOptions options;
  options.learn = learn;  // suggestions 3, noise 0.25, seed 1: the defaults of `hunch eval`
  s = eval::Evaluate(session.get(), eval::ReadTokenLines(text, max_tokens), options, r);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

void ExpectPins(const eval::EvalResult& r, const Pins& p) {
  EXPECT_EQ(r.words, p.words);
  EXPECT_EQ(r.skipped_tokens, 0);
  EXPECT_EQ(r.top1_hits, p.top1_hits);
  EXPECT_EQ(r.top3_hits, p.top3_hits);
  EXPECT_EQ(r.keystrokes, p.keystrokes);
  EXPECT_EQ(r.keystrokes_without, p.keystrokes_without);
  EXPECT_EQ(r.keystrokes_by_suggestions, p.keystrokes_by_suggestions);
  EXPECT_EQ(r.oov, p.oov);
  EXPECT_EQ(r.typo_words, p.typo_words);
  EXPECT_EQ(r.typo_literal_ok, p.typo_literal_ok);
  EXPECT_EQ(r.typo_top1, p.typo_top1);
  EXPECT_EQ(r.typo_top3, p.typo_top3);
  EXPECT_EQ(r.auto_wrong, p.auto_wrong);
  EXPECT_EQ(r.false_autocorrect_words, p.false_autocorrect_words);
  const std::string isa = ActiveKernelIsa();
  const bool avx2 = isa == "avx2";  // any other set ran the reference kernels (RunEval)
  const double ppl = avx2 ? p.ppl : p.ppl_reference;
  const double ppl_in_vocab = avx2 ? p.ppl_in_vocab : p.ppl_in_vocab_reference;
  const double rel = 1e-4;
  EXPECT_NEAR(r.ppl(), ppl, rel * ppl) << "kernels " << isa;
  EXPECT_NEAR(r.ppl_in_vocab(), ppl_in_vocab, rel * ppl_in_vocab) << "kernels " << isa;
  EXPECT_EQ(r.hits_by_prefix, p.hits_by_prefix);
  EXPECT_EQ(static_cast<long long>(r.latency_us.size()), p.suggest_calls);
}

// These figures change only deliberately: a change to the engine, the model
// or the protocol that moves them must say so, and why, in the commit that
// makes it, with the new figures. `scripts/eval_pins.py` prints all four
// lines from the commands below. Regenerate them with
//   build/hunch eval --model tests/testdata/tiny.hunch --text tests/testdata/tiny-test.tok --json [--learn]
// and turn the percentages back into counts: top1_hits = top1 * words / 100,
// top3_hits likewise, oov = oov_rate * words / 100, keystrokes_by_suggestions
// [k] = keystrokes_without * (1 - ksr_by_suggestions[k] / 100), typo_top1 =
// typo_words * (1 - wer / 100), typo_literal_ok = typo_words * (1 -
// wer_literal / 100), typo_top3 = typo_words * typo_top3 / 100;
// suggest_calls = latency_us.calls; ppl, ppl_in_vocab and hits_by_prefix as
// printed (ppl_reference, ppl_in_vocab_reference: the same command with
// HUNCH_KERNELS=reference in the environment). Measured on an x86-64 CPU
// with AVX2 after the engine was split into parts (docs/engine.md), which
// moved them from the figures of commit 2c85ade: the perplexities, now of
// the distribution Suggest ranks (context cache and user model included),
// and a few counts, by the exact search (a transposition from the parent
// column, a completion past a dead column) and the context cache applying
// to the user's words the lexicon lacks. The learning figures moved again
// with the user dictionary (issue 13): a new word is suggested once typed
// twice or picked once, the user model has triples and a recency share,
// and a word taken from the suggestions is learned as picked. Issue 14 moved
// them again: the likeliest completion is never hidden as passed over, a
// typing list puts first the autocorrection space would make, a finished
// word's list always offers the literal (typo_top3 up), an unknown literal
// is weighed by the unknown-word class, and the EVAL.md 4b counts
// (auto_wrong, false_autocorrect_words) and key-centre calls came in; the
// default model's moved with models/en.hunch (the new lexicon, all-int4
// weights: scripts/build_default_model.sh --from-model).
const Pins kTiny{305, 23, 60, 955, 1474, {1303, 1138, 955}, 88, 208, 144, 190, 200, 12, 2, 788.0617039014626, 158.69608208981967, 788.0617159140095, 158.69608479239784, {{0, 60}, {1, 67}, {2, 30}, {3, 33}, {4, 18}, {5, 6}, {6, 6}}, 1371};
// --learn
const Pins kTinyLearning{305, 25, 62, 947, 1474, {1277, 1108, 947}, 88, 208, 144, 191, 200, 11, 1, 778.6924379045386, 164.24906550529025, 778.6924436872271, 164.24906866335715, {{0, 62}, {1, 70}, {2, 21}, {3, 38}, {4, 17}, {5, 6}, {6, 5}}, 1363};

// These figures change only deliberately (see above). Regenerate them with
//   build/hunch eval --model models/en.hunch --text data/test-public.tok --max-tokens 500 --json [--learn]
// converted as above. They move whenever models/en.hunch is rebuilt
// (scripts/build_default_model.sh): update them in the same commit.
const Pins kDefault500{500, 103, 151, 1434, 2508, {2033, 1683, 1434}, 35, 348, 242, 344, 346, 5, 1, 330.426856719853, 183.00850633632572, 330.42693568317344, 183.0085537376988, {{0, 151}, {1, 115}, {2, 53}, {3, 39}, {4, 21}, {5, 18}, {6, 8}, {7, 2}, {8, 1}}, 2130};
// --learn
const Pins kDefault500Learning{500, 119, 170, 1383, 2508, {2000, 1601, 1383}, 35, 348, 242, 344, 346, 3, 0, 254.97527306750467, 162.7798093293615, 254.97532037798197, 162.77984247412704, {{0, 170}, {1, 114}, {2, 52}, {3, 34}, {4, 22}, {5, 14}, {6, 7}, {7, 2}, {8, 1}}, 2079};

TEST(EvalPinTest, TinyModel) {
  eval::EvalResult r;
  ASSERT_NO_FATAL_FAILURE(RunEval("tests/testdata/tiny.hunch", "tests/testdata/tiny-test.tok", 0, false, &r));
  EXPECT_EQ(r.lines, 11);
  ExpectPins(r, kTiny);
}

TEST(EvalPinTest, TinyModelLearning) {
  eval::EvalResult r;
  ASSERT_NO_FATAL_FAILURE(RunEval("tests/testdata/tiny.hunch", "tests/testdata/tiny-test.tok", 0, true, &r));
  ExpectPins(r, kTinyLearning);
}

TEST(EvalPinTest, DefaultModel500Tokens) {
  eval::EvalResult r;
  ASSERT_NO_FATAL_FAILURE(RunEval("models/en.hunch", "data/test-public.tok", 500, false, &r));
  EXPECT_EQ(r.lines, 20);
  ExpectPins(r, kDefault500);
}

TEST(EvalPinTest, DefaultModel500TokensLearning) {
  eval::EvalResult r;
  ASSERT_NO_FATAL_FAILURE(RunEval("models/en.hunch", "data/test-public.tok", 500, true, &r));
  ExpectPins(r, kDefault500Learning);
}

// The reference kernels, whatever the CPU: the figures every other kernel set
// is held to.
TEST(EvalPinTest, ReferenceKernels) {
  ScopedKernelIsa reference("reference");
  ASSERT_TRUE(reference.ok());
  eval::EvalResult r;
  ASSERT_NO_FATAL_FAILURE(RunEval("tests/testdata/tiny.hunch", "tests/testdata/tiny-test.tok", 0, false, &r));
  ExpectPins(r, kTiny);
  ASSERT_NO_FATAL_FAILURE(RunEval("models/en.hunch", "data/test-public.tok", 500, true, &r));
  ExpectPins(r, kDefault500Learning);
}

}  // namespace
}  // namespace hunch
