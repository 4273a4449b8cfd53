// The keyboard engine: context tracking, candidate search and ranking.
//
// Pipeline of one Suggest call:
//   context text -> tokens -> LM steps (cached per token) -> log P(. | context)
//   typed chars / touches -> implicit-trie search of the lexicon with a
//   spatial/edit channel cost -> candidates scored log P(w) - cost
//   -> ranking, de-duplication, passed-over memory, case, emoji, phrases.
#include "hunch/engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <queue>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "engine/lexicon.h"
#include "hunch/interpreter.h"
#include "text/tokenizer.h"
#include "text/utf8.h"

namespace hunch {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr float kInf = std::numeric_limits<float>::infinity();
// Channel costs in nats (negative log-likelihoods of the edit).
constexpr float kOmitCost = 8.0f;         // a letter of the word was not typed
constexpr float kInsertCost = 8.0f;       // a typed letter is not in the word
constexpr float kTransposeCost = 5.5f;    // two adjacent letters swapped
constexpr float kNoKeySubCost = 9.0f;     // substitution of a character without a key
constexpr float kOmitApostropheCost = 0.3f;  // "dont" for "don't"
constexpr float kOmitHyphenCost = 1.5f;
constexpr float kMaxCost = 24.0f;         // candidates costlier than this are not searched
constexpr float kAutocorrectMargin = 2.0f;  // nats the correction must beat the literal by
constexpr float kBeam = 12.0f;            // candidates this far below the best are not searched

bool IsSentenceEnd(std::string_view t) { return t == "." || t == "!" || t == "?"; }

// ASCII-only case changes for display: non-ASCII letters keep their case.
std::string CapitalizeFirst(const std::string& s) {
  std::string r = s;
  if (!r.empty() && r[0] >= 'a' && r[0] <= 'z') r[0] = static_cast<char>(r[0] - 'a' + 'A');
  return r;
}
std::string UpperAscii(const std::string& s) {
  std::string r = s;
  for (char& c : r)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return r;
}

// The first code point of `s` (non-empty) and its length in bytes.
char32_t FirstCodePoint(std::string_view s, size_t* len) {
  size_t pos = 0;
  char32_t c = text::NextCodePoint(s, &pos);
  *len = pos;
  return c;
}

bool StartsWithWordChar(std::string_view s) {
  if (s.empty()) return false;
  size_t len;
  return text::IsWordChar(FirstCodePoint(s, &len));
}

}  // namespace

// ---------------------------------------------------------------- Engine ----

struct Engine::Impl {
  std::shared_ptr<const Model> model;
  EngineOptions options;
  KeyboardLayout layout;
  text::Tokenizer tokenizer;
  std::vector<std::string> vocab;
  engine::Lexicon lexicon;
  int vocab_size = 0;
  int token_input = -1, log_probs_output = -1;
  std::unordered_map<std::string, std::vector<std::string>> emoji;  // keyword -> emoji
  // Key centres in key units (x / key width, y / key height), by lower-case code point.
  std::unordered_map<char32_t, std::pair<float, float>> key_centre;
  // The same for ASCII characters, looked up without hashing in the search
  // (ascii_has[c] says whether ascii_centre[c] is a key's).
  std::pair<float, float> ascii_centre[128] = {};
  bool ascii_has[128] = {};
  const std::pair<float, float>* Centre(char32_t ch) const {
    if (ch < 128) return ascii_has[ch] ? &ascii_centre[ch] : nullptr;
    auto it = key_centre.find(ch);
    return it == key_centre.end() ? nullptr : &it->second;
  }
  std::vector<std::pair<float, float>> all_centres;
  // The lexicon's LM ids and long-tail log shares, as flat arrays (the
  // per-context scoring loop reads them for every word).
  std::vector<int32_t> lex_vocab_id;
  std::vector<float> lex_log_tail;
  size_t memory_bytes = 0;
};

Engine::Engine() : impl_(new Impl) {}
Engine::~Engine() = default;

const Model& Engine::model() const { return *impl_->model; }
const EngineOptions& Engine::options() const { return impl_->options; }
int Engine::vocab_size() const { return impl_->vocab_size; }
size_t Engine::lexicon_size() const { return impl_->lexicon.size(); }
size_t Engine::memory_bytes() const { return impl_->memory_bytes; }

Status Engine::Open(const std::string& path, const EngineOptions& options,
                    std::shared_ptr<const Engine>* engine) {
  std::shared_ptr<const Model> model;
  Status st = Model::Open(path, options.model, &model);
  if (!st.ok()) return st;
  return FromModel(std::move(model), options, engine);
}

namespace {

std::string_view Metadata(const Model& m, const char* name) {
  const uint8_t* data = nullptr;
  size_t size = 0;
  if (!m.GetMetadata(name, &data, &size).ok()) return {};
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace

Status Engine::FromModel(std::shared_ptr<const Model> model, const EngineOptions& options,
                         std::shared_ptr<const Engine>* engine) {
  if (!model) return Status::InvalidArgument("engine: null model");
  if (options.max_context_tokens < 2 || options.max_context_tokens > 4096)
    return Status::InvalidArgument("engine: max_context_tokens must be in [2, 4096]");
  if (!(options.touch_sigma > 0.01f && options.touch_sigma < 10.0f))
    return Status::InvalidArgument("engine: touch_sigma must be in (0.01, 10) key widths");
  if (!(options.savings_weight >= 0 && options.savings_weight <= 100) ||
      !(options.user_weight >= 0 && options.user_weight <= 1) ||
      !(options.cache_weight >= 0 && options.cache_weight < 1))
    return Status::InvalidArgument(
        "engine: savings_weight must be in [0, 100], user_weight in [0, 1] and cache_weight in [0, 1)");
  if (options.min_word_count < 0) return Status::InvalidArgument("engine: min_word_count must be >= 0");

  std::shared_ptr<Engine> e(new Engine);
  Impl& im = *e->impl_;
  im.model = model;
  im.options = options;
  im.options.layout = nullptr;
  im.layout = options.layout ? *options.layout : KeyboardLayout::Qwerty();

  // The LM's interface: input "token", output "log_probs".
  std::unique_ptr<Interpreter> probe;
  Status st = Interpreter::Create(model, {}, &probe);
  if (!st.ok()) return st;
  im.token_input = probe->FindInput("token");
  if (im.token_input < 0 && probe->num_inputs() == 1) im.token_input = 0;
  im.log_probs_output = probe->FindOutput("log_probs");
  if (im.log_probs_output < 0 && probe->num_outputs() == 1) im.log_probs_output = 0;
  if (im.token_input < 0 || im.log_probs_output < 0)
    return Status::InvalidArgument("engine: the model needs an input 'token' and an output 'log_probs' (or a single input and "
        "a single output)");
  const TensorInfo& in = probe->input_info(im.token_input);
  const TensorInfo& out = probe->output_info(im.log_probs_output);
  if (in.dtype != DType::kInt32 || in.shape.NumElements() != 1)
    return Status::InvalidArgument("engine: input 'token' must be one int32");
  if (out.dtype != DType::kFloat32 || out.shape.NumElements() < 4)
    return Status::InvalidArgument("engine: output 'log_probs' must be float32 over the vocabulary");
  im.vocab_size = static_cast<int>(out.shape.NumElements());

  std::string_view vocab = Metadata(*model, "vocab"), settings = Metadata(*model, "tokenizer");
  if (vocab.empty() || settings.empty())
    return Status::InvalidArgument(
        "engine: the model has no 'vocab' or 'tokenizer' metadata (convert it from a train/ export, "
        "or pass --vocab to hunch convert)");
  st = text::Tokenizer::Create(vocab, settings, &im.tokenizer);
  if (!st.ok()) return st;
  if (im.tokenizer.size() != im.vocab_size)
    return Status::InvalidArgument("engine: the vocabulary has " + std::to_string(im.tokenizer.size()) +
                                   " tokens but 'log_probs' has " + std::to_string(im.vocab_size));
  im.vocab.reserve(im.vocab_size);
  for (int i = 0; i < im.vocab_size; ++i) im.vocab.emplace_back(im.tokenizer.token(i));
  // The specials are the lowest ids (<unk>, <s>, </s>); words follow them.
  int first_word = std::max({im.tokenizer.unk_id(), im.tokenizer.bos_id(), im.tokenizer.eos_id()}) + 1;
  st = im.lexicon.Build(im.vocab, first_word, Metadata(*model, "lexicon"), Metadata(*model, "surface"),
                        static_cast<uint64_t>(options.min_word_count));
  if (!st.ok()) return st;

  for (size_t i = 0; i < im.lexicon.size(); ++i) {
    im.lex_vocab_id.push_back(im.lexicon.word(i).vocab_id);
    im.lex_log_tail.push_back(im.lexicon.word(i).log_tail);
  }

  struct EmojiCtx {
    Impl* im;
  } ectx{&im};
  size_t bad = 0;
  if (!engine::ForEachTsvLine(Metadata(*model, "emoji"), &bad,
                              [](void* c, std::string_view emoji, std::string_view keyword) {
                                auto& list = static_cast<EmojiCtx*>(c)->im->emoji[std::string(keyword)];
                                if (list.size() < 4) list.emplace_back(emoji);
                                return true;
                              },
                              &ectx))
    return Status::Corruption("emoji metadata: line " + std::to_string(bad) + " is not 'emoji<TAB>keyword'");

  const float kw = im.layout.key_width(), kh = im.layout.key_height();
  for (const Key& k : im.layout.keys()) {
    std::vector<char32_t> cps;
    engine::DecodeAll(k.label, &cps);
    if (cps.size() != 1) continue;
    std::pair<float, float> c((k.x + k.width / 2) / kw, (k.y + k.height / 2) / kh);
    im.key_centre[cps[0]] = c;
    if (cps[0] < 128) {
      im.ascii_centre[cps[0]] = c;
      im.ascii_has[cps[0]] = true;
    }
    im.all_centres.push_back(c);
  }
  im.memory_bytes = im.lexicon.memory_bytes() + im.vocab.capacity() * sizeof(std::string);
  for (const auto& s : im.vocab) im.memory_bytes += s.capacity() > 15 ? s.capacity() + 1 : 0;
  for (const auto& kv : im.emoji) im.memory_bytes += kv.first.size() + 64 + kv.second.size() * 40;
  *engine = std::move(e);
  return Status::OK();
}

// --------------------------------------------------------------- Session ----

namespace {

struct Observation {
  char32_t c = 0;   // lower-case typed code point
  bool has_pos = false;
  float x = 0, y = 0;       // in key units
  float nearest_d2 = 0;     // squared distance to the nearest key centre
};

struct Candidate {
  int32_t word = -1;         // lexicon index, or -1 for a user-only word
  std::string user_key;      // the key of a user-only word
  float cost = 0;            // channel cost (0: the typed characters exactly)
  float log_prob = kNegInf;  // log P(word | context)
  float score = kNegInf;     // log_prob - cost
  float rank = kNegInf;      // what the order uses
};

}  // namespace

struct Session::Impl {
  std::shared_ptr<const Engine> engine_ref;
  const Engine::Impl* e = nullptr;
  std::unique_ptr<Interpreter> lm;
  std::vector<int32_t> fed;                 // <s> + ids whose state the LM holds
  std::vector<std::vector<uint8_t>> states; // states[k]: the state after fed[0..k]
  std::vector<float> log_probs;             // the LM output after `fed`
  std::vector<std::string> context_tokens;  // normalized tokens of the current context window
  bool sentence_start = true;

  // Passed-over memory for the word being typed.
  std::vector<int32_t> last_fed;
  std::string last_typed;
  std::unordered_set<std::string> passed_over;
  std::vector<std::string> last_shown;

  // User model (Learn).
  std::unordered_map<std::string, uint32_t> u1;
  std::unordered_map<std::string, std::unordered_map<std::string, uint32_t>> u2;
  std::unordered_map<std::string, uint32_t> u_ctx;
  uint64_t u_total = 0;
  // u1's words split once, as they are first learned: lexicon indices of
  // those the lexicon holds, and the others, so that neither the per-word
  // update nor the per-keystroke search looks the user's words up again.
  std::vector<int32_t> u_lex;
  std::vector<std::string> u_extra;

  // Counts one occurrence of a user word.
  void CountUserWord(const std::string& tok) {
    const auto r = u1.try_emplace(tok, 0);
    ++r.first->second;
    ++u_total;
    if (r.second) IndexUserWord(tok);
  }
  void IndexUserWord(const std::string& tok) {
    const int32_t idx = e->lexicon.Find(tok);
    if (idx >= 0)
      u_lex.push_back(idx);
    else
      u_extra.push_back(tok);
  }

  Status Tokenize(const std::string& context, std::vector<int32_t>* seq);
  Status Sync(const std::vector<int32_t>& seq);
  Status Step(int32_t id);
  float BaseLogProb(const engine::Word& w) const;
  float WordLogProb(const Candidate& c) const;
  void Observe(const SuggestRequest& r, std::vector<Observation>* obs) const;
  float MatchCost(char32_t ch, const Observation& o) const;
  float MatchCostAt(const std::pair<float, float>* centre, char32_t ch, const Observation& o) const;
  void Search(const std::vector<Observation>& obs, std::string_view literal, bool complete, size_t keep,
              std::vector<Candidate>* out) const;
  struct SearchState;
  struct Node;
  void Expand(SearchState& st, const Node& node, std::priority_queue<Node>* frontier) const;
  void Emit(SearchState& st, size_t i, float cost) const;
  void EmitRange(SearchState& st, size_t lo, size_t hi, float cost) const;
  void UpdateWordLogProbs();
  float RangeMax(size_t lo, size_t hi) const;

  // log P(word | context) of every lexicon word, for the current `fed`.
  static constexpr size_t kBlock = 32;
  static constexpr size_t kMaxDepthBytes = 64;     // longest word the search follows
  static constexpr size_t kMaxExpansions = 1000;  // a hard cap on the work of one search
  std::vector<float> word_lp, block_max;
  std::vector<int32_t> word_lp_fed;
  uint64_t word_lp_user = 0;
  bool word_lp_valid = false;
  float AlignCost(std::string_view key, const std::vector<Observation>& obs, bool complete) const;
  std::string Display(const Candidate& c) const;
  const std::string& Key(const Candidate& c) const {
    return c.word >= 0 ? e->lexicon.word(c.word).key : c.user_key;
  }
};

Session::Session() : impl_(new Impl) {}
Session::~Session() = default;

Status Engine::NewSession(std::unique_ptr<Session>* session) const {
  std::unique_ptr<Session> s(new Session);
  Session::Impl& si = *s->impl_;
  si.engine_ref = shared_from_this();
  si.e = impl_.get();
  Status st = Interpreter::Create(impl_->model, {}, &si.lm);
  if (!st.ok()) return st;
  si.log_probs.assign(impl_->vocab_size, 0.0f);
  *session = std::move(s);
  return Status::OK();
}

void Session::Reset() {
  impl_->fed.clear();
  impl_->states.clear();
  impl_->context_tokens.clear();
  impl_->last_fed.clear();
  impl_->last_typed.clear();
  impl_->passed_over.clear();
  impl_->last_shown.clear();
  impl_->word_lp_valid = false;
  impl_->lm->ResetState();
}

// The LM input sequence of a context: <s>, then the ids of the tokens after
// the last line break. Long lines keep a window of at most
// max_context_tokens tokens whose start moves in steps of half the window,
// so that typing on costs one LM step per word, with a re-run of half a
// window once every half window.
Status Session::Impl::Tokenize(const std::string& context, std::vector<int32_t>* seq) {
  size_t nl = context.find_last_of('\n');
  std::string_view line = nl == std::string::npos ? std::string_view(context)
                                                  : std::string_view(context).substr(nl + 1);
  std::vector<text::Piece> pieces;
  text::Split(line, &pieces);
  const size_t w = static_cast<size_t>(e->options.max_context_tokens);
  size_t start = 0;
  if (pieces.size() > w) {
    const size_t half = w / 2;
    start = (pieces.size() - w + half - 1) / half * half;
  }
  context_tokens.clear();
  seq->clear();
  seq->push_back(e->tokenizer.bos_id());
  for (size_t i = start; i < pieces.size(); ++i) {
    std::string tok = e->tokenizer.Normalize(line.substr(pieces[i].begin, pieces[i].end - pieces[i].begin));
    seq->push_back(e->tokenizer.Lookup(tok));
    context_tokens.push_back(std::move(tok));
  }
  sentence_start = pieces.empty() || IsSentenceEnd(context_tokens.empty() ? "" : context_tokens.back());
  return Status::OK();
}

Status Session::Impl::Step(int32_t id) {
  *lm->input_data<int32_t>(e->token_input) = id;
  Status st = lm->Invoke();
  if (!st.ok()) return st;
  fed.push_back(id);
  states.emplace_back(lm->state_bytes());
  return lm->SaveState(states.back().data(), states.back().size());
}

Status Session::Impl::Sync(const std::vector<int32_t>& seq) {
  if (seq == fed && !fed.empty()) return Status::OK();
  size_t common = 0;
  while (common < fed.size() && common < seq.size() && fed[common] == seq[common]) ++common;
  // Restart from the state after seq[0..start), then step the rest (at least
  // the last token, whose output we need).
  size_t start = std::min(common, seq.size() - 1);
  fed.resize(start);
  states.resize(start);
  if (start == 0) {
    lm->ResetState();
  } else {
    Status st = lm->RestoreState(states.back().data(), states.back().size());
    if (!st.ok()) return st;
  }
  for (size_t k = start; k < seq.size(); ++k) {
    Status st = Step(seq[k]);
    if (!st.ok()) {
      fed.clear();
      states.clear();
      lm->ResetState();
      return st;
    }
  }
  const float* out = lm->output_data<float>(e->log_probs_output);
  log_probs.assign(out, out + e->vocab_size);
  return Status::OK();
}

float Session::Impl::BaseLogProb(const engine::Word& w) const {
  if (w.vocab_id >= 0) return log_probs[w.vocab_id];
  return log_probs[e->tokenizer.unk_id()] + w.log_tail;
}

// log of (1 - l) P_base(w) + l P_user(w | previous token), where the user
// model is an interpolated bigram over what Learn saw and l grows with it.
float Session::Impl::WordLogProb(const Candidate& c) const {
  float base = c.word >= 0 ? BaseLogProb(e->lexicon.word(c.word)) : kNegInf;
  if (u_total == 0 || e->options.user_weight <= 0) return base;
  const std::string& key = Key(c);
  auto it1 = u1.find(key);
  if (it1 == u1.end()) return base + std::log1p(-e->options.user_weight * u_total / (u_total + 20.0f));
  const double lambda = e->options.user_weight * u_total / (u_total + 20.0);
  const double p_uni = static_cast<double>(it1->second) / u_total;
  double p_user = p_uni;
  if (!context_tokens.empty()) {
    const std::string& prev = context_tokens.back();
    auto ctx = u_ctx.find(prev);
    uint32_t pair = 0;
    auto it2 = u2.find(prev);
    if (it2 != u2.end()) {
      auto w = it2->second.find(key);
      if (w != it2->second.end()) pair = w->second;
    }
    const double n_ctx = ctx == u_ctx.end() ? 0.0 : ctx->second;
    p_user = (pair + 1.0 * p_uni) / (n_ctx + 1.0);
  }
  const double p = (1 - lambda) * std::exp(static_cast<double>(base)) + lambda * p_user;
  return p > 0 ? static_cast<float>(std::log(p)) : kNegInf;
}

void Session::Impl::Observe(const SuggestRequest& r, std::vector<Observation>* obs) const {
  std::string norm = e->tokenizer.Normalize(r.typed);
  std::vector<char32_t> cps;
  engine::DecodeAll(norm, &cps);
  const bool touches = !r.touches.empty();
  const float kw = e->layout.key_width(), kh = e->layout.key_height();
  obs->clear();
  for (size_t i = 0; i < cps.size(); ++i) {
    Observation o;
    o.c = cps[i];
    if (touches && i < r.touches.size()) {  // lower-casing may change the count
      o.has_pos = true;
      o.x = r.touches[i].x / kw;
      o.y = r.touches[i].y / kh;
    } else {
      if (const std::pair<float, float>* k = e->Centre(cps[i])) {
        o.has_pos = true;
        o.x = k->first;
        o.y = k->second;
      }
    }
    if (o.has_pos) {
      float best = std::numeric_limits<float>::max();
      for (const auto& c : e->all_centres) {
        float dx = o.x - c.first, dy = o.y - c.second;
        best = std::min(best, dx * dx + dy * dy);
      }
      o.nearest_d2 = best;
    }
    obs->push_back(o);
  }
}

float Session::Impl::MatchCost(char32_t ch, const Observation& o) const {
  return MatchCostAt(e->Centre(ch), ch, o);
}

// `centre`: the key centre of `ch`, nullptr when `ch` has no key.
float Session::Impl::MatchCostAt(const std::pair<float, float>* centre, char32_t ch, const Observation& o) const {
  if (o.has_pos && centre) {
    const float s = e->options.touch_sigma;
    const float dx = o.x - centre->first, dy = o.y - centre->second;
    return (dx * dx + dy * dy - o.nearest_d2) / (2 * s * s);
  }
  return ch == o.c ? 0.0f : kNoKeySubCost;
}

namespace {

float OmitCost(char32_t ch) {
  if (ch == '\'') return kOmitApostropheCost;
  if (ch == '-') return kOmitHyphenCost;
  return kOmitCost;
}

}  // namespace

// Edit-distance alignment of one word against the observations (the same
// recurrence as Search, for words outside the sorted lexicon).
float Session::Impl::AlignCost(std::string_view key, const std::vector<Observation>& obs, bool complete) const {
  const size_t n = obs.size();
  std::vector<char32_t> w;
  engine::DecodeAll(key, &w);
  std::vector<float> prev2(n + 1, kMaxCost * 4), prev(n + 1), cur(n + 1);
  for (size_t i = 0; i <= n; ++i) prev[i] = kInsertCost * i;
  float best_full = complete ? prev[n] : prev[n];
  for (size_t d = 0; d < w.size(); ++d) {
    cur[0] = prev[0] + OmitCost(w[d]);
    for (size_t i = 1; i <= n; ++i) {
      float v = std::min({prev[i - 1] + MatchCost(w[d], obs[i - 1]), prev[i] + OmitCost(w[d]),
                          cur[i - 1] + kInsertCost});
      if (d >= 1 && i >= 2 && w[d] == obs[i - 2].c && w[d - 1] == obs[i - 1].c)
        v = std::min(v, prev2[i - 2] + kTransposeCost);
      cur[i] = v;
    }
    prev2.swap(prev);
    prev.swap(cur);
    if (!complete) best_full = std::min(best_full, prev[n]);
  }
  return complete ? prev[n] : best_full;
}

// Per-context log P of every lexicon word, and the maximum of each block of
// kBlock consecutive words (the lexicon's order): the search bounds a trie
// node's best score by the maximum over its word range. Recomputed when the
// context or the user model changes, i.e. once per word, not per keystroke.
void Session::Impl::UpdateWordLogProbs() {
  if (word_lp_valid && word_lp_fed == fed && word_lp_user == u_total) return;
  const engine::Lexicon& lex = e->lexicon;
  const size_t n = lex.size();
  word_lp.resize(n);
  const float lp_unk = log_probs[e->tokenizer.unk_id()];
  const int32_t* vid = e->lex_vocab_id.data();
  const float* tail = e->lex_log_tail.data();
  // The user model and the recency cache below interpolate with the LM:
  // every word's probability is scaled by the same factors (log shifts
  // `others` and `keep_rest`), then the few words they know get their own.
  const bool user = u_total > 0 && e->options.user_weight > 0;
  const float others = user ? std::log1p(-e->options.user_weight * u_total / (u_total + 20.0f)) : 0.f;
  // Recency: words already in the context window are likelier to come again
  // (a unigram cache over the window, interpolated with cache_weight).
  // The weight grows with the window (a few words say little about what
  // recurs), and the last token, rarely repeated at once, is left out.
  const size_t n_ctx = context_tokens.size();
  const float lambda = e->options.cache_weight * static_cast<float>(n_ctx) / (static_cast<float>(n_ctx) + 20.0f);
  const bool cache = lambda > 0 && n_ctx >= 2;
  const float keep_rest = cache ? std::log1p(-lambda) : 0.f;
  // One pass, the shifts applied in that order (user, then cache).
  for (size_t i = 0; i < n; ++i) {
    float v = vid[i] >= 0 ? log_probs[vid[i]] : lp_unk + tail[i];
    if (user) v += others;
    if (cache) v += keep_rest;
    word_lp[i] = v;
  }
  if (user) {
    for (const int32_t idx : u_lex) {
      Candidate c;
      c.word = idx;
      word_lp[idx] = WordLogProb(c);
      if (cache) word_lp[idx] += keep_rest;
    }
  }
  if (cache) {
    std::unordered_map<int32_t, int> seen;
    for (size_t k = 0; k + 1 < n_ctx; ++k) {
      int32_t idx = lex.Find(context_tokens[k]);
      if (idx >= 0) ++seen[idx];
    }
    const double total = static_cast<double>(n_ctx - 1);
    for (const auto& kv : seen) {
      const double p = std::exp(static_cast<double>(word_lp[kv.first])) + lambda * kv.second / total;
      word_lp[kv.first] = static_cast<float>(std::log(p));
    }
  }
  // Block maxima, each block's in a local (vectorizable) loop.
  block_max.resize((n + kBlock - 1) / kBlock);
  for (size_t b = 0; b < block_max.size(); ++b) {
    const size_t lo = b * kBlock, hi = std::min(n, lo + kBlock);
    float m = kNegInf;
    for (size_t i = lo; i < hi; ++i) m = std::max(m, word_lp[i]);
    block_max[b] = m;
  }
  word_lp_fed = fed;
  word_lp_user = u_total;
  word_lp_valid = true;
}

float Session::Impl::RangeMax(size_t lo, size_t hi) const {
  float m = kNegInf;
  while (lo < hi && lo % kBlock) m = std::max(m, word_lp[lo++]);
  while (lo + kBlock <= hi) {
    m = std::max(m, block_max[lo / kBlock]);
    lo += kBlock;
  }
  while (lo < hi) m = std::max(m, word_lp[lo++]);
  return m;
}

// Depth-first search of the implicit trie (word ranges sharing a prefix)
// with one edit-distance column per level. A word's cost is its alignment
// cost against all observations (complete) or the best cost of any of its
// prefixes against all observations (completion: the rest is still to type).
// A node is pruned when its best possible score, the maximum log P over its
// words minus its lowest reachable cost, cannot enter the current top
// `keep`; children are visited best bound first so the top fills early.
struct Session::Impl::SearchState {
  const std::vector<Observation>* obs;
  size_t n;
  bool complete;
  size_t keep;
  std::vector<float> pool;  // the nodes' columns, n + 1 floats each
  std::priority_queue<float, std::vector<float>, std::greater<float>> top;
  std::vector<Candidate>* out;
  float best = kNegInf;      // the best score found so far
  // A candidate must beat the keep-th best score and come within kBeam nats
  // of the best: suggestions further below the best would never be shown.
  float threshold() const { return std::max(top.size() < keep ? kNegInf : top.top(), best - kBeam); }
};

void Session::Impl::Emit(SearchState& st, size_t i, float cost) const {
  const float score = word_lp[i] - cost;
  if (!(score > st.threshold())) return;
  Candidate c;
  c.word = static_cast<int32_t>(i);
  c.cost = cost;
  c.log_prob = word_lp[i];
  c.score = score;
  st.out->push_back(c);
  st.best = std::max(st.best, score);
  st.top.push(score);
  if (st.top.size() > st.keep) st.top.pop();
}

void Session::Impl::EmitRange(SearchState& st, size_t lo, size_t hi, float cost) const {
  while (lo < hi) {
    if (lo % kBlock == 0 && lo + kBlock <= hi && block_max[lo / kBlock] - cost <= st.threshold()) {
      lo += kBlock;
      continue;
    }
    Emit(st, lo++, cost);
  }
}

// One trie node of the best-first search: a word range sharing `depth`
// bytes, its edit-distance column and its parent's (for transpositions).
// Cells costlier than kMaxCost can only lead to costlier cells (every edit
// costs >= 0) and are stored as +inf; [live_lo, live_hi] is the range of the
// others, and the children compute only what that range (and the parent's,
// for transpositions) can reach: a band along the diagonal, not the whole
// column.
struct Session::Impl::Node {
  size_t lo, hi, depth;
  size_t col, parent_col;  // offsets into SearchState::pool; parent_col = SIZE_MAX at the root
  char32_t last;
  float best_full;         // min over the path's columns of col[n]
  float bound;             // max log P over the range minus the lowest reachable cost
  size_t live_lo, live_hi;      // cells of col that are <= kMaxCost
  size_t parent_lo, parent_hi;  // the same for parent_col
  bool operator<(const Node& o) const { return bound < o.bound; }
};

void Session::Impl::Expand(SearchState& st, const Node& node, std::priority_queue<Node>* frontier) const {
  const engine::Lexicon& lex = e->lexicon;
  const size_t n = st.n, w = n + 1;
  size_t pos = node.lo;
  // Words that end here.
  while (pos < node.hi && lex.word(pos).key.size() == node.depth) {
    const float cost = st.complete ? st.pool[node.col + n] : node.best_full;
    if (cost > 0) Emit(st, pos, cost);
    ++pos;
  }
  const float col_min = *std::min_element(st.pool.begin() + node.col, st.pool.begin() + node.col + w);
  // Completion: no deeper level can lower the cost below best_full.
  if (!st.complete && col_min >= node.best_full) {
    if (node.best_full > 0) EmitRange(st, pos, node.hi, node.best_full);
    return;
  }
  if (node.depth >= kMaxDepthBytes) return;
  while (pos < node.hi) {
    const std::string& key = lex.word(pos).key;
    size_t len = 0;
    const char32_t ch = FirstCodePoint(std::string_view(key).substr(node.depth), &len);
    // The group of words sharing these bytes at `depth` (the range is sorted).
    const size_t a = lex.GroupEnd(pos, node.hi, node.depth + len);
    Node k{pos, a, node.depth + len, st.pool.size(), node.col, ch, 0, 0, 0, 0, node.live_lo, node.live_hi};
    pos = a;
    st.pool.resize(st.pool.size() + w, kInf);
    float* c = &st.pool[k.col];
    const float* col = &st.pool[node.col];
    const float* prev = node.parent_col == SIZE_MAX ? nullptr : &st.pool[node.parent_col];
    const std::pair<float, float>* centre = e->Centre(ch);
    const float omit = OmitCost(ch);
    // Cell i reads col[i - 1], col[i], c[i - 1] and prev[i - 2]: it can be
    // live only from the first live cell of col (or prev + 2) on, and past
    // the last ones only while c itself stays live.
    size_t first = node.live_lo, last = node.live_hi + 1;
    if (prev) {
      first = std::min(first, node.parent_lo + 2);
      last = std::max(last, node.parent_hi + 2);
    }
    size_t lo_live = SIZE_MAX, hi_live = 0;
    auto keep = [&](size_t i, float v) {
      if (v <= kMaxCost) {
        c[i] = v;
        lo_live = std::min(lo_live, i);
        hi_live = i;
      }
    };
    if (node.live_lo == 0) keep(0, col[0] + omit);
    for (size_t i = std::max<size_t>(first, 1); i <= n; ++i) {
      if (i > last && c[i - 1] > kMaxCost) break;
      float v = std::min({col[i - 1] + MatchCostAt(centre, ch, (*st.obs)[i - 1]), col[i] + omit,
                          c[i - 1] + kInsertCost});
      if (prev && i >= 2 && ch == (*st.obs)[i - 2].c && node.last == (*st.obs)[i - 1].c)
        v = std::min(v, prev[i - 2] + kTransposeCost);
      keep(i, v);
    }
    if (lo_live == SIZE_MAX) {  // every cell costs more than kMaxCost
      st.pool.resize(k.col);
      continue;
    }
    k.live_lo = lo_live;
    k.live_hi = hi_live;
    const float kid_min = *std::min_element(c, c + w);
    k.best_full = st.complete ? c[n] : std::min(node.best_full, c[n]);
    const float cost_bound = st.complete ? kid_min : std::min(kid_min, k.best_full);
    if (cost_bound > kMaxCost) {
      st.pool.resize(k.col);
      continue;
    }
    k.bound = RangeMax(k.lo, k.hi) - cost_bound;
    if (k.bound > st.threshold()) frontier->push(k);
  }
}

void Session::Impl::Search(const std::vector<Observation>& obs, std::string_view literal, bool complete,
                           size_t keep, std::vector<Candidate>* out) const {
  const engine::Lexicon& lex = e->lexicon;
  SearchState st;
  st.obs = &obs;
  st.n = obs.size();
  st.complete = complete;
  st.keep = keep;
  st.out = out;
  // Phase 1: the words the literal typing starts (or is), at cost 0. They
  // set the pruning threshold before the fuzzy search, which skips cost-0
  // words (these).
  {
    size_t lo, hi;
    lex.PrefixRange(literal, 0, lex.size(), &lo, &hi);
    if (complete) {
      int32_t i = lex.Find(literal);
      if (i >= 0) Emit(st, static_cast<size_t>(i), 0.0f);
    } else {
      EmitRange(st, lo, hi, 0.0f);
    }
  }
  // Best-first: always expand the node with the highest bound; stop when
  // even that one cannot beat the threshold.
  st.pool.reserve(64 * (st.n + 1));
  st.pool.resize(st.n + 1);
  size_t root_hi = 0;
  for (size_t i = 0; i <= st.n; ++i) {
    const float v = kInsertCost * static_cast<float>(i);
    st.pool[i] = v <= kMaxCost ? v : kInf;
    if (v <= kMaxCost) root_hi = i;
  }
  std::priority_queue<Node> frontier;
  // A completion must match at least one letter of the word: the root's
  // best_full (every typed letter an insertion) does not count.
  frontier.push(Node{0, lex.size(), 0, 0, SIZE_MAX, 0, kMaxCost * 4, 0.0f, 0, root_hi, 0, 0});
  size_t expanded = 0;
  while (!frontier.empty() && expanded < kMaxExpansions) {
    Node node = frontier.top();
    frontier.pop();
    if (!(node.bound > st.threshold())) break;
    Expand(st, node, &frontier);
    ++expanded;
  }
  // User words the lexicon does not hold.
  for (const std::string& word : u_extra) {
    const float cost = AlignCost(word, obs, complete);
    if (cost > kMaxCost) continue;
    Candidate c;
    c.user_key = word;
    c.cost = cost;
    c.log_prob = WordLogProb(c);
    c.score = c.log_prob - cost;
    if (c.score > st.threshold()) out->push_back(std::move(c));
  }
}

std::string Session::Impl::Display(const Candidate& c) const {
  return c.word >= 0 ? e->lexicon.word(c.word).display : c.user_key;
}

Status Session::Suggest(const SuggestRequest& r, std::vector<Suggestion>* out) {
  out->clear();
  if (r.max_suggestions < 1 || r.max_suggestions > 16)
    return Status::InvalidArgument("suggest: max_suggestions must be in [1, 16]");
  if (r.typed.size() > 256) return Status::InvalidArgument("suggest: the typed word is longer than 256 bytes");
  Impl& s = *impl_;
  const Engine::Impl& e = *s.e;
  if (!r.touches.empty()) {
    if (r.touches.size() != text::CountCodePoints(r.typed))
      return Status::InvalidArgument("suggest: give one touch per typed character (" +
                                     std::to_string(text::CountCodePoints(r.typed)) + " characters, " +
                                     std::to_string(r.touches.size()) + " touches)");
    for (const TouchPoint& t : r.touches)
      if (!std::isfinite(t.x) || !std::isfinite(t.y))
        return Status::InvalidArgument("suggest: touch coordinates must be finite");
  }
  std::vector<int32_t> seq;
  Status st = s.Tokenize(r.context, &seq);
  if (!st.ok()) return st;
  st = s.Sync(seq);
  if (!st.ok()) return st;
  s.UpdateWordLogProbs();

  // Passed-over memory: the same context and a longer typed word means the
  // user saw the last suggestions and typed on.
  if (seq == s.last_fed && r.typed.size() > s.last_typed.size() &&
      r.typed.compare(0, s.last_typed.size(), s.last_typed) == 0) {
    for (const auto& k : s.last_shown) s.passed_over.insert(k);
  } else if (!(seq == s.last_fed && r.typed == s.last_typed)) {
    s.passed_over.clear();
  }

  const size_t n_out = static_cast<size_t>(r.max_suggestions);
  // Candidates kept while searching: a few more than shown, for the
  // de-duplication and the passed-over words to draw on.
  const size_t keep = n_out * 2 + 4 + (e.options.skip_passed_over && !r.complete ? s.passed_over.size() : 0);
  std::vector<Candidate> cands;
  std::vector<Observation> obs;
  std::string typed_key = e.tokenizer.Normalize(r.typed);
  if (r.typed.empty()) {
    // Next word: the LM's best vocabulary words, the long tail's best, the user's.
    std::vector<int32_t> ids;
    for (int id = 0; id < e.vocab_size; ++id)
      if (e.lexicon.index_of_vocab(id) >= 0) ids.push_back(id);
    size_t k = std::min(keep, ids.size());
    std::partial_sort(ids.begin(), ids.begin() + k, ids.end(),
                      [&](int32_t a, int32_t b) { return s.log_probs[a] > s.log_probs[b]; });
    for (size_t i = 0; i < k; ++i) {
      Candidate c;
      c.word = e.lexicon.index_of_vocab(ids[i]);
      cands.push_back(c);
    }
    const auto& tail = e.lexicon.tail_by_count();
    for (size_t i = 0; i < tail.size() && i < keep; ++i) {
      Candidate c;
      c.word = tail[i];
      cands.push_back(c);
    }
    for (const std::string& t : s.context_tokens) {  // the cache model's words
      Candidate c;
      c.word = e.lexicon.Find(t);
      if (c.word >= 0) cands.push_back(c);
    }
    if (!s.context_tokens.empty()) {
      auto it = s.u2.find(s.context_tokens.back());
      if (it != s.u2.end())
        for (const auto& kv : it->second) {
          Candidate c;
          int32_t idx = e.lexicon.Find(kv.first);
          if (idx >= 0) c.word = idx; else c.user_key = kv.first;
          cands.push_back(std::move(c));
        }
    }
    for (Candidate& c : cands) {
      c.log_prob = c.word >= 0 ? s.word_lp[c.word] : s.WordLogProb(c);
      c.score = c.log_prob;
    }
  } else {
    s.Observe(r, &obs);
    if (!e.options.corrections) {
      size_t lo, hi;
      e.lexicon.PrefixRange(typed_key, 0, e.lexicon.size(), &lo, &hi);
      for (size_t i = lo; i < hi; ++i) {
        const engine::Word& w = e.lexicon.word(i);
        if (r.complete && w.key != typed_key) continue;
        if (w.vocab_id < 0 && w.count < static_cast<uint64_t>(e.options.min_word_count)) continue;
        Candidate c;
        c.word = static_cast<int32_t>(i);
        c.log_prob = s.WordLogProb(c);
        c.score = c.log_prob;
        cands.push_back(c);
      }
    } else {
      s.Search(obs, typed_key, r.complete, keep, &cands);
    }
  }

  // Rank: probability, optionally favouring words with more left to type.
  const size_t typed_cps = text::CountCodePoints(typed_key);
  for (Candidate& c : cands) {
    c.rank = c.score;
    if (e.options.savings_weight > 0) {
      size_t len = text::CountCodePoints(s.Key(c));
      float remaining = len > typed_cps ? static_cast<float>(len - typed_cps) : 0.0f;
      c.rank += std::log1p(e.options.savings_weight * remaining);
    }
  }
  std::sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
    return a.rank > b.rank || (a.rank == b.rank && a.word < b.word);
  });

  // The literal typing's own score, for the autocorrect decision.
  float literal_score = kNegInf;
  for (const Candidate& c : cands)
    if (c.cost == 0 && s.Key(c) == typed_key) literal_score = std::max(literal_score, c.score);

  std::unordered_set<std::string> seen;
  std::vector<const Candidate*> chosen;
  for (int pass = 0; pass < 2 && chosen.size() < n_out; ++pass) {
    for (const Candidate& c : cands) {
      if (chosen.size() >= n_out) break;
      if (!(c.score > kNegInf)) continue;
      const std::string& key = s.Key(c);
      if (seen.count(key)) continue;
      // Offering what is already typed saves nothing while the word goes on.
      if (!r.complete && !r.typed.empty() && key == typed_key) continue;
      // Passed-over words make way while the word goes on; once it is
      // complete, what the user typed out is the best evidence there is.
      if (pass == 0 && !r.complete && e.options.skip_passed_over && s.passed_over.count(key)) continue;
      seen.insert(key);
      chosen.push_back(&c);
    }
    if (!e.options.skip_passed_over) break;
  }

  const bool cap_first = r.typed.empty() ? s.sentence_start
                                         : (!r.typed.empty() && r.typed[0] >= 'A' && r.typed[0] <= 'Z');
  const bool all_caps = text::CountCodePoints(r.typed) >= 2 && UpperAscii(r.typed) == r.typed &&
                        e.tokenizer.Normalize(r.typed) != r.typed;
  for (const Candidate* c : chosen) {
    Suggestion sg;
    sg.text = s.Display(*c);
    if (all_caps) sg.text = UpperAscii(sg.text);
    else if (cap_first) sg.text = CapitalizeFirst(sg.text);
    sg.score = c->score;
    if (r.typed.empty()) sg.kind = SuggestionKind::kNextWord;
    else if (c->cost > 0) sg.kind = SuggestionKind::kCorrection;
    else if (s.Key(*c) == typed_key) sg.kind = SuggestionKind::kLiteral;
    else sg.kind = SuggestionKind::kCompletion;
    out->push_back(std::move(sg));
  }
  if (!out->empty() && (*out)[0].kind == SuggestionKind::kCorrection &&
      (*out)[0].score > literal_score + kAutocorrectMargin &&
      text::CountCodePoints(typed_key) >= 2)
    (*out)[0].autocorrect = true;

  // Emoji for a typed keyword: in a free slot, or in place of the last
  // suggestion when the keyword as typed (the word the emoji stands for) is
  // likelier than that suggestion; a less likely finished word does not push
  // out a likelier completion.
  if (e.options.emoji && !typed_key.empty()) {
    auto it = e.emoji.find(typed_key);
    if (it != e.emoji.end()) {
      Suggestion sg;
      sg.text = it->second[0];
      sg.kind = SuggestionKind::kEmoji;
      sg.score = literal_score > kNegInf ? literal_score : (out->empty() ? 0.0f : out->back().score);
      if (out->size() < n_out)
        out->push_back(sg);
      else if (literal_score > out->back().score)
        out->back() = sg;
    }
  }

  // Phrase: extend a confident next word greedily while the LM stays confident.
  if (e.options.phrases && r.typed.empty() && !out->empty() && n_out >= 3 && chosen[0]->word >= 0) {
    const engine::Word& w1 = e.lexicon.word(chosen[0]->word);
    const float kMinFirst = std::log(0.2f), kMinNext = std::log(0.5f);
    if (w1.vocab_id >= 0 && chosen[0]->log_prob >= kMinFirst && StartsWithWordChar(w1.key)) {
      std::string phrase = (*out)[0].text;
      float lp = chosen[0]->log_prob;
      int words = 1;
      std::vector<int32_t> ext = seq;
      std::vector<float> saved_lp = s.log_probs;
      int32_t next = w1.vocab_id;
      while (words < 3) {
        *s.lm->input_data<int32_t>(e.token_input) = next;
        if (!s.lm->Invoke().ok()) break;
        const float* o = s.lm->output_data<float>(e.log_probs_output);
        int best = -1;
        for (int id = 0; id < e.vocab_size; ++id)
          if (e.lexicon.index_of_vocab(id) >= 0 && (best < 0 || o[id] > o[best])) best = id;
        if (best < 0 || o[best] < kMinNext) break;
        const engine::Word& wn = e.lexicon.word(e.lexicon.index_of_vocab(best));
        if (!StartsWithWordChar(wn.key)) break;
        phrase += " " + wn.display;
        lp += o[best];
        ++words;
        next = best;
      }
      // Back to the context's state (the phrase steps were a branch).
      if (!s.states.empty()) {
        Status rs = s.lm->RestoreState(s.states.back().data(), s.states.back().size());
        if (!rs.ok()) return rs;
      }
      if (words >= 2 && lp > out->back().score) {
        Suggestion sg;
        sg.text = phrase;
        sg.kind = SuggestionKind::kPhrase;
        sg.score = lp;
        if (out->size() >= n_out) out->back() = sg;
        else out->push_back(sg);
      }
    }
  }

  s.last_fed = seq;
  s.last_typed = r.typed;
  s.last_shown.clear();
  for (const Candidate* c : chosen) s.last_shown.push_back(s.Key(*c));
  return Status::OK();
}

Status Session::ScoreNextToken(const std::string& context, const std::string& token, float* log_prob,
                               bool* in_vocab) {
  Impl& s = *impl_;
  std::vector<int32_t> seq;
  Status st = s.Tokenize(context, &seq);
  if (!st.ok()) return st;
  st = s.Sync(seq);
  if (!st.ok()) return st;
  std::string key = s.e->tokenizer.Normalize(token);
  *in_vocab = s.e->tokenizer.Lookup(key) != s.e->tokenizer.unk_id();
  Candidate c;
  c.word = s.e->lexicon.Find(key);
  if (c.word < 0) c.user_key = key;
  *log_prob = s.WordLogProb(c);
  if (!(*log_prob > kNegInf)) {
    // Unknown even to the lexicon: half a count's share of the unknown-word class.
    *log_prob = s.log_probs[s.e->tokenizer.unk_id()] -
                static_cast<float>(std::log(2.0 * (static_cast<double>(s.e->lexicon.tail_total()) + 1.0)));
  }
  return Status::OK();
}

Status Session::Learn(const std::string& text) {
  Impl& s = *impl_;
  std::vector<text::Piece> pieces;
  size_t line_start = 0;
  while (line_start <= text.size()) {
    size_t nl = text.find('\n', line_start);
    if (nl == std::string::npos) nl = text.size();
    std::string_view line = std::string_view(text).substr(line_start, nl - line_start);
    text::Split(line, &pieces);
    std::string prev;
    for (const text::Piece& p : pieces) {
      std::string tok = s.e->tokenizer.Normalize(line.substr(p.begin, p.end - p.begin));
      if (tok.size() > 64) {
        prev.clear();
        continue;
      }
      s.CountUserWord(tok);
      if (!prev.empty()) {
        ++s.u2[prev][tok];
        ++s.u_ctx[prev];
      }
      prev = tok;
    }
    line_start = nl + 1;
  }
  return Status::OK();
}

Status Session::LearnWord(const std::string& context, const std::string& word) {
  Impl& s = *impl_;
  std::string tok = s.e->tokenizer.Normalize(word);
  if (tok.empty() || tok.size() > 64 || tok.find_first_of("\t\n") != std::string::npos)
    return Status::InvalidArgument("learn: a word must be 1 to 64 bytes without tabs or line breaks");
  size_t nl = context.find_last_of('\n');
  std::string_view line = nl == std::string::npos ? std::string_view(context)
                                                  : std::string_view(context).substr(nl + 1);
  std::vector<text::Piece> pieces;
  text::Split(line, &pieces);
  s.CountUserWord(tok);
  if (!pieces.empty()) {
    const text::Piece& p = pieces.back();
    std::string prev = s.e->tokenizer.Normalize(line.substr(p.begin, p.end - p.begin));
    ++s.u2[prev][tok];
    ++s.u_ctx[prev];
  }
  return Status::OK();
}

std::string Session::SaveUserModel() const {
  const Impl& s = *impl_;
  std::string out = "hunch-user-model 1\n";
  for (const auto& kv : s.u1) out += "u\t" + kv.first + "\t" + std::to_string(kv.second) + "\n";
  for (const auto& kv : s.u2)
    for (const auto& w : kv.second) out += "b\t" + kv.first + "\t" + w.first + "\t" + std::to_string(w.second) + "\n";
  return out;
}

Status Session::LoadUserModel(const std::string& data) {
  const std::string header = "hunch-user-model 1\n";
  if (data.compare(0, header.size(), header) != 0)
    return Status::InvalidArgument("user model: missing 'hunch-user-model 1' header");
  std::unordered_map<std::string, uint32_t> u1, u_ctx;
  std::unordered_map<std::string, std::unordered_map<std::string, uint32_t>> u2;
  uint64_t total = 0;
  size_t pos = header.size(), line_no = 1;
  while (pos < data.size()) {
    size_t end = data.find('\n', pos);
    if (end == std::string::npos) end = data.size();
    std::string_view line = std::string_view(data).substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    std::vector<std::string_view> f;
    size_t a = 0;
    while (true) {
      size_t t = line.find('\t', a);
      f.push_back(line.substr(a, t == std::string_view::npos ? std::string_view::npos : t - a));
      if (t == std::string_view::npos) break;
      a = t + 1;
    }
    uint64_t count = 0;
    bool ok = !f.empty() && ((f[0] == "u" && f.size() == 3) || (f[0] == "b" && f.size() == 4));
    if (ok) {
      std::string_view c = f.back();
      ok = !c.empty() && c.size() <= 9;
      for (char ch : c) ok = ok && ch >= '0' && ch <= '9';
      for (char ch : c) count = count * 10 + static_cast<uint64_t>(ch - '0');
      for (size_t i = 1; i + 1 < f.size(); ++i) ok = ok && !f[i].empty();
    }
    if (!ok) return Status::InvalidArgument("user model: line " + std::to_string(line_no) + " is malformed");
    if (f[0] == "u") {
      u1[std::string(f[1])] += static_cast<uint32_t>(count);
      total += count;
    } else {
      u2[std::string(f[1])][std::string(f[2])] += static_cast<uint32_t>(count);
      u_ctx[std::string(f[1])] += static_cast<uint32_t>(count);
    }
  }
  Impl& s = *impl_;
  s.u1.swap(u1);
  s.u2.swap(u2);
  s.u_ctx.swap(u_ctx);
  s.u_total = total;
  s.u_lex.clear();
  s.u_extra.clear();
  for (const auto& kv : s.u1) s.IndexUserWord(kv.first);
  s.word_lp_valid = false;
  return Status::OK();
}

}  // namespace hunch
