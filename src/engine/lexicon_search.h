// The lexicon search: the words the typed keys (or touches) could be, scored
// log P(word | context) - channel cost.
//
// The sorted lexicon is an implicit trie (a node is a range of words sharing
// its first `depth` bytes). The search is best-first over trie nodes, one
// TypingChannel column per level: a node's bound is the best log P over its
// words (WordScores block maxima) minus the lowest cost its column can still
// reach; the node with the highest bound is expanded next, and the search
// stops when no node can enter the current top `keep` or come within kBeam
// nats of the best candidate, or after kMaxExpansions expansions (a hard cap
// on one call's work).
//
// A word's cost is its alignment against all the observations (complete),
// or the best of its non-empty prefixes' (a completion: the rest is still to
// type). First the literal typing's own words are emitted at cost 0 (they
// set the threshold early); the fuzzy search then skips cost-0 words.
// Corrections (cost > 0) are words (IsCorrectable), never punctuation.
//
// The user's words the lexicon lacks are searched the same way, over the
// user dictionary's sorted index (UserWordIndex), after the lexicon and
// against the same threshold, with a beam of kUserBeam nats (e^-8 of the
// best: never among the shown suggestions); a node's bound there is
// WordScores::UserOnlyBound of the highest count below it. The few words
// that bound does not cover (those in the cache window, those learned after
// the previous word or two, and the index's pending ones) are aligned one
// by one
// with the same recurrence (TypingChannel::Align).
//
// Filtered out: blocked words (WordScores scores them -inf), and words of
// the offensive and withheld lists unless they are the literal typing.
#ifndef HUNCH_ENGINE_LEXICON_SEARCH_H_
#define HUNCH_ENGINE_LEXICON_SEARCH_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/candidate.h"
#include "engine/lexicon.h"
#include "engine/typing_channel.h"
#include "engine/user_model.h"
#include "engine/word_scores.h"

namespace hunch {
namespace engine {

namespace search_internal {

// One trie node: the words [lo, hi) share their first `depth` bytes; `col`
// is its channel column (offset into SearchScratch::pool), `parent_col` its
// parent's (for transpositions; SIZE_MAX at the root).
struct Node {
  size_t lo, hi, depth;
  size_t col, parent_col;
  char32_t last;           // the node's letter (the last of its prefix)
  float best_prefix;       // min over the path's columns of cell n (a completion's cost); kInf at the root
  float bound;             // max log P over the range minus the lowest reachable cost
  float trans_min;         // the lowest cost a transposition of this node's letter with the next reaches
                           // (from the parent column); kInf when none can
  LiveRange live;          // of col
  LiveRange parent_live;   // of parent_col
  bool operator<(const Node& o) const { return bound < o.bound; }
};

}  // namespace search_internal

// The buffers a search works in, kept by the caller (a session) from call to
// call so that a keystroke allocates nothing once they have grown: buffers
// made and freed per call went back to the system and were faulted in again
// on the next call, which made up most of the slowest calls (hunch eval
// --clock cpu, every call at sigma 0.25: p99 4,844 us with per-call buffers,
// 816 us with kept ones; AMD EPYC Zen 5).
struct SearchScratch {
  std::vector<float> pool;                      // the nodes' channel columns
  std::vector<search_internal::Node> frontier;  // the best-first heap
};

class LexiconSearch {
 public:
  static constexpr float kBeam = 12.0f;             // candidates this far below the best are not searched
  static constexpr size_t kMaxDepthBytes = 64;      // longest word the search follows
  static constexpr size_t kMaxExpansions = 1000;   // a hard cap on the work of one search
  static constexpr size_t kMaxUserExpansions = 300;  // and of the search of the user's words after it
  static constexpr size_t kMinUserExpansions = 60;   // (what the lexicon left of kMaxExpansions, at least this)
  static constexpr float kUserBeam = 8.0f;           // the user's words: this far below the best at most

  // Words the user learned after one token that are aligned one by one at
  // most; beyond, the index's bound covers them too (looser).
  static constexpr size_t kMaxExplicitPairs = 256;

  // `offensive`: null, or a flag per lexicon word (Engine::Impl::withheld:
  // the offensive and withheld lists).
  LexiconSearch(const Lexicon& lexicon, const TypingChannel& channel, const WordScores& scores,
                const std::vector<uint8_t>* offensive = nullptr)
      : lex_(lexicon), channel_(channel), scores_(scores), offensive_(offensive) {}

  // Appends the candidates for `obs` (the typed word `literal`, normalized)
  // to *out, unordered; `user` (null: none; the caller holds its lock) adds
  // the user's words the lexicon lacks.
  // `stats` (may be null) tells whether the search of the lexicon or of the
  // user's words stopped at kMaxExpansions (then it may have missed
  // candidates; otherwise it found every word that beats the final
  // threshold).
  struct Stats {
    bool lexicon_capped = false, user_capped = false;
  };
  // `scratch` (may be null: buffers of this call alone) is not shared
  // between threads.
  void Run(const std::vector<Observation>& obs, std::string_view literal, bool complete, size_t keep,
           const UserCounts* user, std::vector<Candidate>* out, Stats* stats = nullptr,
           SearchScratch* scratch = nullptr) const;

  // Candidates must score above `floor` (default -inf): a search that only
  // asks whether some word beats a given score (the autocorrect decision)
  // stops as soon as none can.
  LexiconSearch& set_floor(float floor) {
    floor_ = floor;
    return *this;
  }

  // True when a correction may be `key`: it starts with a letter or digit,
  // or with an apostrophe and then one ("'s"); not punctuation, not a symbol.
  static bool IsCorrectable(std::string_view key);

 private:
  const Lexicon& lex_;
  const TypingChannel& channel_;
  const WordScores& scores_;
  const std::vector<uint8_t>* offensive_;
  float floor_ = kNegInf;
};

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_LEXICON_SEARCH_H_
