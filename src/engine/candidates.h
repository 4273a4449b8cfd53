// Candidate generation besides the lexicon search: the next-word lists
// (nothing typed yet) and the plain prefix lookup used when corrections are
// off. Every candidate's log_prob comes from WordScores.
#ifndef HUNCH_ENGINE_CANDIDATES_H_
#define HUNCH_ENGINE_CANDIDATES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/candidate.h"
#include "engine/context_window.h"
#include "engine/lexicon.h"
#include "engine/user_model.h"
#include "engine/word_scores.h"

namespace hunch {
namespace engine {

// Next word: the `keep` vocabulary words the LM rates best, the `keep` most
// frequent long-tail words, the window's words (the cache model's), and the
// words the user wrote after the window's last token (user may be null;
// of the words the lexicon lacks, those the learning rules let through).
// Words flagged in `offensive` (null: none; Engine::Impl::withheld, the
// offensive and withheld lists) score -inf.
void NextWordCandidates(const Lexicon& lex, const float* lm_log_probs, int vocab_size, const ContextWindow& window,
                        const UserCounts* user, const WordScores& scores, const std::vector<uint8_t>* offensive,
                        size_t keep, std::vector<Candidate>* out);

// The lexicon words that start with `typed_key` (or are it, when complete),
// at cost 0; long-tail words seen fewer than min_count times are left out,
// and so are words flagged in `offensive` other than the typed one.
void PrefixCandidates(const Lexicon& lex, const WordScores& scores, std::string_view typed_key, bool complete,
                      uint64_t min_count, const std::vector<uint8_t>* offensive, std::vector<Candidate>* out);

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_CANDIDATES_H_
