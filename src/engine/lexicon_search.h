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
// Corrections (cost > 0) are words (IsCorrectable), never punctuation. The
// user's words the lexicon lacks are
// aligned one by one with the same recurrence (TypingChannel::Align).
#ifndef HUNCH_ENGINE_LEXICON_SEARCH_H_
#define HUNCH_ENGINE_LEXICON_SEARCH_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/candidate.h"
#include "engine/lexicon.h"
#include "engine/typing_channel.h"
#include "engine/word_scores.h"

namespace hunch {
namespace engine {

class LexiconSearch {
 public:
  static constexpr float kBeam = 12.0f;             // candidates this far below the best are not searched
  static constexpr size_t kMaxDepthBytes = 64;      // longest word the search follows
  static constexpr size_t kMaxExpansions = 1000;   // a hard cap on the work of one search

  LexiconSearch(const Lexicon& lexicon, const TypingChannel& channel, const WordScores& scores)
      : lex_(lexicon), channel_(channel), scores_(scores) {}

  // Appends the candidates for `obs` (the typed word `literal`, normalized)
  // to *out, unordered; `user_words` are words outside the lexicon to align
  // as well.
  void Run(const std::vector<Observation>& obs, std::string_view literal, bool complete, size_t keep,
           const std::vector<std::string>& user_words, std::vector<Candidate>* out) const;

  // True when a correction may be `key`: it starts with a letter or digit,
  // or with an apostrophe and then one ("'s"); not punctuation, not a symbol.
  static bool IsCorrectable(std::string_view key);

 private:
  struct State;
  struct Node;
  struct Frontier;
  void Expand(State& st, const Node& node, Frontier* frontier) const;
  void Emit(State& st, size_t i, float cost) const;
  void EmitRange(State& st, size_t lo, size_t hi, float cost) const;

  const Lexicon& lex_;
  const TypingChannel& channel_;
  const WordScores& scores_;
};

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_LEXICON_SEARCH_H_
