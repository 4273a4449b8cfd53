// Session: one text field. Suggest runs the engine's parts in one direction:
//
//   context text -> ContextWindow -> LmContext (one LM step per new token)
//     -> WordScores (P(word | context): LM, long tail, cache, user model)
//   typed keys / touches -> TypingChannel observations
//     -> candidates (next-word lists, or the LexiconSearch)
//     -> ranking and selection (PassedOver) -> presentation (case, kinds,
//        autocorrect) -> emoji -> phrase
#include "hunch/engine.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "engine/candidates.h"
#include "engine/context_window.h"
#include "engine/engine_impl.h"
#include "engine/lexicon_search.h"
#include "engine/lm_context.h"
#include "engine/phrases.h"
#include "engine/presentation.h"
#include "engine/ranking.h"
#include "engine/user_model.h"
#include "engine/word_scores.h"
#include "text/utf8.h"

namespace hunch {

struct Session::Impl {
  std::shared_ptr<const Engine> engine_ref;
  const Engine::Impl* e = nullptr;
  std::shared_ptr<UserModel> user;
  engine::LmContext lm;
  engine::ContextWindow window;
  engine::WordScores scores;
  engine::PassedOver passed;
  // Kept from call to call: a keystroke allocates nothing once they have grown.
  engine::SearchScratch search;
  std::vector<engine::Candidate> cands;
  std::vector<engine::Candidate> space_cands;  // the whole-word search behind a typing list's autocorrect
  std::vector<engine::Observation> obs;
  bool private_mode = false;
  // Autocorrections the user undid in this session ("typed<TAB>correction"),
  // kept here too so that a private session does not flag them again.
  std::vector<std::string> rejected;

  // The context's window, the LM after it, and the word scores (under the
  // user model's read lock, which the caller holds).
  Status Prepare(const std::string& context);
  // What the literal typing `typed_key` scores against a correction: its
  // own score in `cands` when the lexicon or the user knows it, else the
  // unknown-word class's (engine/presentation.h).
  float LiteralReference(const std::vector<engine::Candidate>& cands, const std::string& typed_key) const;
  // The word that space would put in the text for `typed_key` when it is not
  // the literal (the autocorrection), from `cands` (a whole-word search,
  // ranked) and the literal's reference score: null when the literal stays.
  const engine::Candidate* SpaceCorrection(const std::vector<engine::Candidate>& cands, const std::string& typed_key,
                                           float literal, const engine::UserCounts& user) const;
};

Session::Session() : impl_(new Impl) {}
Session::~Session() = default;

Status Engine::NewSession(std::unique_ptr<Session>* session) const {
  std::shared_ptr<UserModel> user;
  Status st = UserModel::Create(shared_from_this(), &user);
  if (!st.ok()) return st;
  return NewSession(std::move(user), session);
}

Status Engine::NewSession(std::shared_ptr<UserModel> user, std::unique_ptr<Session>* session) const {
  return NewSession(std::move(user), SessionOptions(), session);
}

Status Engine::NewSession(std::shared_ptr<UserModel> user, const SessionOptions& options,
                          std::unique_ptr<Session>* session) const {
  if (!session) return Status::InvalidArgument("engine: null session output");
  if (!user || user->impl_->engine.get() != this)
    return Status::InvalidArgument("engine: the user model is null or was made for another engine");
  std::unique_ptr<Session> s(new Session);
  Session::Impl& si = *s->impl_;
  si.engine_ref = shared_from_this();
  si.e = impl_.get();
  si.user = std::move(user);
  si.private_mode = options.private_mode;
  Status st = si.lm.Init(impl_->model, impl_->lm);
  if (!st.ok()) return st;
  si.scores.Init(&impl_->lexicon, impl_->tokenizer.unk_id(), impl_->options.user_weight, impl_->options.cache_weight,
                 impl_->options.recency_weight);
  *session = std::move(s);
  return Status::OK();
}

void Session::Reset() {
  impl_->lm.Reset();
  impl_->window = engine::ContextWindow();
  impl_->passed.Clear();
  impl_->scores.Invalidate();
}

float Session::Impl::LiteralReference(const std::vector<engine::Candidate>& cands,
                                       const std::string& typed_key) const {
  const float literal = engine::LiteralScore(e->lexicon, cands, typed_key);
  if (literal > engine::kNegInf || e->lexicon.Find(typed_key) >= 0) return literal;
  return scores.Of(typed_key, -1) - engine::kUnknownLiteralDiscount;
}

const engine::Candidate* Session::Impl::SpaceCorrection(const std::vector<engine::Candidate>& cands,
                                                        const std::string& typed_key, float literal,
                                                        const engine::UserCounts& user) const {
  const engine::Lexicon& lex = e->lexicon;
  const engine::Candidate* best = nullptr;
  for (const engine::Candidate& c : cands)
    if (c.score > engine::kNegInf) {
      best = &c;
      break;
    }
  if (!best || best->cost <= 0 || !engine::ShouldAutocorrect(best->score, literal, typed_key)) return nullptr;
  // Not to a correction the user undid for this word.
  const std::string to(best->key(lex));
  if (user.Rejected(typed_key, to) ||
      std::find(rejected.begin(), rejected.end(), typed_key + '\t' + to) != rejected.end())
    return nullptr;
  return best;
}

Status Session::Impl::Prepare(const std::string& context) {
  window.Tokenize(e->tokenizer, context, e->options.max_context_tokens);
  Status st = lm.Sync(window.ids);
  if (!st.ok()) return st;
  const UserModel::Impl& u = *user->impl_;
  scores.Update(lm.log_probs(), window, &u.counts, u.generation.load());
  return Status::OK();
}

namespace {

Status CheckRequest(const SuggestRequest& r, const engine::TypingChannel& channel, const std::string& layout) {
  if (r.max_suggestions < 1 || r.max_suggestions > 16)
    return Status::InvalidArgument("suggest: max_suggestions must be in [1, 16]");
  if (r.typed.size() > 256) return Status::InvalidArgument("suggest: the typed word is longer than 256 bytes");
  if (!r.touches.empty()) return channel.CheckTouches("suggest", r.typed, r.touches, layout);
  return Status::OK();
}

}  // namespace

Status Session::Suggest(const SuggestRequest& r, std::vector<Suggestion>* out) {
  out->clear();
  Impl& s = *impl_;
  const Engine::Impl& e = *s.e;
  Status st = CheckRequest(r, e.channel, e.layout.name());
  if (!st.ok()) return st;
  const engine::Lexicon& lex = e.lexicon;
  std::shared_lock<std::shared_mutex> user_lock(s.user->impl_->mu);
  const engine::UserCounts& user = s.user->impl_->counts;
  st = s.Prepare(r.context);
  if (!st.ok()) return st;
  s.passed.Update(s.window.ids, r.typed);

  const size_t n_out = static_cast<size_t>(r.max_suggestions);
  const bool typing = !r.typed.empty() && !r.complete;
  // Candidates kept while searching: a few more than shown, for the
  // de-duplication and the passed-over words to draw on.
  const size_t keep = n_out * 2 + 4 + (e.options.skip_passed_over && typing ? s.passed.size() : 0);
  const std::string typed_key = e.tokenizer.Normalize(r.typed);
  const std::vector<uint8_t>* withheld = e.withheld.empty() ? nullptr : &e.withheld;
  std::vector<engine::Candidate>& cands = s.cands;
  cands.clear();
  if (r.typed.empty()) {
    engine::NextWordCandidates(lex, s.lm.log_probs(), e.lm.vocab_size, s.window, &user, s.scores, withheld, keep,
                               &cands);
  } else if (!e.options.corrections) {
    engine::PrefixCandidates(lex, s.scores, typed_key, r.complete, static_cast<uint64_t>(e.options.min_word_count),
                             withheld, &cands);
  } else {
    std::vector<engine::Observation>& obs = s.obs;
    // Touches at the spread this user showed (UserModel::LearnTouches);
    // touch_sigma itself until they showed any.
    e.channel.Observe(typed_key, r.touches, &obs, user.TouchSigma(e.options.touch_sigma));
    engine::LexiconSearch(lex, e.channel, s.scores, withheld)
        .Run(obs, typed_key, r.complete, keep, &user, &cands, nullptr, &s.search);
  }
  // The user's spellings ("Zorblax", not "zorblax").
  if (user.has_spellings())
    for (engine::Candidate& c : cands)
      if (const std::string* sp = user.Spelling(std::string(c.key(lex)))) c.user_display = *sp;

  engine::RankCandidates(lex, text::CountCodePoints(typed_key), e.options.savings_weight, &cands);
  const float literal_score = engine::LiteralScore(lex, cands, typed_key);
  engine::SelectOptions select;
  select.max = n_out;
  select.typing = typing;
  select.skip_passed_over = e.options.skip_passed_over;
  std::vector<const engine::Candidate*> chosen = engine::SelectCandidates(lex, cands, typed_key, s.passed, select);

  // Autocorrect: the first suggestion is flagged when it is the word that
  // space puts in the text instead of the literal. A complete request
  // decides on its own candidates; a typing list on a whole-word search of
  // the same keys, so that the flag says what space would do now.
  const engine::Candidate* space = nullptr;
  if (!r.typed.empty() && e.options.corrections) {
    const float literal = s.LiteralReference(cands, typed_key);
    if (r.complete) {
      space = s.SpaceCorrection(cands, typed_key, literal, user);
    } else if (text::CountCodePoints(typed_key) >= 2) {
      // Only words that would replace the literal are searched for.
      s.space_cands.clear();
      engine::LexiconSearch(lex, e.channel, s.scores, withheld)
          .set_floor(literal + engine::kAutocorrectMargin)
          .Run(s.obs, typed_key, true, 2, &user, &s.space_cands, nullptr, &s.search);
      for (engine::Candidate& c : s.space_cands)
        if (const std::string* sp = user.Spelling(std::string(c.key(lex)))) c.user_display = *sp;
      engine::RankCandidates(lex, text::CountCodePoints(typed_key), 0.0f, &s.space_cands);
      space = s.SpaceCorrection(s.space_cands, typed_key, literal, user);
    }
  }
  if (space) engine::PutFirst(lex, space, typed_key, n_out, &chosen);

  const engine::DisplayCase display_case = engine::CaseFor(r.typed, s.window.sentence_start);
  engine::Present(lex, chosen, typed_key, r.typed.empty(), display_case, out);
  if (space) (*out)[0].autocorrect = true;
  if (e.options.emoji) e.emoji.Offer(typed_key, literal_score, n_out, out);
  // A finished word always offers what was typed (the user's own spelling),
  // unless the one slot holds the autocorrection.
  if (r.complete && !(space && n_out == 1)) {
    const float literal = literal_score > engine::kNegInf ? literal_score : s.scores.Of(typed_key, -1);
    // A word the user already wrote, in this context or before (the user
    // dictionary holds it, not blocked), typed again as it was, ranks by its
    // score (the cache's and the user's shares included), not below the rest.
    const engine::UserEntry* known = user.Find(typed_key);
    const bool written = s.scores.cache_counts().count(typed_key) > 0 ||
                         (known && known->count > 0 && !known->blocked);
    engine::KeepLiteral(r.typed, literal, written, n_out, out);
  }
  if (e.options.phrases && r.typed.empty() && !chosen.empty()) {
    const engine::WordAllowed allowed = [&](int32_t i) {
      return s.scores.lexicon(static_cast<size_t>(i)) > engine::kNegInf && !(withheld && (*withheld)[i]);
    };
    st = engine::OfferPhrase(lex, &s.lm, *chosen[0], allowed, n_out, out);
    if (!st.ok()) return st;
  }

  std::vector<std::string> shown;
  for (const engine::Candidate* c : chosen) shown.emplace_back(c->key(lex));
  s.passed.Remember(s.window.ids, r.typed, std::move(shown));
  return Status::OK();
}

Status Session::ScoreNextToken(const std::string& context, const std::string& token, float* log_prob,
                               bool* in_vocab) {
  Impl& s = *impl_;
  std::shared_lock<std::shared_mutex> user_lock(s.user->impl_->mu);
  Status st = s.Prepare(context);
  if (!st.ok()) return st;
  const std::string key = s.e->tokenizer.Normalize(token);
  *in_vocab = s.e->tokenizer.Lookup(key) != s.e->tokenizer.unk_id();
  *log_prob = s.scores.Of(key, s.e->lexicon.Find(key));
  return Status::OK();
}

const std::shared_ptr<UserModel>& Session::user_model() const { return impl_->user; }
Status Session::Learn(const std::string& text) { return impl_->private_mode ? Status::OK() : impl_->user->Learn(text); }
Status Session::LearnWord(const std::string& context, const std::string& word, CommitSource source) {
  return impl_->private_mode ? Status::OK() : impl_->user->LearnWord(context, word, source);
}
Status Session::UnlearnWord(const std::string& context, const std::string& word) {
  return impl_->private_mode ? Status::OK() : impl_->user->UnlearnWord(context, word);
}
Status Session::RejectAutocorrect(const std::string& context, const std::string& typed, const std::string& correction) {
  Impl& s = *impl_;
  if (!s.private_mode) return s.user->RejectAutocorrect(context, typed, correction);
  // Private: nothing written, but this session does not flag it again.
  const std::string key = s.e->tokenizer.Normalize(typed), to = s.e->tokenizer.Normalize(correction);
  if (!engine::UserCounts::IsLearnable(key) || !engine::UserCounts::IsLearnable(to))
    return Status::InvalidArgument("reject autocorrect: the typed word and the correction must be learnable words");
  if (s.rejected.size() < 256) s.rejected.push_back(key + '\t' + to);
  return Status::OK();
}
Status Session::LearnTouches(const std::string& word, const std::vector<TouchPoint>& touches) {
  Impl& s = *impl_;
  if (!s.private_mode) return s.user->LearnTouches(word, touches);
  // Private: nothing learned, but a bad call is an error in any field.
  return engine::CheckLearnTouches(s.e->channel, s.e->tokenizer, s.e->layout.name(), word, touches);
}
void Session::SetPrivate(bool private_mode) { impl_->private_mode = private_mode; }
bool Session::is_private() const { return impl_->private_mode; }

}  // namespace hunch
