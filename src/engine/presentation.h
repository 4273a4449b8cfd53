// Presentation: the chosen candidates as the suggestions a keyboard shows.
//
// Display case: the lexicon's spelling ("i" -> "I"), the first letter
// upper-cased at a sentence start (nothing typed) or when the user typed the
// first letter upper-case, all upper-case when the user types in capitals
// (at least two upper-case letters and no lower-case one; ASCII letters
// change case, others keep the lexicon's).
// Kinds: next word, completion, correction (cost > 0), literal.
// Autocorrect: the first suggestion, when it is a correction, the typed
// word has at least two code points, and it beats the literal typing's
// score by kAutocorrectMargin nats (the literal scores -inf when it is not a
// word).
#ifndef HUNCH_ENGINE_PRESENTATION_H_
#define HUNCH_ENGINE_PRESENTATION_H_

#include <string>
#include <string_view>
#include <vector>

#include "engine/candidate.h"
#include "engine/lexicon.h"
#include "hunch/engine.h"

namespace hunch {
namespace engine {

constexpr float kAutocorrectMargin = 2.0f;

enum class DisplayCase { kAsIs, kCapitalizeFirst, kAllCaps };

// The case the typed word (or, with nothing typed, the sentence position)
// asks for.
DisplayCase CaseFor(std::string_view typed, bool sentence_start);
std::string ApplyCase(const std::string& text, DisplayCase c);

// Appends one suggestion per chosen candidate, in order, to *out.
void Present(const Lexicon& lex, const std::vector<const Candidate*>& chosen, const std::string& typed_key,
             bool typed_empty, DisplayCase display_case, std::vector<Suggestion>* out);

// Whether the autocorrect rule holds for the first suggestion.
bool ShouldAutocorrect(const Suggestion& first, float literal_score, std::string_view typed_key);

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_PRESENTATION_H_
