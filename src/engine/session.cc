// Session: one text field. Suggest runs the engine's parts in one direction:
//
//   context text -> ContextWindow -> LmContext (one LM step per new token)
//     -> WordScores (P(word | context): LM, long tail, cache, user model)
//   typed keys / touches -> TypingChannel observations
//     -> candidates (next-word lists, or the LexiconSearch)
//     -> ranking and selection (PassedOver) -> presentation (case, kinds,
//        autocorrect) -> emoji -> phrase
#include "hunch/engine.h"

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

  // The context's window, the LM after it, and the word scores (under the
  // user model's read lock, which the caller holds).
  Status Prepare(const std::string& context);
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
  if (!user || user->impl_->engine.get() != this)
    return Status::InvalidArgument("engine: the user model is null or was made for another engine");
  std::unique_ptr<Session> s(new Session);
  Session::Impl& si = *s->impl_;
  si.engine_ref = shared_from_this();
  si.e = impl_.get();
  si.user = std::move(user);
  Status st = si.lm.Init(impl_->model, impl_->lm);
  if (!st.ok()) return st;
  si.scores.Init(&impl_->lexicon, impl_->tokenizer.unk_id(), impl_->options.user_weight, impl_->options.cache_weight);
  *session = std::move(s);
  return Status::OK();
}

void Session::Reset() {
  impl_->lm.Reset();
  impl_->window = engine::ContextWindow();
  impl_->passed.Clear();
  impl_->scores.Invalidate();
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

Status CheckRequest(const SuggestRequest& r) {
  if (r.max_suggestions < 1 || r.max_suggestions > 16)
    return Status::InvalidArgument("suggest: max_suggestions must be in [1, 16]");
  if (r.typed.size() > 256) return Status::InvalidArgument("suggest: the typed word is longer than 256 bytes");
  if (!r.touches.empty()) {
    const size_t cps = text::CountCodePoints(r.typed);
    if (r.touches.size() != cps)
      return Status::InvalidArgument("suggest: give one touch per typed character (" + std::to_string(cps) +
                                     " characters, " + std::to_string(r.touches.size()) + " touches)");
    for (const TouchPoint& t : r.touches)
      if (!std::isfinite(t.x) || !std::isfinite(t.y))
        return Status::InvalidArgument("suggest: touch coordinates must be finite");
  }
  return Status::OK();
}

}  // namespace

Status Session::Suggest(const SuggestRequest& r, std::vector<Suggestion>* out) {
  out->clear();
  Status st = CheckRequest(r);
  if (!st.ok()) return st;
  Impl& s = *impl_;
  const Engine::Impl& e = *s.e;
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
  std::vector<engine::Candidate> cands;
  if (r.typed.empty()) {
    engine::NextWordCandidates(lex, s.lm.log_probs(), e.lm.vocab_size, s.window, &user, s.scores, keep, &cands);
  } else if (!e.options.corrections) {
    engine::PrefixCandidates(lex, s.scores, typed_key, r.complete, static_cast<uint64_t>(e.options.min_word_count),
                             &cands);
  } else {
    std::vector<engine::Observation> obs;
    e.channel.Observe(typed_key, r.touches, &obs);
    engine::LexiconSearch(lex, e.channel, s.scores)
        .Run(obs, typed_key, r.complete, keep, user.other_words(), &cands);
  }

  engine::RankCandidates(lex, text::CountCodePoints(typed_key), e.options.savings_weight, &cands);
  const float literal_score = engine::LiteralScore(lex, cands, typed_key);
  engine::SelectOptions select;
  select.max = n_out;
  select.typing = typing;
  select.skip_passed_over = e.options.skip_passed_over;
  const std::vector<const engine::Candidate*> chosen =
      engine::SelectCandidates(lex, cands, typed_key, s.passed, select);

  engine::Present(lex, chosen, typed_key, r.typed.empty(), engine::CaseFor(r.typed, s.window.sentence_start), out);
  if (!out->empty() && engine::ShouldAutocorrect((*out)[0], literal_score, typed_key)) (*out)[0].autocorrect = true;
  if (e.options.emoji) e.emoji.Offer(typed_key, literal_score, n_out, out);
  if (e.options.phrases && r.typed.empty() && !chosen.empty()) {
    st = engine::OfferPhrase(lex, &s.lm, *chosen[0], n_out, out);
    if (!st.ok()) return st;
  }

  std::vector<std::string> shown;
  for (const engine::Candidate* c : chosen) shown.push_back(c->key(lex));
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
Status Session::Learn(const std::string& text) { return impl_->user->Learn(text); }
Status Session::LearnWord(const std::string& context, const std::string& word) {
  return impl_->user->LearnWord(context, word);
}
std::string Session::SaveUserModel() const { return impl_->user->Save(); }
Status Session::LoadUserModel(const std::string& data) { return impl_->user->Load(data); }

}  // namespace hunch
