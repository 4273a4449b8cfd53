// Presentation: the chosen candidates as the suggestions a keyboard shows.
//
// Display case: the lexicon's spelling ("i" -> "I"), the first letter
// upper-cased at a sentence start (nothing typed) or when the user typed the
// first letter upper-case, all upper-case when the user types in capitals
// (at least two upper-case letters and no lower-case one; ASCII letters
// change case, others keep the lexicon's).
// Kinds: next word, completion, correction (cost > 0), literal.
// Autocorrect (docs/engine.md, "Autocorrect"): the flag marks the word that
// space puts in the text instead of what was typed. The best whole-word
// correction is that word when the typed word has at least two code points
// and the correction beats the literal by kAutocorrectMargin nats: the
// literal's own score when the lexicon or the user knows it, else the
// unknown-word class's less kUnknownLiteralDiscount (so an unknown name is
// kept unless a correction is clearly likelier, touches and context
// included).
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
// A literal typing that no lexicon and no user word matches scores the
// unknown-word class's share (WordScores::Of, half a tail count) less this
// many nats: chosen on the development split (train/out/data/valid.txt, the
// EVAL.md rule), where 0 / 2 / 4 / 6 / 9 gave wer_auto 2.31 / 1.19 / 0.82 /
// 0.82 / 1.00% and false_autocorrect 0 / 0.02 / 0.05 / 0.14 / 0.47%.
constexpr float kUnknownLiteralDiscount = 4.0f;

enum class DisplayCase { kAsIs, kCapitalizeFirst, kAllCaps };

// The case the typed word (or, with nothing typed, the sentence position)
// asks for.
DisplayCase CaseFor(std::string_view typed, bool sentence_start);
std::string ApplyCase(const std::string& text, DisplayCase c);

// Appends one suggestion per chosen candidate, in order, to *out.
void Present(const Lexicon& lex, const std::vector<const Candidate*>& chosen, const std::string& typed_key,
             bool typed_empty, DisplayCase display_case, std::vector<Suggestion>* out);

// Whether a correction scoring `correction_score` replaces a literal typing
// scoring `literal_score` (log P - cost, both).
bool ShouldAutocorrect(float correction_score, float literal_score, std::string_view typed_key);

// Makes sure a finished word's list offers the literal typing: when no
// suggestion is the literal (case aside) and `raw_typed` is something a
// keyboard could put in the text as a word (well-formed UTF-8 without
// control characters, white space or U+FFFD), it comes in as a
// kLiteral suggestion scoring `literal_score` (or below every other
// suggestion when that is -inf: a word the user blocked), in a free slot, or
// else in place of the last suggestion that is neither the first nor an
// emoji (the last one when there is no such). With `by_score` (the literal
// has evidence of its own: the user wrote it before, in the context or in
// the user dictionary), it takes the place its score earns instead, never
// before an autocorrection, the same suggestion making way.
void KeepLiteral(const std::string& raw_typed, float literal_score, bool by_score, size_t max,
                 std::vector<Suggestion>* out);

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_PRESENTATION_H_
