#include "engine/word_scores.h"

#include <algorithm>
#include <cmath>

namespace hunch {
namespace engine {

void WordScores::Init(const Lexicon* lexicon, int32_t unk_id, float user_weight, float cache_weight,
                      float recency_weight) {
  recency_weight_ = recency_weight;
  lexicon_ = lexicon;
  unk_id_ = unk_id;
  user_weight_ = user_weight;
  cache_weight_ = cache_weight;
  valid_ = false;
}

float WordScores::UserMix(float base, const std::string& key) const {
  if (!use_user_) return base;
  const double p_user = user_->Prob(key, has_prev_ ? &prev_ : nullptr, has_prev2_ ? &prev2_ : nullptr);
  if (p_user == 0) return base + user_others_;  // a word the user never wrote
  const double p = (1 - user_lambda_) * std::exp(static_cast<double>(base)) + user_lambda_ * p_user;
  return p > 0 ? static_cast<float>(std::log(p)) : kNegInf;
}

void WordScores::Update(const float* lm_log_probs, const ContextWindow& window, const UserCounts* user,
                        uint64_t user_generation) {
  if (valid_ && lm_ == lm_log_probs && scored_user_ == user && scored_generation_ == user_generation &&
      scored_tokens_ == window.tokens)
    return;
  const Lexicon& lex = *lexicon_;
  const size_t n = lex.size();
  lm_ = lm_log_probs;
  user_ = user;
  has_prev_ = !window.tokens.empty();
  prev_ = has_prev_ ? window.tokens.back() : std::string();
  has_prev2_ = window.tokens.size() >= 2;
  prev2_ = has_prev2_ ? window.tokens[window.tokens.size() - 2] : std::string();
  // The user model and the cache interpolate with the LM: every word's
  // probability is scaled by the same factors (log shifts user_others_ and
  // cache_keep_), then the few words they know get their own.
  use_user_ = user && user->total() > 0 && user_weight_ > 0;
  const uint64_t u_total = use_user_ ? user->total() : 0;
  user_lambda_ = use_user_ ? user_weight_ * static_cast<double>(u_total) / (static_cast<double>(u_total) + 20.0) : 0.0;
  user_others_ = static_cast<float>(std::log1p(-user_lambda_));
  const UserEntry* prev_entry = use_user_ && has_prev_ ? user->Find(prev_) : nullptr;
  user_prev_pairs_ = prev_entry ? prev_entry->pair_total : 0.0;
  const UserTriples* triples = use_user_ && has_prev2_ ? user->FollowingPair(prev2_, prev_) : nullptr;
  user_prev_triples_ = triples ? triples->total : 0.0;
  // Recency: words already in the window are likelier to come again. The
  // weight grows with the window (a few words say little about what recurs),
  // and the last token, rarely repeated at once, is left out.
  const size_t n_ctx = window.tokens.size();
  cache_lambda_ = cache_weight_ * static_cast<float>(n_ctx) / (static_cast<float>(n_ctx) + 20.0f);
  use_cache_ = cache_lambda_ > 0 && n_ctx >= 2;
  cache_keep_ = use_cache_ ? std::log1p(-cache_lambda_) : 0.f;
  cache_total_ = static_cast<double>(n_ctx > 0 ? n_ctx - 1 : 0);
  cache_counts_.clear();
  if (use_cache_)
    for (size_t k = 0; k + 1 < n_ctx; ++k) ++cache_counts_[window.tokens[k]];
  // Recency: the words the user committed last, over lines and fields, the
  // latest weighing most (a share that decays by e every kRecentDecay words).
  recent_probs_.clear();
  const size_t n_recent = use_user_ ? user->recent().size() : 0;
  recent_lambda_ = recency_weight_ * static_cast<double>(n_recent) / (static_cast<double>(n_recent) + 20.0);
  use_recent_ = recent_lambda_ > 0;
  recent_keep_ = use_recent_ ? static_cast<float>(std::log1p(-recent_lambda_)) : 0.f;
  if (use_recent_) {
    // Over the lexicon's words: the search bounds the others by their
    // counts alone (see lexicon_search.h).
    double z = 0, age = 0;
    for (auto it = user->recent().rbegin(); it != user->recent().rend(); ++it, ++age) {
      const UserEntry* e = user->Find(*it);
      if (!e || e->lexicon_index < 0) continue;
      const double w = std::exp(-age / kRecentDecay);
      recent_probs_[*it] += w;
      z += w;
    }
    if (z == 0) z = 1;
    // Folded in with the cache's keep factor: (1 - lc) lr r(w).
    const double scale = recent_lambda_ * (use_cache_ ? 1.0 - cache_lambda_ : 1.0) / z;
    for (auto& kv : recent_probs_) kv.second *= scale;
  }
  const float keep = recent_keep_ + (use_cache_ ? cache_keep_ : 0.f);

  lp_.resize(n);
  const float lp_unk = lm_log_probs[unk_id_];
  if (const int32_t* ref = lex.refs()) {  // lexicon.bin version 3: an id, or a log share with its sign bit set
    for (size_t i = 0; i < n; ++i) {
      const int32_t r = ref[i];
      float v = r >= 0 ? lm_log_probs[r] : lp_unk + Lexicon::TailOfRef(r);
      if (use_user_) v += user_others_;
      lp_[i] = v + keep;
    }
  } else {
    const int32_t* vid = lex.vocab_ids();
    const float* tail = lex.log_tails();
    for (size_t i = 0; i < n; ++i) {
      float v = vid[i] >= 0 ? lm_log_probs[vid[i]] : lp_unk + tail[i];
      if (use_user_) v += user_others_;
      lp_[i] = v + keep;
    }
  }
  if (use_user_) {
    for (const int32_t idx : user->lexicon_words()) {
      const int32_t id = lex.vocab_id(static_cast<size_t>(idx));
      const float base = id >= 0 ? lm_log_probs[id] : lp_unk + lex.log_tail(static_cast<size_t>(idx));
      lp_[idx] = UserMix(base, std::string(lex.key(idx))) + keep;
    }
  }
  for (const auto& kv : recent_probs_) {
    const int32_t idx = lex.Find(kv.first);
    if (idx >= 0) lp_[idx] = static_cast<float>(std::log(std::exp(static_cast<double>(lp_[idx])) + kv.second));
  }
  for (const auto& kv : cache_counts_) {
    const int32_t idx = lex.Find(kv.first);
    if (idx < 0) continue;
    const double p = std::exp(static_cast<double>(lp_[idx])) + cache_lambda_ * kv.second / cache_total_;
    lp_[idx] = static_cast<float>(std::log(p));
  }
  // Blocked words: never suggested, so nothing of the mass they had.
  if (user)
    for (const int32_t idx : user->blocked_lexicon_words()) lp_[idx] = kNegInf;
  // Block maxima, each block's in a local (vectorizable) loop.
  block_max_.resize((n + kBlock - 1) / kBlock);
  for (size_t b = 0; b < block_max_.size(); ++b) {
    const size_t lo = b * kBlock, hi = std::min(n, lo + kBlock);
    float m = kNegInf;
    for (size_t i = lo; i < hi; ++i) m = std::max(m, lp_[i]);
    block_max_[b] = m;
  }
  constexpr size_t kPer = kSuper / kBlock;
  super_max_.assign((block_max_.size() + kPer - 1) / kPer, kNegInf);
  for (size_t b = 0; b < block_max_.size(); ++b) super_max_[b / kPer] = std::max(super_max_[b / kPer], block_max_[b]);
  // The unknown word's base, and UserOnlyBound's constants (it runs for
  // every node of the user's index).
  unknown_base_ = lm_log_probs[unk_id_] - std::log(2.0 * (static_cast<double>(lex.tail_total()) + 1.0));
  bound_lm_share_ = (1 - user_lambda_) * std::exp(unknown_base_);
  bound_keep_ = recent_keep_ + (use_cache_ ? cache_keep_ : 0.f);
  bound_per_count_ = use_user_ ? 1.0 / static_cast<double>(user->total()) / (user_prev_pairs_ + 1.0) /
                                     (user_prev_triples_ + 1.0)
                               : 0.0;
  scored_tokens_ = window.tokens;
  scored_user_ = user;
  scored_generation_ = user_generation;
  valid_ = true;
}

float WordScores::UserOnlyBound(uint32_t count, bool with_pairs) const {
  const double c = count;
  if (!use_user_ || count == 0) return static_cast<float>(unknown_base_) + user_others_ + bound_keep_;
  // Without a pair or triple ending in it, p_user is exactly
  // c / N / (c(v) + 1) / (c(u, v) + 1) (bound_per_count_). With them (too
  // many to align one by one): p_bi = (c(v, w) + c / N) / (c(v) + 1) <=
  // c (1 + 1 / N) / (c(v) + 1), as c(v, w) <= c; and after a known pair of
  // tokens, p_user = (c(u, v, w) + p_bi) / (c(u, v) + 1) <= (c + p_bi) / (c(u, v) + 1).
  double p_user = c * bound_per_count_;
  if (with_pairs && has_prev_) {
    const double n = static_cast<double>(user_->total());
    p_user = std::max(c / n, c * (1.0 + 1.0 / n) / (user_prev_pairs_ + 1.0));
    if (user_prev_triples_ > 0) p_user = (c + p_user) / (user_prev_triples_ + 1.0);
  }
  return static_cast<float>(std::log(bound_lm_share_ + user_lambda_ * std::min(1.0, p_user))) + bound_keep_;
}

float WordScores::Of(const std::string& key, int32_t lexicon_index) const {
  if (lexicon_index >= 0) return lp_[static_cast<size_t>(lexicon_index)];
  if (user_ && user_->IsBlocked(key)) return kNegInf;
  const float base = static_cast<float>(unknown_base_);  // P(<unk>) / (2 (T + 1))
  float v = UserMix(base, key) + recent_keep_;
  auto r = recent_probs_.find(key);
  if (r != recent_probs_.end()) v = static_cast<float>(std::log(std::exp(static_cast<double>(v)) + r->second));
  if (use_cache_) {
    v += cache_keep_;
    auto it = cache_counts_.find(key);
    if (it != cache_counts_.end())
      v = static_cast<float>(std::log(std::exp(static_cast<double>(v)) + cache_lambda_ * it->second / cache_total_));
  }
  return v;
}

float WordScores::RangeMax(size_t lo, size_t hi) const {
  float m = kNegInf;
  while (lo < hi && lo % kBlock) m = std::max(m, lp_[lo++]);
  while (lo + kBlock <= hi) {
    if (lo % kSuper == 0 && lo + kSuper <= hi) {
      m = std::max(m, super_max_[lo / kSuper]);
      lo += kSuper;
      continue;
    }
    m = std::max(m, block_max_[lo / kBlock]);
    lo += kBlock;
  }
  while (lo < hi) m = std::max(m, lp_[lo++]);
  return m;
}

}  // namespace engine
}  // namespace hunch
