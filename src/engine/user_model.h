// What the user taught the engine: counts of the words they committed and
// of word pairs, and the closed form of the user model's probability:
//
//   p_uni(w)        = c(w) / N                         (N: words learned)
//   p_user(w | v)   = (c(v, w) + p_uni(w)) / (c(v) + 1)   v: the previous token
//   p_user(w)       = p_uni(w)                          without a previous token
//
// c(v) counts the pairs that start with v. WordScores mixes p_user into the
// base model with weight user_weight * N / (N + 20).
//
// UserCounts is the data; hunch::UserModel (include/hunch/engine.h) wraps it
// with a lock so that several sessions of one engine can share it. Its
// words are split once, as they are first learned, into the lexicon's and
// the others, so that neither the per-word update nor the per-keystroke
// search looks them up again.
#ifndef HUNCH_ENGINE_USER_MODEL_H_
#define HUNCH_ENGINE_USER_MODEL_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/lexicon.h"
#include "hunch/engine.h"
#include "hunch/status.h"
#include "text/tokenizer.h"

namespace hunch {
namespace engine {

class UserCounts {
 public:
  // Longest token learned, in bytes.
  static constexpr size_t kMaxWordBytes = 64;

  UserCounts(const Lexicon* lexicon, const text::Tokenizer* tokenizer) : lexicon_(lexicon), tokenizer_(tokenizer) {}

  // A token that may be learned: 1 to kMaxWordBytes bytes of well-formed
  // UTF-8 without U+FFFD, control characters or white space.
  static bool IsLearnable(std::string_view token);

  // Learns every line of `text`: its tokens and the pairs of consecutive
  // tokens (tokens that are not learnable are skipped and break the pair
  // chain).
  void Learn(std::string_view text);
  // Learns `word` after the last token of `context`'s last line (the pair
  // only when that token is learnable); kInvalidArgument when the word is
  // not learnable.
  Status LearnWord(std::string_view context, std::string_view word);
  void Clear();

  uint64_t total() const { return total_; }
  uint32_t count(const std::string& key) const {
    auto it = unigrams_.find(key);
    return it == unigrams_.end() ? 0 : it->second;
  }
  // p_user(key | prev) by the closed form above; prev may be null (no
  // previous token). 0 when the user never wrote `key`.
  double Prob(const std::string& key, const std::string* prev) const;
  // The words learned after `prev` with their pair counts, or null.
  const std::unordered_map<std::string, uint32_t>* Following(const std::string& prev) const {
    auto it = bigrams_.find(prev);
    return it == bigrams_.end() ? nullptr : &it->second;
  }
  // Learned words the lexicon holds (lexicon indices), and the others.
  const std::vector<int32_t>& lexicon_words() const { return lexicon_words_; }
  const std::vector<std::string>& other_words() const { return other_words_; }

  // A small text format: "hunch-user-model 1", then "u<TAB>word<TAB>count"
  // and "b<TAB>previous<TAB>word<TAB>count" lines.
  std::string Save() const;
  // Replaces the counts with `data`'s; on error they are unchanged. Counts
  // of up to 10 digits are read and saturate at 2^32 - 1 (so do sums), and
  // every word must be learnable.
  Status Load(std::string_view data);

 private:
  void CountWord(const std::string& tok, uint64_t n);
  void CountPair(const std::string& prev, const std::string& tok, uint64_t n);

  const Lexicon* lexicon_;
  const text::Tokenizer* tokenizer_;
  std::unordered_map<std::string, uint32_t> unigrams_;
  std::unordered_map<std::string, std::unordered_map<std::string, uint32_t>> bigrams_;
  std::unordered_map<std::string, uint32_t> pair_totals_;  // c(v)
  uint64_t total_ = 0;
  std::vector<int32_t> lexicon_words_;
  std::vector<std::string> other_words_;
};

}  // namespace engine

struct UserModel::Impl {
  Impl(std::shared_ptr<const Engine> e, const engine::Lexicon* lexicon, const text::Tokenizer* tokenizer)
      : engine(std::move(e)), counts(lexicon, tokenizer) {}
  std::shared_ptr<const Engine> engine;
  mutable std::shared_mutex mu;  // readers: sessions scoring; writers: learning, loading
  engine::UserCounts counts;
  std::atomic<uint64_t> generation{1};  // changes with every change of counts
};

}  // namespace hunch

#endif  // HUNCH_ENGINE_USER_MODEL_H_
