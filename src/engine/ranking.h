// Ranking and selection: which candidates are shown, in which order.
//
// Rank: by score (log P - cost), optionally favouring words with more left
// to type (savings_weight). Select: best first, no two with the same key,
// not the typed word itself while the word goes on (it saves nothing), and
// words the user already passed over for this word make way (PassedOver)
// when skip_passed_over is set - in a second pass they fill slots still free
// - except the likeliest completion of the typed prefix, which the user may
// still be typing toward: it is never hidden.
#ifndef HUNCH_ENGINE_RANKING_H_
#define HUNCH_ENGINE_RANKING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "engine/candidate.h"
#include "engine/lexicon.h"

namespace hunch {
namespace engine {

// Words shown for the word being typed that the user typed past: the same
// context and a longer typed word mean the user saw them and went on.
class PassedOver {
 public:
  // Call before selecting, with the request's context ids and typed word.
  void Update(const std::vector<int32_t>& ids, const std::string& typed);
  // Call after selecting, with the keys shown.
  void Remember(const std::vector<int32_t>& ids, const std::string& typed, std::vector<std::string> shown);
  bool Contains(const std::string& key) const { return words_.count(key) != 0; }
  size_t size() const { return words_.size(); }
  void Clear();

 private:
  std::vector<int32_t> last_ids_;
  std::string last_typed_;
  std::vector<std::string> last_shown_;
  std::unordered_set<std::string> words_;
};

// Sets every candidate's rank and sorts best first (ties: lexicon order).
void RankCandidates(const Lexicon& lex, size_t typed_code_points, float savings_weight, std::vector<Candidate>* cands);

// The literal typing's own score (a cost-0 candidate whose key is the typed
// word), -inf when it is not a word.
float LiteralScore(const Lexicon& lex, const std::vector<Candidate>& cands, const std::string& typed_key);

struct SelectOptions {
  size_t max = 3;
  bool typing = false;  // a word is being typed and not complete
  bool skip_passed_over = true;
};
// The candidates to show, best first (pointers into `cands`).
std::vector<const Candidate*> SelectCandidates(const Lexicon& lex, const std::vector<Candidate>& cands,
                                               const std::string& typed_key, const PassedOver& passed,
                                               const SelectOptions& options);

// Puts the autocorrection `first` (possibly from another candidate list) at
// the front of `chosen` (at most `max` long): an entry with its key moves
// there as it is; otherwise `first` comes in, and when that makes more than
// `max` the last entry goes, unless it is the likeliest completion of
// `typed_key` (the first cost-0 entry longer than it), then the one before.
void PutFirst(const Lexicon& lex, const Candidate* first, const std::string& typed_key, size_t max,
              std::vector<const Candidate*>* chosen);

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_RANKING_H_
