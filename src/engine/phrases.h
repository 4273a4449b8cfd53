// Phrases: a confident next word extended greedily while the LM stays
// confident (first word P >= 0.2, each next word P >= 0.5, at most three
// words, each starting with a letter or digit). The look-ahead runs on a
// branch of the context's LM state (LmContext::Branch), which is restored
// afterwards. The phrase takes the last slot (or a free one) when its joint
// probability beats that slot's score.
#ifndef HUNCH_ENGINE_PHRASES_H_
#define HUNCH_ENGINE_PHRASES_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/candidate.h"
#include "engine/lexicon.h"
#include "engine/lm_context.h"
#include "hunch/engine.h"
#include "hunch/status.h"

namespace hunch {
namespace engine {

constexpr int kMaxPhraseWords = 3;

// Whether a lexicon word may go into a phrase (not blocked, not offensive).
using WordAllowed = std::function<bool(int32_t lexicon_index)>;

// `first` is the best next-word candidate, shown as (*out)[0].
Status OfferPhrase(const Lexicon& lex, LmContext* lm, const Candidate& first, const WordAllowed& allowed, size_t max,
                   std::vector<Suggestion>* out);

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_PHRASES_H_
