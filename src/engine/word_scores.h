// Word scores: the one place P(word | context) is computed. Suggest ranks
// by it, ScoreNextToken (and so `hunch eval`'s perplexity) reports it.
//
//   base(w)  = P_LM(w | context)                       w in the LM vocabulary
//            = P_LM(<unk> | context) * tail share(w)   other lexicon words
//            = P_LM(<unk> | context) / (2 (T + 1))     any other word (half a
//                                                      count of the unknown class;
//                                                      T = the tail's total count)
//   user     = (1 - lu) base(w) + lu p_user(w | previous token)
//              lu = user_weight * N / (N + 20), N = words learned
//   P(w)     = (1 - lc) user(w) + lc c(w) / (n - 1)
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

  void Init(const Lexicon* lexicon, int32_t unk_id, float user_weight, float cache_weight);

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
  // The maximum of lexicon(i) over [lo, hi).
  float RangeMax(size_t lo, size_t hi) const;
  float block_max(size_t b) const { return block_max_[b]; }

 private:
  float UserMix(float base, const std::string& key) const;

  const Lexicon* lexicon_ = nullptr;
  int32_t unk_id_ = 0;
  float user_weight_ = 0, cache_weight_ = 0;

  // The inputs of the last Update.
  const float* lm_ = nullptr;
  const UserCounts* user_ = nullptr;
  std::string prev_;                   // the window's last token
  bool has_prev_ = false;
  bool use_user_ = false, use_cache_ = false;
  float user_others_ = 0;      // log(1 - lu)
  float cache_keep_ = 0;       // log(1 - lc)
  float cache_lambda_ = 0;     // lc
  double cache_total_ = 0;     // n - 1
  std::unordered_map<std::string, int> cache_counts_;

  std::vector<float> lp_, block_max_;
  std::vector<std::string> scored_tokens_;
  uint64_t scored_generation_ = 0;
  const UserCounts* scored_user_ = nullptr;
  bool valid_ = false;
};

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_WORD_SCORES_H_
