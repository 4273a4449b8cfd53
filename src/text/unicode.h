// Character properties and lower-casing exactly as Python 3's `re` and
// str.lower() define them, from tables generated out of the Python that
// trains the models (scripts/gen_unicode_tables.py; Unicode version in
// UnicodeVersion()). The tokenizer depends on these matching Python bit for
// bit: a different \w or lower() would map text to different vocabulary ids
// than training did.
//
// Thread safety: every function here is pure and reentrant.
#ifndef HUNCH_TEXT_UNICODE_H_
#define HUNCH_TEXT_UNICODE_H_

#include <string>
#include <string_view>

namespace hunch {
namespace text {

// Python `re` \w in a str pattern: c.isalnum() or c == '_' (letters, digits,
// numerics of every script; not combining marks, not emoji).
bool IsWordChar(char32_t c);
// Python `re` \s: c.isspace().
bool IsSpace(char32_t c);

// Appends Python's str.lower() of the single code point `c` in UTF-8 (one
// code point, or several: U+0130 -> "i\u0307"). A lone U+03A3 gives U+03C3;
// the final form U+03C2 depends on context, which Lower() applies.
void AppendLower(char32_t c, std::string* out);

// Python's str.lower() of a UTF-8 string, including the Greek final-sigma
// rule ("ΟΔΟΣ" -> "οδος"). Ill-formed UTF-8 is lowered as U+FFFD.
std::string Lower(std::string_view utf8);
// The same, appended to *out.
void AppendLower(std::string_view utf8, std::string* out);

// The Unicode version of the tables ("14.0.0").
const char* UnicodeVersion();

namespace internal {
// The final-sigma rule's properties (CPython's _PyUnicode_IsCaseIgnorable
// and _PyUnicode_IsCased; `cased` is false for case-ignorable code points).
bool IsCaseIgnorable(char32_t c);
bool IsCasedNotIgnorable(char32_t c);
// train/tokenizer.py's emoji classes.
bool IsEmojiBase(char32_t c);
bool IsEmojiModifier(char32_t c);
bool IsRegionalIndicator(char32_t c);
}  // namespace internal

}  // namespace text
}  // namespace hunch

#endif  // HUNCH_TEXT_UNICODE_H_
