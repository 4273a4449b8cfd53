#include "eval/evaluate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

#include "eval/typing_sim.h"
#include "text/unicode.h"
#include "text/utf8.h"

namespace hunch {
namespace eval {

namespace {

using Clock = std::chrono::steady_clock;

// Microseconds on `clock` since an arbitrary start.
double NowUs(LatencyClock clock) {
  if (clock == LatencyClock::kThreadCpu) {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
  }
  return std::chrono::duration<double, std::micro>(Clock::now().time_since_epoch()).count();
}

bool Matches(const std::string& target_lower, const std::string& suggestion) {
  return text::Lower(suggestion) == target_lower;
}

double Percent(long long part, long long whole) { return whole ? 100.0 * part / whole : 0.0; }

// 100 (1 - spent / without): the keystroke savings rate.
double Savings(long long spent, long long without) {
  return without ? 100.0 * (1.0 - static_cast<double>(spent) / static_cast<double>(without)) : 0.0;
}

// "line 3, token 7 'word'" for error messages (the token cut to 40 bytes).
std::string Where(size_t line, size_t token, const std::string& tok) {
  std::string shown = tok.substr(0, 40);
  if (shown.size() < tok.size()) shown += "...";
  return "line " + std::to_string(line + 1) + ", token " + std::to_string(token + 1) + " '" + shown + "'";
}

// Orders a min-heap of calls: the fastest kept call at the front.
bool Slower(const TimedCall& a, const TimedCall& b) { return a.us > b.us; }

// Runs the protocol; each Suggest call's wall time goes to result->latency_us
// (and the typo-correction calls' to result->typo_latency_us too).
class Evaluator {
 public:
  Evaluator(Session* session, const EvalOptions& options, EvalResult* result)
      : session_(session), options_(options), r_(result), taps_(options.seed, options.noise) {}

  // The line (index from 0) and the number of context tokens of the next Token.
  void At(size_t line, size_t context_words) {
    line_ = line;
    context_words_ = context_words;
  }

  // The lists of the slowest calls, slowest first.
  void Finish() {
    std::sort_heap(r_->slowest_keystroke_calls.begin(), r_->slowest_keystroke_calls.end(), Slower);
    std::sort_heap(r_->slowest_typo_calls.begin(), r_->slowest_typo_calls.end(), Slower);
  }

  // One token after `context`: next word and keystrokes, typo correction,
  // perplexity, then learning. The timed Suggest calls come first, so that
  // the first of a context pays for its word scores, as in real typing
  // (ScoreNextToken computes the same scores and would otherwise take that
  // work out of the measured calls).
  Status Token(const std::string& context, const std::string& tok) {
    const std::string target = text::Lower(tok);
    HUNCH_RETURN_IF_ERROR(Keystrokes(context, tok, target));
    const bool typo_word = TapSimulator::IsTestWord(target);
    if (typo_word) HUNCH_RETURN_IF_ERROR(Typo(context, target));
    HUNCH_RETURN_IF_ERROR(Perplexity(context, tok));
    if (options_.learn) {
      // As a keyboard reports it: picked when a suggestion was tapped before
      // the word was typed out, typed otherwise.
      Status s = session_->LearnWord(context, tok, picked_ ? CommitSource::kPicked : CommitSource::kTyped);
      if (!s.ok() && s.code() != StatusCode::kInvalidArgument) return s;
      // And the touches that typed the word in the typo test (at --noise),
      // for the user's touch spread.
      if (typo_word) {
        s = session_->LearnTouches(target, TapSimulator::Points(noisy_touches_));
        if (!s.ok() && s.code() != StatusCode::kInvalidArgument) return s;
      }
    }
    ++r_->words;
    return Status::OK();
  }

 private:
  // The kinds of timed calls: the keystroke trace, typo correction at
  // --noise, and the same words typed at the key centres (EVAL.md 4b).
  enum class Call { kKeystroke, kTypo, kCentres };

  // One timed Suggest call for `word`; typo calls also count on their own,
  // and the keystroke and typo calls in the lists of the slowest.
  Status TimedSuggest(const SuggestRequest& request, const std::string& word, Call kind) {
    const double a = NowUs(options_.clock);
    Status s = session_->Suggest(request, &out_);
    const double us = NowUs(options_.clock) - a;
    r_->latency_us.push_back(us);
    if (kind == Call::kTypo) r_->typo_latency_us.push_back(us);
    if (kind != Call::kCentres)
      Keep(kind == Call::kTypo ? &r_->slowest_typo_calls : &r_->slowest_keystroke_calls, us, word, request.typed);
    return s;
  }

  // Keeps the call in *heap (a min-heap by Slower) when it is among the
  // options_.slowest slowest so far.
  void Keep(std::vector<TimedCall>* heap, double us, const std::string& word, const std::string& typed) {
    const size_t n = static_cast<size_t>(options_.slowest);
    if (n == 0 || (heap->size() == n && us <= heap->front().us)) return;
    if (heap->size() == n) {
      std::pop_heap(heap->begin(), heap->end(), Slower);
      heap->pop_back();
    }
    heap->push_back(TimedCall{us, line_ + 1, context_words_, word, typed});
    std::push_heap(heap->begin(), heap->end(), Slower);
  }

  Status Perplexity(const std::string& context, const std::string& tok) {
    float lp = 0;
    bool in_vocab = false;
    HUNCH_RETURN_IF_ERROR(session_->ScoreNextToken(context, tok, &lp, &in_vocab));
    r_->nll_all -= lp;
    if (in_vocab)
      r_->nll_in_vocab -= lp;
    else
      ++r_->oov;
    return Status::OK();
  }

  // Next word (p = 0) and keystrokes: the prefixes p = 0 .. L (code points).
  Status Keystrokes(const std::string& context, const std::string& tok, const std::string& target) {
    std::vector<std::string> cps;
    for (size_t pos = 0; pos < tok.size();) {
      const size_t start = pos;
      text::NextCodePoint(tok, &pos);
      cps.push_back(tok.substr(start, pos - start));
    }
    const long long L = static_cast<long long>(cps.size());
    const size_t n = static_cast<size_t>(options_.suggestions);
    r_->keystrokes_without += L + 1;
    long long cost = L + 1;
    std::vector<long long> cost_k(n, L + 1);  // when only the first k + 1 suggestions are shown
    std::string typed;
    SuggestRequest req;
    req.context = context;
    req.max_suggestions = options_.suggestions;
    for (long long p = 0; p <= L; ++p) {
      req.typed = typed;
      HUNCH_RETURN_IF_ERROR(TimedSuggest(req, tok, Call::kKeystroke));
      int slot = -1;
      for (size_t i = 0; i < out_.size(); ++i)
        if (Matches(target, out_[i].text)) {
          slot = static_cast<int>(i);
          break;
        }
      if (p == 0) {
        if (slot == 0) ++r_->top1_hits;
        if (slot >= 0 && slot < 3) ++r_->top3_hits;
      }
      if (slot >= 0) {
        for (size_t k = static_cast<size_t>(slot); k < n; ++k)
          if (cost_k[k] == L + 1) cost_k[k] = p + 1;
        cost = p + 1;
        ++r_->hits_by_prefix[static_cast<int>(p)];
        break;
      }
      if (p < L) typed += cps[static_cast<size_t>(p)];
    }
    r_->keystrokes += cost;
    picked_ = cost <= L;
    for (size_t k = 0; k < n; ++k) r_->keystrokes_by_suggestions[k] += cost_k[k];
    return Status::OK();
  }

  // Typo correction on simulated touches of the (lower-case) word, and what
  // autocorrect puts in the text (EVAL.md 4b): with the touches at --noise
  // (wer_auto) and with touches exactly at the key centres
  // (false_autocorrect: the word was typed correctly).
  Status Typo(const std::string& context, const std::string& target) {
    std::vector<TapSimulator::Touch> touches;
    std::string literal;
    taps_.Type(target, &touches, &literal);
    noisy_touches_ = touches;
    ++r_->typo_words;
    if (literal == target) ++r_->typo_literal_ok;
    HUNCH_RETURN_IF_ERROR(CompleteCall(context, target, literal, touches, Call::kTypo));
    // The engine may keep the literal word (no suggestion replaces it).
    bool hit1 = literal == target, hit3 = literal == target;
    if (!out_.empty()) {
      hit1 = Matches(target, out_[0].text);
      hit3 = false;
      for (size_t i = 0; i < out_.size() && i < 3; ++i) hit3 = hit3 || Matches(target, out_[i].text);
    }
    r_->typo_top1 += hit1;
    r_->typo_top3 += hit3;
    r_->auto_wrong += !Matches(target, Landed(literal));
    // The same word typed at the key centres: any change is the engine's.
    taps_.Centres(target, &touches);
    HUNCH_RETURN_IF_ERROR(CompleteCall(context, target, target, touches, Call::kCentres));
    r_->false_autocorrect_words += !Matches(target, Landed(target));
    return Status::OK();
  }

  // One timed `complete` call for `typed` with `touches` (3 suggestions).
  Status CompleteCall(const std::string& context, const std::string& target, const std::string& typed,
                      const std::vector<TapSimulator::Touch>& touches, Call kind) {
    SuggestRequest req;
    req.context = context;
    req.typed = typed;
    req.complete = true;
    req.max_suggestions = 3;
    req.touches = TapSimulator::Points(touches);
    return TimedSuggest(req, target, kind);
  }

  // The word that lands at the space after the last complete call: the first
  // suggestion when it is flagged as an autocorrection, the literal otherwise.
  std::string Landed(const std::string& literal) const {
    return !out_.empty() && out_[0].autocorrect ? out_[0].text : literal;
  }

  Session* session_;
  const EvalOptions& options_;
  EvalResult* r_;
  TapSimulator taps_;
  std::vector<Suggestion> out_;
  bool picked_ = false;  // the last word was picked from the suggestions
  std::vector<TapSimulator::Touch> noisy_touches_;  // the typo test's touches of the last word
  size_t line_ = 0, context_words_ = 0;
};

}  // namespace

double EvalResult::ksr() const { return Savings(keystrokes, keystrokes_without); }
double EvalResult::top1() const { return Percent(top1_hits, words); }
double EvalResult::top3() const { return Percent(top3_hits, words); }
double EvalResult::ppl() const { return words ? std::exp(nll_all / words) : NAN; }
double EvalResult::ppl_in_vocab() const {
  const long long n = words - oov;
  return n ? std::exp(nll_in_vocab / n) : NAN;
}
double EvalResult::oov_rate() const { return Percent(oov, words); }
// Over max(typo_words, 1), as `hunch eval` always reported them.
double EvalResult::wer() const {
  return 100.0 * (1.0 - typo_top1 / static_cast<double>(std::max<long long>(typo_words, 1)));
}
double EvalResult::wer_literal() const {
  return 100.0 * (1.0 - typo_literal_ok / static_cast<double>(std::max<long long>(typo_words, 1)));
}
double EvalResult::wer_auto() const { return Percent(auto_wrong, typo_words); }
double EvalResult::false_autocorrect() const { return Percent(false_autocorrect_words, typo_words); }
double EvalResult::typo_top3_rate() const {
  return 100.0 * typo_top3 / static_cast<double>(std::max<long long>(typo_words, 1));
}
std::vector<double> EvalResult::ksr_by_suggestions() const {
  std::vector<double> out;
  for (long long spent : keystrokes_by_suggestions) out.push_back(Savings(spent, keystrokes_without));
  return out;
}

std::vector<std::vector<std::string>> ReadTokenLines(std::string_view text, long long max_tokens) {
  std::vector<std::vector<std::string>> lines;
  long long total = 0;
  size_t pos = 0;
  while (pos < text.size() && (max_tokens <= 0 || total < max_tokens)) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::vector<std::string> toks;
    size_t a = 0;
    while (a < line.size()) {
      size_t b = line.find(' ', a);
      if (b == std::string_view::npos) b = line.size();
      if (b > a) toks.emplace_back(line.substr(a, b - a));
      a = b + 1;
    }
    if (toks.empty()) continue;
    if (max_tokens > 0 && total + static_cast<long long>(toks.size()) > max_tokens)
      toks.resize(static_cast<size_t>(max_tokens - total));
    total += static_cast<long long>(toks.size());
    lines.push_back(std::move(toks));
  }
  return lines;
}

Status Evaluate(Session* session, const std::vector<std::vector<std::string>>& lines, const EvalOptions& options,
                EvalResult* result) {
  if (!session || !result) return Status::InvalidArgument("evaluate: a session and a result are required");
  if (options.suggestions < 1 || options.suggestions > 16)
    return Status::InvalidArgument("evaluate: suggestions must be in [1, 16]");
  if (!(options.noise >= 0) || !std::isfinite(options.noise))
    return Status::InvalidArgument("evaluate: noise must be a finite number >= 0");
  if (options.slowest < 0) return Status::InvalidArgument("evaluate: slowest must be >= 0");
  *result = EvalResult();
  result->keystrokes_by_suggestions.assign(static_cast<size_t>(options.suggestions), 0);
  long long total = 0, done = 0;
  for (const auto& toks : lines) total += static_cast<long long>(toks.size());
  Evaluator ev(session, options, result);
  for (size_t li = 0; li < lines.size(); ++li) {
    const std::vector<std::string>& toks = lines[li];
    if (toks.empty()) continue;
    ++result->lines;
    session->Reset();
    std::string context;
    size_t context_words = 0;
    for (size_t ti = 0; ti < toks.size(); ++ti) {
      const std::string& tok = toks[ti];
      if (tok.size() > kMaxTokenBytes) {
        ++result->skipped_tokens;
      } else {
        ev.At(li, context_words++);
        Status s = ev.Token(context, tok);
        if (!s.ok()) return Status(s.code(), Where(li, ti, tok) + ": " + s.message());
        context += context.empty() ? tok : " " + tok;
      }
      if (options.progress) options.progress(++done, total);
    }
  }
  ev.Finish();
  return Status::OK();
}

}  // namespace eval
}  // namespace hunch
