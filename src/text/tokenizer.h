// The word tokenizer of hunch's language models: an exact C++ port of
// train/tokenizer.py (train_tokens() and Tokenizer.encode()).
//
// Token rule, after the typographic apostrophe ’ (U+2019) is read as ':
//   emoji sequence | \w+(?:['’-]\w+)* | [^\w\s]        (Python re, Unicode)
// An emoji sequence is a flag (two regional indicators), a keycap
// ([#*0-9] U+FE0F? U+20E3), or an emoji base code point followed by
// modifiers (variation selectors, skin tones, tags), optionally joined to
// further such groups by ZWJ (U+200D). \w and \s are Python's (text/unicode.h).
// Tokens are then lower-cased with Python's str.lower() when the settings say
// so (the default), and looked up in the vocabulary; ids 0, 1, 2 are <unk>,
// <s>, </s>.
//
// Ill-formed UTF-8: each maximal ill-formed subpart reads as U+FFFD
// (text/utf8.h), which is a [^\w\s] token of its own; its normalized form is
// the UTF-8 of U+FFFD. This equals running Python's tokenizer on
// bytes.decode("utf-8", errors="replace"). Offsets always refer to the bytes
// as given.
//
// Thread safety: a Tokenizer is immutable after Create; share it freely.
// The free functions are reentrant.
#ifndef HUNCH_TEXT_TOKENIZER_H_
#define HUNCH_TEXT_TOKENIZER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hunch/model.h"
#include "hunch/status.h"
#include "text/unicode.h"  // IsWordChar, IsSpace, AppendLower, Lower

namespace hunch {
namespace text {

// One token of a text: bytes [begin, end) of the input.
struct Piece {
  uint32_t begin, end;
  bool word;   // matched \w+(?:['’-]\w+)* (starts with a letter, digit or '_')
  bool emoji;  // matched the emoji-sequence alternative (keycaps "1\u20E3" included,
               // which Python's is_word_token() would call words)
};

// Splits `text` by the training token rule into *out (cleared first). Pieces
// are in text order, never overlap, and cover every byte that is not \s.
// Texts of 4 GiB or more are not supported (offsets are 32-bit): only their
// first 4 GiB - 1 bytes are split.
void Split(std::string_view text, std::vector<Piece>* out);

class Tokenizer {
 public:
  Tokenizer() = default;  // empty: size() 0, every Lookup gives unk_id()

  // vocab: the model metadata "vocab": tokens joined by "\n" in id order (one
  // trailing "\n" allowed), ids 0, 1, 2 = <unk>, <s>, </s>; tokens non-empty,
  // well-formed UTF-8 and unique. settings: the metadata "tokenizer", the
  // tokenizer.json that train/tokenizer.py writes (settings_dict()); its
  // version, token_regex, lowercase flag, special ids and vocab_size are
  // checked. On error *out is left unchanged and the Status says what is wrong.
  static Status Create(std::string_view vocab, std::string_view settings, Tokenizer* out);
  // The same from a model's metadata entries "vocab" and "tokenizer"
  // (kNotFound naming the missing entry when absent).
  static Status FromModel(const Model& model, Tokenizer* out);

  int size() const { return static_cast<int>(offsets_.empty() ? 0 : offsets_.size() - 1); }
  int unk_id() const { return 0; }
  int bos_id() const { return 1; }
  int eos_id() const { return 2; }
  bool lowercase() const { return lowercase_; }

  // A token as the vocabulary spells it: ’ -> ', ill-formed UTF-8 -> U+FFFD,
  // and Python's str.lower() when lowercase().
  std::string Normalize(std::string_view token) const;
  void AppendNormalized(std::string_view token, std::string* out) const;
  // The id of a normalized token, unk_id() when absent. O(1) on average.
  int Lookup(std::string_view normalized) const;
  // The token of an id in [0, size()); empty for ids out of range.
  std::string_view token(int id) const;

  // The ids of Split(text)'s tokens, normalized (no <s> or </s> added), into
  // *ids (cleared first).
  void Encode(std::string_view text, std::vector<int32_t>* ids) const;

 private:
  bool lowercase_ = true;
  std::string blob_;               // every token, back to back
  std::vector<uint32_t> offsets_;  // token i is blob_[offsets_[i], offsets_[i + 1])
  std::vector<int32_t> slots_;     // open addressing hash table of ids, -1 = empty
};

}  // namespace text
}  // namespace hunch

#endif  // HUNCH_TEXT_TOKENIZER_H_
