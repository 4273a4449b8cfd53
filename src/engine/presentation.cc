#include "engine/presentation.h"

#include <algorithm>

#include "text/unicode.h"
#include "text/utf8.h"

namespace hunch {
namespace engine {

namespace {

std::string CapitalizeFirst(const std::string& s) {
  std::string r = s;
  if (!r.empty() && r[0] >= 'a' && r[0] <= 'z') r[0] = static_cast<char>(r[0] - 'a' + 'A');
  return r;
}

std::string UpperAscii(const std::string& s) {
  std::string r = s;
  for (char& c : r)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return r;
}

// At least two upper-case letters (code points that lower-case to something
// else) and no ASCII lower-case letter; ill-formed UTF-8 reads as U+FFFD,
// which is neither.
bool TypedInCapitals(std::string_view raw) {
  const std::string typed = text::ToValidUtf8(raw);
  int upper = 0;
  std::string lower;
  for (size_t pos = 0; pos < typed.size();) {
    const size_t start = pos;
    const char32_t c = text::NextCodePoint(typed, &pos);
    if (c >= 'a' && c <= 'z') return false;
    lower.clear();
    text::AppendLower(c, &lower);
    if (lower != std::string_view(typed).substr(start, pos - start)) ++upper;
  }
  return upper >= 2;
}

}  // namespace

DisplayCase CaseFor(std::string_view typed, bool sentence_start) {
  if (typed.empty()) return sentence_start ? DisplayCase::kCapitalizeFirst : DisplayCase::kAsIs;
  if (TypedInCapitals(typed)) return DisplayCase::kAllCaps;
  if (typed[0] >= 'A' && typed[0] <= 'Z') return DisplayCase::kCapitalizeFirst;
  return DisplayCase::kAsIs;
}

std::string ApplyCase(const std::string& text, DisplayCase c) {
  switch (c) {
    case DisplayCase::kAllCaps:
      return UpperAscii(text);
    case DisplayCase::kCapitalizeFirst:
      return CapitalizeFirst(text);
    case DisplayCase::kAsIs:
      break;
  }
  return text;
}

void Present(const Lexicon& lex, const std::vector<const Candidate*>& chosen, const std::string& typed_key,
             bool typed_empty, DisplayCase display_case, std::vector<Suggestion>* out) {
  for (const Candidate* c : chosen) {
    Suggestion sg;
    sg.text = ApplyCase(std::string(c->display(lex)), display_case);
    sg.score = c->score;
    if (typed_empty)
      sg.kind = SuggestionKind::kNextWord;
    else if (c->cost > 0)
      sg.kind = SuggestionKind::kCorrection;
    else if (c->key(lex) == typed_key)
      sg.kind = SuggestionKind::kLiteral;
    else
      sg.kind = SuggestionKind::kCompletion;
    out->push_back(std::move(sg));
  }
}

bool ShouldAutocorrect(float correction_score, float literal_score, std::string_view typed_key) {
  return correction_score > literal_score + kAutocorrectMargin && text::CountCodePoints(typed_key) >= 2;
}

void KeepLiteral(const std::string& raw_typed, float literal_score, bool by_score, size_t max,
                 std::vector<Suggestion>* out) {
  if (raw_typed.empty() || max == 0) return;
  // Only what a keyboard could put in the text as a word: no control
  // character, no white space, no U+FFFD (an ill-formed byte, or one typed).
  const std::string literal = text::ToValidUtf8(raw_typed);
  if (!IsTypeableKey(literal)) return;
  for (size_t pos = 0; pos < literal.size();)
    if (text::IsSpace(text::NextCodePoint(literal, &pos))) return;
  const std::string lower = text::Lower(literal);
  float lowest = 0;
  for (const Suggestion& s : *out) {
    if (s.kind == SuggestionKind::kLiteral || text::Lower(s.text) == lower) return;
    lowest = std::min(lowest, s.score);
  }
  Suggestion lit;
  lit.text = literal;
  lit.kind = SuggestionKind::kLiteral;
  lit.score = literal_score > kNegInf ? literal_score : lowest - 1.0f;
  size_t at = out->size();  // appended when there is room
  if (out->size() >= max) {
    at = out->size() - 1;
    for (size_t i = out->size(); i-- > 1;)
      if ((*out)[i].kind != SuggestionKind::kEmoji) {
        at = i;
        break;
      }
    out->erase(out->begin() + static_cast<std::ptrdiff_t>(at));
  }
  if (by_score && literal_score > kNegInf) {  // at most `at` (at <= out->size())
    size_t earned = !out->empty() && (*out)[0].autocorrect ? 1 : 0;
    while (earned < at && (*out)[earned].score >= literal_score) ++earned;
    at = std::min(at, earned);
  }
  out->insert(out->begin() + static_cast<std::ptrdiff_t>(at), std::move(lit));
}

}  // namespace engine
}  // namespace hunch
