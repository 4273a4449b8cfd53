// The user dictionary's data: what the user taught the engine, and the
// closed form of the user model's probability:
//
//   p_uni(w)        = c(w) / N                         (N: words learned)
//   p_bi(w | v)     = (c(v, w) + p_uni(w)) / (c(v) + 1)   v: the previous token
//   p_user(w | u v) = (c(u, v, w) + p_bi(w | v)) / (c(u, v) + 1)
//                                                       u: the token before v
// (each level falls back to the one below when its context was never seen).
// c(v) counts the pairs that start with v, c(u, v) the triples that start
// with u v; a pair or triple never counts more than its last word
// (c(v, w) <= c(w)), so p_user <= 1. WordScores mixes p_user into
// the base model with weight user_weight * N / (N + 20).
//
// Every change is a record (one tab-separated line, docs/engine.md "The user
// dictionary"), and Apply is the one place records change the data: the live
// calls build a record, write it to the file (UserLog) and apply it; opening
// a file replays its records; Import applies the lines of an export; Export
// writes the state as records. So what a file replays to is what the calls
// made.
//
// The search reads the words the lexicon lacks from a sorted index
// (UserWordIndex): an implicit trie like the lexicon's, with each block's
// highest count as the bound, so a keystroke's work does not grow with the
// number of learned words.
//
// UserCounts is the data; hunch::UserModel (include/hunch/engine.h) wraps it
// with a lock and the file so that several sessions of one engine can share
// it.
#ifndef HUNCH_ENGINE_USER_MODEL_H_
#define HUNCH_ENGINE_USER_MODEL_H_

#include <atomic>
#include <deque>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/lexicon.h"
#include "hunch/engine.h"
#include "hunch/status.h"
#include "text/tokenizer.h"

namespace hunch {
namespace engine {

class UserLog;

// The words that followed one pair of tokens (u, v), with their counts.
struct UserTriples {
  uint32_t total = 0;  // c(u, v)
  std::unordered_map<std::string, uint32_t> next;
};

// One learned word (or a word only blocked, or only seen before another).
struct UserEntry {
  uint32_t count = 0;       // commits, saturating at 2^32 - 1
  uint32_t pair_total = 0;  // c(v): the pairs that start with this word
  uint64_t last_used = 0;   // the tick of its last commit
  int32_t lexicon_index = -1;
  bool picked = false;      // picked from the bar, or kept by undoing an autocorrect
  bool blocked = false;
  int16_t spelling_votes = 0;
  std::string spelling;     // the user's spelling when it is not the key ("Zorblax"); else empty
  std::unordered_map<std::string, uint32_t> next;  // c(this, w)
};

// The learned words the lexicon lacks that may be suggested, sorted by key:
// an implicit trie for the search. The keys are packed end to end in one
// string with an offset per key (as the lexicon's): the search reads a few
// bytes of a key at each trie step, and 100,000 keys take their bytes plus
// 4 each, not a 32-byte std::string each scattered over the heap. New words
// wait in a short unsorted list (searched one by one) until it is merged in;
// removed words are marked dead until then.
class UserWordIndex {
 public:
  static constexpr size_t kBlock = 32;
  static constexpr size_t kSuper = 32 * kBlock;  // RangeMaxCount's second level
  static constexpr size_t kMaxPending = 16;
  // Bytes a key takes in the index besides its own: offset, count, dead flag.
  static constexpr size_t kKeyOverhead = 4 + 4 + 1;

  size_t size() const { return offsets_.size() - 1; }
  std::string_view key(size_t i) const {
    return std::string_view(blob_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  uint32_t count(size_t i) const { return counts_[i]; }
  bool dead(size_t i) const { return dead_[i] != 0; }
  // As Lexicon::GroupEnd and PrefixRange, over the index's keys.
  size_t GroupEnd(size_t pos, size_t hi, size_t bytes) const { return groups_.GroupEnd(pos, hi, bytes); }
  void PrefixRange(std::string_view prefix, size_t* lo, size_t* hi) const;
  // The highest count over [lo, hi) (an upper bound: dead words count): by
  // super-blocks and blocks, so a range of every key costs some hundred
  // steps, not one per 32 keys.
  uint32_t RangeMaxCount(size_t lo, size_t hi) const;
  uint32_t block_max(size_t b) const { return block_max_[b]; }
  // Words not merged in yet (with their counts), searched one by one.
  const std::vector<std::string>& pending() const { return pending_; }

  void Put(const std::string& key, uint32_t count);  // adds, or updates the count
  void Remove(const std::string& key);
  void Clear();
  // Merges the pending words in and drops the dead ones.
  void Compact();
  // Replaces the index by `words` (key, count).
  void Assign(std::vector<std::pair<std::string, uint32_t>> words, bool sorted = false);
  size_t memory_bytes() const { return bytes_; }

 private:
  void SetBlockMax(size_t i);
  int64_t Position(std::string_view key) const;  // in the keys, -1 when absent

  std::string blob_;                     // the keys, end to end, in order
  std::vector<uint32_t> offsets_ = {0};  // key i is blob_[offsets_[i], offsets_[i + 1])
  std::vector<uint32_t> counts_;
  std::vector<uint8_t> dead_;
  SortedGroups groups_;
  std::vector<uint32_t> block_max_;
  std::vector<uint32_t> super_max_;  // the max of each kSuper / kBlock blocks' maxima
  std::vector<std::string> pending_;
  std::vector<uint32_t> pending_counts_;
  size_t bytes_ = 0;
};

class TypingChannel;

// The checks of LearnTouches (a private session's too): kInvalidArgument
// for touches not one per code point of `word`, not finite or off the layout
// (TypingChannel::CheckTouches), or a word that is not learnable.
Status CheckLearnTouches(const TypingChannel& channel, const text::Tokenizer& tokenizer, const std::string& layout,
                         const std::string& word, const std::vector<TouchPoint>& touches);

class UserCounts {
 public:
  // Longest token learned, in bytes.
  static constexpr size_t kMaxWordBytes = 64;
  // The recency model's memory: the last words learned.
  static constexpr size_t kRecent = 256;

  UserCounts(const Lexicon* lexicon, const text::Tokenizer* tokenizer, const UserModelOptions& options)
      : lexicon_(lexicon), tokenizer_(tokenizer), options_(options) {}

  // A token that may be learned: 1 to kMaxWordBytes bytes of well-formed
  // UTF-8 without U+FFFD, control characters or white space.
  static bool IsLearnable(std::string_view token);

  // The records of the live calls (nothing is changed; Apply does). An
  // empty vector: nothing to learn. kInvalidArgument for a word that is not
  // learnable.
  void LearnRecords(std::string_view text, std::vector<std::string>* records) const;
  Status LearnWordRecord(std::string_view context, std::string_view word, CommitSource source,
                         std::string* record) const;
  Status UnlearnRecord(std::string_view context, std::string_view word, std::string* record) const;
  Status RejectRecord(std::string_view context, std::string_view typed, std::string_view correction,
                      std::string* record) const;
  // "f", "b" or "n" (forget, block, unblock) of a word.
  Status WordRecord(char op, std::string_view word, std::string* record) const;
  // The record of one word's touches (LearnTouches): `d2` the squared
  // distance of each touch from the centre of the key it meant, in key
  // widths. Empty when there is nothing to learn.
  std::string TouchRecord(const std::vector<float>& d2) const;
  // Parses an export (version 2, or the "hunch-user-model 1" of old) into
  // records; kInvalidArgument naming the first bad line.
  Status ImportRecords(std::string_view text, std::vector<std::string>* records) const;
  // Whether `record` is one Apply takes (the file's records are checked
  // before they are applied).
  bool IsValidRecord(std::string_view record) const;

  // Applies one valid record.
  void Apply(std::string_view record);
  // The state as records ("t", "s", then "w", "p", "x" lines): Export's lines and
  // a compacted file's contents.
  std::vector<std::string> Snapshot() const;
  // Evicts the least useful entries until 3/4 of the cap is used, when the
  // cap is exceeded. Returns whether it evicted.
  bool EnforceCap();
  // Many records at once (a text, an import, a file's replay): the index is
  // left alone until RebuildIndex, which builds it in one sort.
  void DeferIndex();
  void RebuildIndex();
  // The recent words from when each word was last used (after loading a
  // compacted file, which keeps no sequence).
  void RebuildRecent();

  // The spread of the user's touches: touches counted, and the sum of
  // their squared distances from the keys meant in 1/kTouchUnit key widths
  // squared, each at most kTouchClip (2 key widths: a touch that far off was
  // not aimed at the key). Past kTouchWindow touches both halve, so the
  // latest touches weigh most (a new phone, a new hand).
  static constexpr uint64_t kTouchUnit = 10000;
  static constexpr uint64_t kTouchClip = 4 * kTouchUnit;
  static constexpr uint64_t kTouchWindow = 4096;
  // The prior's weight, in touches: a new user is `sigma0` until about this
  // many touches say otherwise.
  static constexpr double kTouchPrior = 100;
  // The touch sigma for this user, in key widths: the MAP estimate of an
  // isotropic Gaussian, sqrt((kTouchPrior sigma0^2 + sum / 2) / (kTouchPrior
  // + n)), never below sigma0 (the engine's touch_sigma: a user who types
  // more precisely keeps the margin it was tuned with).
  float TouchSigma(float sigma0) const;
  uint64_t touch_count() const { return touch_n_; }

  uint64_t total() const { return total_; }
  size_t memory_bytes() const { return bytes_ + index_.memory_bytes(); }
  uint32_t count(const std::string& key) const {
    auto it = words_.find(key);
    return it == words_.end() ? 0 : it->second.count;
  }
  const UserEntry* Find(const std::string& key) const {
    auto it = words_.find(key);
    return it == words_.end() ? nullptr : &it->second;
  }
  // p_user(key | prev) by the closed form above; prev may be null (no
  // previous token) and `prev2` (the one before; may be null). 0 when the
  // user never wrote `key`.
  double Prob(const std::string& key, const std::string* prev, const std::string* prev2 = nullptr) const;
  // The words learned after `prev2 prev`, or null.
  const UserTriples* FollowingPair(const std::string& prev2, const std::string& prev) const {
    auto it = triples_.find(prev2 + '\t' + prev);
    return it == triples_.end() ? nullptr : &it->second;
  }
  // The words learned after `prev` with their pair counts, or null.
  const std::unordered_map<std::string, uint32_t>* Following(const std::string& prev) const {
    auto it = words_.find(prev);
    return it == words_.end() || it->second.next.empty() ? nullptr : &it->second.next;
  }
  // Whether a word the lexicon lacks is suggested (the learning rules).
  bool Suggestible(const UserEntry& e) const {
    return !e.blocked && e.count > 0 && (e.picked || e.count >= static_cast<uint32_t>(options_.min_typed_count));
  }
  bool IsBlocked(const std::string& key) const {
    auto it = words_.find(key);
    return it != words_.end() && it->second.blocked;
  }
  // Whether the user undid the autocorrection of `typed` to `correction`.
  bool Rejected(const std::string& typed, const std::string& correction) const {
    return !rejected_.empty() && rejected_.count(typed + '\t' + correction) > 0;
  }
  // The spelling to show for `key`: the user's, or null (the lexicon's or
  // the key). Looks in the few keys with a spelling first: a session asks
  // for every candidate of every keystroke, and most have none.
  const std::string* Spelling(const std::string& key) const;
  // Whether any word has a spelling of the user's (else Spelling is null).
  bool has_spellings() const { return !spelled_.empty(); }
  // Learned words the lexicon holds (lexicon indices), the blocked ones,
  // and the index of the suggestible others.
  const std::vector<int32_t>& lexicon_words() const { return lexicon_words_; }
  const std::vector<int32_t>& blocked_lexicon_words() const { return blocked_lexicon_; }
  const UserWordIndex& index() const { return index_; }
  // The keys of the last (at most kRecent) words learned, oldest first.
  const std::deque<std::string>& recent() const { return recent_; }
  std::vector<UserWord> List() const;
  const UserModelOptions& options() const { return options_; }
  const text::Tokenizer& tokenizer() const { return *tokenizer_; }

 private:
  UserEntry& Entry(const std::string& key);
  void Learn(const std::string& prev2, const std::string& prev, const std::string& key, int source, uint64_t n);
  void Unlearn(const std::string& prev2, const std::string& prev, const std::string& key);
  void AddPair(const std::string& prev, const std::string& key, uint64_t n);
  void AddTriple(const std::string& prev2, const std::string& prev, const std::string& key, uint64_t n);
  // Drops the triples that hold any of `words`.
  void RemoveTriples(const std::unordered_set<std::string>& words);
  void Remove(const std::string& key, bool keep_blocked_entry);
  void Clear();
  // After a change of `key`'s entry: the index, the lexicon lists, and the
  // entry itself when nothing is left of it.
  void Refresh(const std::string& key);
  void RebuildLexiconLists();
  void EvictToTarget();
  size_t EntryBytes(const std::string& key, const UserEntry& e) const;
  // The normalized last token of `context`'s last line ("" when none or not
  // learnable), the one before it (*prev2, "" likewise), and whether the
  // context ends at a sentence start.
  std::string PreviousToken(std::string_view context, std::string* prev2, bool* sentence_start) const;

  const Lexicon* lexicon_;
  const text::Tokenizer* tokenizer_;
  UserModelOptions options_;
  std::unordered_map<std::string, UserEntry> words_;
  std::unordered_set<std::string> rejected_;  // "typed<TAB>correction"
  // The keys whose entry holds a spelling (at least those: a key leaves it
  // when its entry goes, or is reset).
  std::unordered_set<std::string> spelled_;
  std::unordered_map<std::string, UserTriples> triples_;  // "u<TAB>v" -> what followed
  uint64_t total_ = 0;
  uint64_t touch_n_ = 0, touch_q_ = 0;  // TouchSigma's n and sum
  uint64_t tick_ = 0;
  size_t bytes_ = 0;
  bool lexicon_lists_dirty_ = false;
  bool index_deferred_ = false;
  std::vector<int32_t> lexicon_words_;
  std::vector<int32_t> blocked_lexicon_;
  UserWordIndex index_;
  std::deque<std::string> recent_;
};

}  // namespace engine

struct UserModel::Impl {
  Impl(std::shared_ptr<const Engine> e, const engine::Lexicon* lexicon, const text::Tokenizer* tokenizer,
       const UserModelOptions& options);
  ~Impl();
  // Writes `records` to the file (when there is one), then applies them,
  // enforces the cap and compacts the file when it has grown; under the
  // exclusive lock.
  Status Commit(const std::vector<std::string>& records);

  std::shared_ptr<const Engine> engine;
  mutable std::shared_mutex mu;  // readers: sessions scoring; writers: changes
  engine::UserCounts counts;
  std::unique_ptr<engine::UserLog> log;
  std::string path, open_warning;
  uint64_t compacted_bytes = 0;  // the file's size after the last compaction
  std::atomic<uint64_t> generation{1};  // changes with every change of counts
};

}  // namespace hunch

#endif  // HUNCH_ENGINE_USER_MODEL_H_
