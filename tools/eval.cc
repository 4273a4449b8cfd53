// hunch eval --model M --text FILE [--suggestions 3] [--learn] [--user FILE] [--noise 0.25]
//            [--seed 1] [--max-tokens N] [--slowest N] [--clock wall|cpu] [--report DIR] [--json]
// shared/EVAL.md: the protocol itself is eval::Evaluate (src/eval/evaluate.h);
// this command parses the arguments, runs it over the file and prints the
// figures (text or JSON) and, with --report, writes the HTML report.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eval/evaluate.h"
#include "hunch/engine.h"
#include "tools/cli.h"
#include "tools/json_writer.h"
#include "tools/report.h"

namespace hunch {
namespace cli {

namespace {

const char* kUsage =
    "hunch eval --model M --text FILE [--suggestions 3] [--learn] [--user FILE] [--noise 0.25] [--seed 1]\n"
    "           [--max-tokens N] [--slowest N] [--clock wall|cpu] [--report DIR] [--set NAME=VALUE,...]\n"
    "           [--json]\n"
    "  FILE: one line per independent context, tokens separated by single spaces\n"
    "  (shared/EVAL.md; data/test-public.tok is the standard file); tokens over 256 bytes are\n"
    "  skipped and counted\n"
    "  --user FILE: the session's user dictionary is FILE (hunch user; created when missing): its\n"
    "  words are suggested, and with --learn what the text teaches is written to it\n"
    "  --learn: each word is learned after it is measured, and the typo test's touches of it\n"
    "  (the user's touch spread, Session::LearnTouches)\n"
    "  --set: engine options (see hunch suggest --help), e.g. --set phrases=0,savings_weight=0.5\n"
    "  --slowest N: also list the N slowest Suggest calls of the keystroke trace and of typo\n"
    "  correction (word, what was typed of it, microseconds, line)\n"
    "  Autocorrect (shared/EVAL.md 4b): wer_auto, the words that land wrong when every flagged\n"
    "  autocorrection is taken and nothing is tapped (touches at --noise); false_autocorrect, the\n"
    "  same with every touch at its key centre (correct typing the engine changes)\n"
    "  Latency: every Suggest call (keystroke trace, typo correction, key centres), and the typo-correction\n"
    "  calls alone (one per typo-test word, at --noise); --clock cpu measures each call's thread\n"
    "  CPU time instead of wall time (leaves out preemption on a loaded machine)";

// A progress bar on stderr when it is a terminal.
class Progress {
 public:
  Progress() : on_(isatty(2) != 0) {}
  void Update(long long done, long long total) {
    if (!on_ || total <= 0) return;
    const int pct = static_cast<int>(100 * done / total);
    if (pct == last_) return;
    last_ = pct;
    const int bar = pct / 4;
    std::fprintf(stderr, "\r[%.*s%*s] %3d%% %lld/%lld tokens", bar, "=========================", 25 - bar, "", pct,
                 done, total);
    if (done >= total) std::fprintf(stderr, "\n");
  }

 private:
  bool on_;
  int last_ = -1;
};

struct EvalArgs {
  std::string model, text, report, user;
  eval::EvalOptions options;
  long long max_tokens = 0;
  bool json = false, write_report = false;
  EngineOptions engine;
};

// Fills *a from the command line. Returns -1 to go on, else the exit code
// (0 after --help, 2 after a usage error).
int ParseEvalArgs(int argc, char** argv, EvalArgs* a) {
  const char* cmd = "eval";
  Args args(argc, argv, {"learn", "json", "help"});
  if (!args.ok()) return Usage(cmd, kUsage, args.error());
  if (args.Has("help")) return Help(kUsage);
  if (!args.CheckKnown({"model", "text", "suggestions", "learn", "user", "noise", "seed", "max-tokens", "slowest",
                        "clock", "report", "json", "set", "help"}))
    return Usage(cmd, kUsage, args.error());
  if (!args.Has("model") || !args.Has("text")) return Usage(cmd, kUsage, "--model and --text are required");
  long long n_sugg, seed, slowest;
  if (!args.GetInt("suggestions", 3, 1, 16, &n_sugg) || !args.GetInt("seed", 1, 0, (1LL << 62), &seed) ||
      !args.GetInt("max-tokens", 0, 0, (1LL << 40), &a->max_tokens) ||
      !args.GetInt("slowest", 0, 0, 100000, &slowest))
    return Usage(cmd, kUsage, args.error());
  char* end = nullptr;
  const std::string noise_s = args.Get("noise", "0.25");
  const double noise = std::strtod(noise_s.c_str(), &end);
  if (end == noise_s.c_str() || *end != '\0' || !(noise >= 0 && noise <= 5))
    return Usage(cmd, kUsage, "--noise must be a number in [0, 5] (key widths)");
  const std::string clock = args.Get("clock", "wall");
  if (clock != "wall" && clock != "cpu") return Usage(cmd, kUsage, "--clock must be wall or cpu");
  a->options.clock = clock == "cpu" ? eval::LatencyClock::kThreadCpu : eval::LatencyClock::kWall;
  std::string err;
  if (args.Has("set") && !ApplyEngineSettings(args.Get("set"), &a->engine, &err)) return Usage(cmd, kUsage, err);
  a->model = args.Get("model");
  a->text = args.Get("text");
  a->report = args.Get("report");
  a->user = args.Get("user");
  a->write_report = args.Has("report");
  a->json = args.Has("json");
  a->options.suggestions = static_cast<int>(n_sugg);
  a->options.learn = args.Has("learn");
  a->options.noise = noise;
  a->options.seed = static_cast<uint64_t>(seed);
  a->options.slowest = static_cast<int>(slowest);
  return -1;
}

// The clock the latencies were measured with, as --json names it.
const char* ClockName(const EvalArgs& a) {
  return a.options.clock == eval::LatencyClock::kThreadCpu ? "thread_cpu" : "wall";
}

Percentiles LatencyPercentiles(const std::vector<double>& us) {
  return {Percentile(us, 50), Percentile(us, 95), Percentile(us, 99),
          us.empty() ? 0 : *std::max_element(us.begin(), us.end())};
}

Status WriteHtmlReport(const EvalArgs& a, const eval::EvalResult& t, std::string* path) {
  const Percentiles lat = LatencyPercentiles(t.latency_us);
  const Percentiles typo = LatencyPercentiles(t.typo_latency_us);
  ReportData rd;
  rd.model = a.model;
  rd.text = a.text;
  rd.ksr_by_suggestions = t.ksr_by_suggestions();
  rd.hits_by_prefix = t.hits_by_prefix;
  rd.words = t.words;
  rd.latency_us = t.latency_us;
  rd.typo_latency_us = t.typo_latency_us;
  rd.summary = {{"words", std::to_string(t.words)},
                {"KSR@" + std::to_string(a.options.suggestions), FormatFixed(t.ksr(), 2) + "%"},
                {"next-word top-1", FormatFixed(t.top1(), 2) + "%"},
                {"next-word top-3", FormatFixed(t.top3(), 2) + "%"},
                {"perplexity (all tokens)", FormatFixed(t.ppl(), 1)},
                {"perplexity (in vocabulary)", FormatFixed(t.ppl_in_vocab(), 1)},
                {"OOV rate", FormatFixed(t.oov_rate(), 2) + "%"},
                {"typo WER (literal)", FormatFixed(t.wer(), 2) + "% (" + FormatFixed(t.wer_literal(), 2) + "%)"},
                {"autocorrect: wer_auto / false_autocorrect",
                 FormatFixed(t.wer_auto(), 2) + "% (" + std::to_string(t.auto_wrong) + " words) / " +
                     FormatFixed(t.false_autocorrect(), 2) + "% (" + std::to_string(t.false_autocorrect_words) +
                     " words) of " + std::to_string(t.typo_words)},
                {"latency clock", ClockName(a)},
                {"Suggest p50 / p95 / p99 / max (every call)",
                 FormatFixed(lat.p50, 1) + " / " + FormatFixed(lat.p95, 1) + " / " + FormatFixed(lat.p99, 1) + " / " +
                     FormatFixed(lat.max, 1) + " us (" + std::to_string(t.latency_us.size()) + " calls)"},
                {"typo correction p50 / p95 / p99 / max",
                 FormatFixed(typo.p50, 1) + " / " + FormatFixed(typo.p95, 1) + " / " + FormatFixed(typo.p99, 1) +
                     " / " + FormatFixed(typo.max, 1) + " us (" + std::to_string(t.typo_latency_us.size()) +
                     " calls, noise " + FormatFixed(a.options.noise, 2) + ")"}};
  if (t.skipped_tokens) rd.summary.push_back({"skipped tokens (over 256 bytes)", std::to_string(t.skipped_tokens)});
  return WriteReport(a.report, rd, path);
}

void PrintJson(const EvalArgs& a, const eval::EvalResult& t) {
  const Percentiles lat = LatencyPercentiles(t.latency_us);
  JsonWriter j;
  j.BeginObject();
  j.Key("words").Value(t.words);
  j.Key("suggestions").Value(static_cast<long long>(a.options.suggestions));
  j.Key("learn").Value(a.options.learn);
  j.Key("top1").Value(t.top1());
  j.Key("top3").Value(t.top3());
  j.Key("ksr").Value(t.ksr());
  j.Key("ksr_by_suggestions").BeginArray();
  for (double v : t.ksr_by_suggestions()) j.Value(v);
  j.EndArray();
  j.Key("keystrokes").Value(t.keystrokes);
  j.Key("keystrokes_without").Value(t.keystrokes_without);
  j.Key("ppl").Value(t.ppl());
  j.Key("ppl_in_vocab").Value(t.ppl_in_vocab());
  j.Key("oov_rate").Value(t.oov_rate());
  j.Key("typo_words").Value(t.typo_words);
  j.Key("noise").Value(a.options.noise);
  j.Key("wer").Value(t.wer());
  j.Key("wer_literal").Value(t.wer_literal());
  j.Key("typo_top3").Value(t.typo_top3_rate());
  j.Key("wer_auto").Value(t.wer_auto());
  j.Key("wer_auto_words").Value(t.auto_wrong);
  j.Key("false_autocorrect").Value(t.false_autocorrect());
  j.Key("false_autocorrect_words").Value(t.false_autocorrect_words);
  j.Key("skipped_tokens").Value(t.skipped_tokens);
  j.Key("clock").Value(ClockName(a));
  j.Key("latency_us").BeginObject();
  j.Key("p50").Value(lat.p50).Key("p95").Value(lat.p95).Key("p99").Value(lat.p99).Key("max").Value(lat.max);
  j.Key("calls").Value(static_cast<long long>(t.latency_us.size()));
  j.EndObject();
  const Percentiles typo = LatencyPercentiles(t.typo_latency_us);
  j.Key("typo_latency_us").BeginObject();
  j.Key("p50").Value(typo.p50).Key("p95").Value(typo.p95).Key("p99").Value(typo.p99).Key("max").Value(typo.max);
  j.Key("calls").Value(static_cast<long long>(t.typo_latency_us.size()));
  j.EndObject();
  if (a.options.slowest > 0) {
    j.Key("slowest").BeginObject();
    for (const auto& kind : {std::make_pair("keystroke", &t.slowest_keystroke_calls),
                             std::make_pair("typo", &t.slowest_typo_calls)}) {
      j.Key(kind.first).BeginArray();
      for (const eval::TimedCall& c : *kind.second) {
        j.BeginObject();
        j.Key("us").Value(c.us).Key("word").Value(c.word).Key("typed").Value(c.typed);
        j.Key("line").Value(static_cast<long long>(c.line));
        j.Key("context_words").Value(static_cast<long long>(c.context_words));
        j.EndObject();
      }
      j.EndArray();
    }
    j.EndObject();
  }
  j.Key("hits_by_prefix").BeginObject();
  for (const auto& kv : t.hits_by_prefix) j.Key(std::to_string(kv.first)).Value(kv.second);
  j.EndObject();
  j.EndObject();
  std::printf("%s\n", j.str().c_str());
}

void PrintText(const EvalArgs& a, const eval::EvalResult& t) {
  const Percentiles lat = LatencyPercentiles(t.latency_us);
  std::printf("model            %s\n", a.model.c_str());
  std::printf("text             %s: %lld tokens, %lld lines\n", a.text.c_str(), t.words, t.lines);
  if (t.skipped_tokens)
    std::printf("skipped          %lld token%s over %zu bytes\n", t.skipped_tokens, t.skipped_tokens == 1 ? "" : "s",
                eval::kMaxTokenBytes);
  std::printf("next word        top-1 %.2f%%  top-3 %.2f%%\n", t.top1(), t.top3());
  std::printf("KSR@%d           %.2f%% (%lld of %lld keystrokes)%s\n", a.options.suggestions, t.ksr(), t.keystrokes,
              t.keystrokes_without, a.options.learn ? " with learning" : "");
  std::printf("perplexity       %.2f all tokens, %.2f in vocabulary; OOV %.2f%%\n", t.ppl(), t.ppl_in_vocab(),
              t.oov_rate());
  std::printf("typo correction  WER %.2f%% (literal %.2f%%), top-3 %.2f%% over %lld words, noise %.2f\n", t.wer(),
              t.wer_literal(), t.typo_top3_rate(), t.typo_words, a.options.noise);
  std::printf("autocorrect      wer_auto %.2f%% (%lld words, noise %.2f), false_autocorrect %.2f%% (%lld words, key centres)\n",
              t.wer_auto(), t.auto_wrong, a.options.noise, t.false_autocorrect(), t.false_autocorrect_words);
  std::printf("Suggest latency  p50 %.1f us  p95 %.1f us  p99 %.1f us  max %.1f us (%zu calls, typo and key-centre ones included; %s)\n",
              lat.p50, lat.p95, lat.p99, lat.max, t.latency_us.size(), ClockName(a));
  const Percentiles typo = LatencyPercentiles(t.typo_latency_us);
  std::printf("typo latency     p50 %.1f us  p95 %.1f us  p99 %.1f us  max %.1f us (%zu calls, noise %.2f)\n",
              typo.p50, typo.p95, typo.p99, typo.max, t.typo_latency_us.size(), a.options.noise);
  for (const auto& kind : {std::make_pair("keystroke trace", &t.slowest_keystroke_calls),
                           std::make_pair("typo correction", &t.slowest_typo_calls)}) {
    if (kind.second->empty()) continue;
    std::printf("slowest calls, %s (us, word, typed, line, context words):\n", kind.first);
    for (const eval::TimedCall& c : *kind.second)
      std::printf("  %10.1f  %-20s '%s'  line %zu  %zu\n", c.us, c.word.c_str(), c.typed.c_str(), c.line,
                  c.context_words);
  }
}

}  // namespace

int EvalMain(int argc, char** argv) {
  const char* cmd = "eval";
  EvalArgs a;
  const int code = ParseEvalArgs(argc, argv, &a);
  if (code >= 0) return code;

  std::string text_data, err;
  if (!ReadFile(a.text, &text_data, &err)) return Fail(cmd, err);
  const std::vector<std::vector<std::string>> lines = eval::ReadTokenLines(text_data, a.max_tokens);
  if (lines.empty()) return Fail(cmd, a.text + ": no tokens");

  std::shared_ptr<const Engine> engine;
  Status st = Engine::Open(a.model, a.engine, &engine);
  if (!st.ok()) return Fail(cmd, st);
  std::unique_ptr<Session> session;
  if (!a.user.empty()) {
    std::shared_ptr<UserModel> user;
    st = OpenUserDictionary(cmd, engine, a.user, &user);
    if (st.ok()) st = engine->NewSession(user, &session);
  } else {
    st = engine->NewSession(&session);
  }
  if (!st.ok()) return Fail(cmd, st);

  Progress progress;
  a.options.progress = [&progress](long long done, long long total) { progress.Update(done, total); };
  eval::EvalResult t;
  st = eval::Evaluate(session.get(), lines, a.options, &t);
  if (!st.ok()) return Fail(cmd, a.text + ": " + st.message());
  if (t.words == 0)
    return Fail(cmd, a.text + ": no tokens to score (" + std::to_string(t.skipped_tokens) + " over " +
                         std::to_string(eval::kMaxTokenBytes) + " bytes skipped)");

  if (a.write_report) {
    std::string path;
    st = WriteHtmlReport(a, t, &path);
    if (!st.ok()) return Fail(cmd, st);
    if (!a.json) std::printf("report: %s\n", path.c_str());
  }
  if (a.json)
    PrintJson(a, t);
  else
    PrintText(a, t);
  return 0;
}

}  // namespace cli
}  // namespace hunch
