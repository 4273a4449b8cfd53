// hunch eval --model M --text FILE [--suggestions 3] [--learn] [--noise 0.25]
//            [--seed 1] [--max-tokens N] [--report DIR] [--json]
// shared/EVAL.md, implemented exactly: next-word top-1/top-3, keystroke
// savings with N suggestions (presage_simulator's rules), perplexity and OOV
// rate, typo correction on simulated touches (tools/typing_sim.h), and the
// latency of every Suggest call.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hunch/engine.h"
#include "text/tokenizer.h"
#include "text/utf8.h"
#include "tools/cli.h"
#include "tools/json_writer.h"
#include "tools/report.h"
#include "tools/typing_sim.h"

namespace hunch {
namespace cli {

namespace {

const char* kUsage =
    "hunch eval --model M --text FILE [--suggestions 3] [--learn] [--noise 0.25] [--seed 1]\n"
    "           [--max-tokens N] [--report DIR] [--set NAME=VALUE,...] [--json]\n"
    "  FILE: one line per independent context, tokens separated by single spaces\n"
    "  (shared/EVAL.md; data/test-public.tok is the standard file)\n"
    "  --set: engine options (see hunch suggest --help), e.g. --set phrases=0,savings_weight=0.5";

using Clock = std::chrono::steady_clock;

struct Totals {
  long long words = 0;          // tokens scored
  long long top1 = 0, top3 = 0;  // next-word hits
  long long keys_all = 0;       // sum of L + 1
  long long keys_cost = 0;      // keystrokes spent
  long long oov = 0;
  double nll_all = 0;           // over every token (unknown-word class for OOV)
  double nll_in_vocab = 0;      // over in-vocabulary tokens
  long long typo_words = 0, typo_literal_ok = 0, typo_top1 = 0, typo_top3 = 0;
  std::vector<double> latency_us;
  std::map<int, long long> hits_by_prefix;     // prefix length -> tokens completed there
  std::vector<long long> ksr_hits_by_slot;     // for KSR vs number of suggestions
};

bool Matches(const std::string& a_lower, const std::string& suggestion) {
  return text::Lower(suggestion) == a_lower;
}

class Progress {
 public:
  explicit Progress(long long total) : total_(total), on_(isatty(2) != 0) {}
  void Update(long long done) {
    if (!on_ || total_ <= 0) return;
    const int pct = static_cast<int>(100 * done / total_);
    if (pct == last_) return;
    last_ = pct;
    const int bar = pct / 4;
    std::fprintf(stderr, "\r[%.*s%*s] %3d%% %lld/%lld tokens", bar, "=========================", 25 - bar, "", pct,
                 done, total_);
    if (done >= total_) std::fprintf(stderr, "\n");
  }

 private:
  long long total_;
  bool on_;
  int last_ = -1;
};

}  // namespace

int EvalMain(int argc, char** argv) {
  const char* cmd = "eval";
  Args args(argc, argv, {"learn", "json", "help"});
  if (!args.ok()) return Usage(cmd, kUsage, args.error());
  if (args.Has("help")) return Help(kUsage);
  if (!args.CheckKnown({"model", "text", "suggestions", "learn", "noise", "seed", "max-tokens", "report", "json",
                        "set", "help"}))
    return Usage(cmd, kUsage, args.error());
  if (!args.Has("model") || !args.Has("text")) return Usage(cmd, kUsage, "--model and --text are required");
  long long n_sugg, seed, max_tokens;
  if (!args.GetInt("suggestions", 3, 1, 16, &n_sugg) || !args.GetInt("seed", 1, 0, (1LL << 62), &seed) ||
      !args.GetInt("max-tokens", 0, 0, (1LL << 40), &max_tokens))
    return Usage(cmd, kUsage, args.error());
  char* end = nullptr;
  const std::string noise_s = args.Get("noise", "0.25");
  const double noise = std::strtod(noise_s.c_str(), &end);
  if (end == noise_s.c_str() || *end != '\0' || !(noise >= 0 && noise <= 5))
    return Usage(cmd, kUsage, "--noise must be a number in [0, 5] (key widths)");
  const bool learn = args.Has("learn"), json = args.Has("json");

  std::string text_data, err;
  if (!ReadFile(args.Get("text"), &text_data, &err)) return Fail(cmd, err);
  std::vector<std::vector<std::string>> lines;
  long long total_tokens = 0;
  {
    size_t pos = 0;
    while (pos < text_data.size() && (max_tokens == 0 || total_tokens < max_tokens)) {
      size_t nl = text_data.find('\n', pos);
      if (nl == std::string::npos) nl = text_data.size();
      std::string line = text_data.substr(pos, nl - pos);
      pos = nl + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::vector<std::string> toks;
      size_t a = 0;
      while (a < line.size()) {
        size_t b = line.find(' ', a);
        if (b == std::string::npos) b = line.size();
        if (b > a) toks.push_back(line.substr(a, b - a));
        a = b + 1;
      }
      if (toks.empty()) continue;
      if (max_tokens && total_tokens + static_cast<long long>(toks.size()) > max_tokens)
        toks.resize(static_cast<size_t>(max_tokens - total_tokens));
      total_tokens += static_cast<long long>(toks.size());
      lines.push_back(std::move(toks));
    }
  }
  if (total_tokens == 0) return Fail(cmd, args.Get("text") + ": no tokens");

  std::shared_ptr<const Engine> engine;
  EngineOptions opts;
  if (args.Has("set") && !ApplyEngineSettings(args.Get("set"), &opts, &err)) return Usage(cmd, kUsage, err);
  Status st = Engine::Open(args.Get("model"), opts, &engine);
  if (!st.ok()) return Fail(cmd, st);
  std::unique_ptr<Session> session;
  st = engine->NewSession(&session);
  if (!st.ok()) return Fail(cmd, st);

  Totals t;
  t.ksr_hits_by_slot.assign(static_cast<size_t>(n_sugg), 0);
  TapSimulator taps(static_cast<uint64_t>(seed), noise);
  std::vector<Suggestion> out;
  Progress progress(total_tokens);
  long long done = 0;
  // keystrokes saved when only the first k suggestions are shown, k = 1..n
  std::vector<long long> cost_by_k(static_cast<size_t>(n_sugg), 0);
  auto timed_suggest = [&](const SuggestRequest& r) -> Status {
    auto a = Clock::now();
    Status s = session->Suggest(r, &out);
    t.latency_us.push_back(MicrosBetween(a, Clock::now()));
    return s;
  };

  for (const auto& toks : lines) {
    session->Reset();
    std::string context;
    for (const std::string& tok : toks) {
      const std::string target = text::Lower(tok);
      // Perplexity.
      float lp = 0;
      bool in_vocab = false;
      st = session->ScoreNextToken(context, tok, &lp, &in_vocab);
      if (!st.ok()) return Fail(cmd, st);
      t.nll_all -= lp;
      if (in_vocab) t.nll_in_vocab -= lp;
      else ++t.oov;

      // Next word and keystrokes: p = 0 .. L.
      std::vector<std::string> cps;
      for (size_t pos = 0; pos < tok.size();) {
        size_t start = pos;
        text::NextCodePoint(tok, &pos);
        cps.push_back(tok.substr(start, pos - start));
      }
      const long long L = static_cast<long long>(cps.size());
      t.keys_all += L + 1;
      long long cost = L + 1;
      std::vector<long long> cost_k(static_cast<size_t>(n_sugg), L + 1);
      std::string typed;
      SuggestRequest r;
      r.context = context;
      r.max_suggestions = static_cast<int>(n_sugg);
      for (long long p = 0; p <= L; ++p) {
        r.typed = typed;
        st = timed_suggest(r);
        if (!st.ok()) return Fail(cmd, st);
        int slot = -1;
        for (size_t i = 0; i < out.size(); ++i)
          if (Matches(target, out[i].text)) {
            slot = static_cast<int>(i);
            break;
          }
        if (p == 0) {
          if (slot == 0) ++t.top1;
          if (slot >= 0 && slot < 3) ++t.top3;
        }
        if (slot >= 0) {
          for (size_t k = static_cast<size_t>(slot); k < cost_k.size(); ++k)
            if (cost_k[k] == L + 1) cost_k[k] = std::min(cost_k[k], p + 1);
          cost = p + 1;
          ++t.hits_by_prefix[static_cast<int>(p)];
          break;
        }
        if (p < L) typed += cps[static_cast<size_t>(p)];
      }
      t.keys_cost += cost;
      for (size_t k = 0; k < cost_k.size(); ++k) cost_by_k[k] += cost_k[k];

      // Typo correction on simulated touches.
      if (TapSimulator::IsTestWord(target)) {
        std::vector<TapSimulator::Touch> touches;
        std::string literal;
        taps.Type(target, &touches, &literal);
        ++t.typo_words;
        if (literal == target) ++t.typo_literal_ok;
        SuggestRequest tr;
        tr.context = context;
        tr.typed = literal;
        tr.complete = true;
        tr.max_suggestions = 3;
        for (const auto& tp : touches)
          tr.touches.push_back(TouchPoint{static_cast<float>(tp.x), static_cast<float>(tp.y)});
        st = timed_suggest(tr);
        if (!st.ok()) return Fail(cmd, st);
        // The engine may keep the literal word (no suggestion replaces it).
        bool hit1 = !out.empty() ? Matches(target, out[0].text) : literal == target;
        bool hit3 = false;
        for (size_t i = 0; i < out.size() && i < 3; ++i) hit3 = hit3 || Matches(target, out[i].text);
        if (out.empty()) hit3 = literal == target;
        t.typo_top1 += hit1;
        t.typo_top3 += hit3;
      }

      if (learn) {
        st = session->LearnWord(context, tok);
        if (!st.ok()) return Fail(cmd, st);
      }
      context += context.empty() ? tok : " " + tok;
      ++t.words;
      progress.Update(++done);
    }
  }

  const double ksr = 100.0 * (1.0 - static_cast<double>(t.keys_cost) / static_cast<double>(t.keys_all));
  const long long in_vocab_n = t.words - t.oov;
  const double ppl_in = in_vocab_n ? std::exp(t.nll_in_vocab / in_vocab_n) : NAN;
  const double ppl_all = std::exp(t.nll_all / t.words);
  const double typo_n = static_cast<double>(std::max<long long>(t.typo_words, 1));
  const double wer = 100.0 * (1.0 - t.typo_top1 / typo_n);
  const double wer_literal = 100.0 * (1.0 - t.typo_literal_ok / typo_n);
  std::vector<double> ksr_by_k;
  for (long long c : cost_by_k)
    ksr_by_k.push_back(100.0 * (1.0 - static_cast<double>(c) / static_cast<double>(t.keys_all)));
  Percentiles lat{Percentile(t.latency_us, 50), Percentile(t.latency_us, 95), Percentile(t.latency_us, 99),
                  t.latency_us.empty() ? 0 : *std::max_element(t.latency_us.begin(), t.latency_us.end())};

  if (args.Has("report")) {
    ReportData rd;
    rd.model = args.Get("model");
    rd.text = args.Get("text");
    rd.ksr_by_suggestions = ksr_by_k;
    rd.hits_by_prefix = t.hits_by_prefix;
    rd.words = t.words;
    rd.latency_us = t.latency_us;
    rd.summary = {{"words", std::to_string(t.words)},
                  {"KSR@" + std::to_string(n_sugg), FormatFixed(ksr, 2) + "%"},
                  {"next-word top-1", FormatFixed(100.0 * t.top1 / t.words, 2) + "%"},
                  {"next-word top-3", FormatFixed(100.0 * t.top3 / t.words, 2) + "%"},
                  {"perplexity (all tokens)", FormatFixed(ppl_all, 1)},
                  {"perplexity (in vocabulary)", FormatFixed(ppl_in, 1)},
                  {"OOV rate", FormatFixed(100.0 * t.oov / t.words, 2) + "%"},
                  {"typo WER (literal)", FormatFixed(wer, 2) + "% (" + FormatFixed(wer_literal, 2) + "%)"},
                  {"Suggest p50 / p99", FormatFixed(lat.p50, 1) + " / " + FormatFixed(lat.p99, 1) + " us"}};
    std::string path;
    st = WriteReport(args.Get("report"), rd, &path);
    if (!st.ok()) return Fail(cmd, st);
    if (!json) std::printf("report: %s\n", path.c_str());
  }

  if (json) {
    JsonWriter j;
    j.BeginObject();
    j.Key("words").Value(static_cast<long long>(t.words));
    j.Key("suggestions").Value(static_cast<long long>(n_sugg));
    j.Key("learn").Value(learn);
    j.Key("top1").Value(100.0 * t.top1 / t.words);
    j.Key("top3").Value(100.0 * t.top3 / t.words);
    j.Key("ksr").Value(ksr);
    j.Key("ksr_by_suggestions").BeginArray();
    for (double v : ksr_by_k) j.Value(v);
    j.EndArray();
    j.Key("keystrokes").Value(static_cast<long long>(t.keys_cost));
    j.Key("keystrokes_without").Value(static_cast<long long>(t.keys_all));
    j.Key("ppl").Value(ppl_all);
    j.Key("ppl_in_vocab").Value(ppl_in);
    j.Key("oov_rate").Value(100.0 * t.oov / t.words);
    j.Key("typo_words").Value(static_cast<long long>(t.typo_words));
    j.Key("noise").Value(noise);
    j.Key("wer").Value(wer);
    j.Key("wer_literal").Value(wer_literal);
    j.Key("typo_top3").Value(100.0 * t.typo_top3 / typo_n);
    j.Key("latency_us").BeginObject();
    j.Key("p50").Value(lat.p50).Key("p95").Value(lat.p95).Key("p99").Value(lat.p99).Key("max").Value(lat.max);
    j.Key("calls").Value(static_cast<long long>(t.latency_us.size()));
    j.EndObject();
    j.Key("hits_by_prefix").BeginObject();
    for (const auto& kv : t.hits_by_prefix) j.Key(std::to_string(kv.first)).Value(kv.second);
    j.EndObject();
    j.EndObject();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("model            %s\n", args.Get("model").c_str());
    std::printf("text             %s: %lld tokens, %zu lines\n", args.Get("text").c_str(), t.words, lines.size());
    std::printf("next word        top-1 %.2f%%  top-3 %.2f%%\n", 100.0 * t.top1 / t.words,
                100.0 * t.top3 / t.words);
    std::printf("KSR@%lld           %.2f%% (%lld of %lld keystrokes)%s\n", n_sugg, ksr, t.keys_cost, t.keys_all,
                learn ? " with learning" : "");
    std::printf("perplexity       %.2f all tokens, %.2f in vocabulary; OOV %.2f%%\n", ppl_all, ppl_in,
                100.0 * t.oov / t.words);
    std::printf("typo correction  WER %.2f%% (literal %.2f%%), top-3 %.2f%% over %lld words, noise %.2f\n", wer,
                wer_literal, 100.0 * t.typo_top3 / typo_n, t.typo_words, noise);
    std::printf("Suggest latency  p50 %.1f us  p95 %.1f us  p99 %.1f us  max %.1f us (%zu calls)\n", lat.p50, lat.p95,
                lat.p99, lat.max, t.latency_us.size());
  }
  return 0;
}

}  // namespace cli
}  // namespace hunch
