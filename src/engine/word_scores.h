// Word scores: the one place P(word | context) is computed. Suggest ranks
// by it, ScoreNextToken (and so `hunch eval`'s perplexity) reports it.
//
//   base(w)  = P_LM(w | context)                       w in the LM vocabulary
//            = P_LM(<unk> | context) * tail share(w)   other lexicon words
//            = P_LM(<unk> | context) / (2 (T + 1))     any other word (half a
//                                                      count of the unknown class;
//                                                      T = the tail's total count)
//   user     = (1 - lu) base(w) + lu p_user(w | the two previous tokens)
//              lu = user_weight * N / (N + 20), N = words learned
//   recent   = (1 - lr) user(w) + lr r(w)
//              lr = recency_weight * R / (R + 20), R = recent words learned
//              (at most UserCounts::kRecent); r(w) = sum over w's places
//              among them of exp(-age / kRecentDecay), normalized over
//              the lexicon's words (others have no recency share)
//   P(w)     = (1 - lc) recent(w) + lc c(w) / (n - 1)  (0 for a blocked word)
//              lc = cache_weight * n / (n + 20), n = tokens in the window;
//              c(w) = occurrences of w in the window but its last token
//
// Update computes log P of every lexicon word once per context (per word
// typed, not per keystroke), and the maximum over each block of kBlock
// consecutive lexicon words, which bounds a trie node's best score in the
// search.
#ifndef HUNCH_ENGINE_WORD_SCORES_H_
#define HUNCH_ENGINE_WORD_SCORES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/context_window.h"
#include "engine/lexicon.h"
#include "engine/typing_channel.h"
#include "engine/user_model.h"

namespace hunch {
namespace engine {

class WordScores {
 public:
  static constexpr size_t kBlock = 32;
  static constexpr size_t kSuper = 32 * kBlock;  // RangeMax's second level

  // Words recently learned: the recency share of a word `age` words back
  // is proportional to exp(-age / kRecentDecay).
  static constexpr double kRecentDecay = 64;

  void Init(const Lexicon* lexicon, int32_t unk_id, float user_weight, float cache_weight,
            float recency_weight = 0.0f);

  // Recomputes the scores for the LM output `lm_log_probs` after `window`
  // and the user model `user` (null: none; the caller holds its lock) at
  // `user_generation`. Does nothing when none of them changed since the
  // last call (the LM output is a function of the window's tokens).
  void Update(const float* lm_log_probs, const ContextWindow& window, const UserCounts* user,
              uint64_t user_generation);
  void Invalidate() { valid_ = false; }

  // log P of lexicon word i.
  float lexicon(size_t i) const { return lp_[i]; }
  // log P of any word: `lexicon_index` its index, or -1 when the lexicon
  // lacks it (then the user model and the unknown class score it).
  float Of(const std::string& key, int32_t lexicon_index) const;
  // The maximum of lexicon(i) over [lo, hi): whole super-blocks of kSuper
  // words and blocks of kBlock by their maxima.
  float RangeMax(size_t lo, size_t hi) const;
  float block_max(size_t b) const { return block_max_[b]; }
  // An upper bound on Of(key, -1) for a word the lexicon lacks that the user
  // wrote `count` times, when it is not in the cache window and, unless
  // `with_pairs`, not learned after the window's last token (the search
  // scores those words one by one).
  float UserOnlyBound(uint32_t count, bool with_pairs) const;
  // The window's tokens the cache counts (all but the last), and the words
  // with a recency share.
  const std::unordered_map<std::string, int>& cache_counts() const { return cache_counts_; }
  const std::unordered_map<std::string, double>& recent_shares() const { return recent_probs_; }
  // The window's last token and the one before it, or null.
  const std::string* previous() const { return has_prev_ ? &prev_ : nullptr; }
  const std::string* previous2() const { return has_prev2_ ? &prev2_ : nullptr; }

 private:
  float UserMix(float base, const std::string& key) const;

  const Lexicon* lexicon_ = nullptr;
  int32_t unk_id_ = 0;
  float user_weight_ = 0, cache_weight_ = 0, recency_weight_ = 0;

  // The inputs of the last Update.
  const float* lm_ = nullptr;
  const UserCounts* user_ = nullptr;
  std::string prev_;                   // the window's last token
  bool has_prev_ = false;
  std::string prev2_;                  // the token before it
  bool has_prev2_ = false;
  bool use_user_ = false, use_cache_ = false;
  float user_others_ = 0;      // log(1 - lu)
  double user_lambda_ = 0;     // lu
  double user_prev_pairs_ = 0; // c(v) of the previous token
  double user_prev_triples_ = 0;  // c(u, v) of the two previous tokens
  double unknown_base_ = 0;  // log P(<unk>) / (2 (T + 1)): a word nobody knows, before mixing
  double bound_lm_share_ = 0, bound_per_count_ = 0;  // UserOnlyBound's constants
  float bound_keep_ = 0;
  float cache_keep_ = 0;       // log(1 - lc)
  bool use_recent_ = false;
  double recent_lambda_ = 0;   // lr
  float recent_keep_ = 0;      // log(1 - lr)
  std::unordered_map<std::string, double> recent_probs_;  // (1 - lc) lr r(w)
  float cache_lambda_ = 0;     // lc
  double cache_total_ = 0;     // n - 1
  std::unordered_map<std::string, int> cache_counts_;

  std::vector<float> lp_, block_max_, super_max_;
  std::vector<std::string> scored_tokens_;
  uint64_t scored_generation_ = 0;
  const UserCounts* scored_user_ = nullptr;
  bool valid_ = false;
};

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_WORD_SCORES_H_
