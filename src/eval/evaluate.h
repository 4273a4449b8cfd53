// The evaluation protocol of shared/EVAL.md as a library: next-word top-1 and
// top-3, keystroke savings with N suggestions (presage_simulator's rules),
// perplexity and OOV rate, typo correction on simulated touches
// (eval/typing_sim.h), what autocorrect puts in the text (wer_auto,
// false_autocorrect), and the latency of every Suggest call (the
// typo-correction calls also on their own). `hunch eval`
// (tools/eval.cc) and `hunch quantize --eval-text` (tools/quantize.cc) call it.
//
//   std::string text = ...;                      // a .tok file
//   auto lines = eval::ReadTokenLines(text, 0);
//   eval::EvalResult r;
//   Status s = eval::Evaluate(session.get(), lines, eval::EvalOptions(), &r);
//   if (s.ok()) printf("KSR %.2f%%\n", r.ksr());
#ifndef HUNCH_EVAL_EVALUATE_H_
#define HUNCH_EVAL_EVALUATE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "hunch/engine.h"
#include "hunch/status.h"

namespace hunch {
namespace eval {

// Tokens longer than this many bytes are skipped (the engine takes typed
// words of at most 256 bytes): not scored, not context, not learned, counted
// in EvalResult::skipped_tokens.
constexpr size_t kMaxTokenBytes = 256;

// What a call's latency is measured with: the wall clock (steady_clock, the
// default: what a user waits), or the calling thread's CPU time
// (CLOCK_THREAD_CPUTIME_ID: leaves out the time the thread was not running,
// for ranking calls on a loaded machine).
enum class LatencyClock { kWall, kThreadCpu };

struct EvalOptions {
  int suggestions = 3;   // 1..16, the KSR protocol's list length
  bool learn = false;    // Session::LearnWord after every token
  double noise = 0.25;   // touch sigma (key widths) of the typo simulation
  uint64_t seed = 1;
  int slowest = 0;       // keep the `slowest` slowest calls of each kind (EvalResult::slowest_*)
  LatencyClock clock = LatencyClock::kWall;
  std::function<void(long long done, long long total)> progress;  // optional
};

// One timed Suggest call, for the lists of the slowest.
struct TimedCall {
  double us = 0;
  size_t line = 0;         // index in the lines given to Evaluate, from 1
  size_t context_words = 0;  // tokens of the line before the word
  std::string word;        // the token typed
  std::string typed;       // what the call had typed of it: a prefix, or the simulated literal of a typo call
};

struct EvalResult {
  long long lines = 0, words = 0;                     // words = tokens scored
  long long top1_hits = 0, top3_hits = 0;             // next-word
  long long keystrokes = 0, keystrokes_without = 0;   // KSR@suggestions: spent vs sum of (L + 1)
  std::vector<long long> keystrokes_by_suggestions;   // index k-1: spent when only the first k suggestions are shown
  long long oov = 0;
  double nll_all = 0;       // -ln P over every token (the unknown-word class for OOV ones)
  double nll_in_vocab = 0;  // the same over in-vocabulary tokens
  long long typo_words = 0, typo_literal_ok = 0, typo_top1 = 0, typo_top3 = 0;
  // EVAL.md 4b, over the same typo words: the word that lands at the space
  // (the first suggestion when flagged autocorrect, else the literal) is not
  // the target, with the touches at EvalOptions::noise (auto_wrong) and with
  // touches exactly at the key centres (false_autocorrect_words).
  long long auto_wrong = 0, false_autocorrect_words = 0;
  long long skipped_tokens = 0;                       // tokens over 256 bytes, skipped and counted
  std::map<int, long long> hits_by_prefix;            // prefix length -> tokens completed there
  std::vector<double> latency_us;      // every Suggest call: the keystroke trace, the typo and the key-centre calls
  std::vector<double> typo_latency_us; // the typo-correction calls alone (one per typo word, at EvalOptions::noise)
  // With EvalOptions::slowest = N: the N slowest calls of the keystroke
  // trace (next word and prefixes) and of typo correction, slowest first.
  std::vector<TimedCall> slowest_keystroke_calls, slowest_typo_calls;

  // Percentages (0 when nothing was counted), perplexities (NaN when no token).
  double ksr() const;
  double top1() const;
  double top3() const;
  double ppl() const;
  double ppl_in_vocab() const;
  double oov_rate() const;
  double wer() const;
  double wer_literal() const;
  double typo_top3_rate() const;
  double wer_auto() const;           // 100 auto_wrong / typo_words
  double false_autocorrect() const;  // 100 false_autocorrect_words / typo_words
  std::vector<double> ksr_by_suggestions() const;  // [k-1] = KSR with k suggestions
};

// A .tok text: one line per independent context, tokens separated by spaces
// (LF or CRLF line ends; lines without tokens are dropped); at most
// max_tokens tokens (0 = all), the last line cut where the count is reached.
std::vector<std::vector<std::string>> ReadTokenLines(std::string_view text, long long max_tokens);

// Runs the protocol over `lines` with `session` (reset at every line; with
// options.learn, what it learns stays in the session). A word the session
// refuses to learn (Status kInvalidArgument from LearnWord, e.g. over 64
// bytes) is simply not learned. Any other failure returns a Status that
// names the line (its index in `lines`, from 1) and the token.
Status Evaluate(Session* session, const std::vector<std::vector<std::string>>& lines, const EvalOptions& options,
                EvalResult* result);

}  // namespace eval
}  // namespace hunch

#endif  // HUNCH_EVAL_EVALUATE_H_
