#include "engine/word_scores.h"

#include <algorithm>
#include <cmath>

namespace hunch {
namespace engine {

void WordScores::Init(const Lexicon* lexicon, int32_t unk_id, float user_weight, float cache_weight) {
  lexicon_ = lexicon;
  unk_id_ = unk_id;
  user_weight_ = user_weight;
  cache_weight_ = cache_weight;
  valid_ = false;
}

float WordScores::UserMix(float base, const std::string& key) const {
  if (!use_user_) return base;
  if (user_->count(key) == 0) return base + user_others_;
  const uint64_t total = user_->total();
  const double lambda = user_weight_ * total / (total + 20.0);
  const double p_user = user_->Prob(key, has_prev_ ? &prev_ : nullptr);
  const double p = (1 - lambda) * std::exp(static_cast<double>(base)) + lambda * p_user;
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
  // The user model and the cache interpolate with the LM: every word's
  // probability is scaled by the same factors (log shifts user_others_ and
  // cache_keep_), then the few words they know get their own.
  use_user_ = user && user->total() > 0 && user_weight_ > 0;
  const uint64_t u_total = use_user_ ? user->total() : 0;
  user_others_ = use_user_ ? std::log1p(-user_weight_ * u_total / (u_total + 20.0f)) : 0.f;
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

  lp_.resize(n);
  const float lp_unk = lm_log_probs[unk_id_];
  const int32_t* vid = lex.vocab_ids();
  const float* tail = lex.log_tails();
  for (size_t i = 0; i < n; ++i) {
    float v = vid[i] >= 0 ? lm_log_probs[vid[i]] : lp_unk + tail[i];
    if (use_user_) v += user_others_;
    if (use_cache_) v += cache_keep_;
    lp_[i] = v;
  }
  if (use_user_) {
    for (const int32_t idx : user->lexicon_words()) {
      const int32_t id = vid[idx];
      const float base = id >= 0 ? lm_log_probs[id] : lp_unk + tail[idx];
      lp_[idx] = UserMix(base, lex.word(idx).key);
      if (use_cache_) lp_[idx] += cache_keep_;
    }
  }
  for (const auto& kv : cache_counts_) {
    const int32_t idx = lex.Find(kv.first);
    if (idx < 0) continue;
    const double p = std::exp(static_cast<double>(lp_[idx])) + cache_lambda_ * kv.second / cache_total_;
    lp_[idx] = static_cast<float>(std::log(p));
  }
  // Block maxima, each block's in a local (vectorizable) loop.
  block_max_.resize((n + kBlock - 1) / kBlock);
  for (size_t b = 0; b < block_max_.size(); ++b) {
    const size_t lo = b * kBlock, hi = std::min(n, lo + kBlock);
    float m = kNegInf;
    for (size_t i = lo; i < hi; ++i) m = std::max(m, lp_[i]);
    block_max_[b] = m;
  }
  scored_tokens_ = window.tokens;
  scored_user_ = user;
  scored_generation_ = user_generation;
  valid_ = true;
}

float WordScores::Of(const std::string& key, int32_t lexicon_index) const {
  if (lexicon_index >= 0) return lp_[static_cast<size_t>(lexicon_index)];
  const float base = lm_[unk_id_] - static_cast<float>(std::log(2.0 * (static_cast<double>(lexicon_->tail_total()) + 1.0)));
  float v = UserMix(base, key);
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
    m = std::max(m, block_max_[lo / kBlock]);
    lo += kBlock;
  }
  while (lo < hi) m = std::max(m, lp_[lo++]);
  return m;
}

}  // namespace engine
}  // namespace hunch
