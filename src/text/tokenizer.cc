#include "text/tokenizer.h"

#include <cstring>
#include <limits>

#include "text/unicode_tables.h"
#include "text/utf8.h"
#include "util/json.h"
#include "util/strings.h"

namespace hunch {
namespace text {

namespace {

using hunch::internal::Format;
using internal::IsEmojiBase;
using internal::IsEmojiModifier;
using internal::IsRegionalIndicator;

constexpr char32_t kApostrophe = 0x2019;  // ’, read as '

// The code point at byte `pos` (kNone past the end) and the offset after it.
constexpr char32_t kNone = 0xFFFFFFFF;
char32_t At(std::string_view s, size_t pos, size_t* next) {
  if (pos >= s.size()) {
    *next = pos;
    return kNone;
  }
  *next = pos;
  return NextCodePoint(s, next);
}

// base modifier* at `pos` (c = the code point there, a base); returns the end.
size_t EmojiGroupEnd(std::string_view s, size_t after_base) {
  size_t pos = after_base, next;
  while (IsEmojiModifier(At(s, pos, &next))) pos = next;
  return pos;
}

// The end of the emoji-sequence alternative starting with `c` at `pos`
// (`after` = the offset after c), or 0 when it does not match. Alternatives in
// the regex's order: flag, keycap, base group (ZWJ base group)*.
size_t MatchEmoji(std::string_view s, char32_t c, size_t after) {
  size_t next;
  if (IsRegionalIndicator(c) && IsRegionalIndicator(At(s, after, &next))) return next;
  if (c == '#' || c == '*' || (c >= '0' && c <= '9')) {
    size_t p = after;
    char32_t d = At(s, p, &next);
    if (d == 0xFE0F) {
      p = next;
      d = At(s, p, &next);
    }
    if (d == internal::kKeycap) return next;
  }
  if (!IsEmojiBase(c)) return 0;
  size_t end = EmojiGroupEnd(s, after);
  while (true) {
    size_t after_zwj;
    if (At(s, end, &after_zwj) != internal::kZwj) break;
    size_t after_base;
    if (!IsEmojiBase(At(s, after_zwj, &after_base))) break;
    end = EmojiGroupEnd(s, after_base);
  }
  return end;
}

// The end of \w+(?:['’-]\w+)* starting at a word character; `after` is the
// offset after it.
size_t MatchWord(std::string_view s, size_t after) {
  size_t pos = after, next;
  while (true) {
    while (IsWordChar(At(s, pos, &next))) pos = next;
    const char32_t joiner = At(s, pos, &next);
    if (joiner != '\'' && joiner != '-' && joiner != kApostrophe) return pos;
    size_t after_word;
    if (!IsWordChar(At(s, next, &after_word))) return pos;
    pos = after_word;
  }
}

uint64_t Hash(std::string_view s) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h ^ (h >> 29);
}

Status CheckSettings(const json::Value& s, size_t vocab_size, bool* lowercase) {
  if (!s.is_object()) return Status::InvalidArgument("tokenizer settings must be a JSON object");
  const json::Value* version = s.Find("version");
  if (!version || !version->is_int() || version->int_value() != internal::kTokenizerVersion)
    return Status::Unsupported(
        Format("tokenizer settings: unsupported version (this library reads version %d)", internal::kTokenizerVersion));
  const json::Value* regex = s.Find("token_regex");
  if (!regex || !regex->is_string() || regex->str() != internal::kTrainTokenPattern)
    return Status::Unsupported(
        "tokenizer settings: token_regex differs from this tokenizer's rule (train/tokenizer.py "
        "TRAIN_TOKEN_PATTERN)");
  const json::Value* low = s.Find("lowercase");
  if (!low || !low->is_bool()) return Status::InvalidArgument("tokenizer settings: 'lowercase' must be true or false");
  *lowercase = low->bool_value();
  if (const json::Value* n = s.Find("vocab_size")) {
    if (!n->is_number() || static_cast<double>(vocab_size) != n->number())
      return Status::InvalidArgument(Format(
          "tokenizer settings: vocab_size %.17g does not match the vocabulary (%zu tokens)", n->number(), vocab_size));
  }
  static const char* const kIdNames[] = {"unk_id", "bos_id", "eos_id"};
  static const char* const kSpecials[] = {"<unk>", "<s>", "</s>"};
  for (int i = 0; i < 3; ++i) {
    const json::Value* id = s.Find(kIdNames[i]);
    if (id && !(id->is_int() && id->int_value() == i))
      return Status::Unsupported(Format("tokenizer settings: %s must be %d", kIdNames[i], i));
  }
  if (const json::Value* sp = s.Find("special_tokens")) {
    if (!sp->is_object()) return Status::InvalidArgument("tokenizer settings: special_tokens must be an object");
    for (int i = 0; i < 3; ++i) {
      const json::Value* id = sp->Find(kSpecials[i]);
      if (!id || !id->is_int() || id->int_value() != i)
        return Status::Unsupported(Format("tokenizer settings: special token %s must have id %d", kSpecials[i], i));
    }
  }
  if (const json::Value* norm = s.Find("normalize")) {
    const json::Value* apos = norm->Find("\xE2\x80\x99");
    if (!norm->is_object() || norm->size() != 1 || !apos || !apos->is_string() || apos->str() != "'")
      return Status::Unsupported("tokenizer settings: normalize must be {\"\\u2019\": \"'\"}");
  }
  return Status::OK();
}

}  // namespace

void Split(std::string_view text, std::vector<Piece>* out) {
  out->clear();
  if (text.size() >= std::numeric_limits<uint32_t>::max())
    text = text.substr(0, std::numeric_limits<uint32_t>::max() - 1);
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t begin = pos;
    size_t after = pos;
    const char32_t c = NextCodePoint(text, &after);
    if (IsSpace(c)) {
      pos = after;
      continue;
    }
    Piece p{static_cast<uint32_t>(begin), 0, false, false};
    size_t end = MatchEmoji(text, c, after);
    if (end != 0) {
      p.emoji = true;
    } else if (IsWordChar(c)) {
      end = MatchWord(text, after);
      p.word = true;
    } else {
      end = after;  // [^\w\s]
    }
    p.end = static_cast<uint32_t>(end);
    out->push_back(p);
    pos = end;
  }
}

Status Tokenizer::Create(std::string_view vocab, std::string_view settings, Tokenizer* out) {
  json::Value s;
  Status st = json::Parse(settings, &s);
  if (!st.ok()) return Status(st.code(), "tokenizer settings: " + st.message());

  Tokenizer t;
  if (vocab.size() >= std::numeric_limits<uint32_t>::max()) return Status::InvalidArgument("vocab: larger than 4 GiB");
  if (!vocab.empty() && vocab.back() == '\n') vocab.remove_suffix(1);
  t.blob_.reserve(vocab.size());
  t.offsets_.push_back(0);
  size_t pos = 0;
  while (pos <= vocab.size()) {
    size_t nl = vocab.find('\n', pos);
    if (nl == std::string_view::npos) nl = vocab.size();
    const std::string_view tok = vocab.substr(pos, nl - pos);
    const int id = static_cast<int>(t.offsets_.size() - 1);
    if (tok.empty()) return Status::InvalidArgument(Format("vocab: token %d is empty", id));
    if (tok.back() == '\r')
      return Status::InvalidArgument(Format("vocab: token %d ends in a carriage return (CRLF line ends?)", id));
    if (!IsValidUtf8(tok)) return Status::InvalidArgument(Format("vocab: token %d is not valid UTF-8", id));
    t.blob_.append(tok.data(), tok.size());
    t.offsets_.push_back(static_cast<uint32_t>(t.blob_.size()));
    if (t.offsets_.size() - 1 > static_cast<size_t>(std::numeric_limits<int32_t>::max() / 4))
      return Status::InvalidArgument("vocab: too many tokens");
    pos = nl + 1;
  }
  const int n = t.size();
  if (n < 3) return Status::InvalidArgument(Format("vocab: %d tokens; needs at least <unk>, <s>, </s>", n));
  static const char* const kSpecials[] = {"<unk>", "<s>", "</s>"};
  for (int i = 0; i < 3; ++i)
    if (t.token(i) != kSpecials[i])
      return Status::InvalidArgument(Format("vocab: token %d must be %s, not '%.*s'", i, kSpecials[i],
                                            static_cast<int>(t.token(i).size()), t.token(i).data()));

  HUNCH_RETURN_IF_ERROR(CheckSettings(s, static_cast<size_t>(n), &t.lowercase_));

  // Open addressing, load factor <= 1/2.
  size_t cap = 16;
  while (cap < static_cast<size_t>(n) * 2) cap *= 2;
  t.slots_.assign(cap, -1);
  for (int id = 0; id < n; ++id) {
    const std::string_view tok = t.token(id);
    size_t i = Hash(tok) & (cap - 1);
    while (t.slots_[i] >= 0) {
      if (t.token(t.slots_[i]) == tok)
        return Status::InvalidArgument(Format("vocab: token %d '%.*s' repeats token %d", id,
                                              static_cast<int>(tok.size()), tok.data(), t.slots_[i]));
      i = (i + 1) & (cap - 1);
    }
    t.slots_[i] = id;
  }
  *out = std::move(t);
  return Status::OK();
}

Status Tokenizer::FromModel(const Model& model, Tokenizer* out) {
  const uint8_t* vocab = nullptr;
  const uint8_t* settings = nullptr;
  size_t vocab_size = 0, settings_size = 0;
  if (!model.GetMetadata("vocab", &vocab, &vocab_size).ok())
    return Status::NotFound("the model has no \"vocab\" metadata (the tokens of its vocabulary)");
  if (!model.GetMetadata("tokenizer", &settings, &settings_size).ok())
    return Status::NotFound("the model has no \"tokenizer\" metadata (the tokenizer settings)");
  Status s = Create(std::string_view(reinterpret_cast<const char*>(vocab), vocab_size),
                    std::string_view(reinterpret_cast<const char*>(settings), settings_size), out);
  if (!s.ok()) return Status(s.code(), "model metadata: " + s.message());
  return Status::OK();
}

std::string_view Tokenizer::token(int id) const {
  if (id < 0 || id >= size()) return std::string_view();
  return std::string_view(blob_).substr(offsets_[id], offsets_[id + 1] - offsets_[id]);
}

void Tokenizer::AppendNormalized(std::string_view token, std::string* out) const {
  // ’ -> ' and ill-formed bytes -> U+FFFD, then lower-case the result (the
  // order of train/tokenizer.py: normalize, split, lower).
  const size_t start = out->size();
  size_t pos = 0;
  bool need_lower = false;
  while (pos < token.size()) {
    const unsigned char b = static_cast<unsigned char>(token[pos]);
    if (b < 0x80) {
      out->push_back(static_cast<char>(b));
      need_lower |= (b >= 'A' && b <= 'Z');
      ++pos;
      continue;
    }
    const size_t from = pos;
    const char32_t c = NextCodePoint(token, &pos);
    need_lower = true;
    if (c == kApostrophe)
      out->push_back('\'');
    else if (c == kReplacementChar)
      AppendUtf8(c, out);
    else
      out->append(token.data() + from, pos - from);
  }
  if (lowercase_ && need_lower) {
    const std::string mixed = out->substr(start);
    out->resize(start);
    AppendLower(mixed, out);
  }
}

std::string Tokenizer::Normalize(std::string_view token) const {
  std::string out;
  out.reserve(token.size());
  AppendNormalized(token, &out);
  return out;
}

int Tokenizer::Lookup(std::string_view normalized) const {
  if (slots_.empty()) return 0;
  const size_t mask = slots_.size() - 1;
  size_t i = Hash(normalized) & mask;
  while (slots_[i] >= 0) {
    if (token(slots_[i]) == normalized) return slots_[i];
    i = (i + 1) & mask;
  }
  return unk_id();
}

void Tokenizer::Encode(std::string_view text, std::vector<int32_t>* ids) const {
  ids->clear();
  std::vector<Piece> pieces;
  Split(text, &pieces);
  ids->reserve(pieces.size());
  std::string norm;
  for (const Piece& p : pieces) {
    norm.clear();
    AppendNormalized(text.substr(p.begin, p.end - p.begin), &norm);
    ids->push_back(Lookup(norm));
  }
}

}  // namespace text
}  // namespace hunch
