#ifndef HUNCH_TESTS_FUZZ_ENGINE_FUZZ_HARNESS_H_
#define HUNCH_TESTS_FUZZ_ENGINE_FUZZ_HARNESS_H_

// The engine fuzzer's body: one fuzz input drives Engine::FromModel (options
// and keyboard layout), a Session (Suggest, ScoreNextToken, Learn, LearnWord,
// LearnTouches, the user model's Export / Import, Reset) and the C API
// (hunch_session_*) over
// the default model, models/en.hunch, and checks what the answers promise.
// Shared by the libFuzzer target (engine_fuzzer.cc, which traps on a
// violation) and the replay of tests/fuzz/engine_regressions/ in the unit
// tests (engine_fuzz_regressions_test.cc, which fails the test instead).
//
// The model: $HUNCH_FUZZ_MODEL, else HUNCH_FUZZ_MODEL_PATH (a compile
// definition), else models/en.hunch next to this file's tests/ directory.
// It is opened once; engines for option sets and layouts the inputs ask for
// are kept in a small cache (an Engine is immutable, so reuse is
// deterministic); every input gets fresh sessions, so a saved input always
// reproduces.
//
// INPUT LAYOUT (bytes; everything optional, missing bytes read as 0):
//   [STRINGS ...][NUMBERS ...][CONTROL: 16 bytes]
// CONTROL is the last 16 bytes of the input, read from the end backwards:
// ctl[0] is the very last byte, ctl[15] the 16th from the end (an input
// shorter than 16 bytes has all-zero CONTROL and is all STRINGS).
// STRINGS are then read from the front, in this order, each ending at a
// backslash followed by any byte other than a backslash (both dropped);
// "\\\\" is one literal backslash (libFuzzer's FuzzedDataProvider
// convention, so "I will see you\\\n" + "tom\\\n" reads "I will see you",
// "tom"):
//   s0 context       (at most kMaxContext = 4096 bytes)
//   s1 typed word    (at most 300 bytes: over 256 must be rejected)
//   s2 text to Learn (at most 1024 bytes)
//   s3 a word: LearnWord(context, word) and ScoreNextToken(context, word)
//   s4 user-model bytes for UserModel::Import (at most 4096 bytes)
//   s5 keyboard-layout JSON (at most 4096 bytes; used when ctl[0] bit 3)
// NUMBERS: whatever the strings left before CONTROL, consumed from its end
// backwards as needed (raw floats of touches and options, touch offsets);
// exhausted numbers read as 0.
// CONTROL:
//   ctl[0]  bit 0 complete; bit 1 touches; bit 2 custom EngineOptions
//           (ctl[4..10]); bit 3 layout from s5; bit 4 prepend the user
//           model header "hunch-user-model 1\n" to s4; bit 5 also run the
//           C API; bit 6 simulate typing (Suggest per prefix, then the
//           finished word, then the next word; typed words up to 64 bytes);
//           bit 7 check that ill-formed UTF-8 in the request answers exactly
//           as its U+FFFD-replaced form (what engine.h promises)
//   ctl[1]  max_suggestions: < 0xF0: 1 + ctl[1] % 16; else one of
//           kMaxSuggestionsOdd (0, -1, 17, ...)
//   ctl[2]  touches: bits 0-1 count (0: one per code point of typed, 1:
//           ctl[3], 2: one more, 3: one fewer); bits 2-3 coordinates (0: the
//           key's centre plus an offset byte per axis from NUMBERS, 1: raw
//           floats from NUMBERS (NaN, inf, huge), 2: per touch, a NUMBERS byte
//           chooses, 3: exact key centres)
//   ctl[3]  touch count for ctl[2] count mode 1
//   ctl[4..9] EngineOptions max_context_tokens, touch_sigma, savings_weight,
//           cache_weight, user_weight, min_word_count; each selector s:
//           s % 4 == 0 the default; 1 a table value (s >> 2), in range or
//           not; 2, 3 raw bits from NUMBERS
//   ctl[10] bits 0-3 turn off phrases, emoji, corrections, skip_passed_over
//   ctl[11] C API: bit 0 NULL touches with a non-zero count; bit 1 no error
//           pointer; bit 2 learn s2 through the C API before suggesting;
//           bit 3 the C user model (hunch_user_model_*: import s4, learn s3,
//           export and import back, suggest through a session sharing it)
//   ctl[12] typing simulation: 1 + ctl[12] % 8 prefixes at most
//   ctl[13] bit 0: the session's user model is a UserModel shared with a
//           second session, which must see what the first learned
//   ctl[14..15] reserved (0)
//
// INVARIANTS (a violation is reported as a message; none may crash, leak or
// trip a sanitizer):
//   - Engine::FromModel accepts exactly the documented option ranges
//     (max_context_tokens in [2, 4096], touch_sigma in (0.01, 10),
//     savings_weight in [0, 100], cache_weight in [0, 1), user_weight in
//     [0, 1], min_word_count >= 0); a layout FromJson accepts is usable.
//   - Suggest fails (with a message) exactly when the request is invalid
//     (max_suggestions outside 1..16, typed over 256 bytes, touches given
//     but not one per code point of typed, not finite, or more than 1.5 key
//     sizes off the layout), else returns OK;
//     on OK: at most max_suggestions; each text non-empty, well-formed UTF-8,
//     no control character (C0, DEL, C1), no U+FFFD, no leading or trailing
//     white space, no white space at all but in a phrase; score finite, <= 0 (a log-probability; 1e-3 slack) and
//     >= kMinPlausibleScore (a search cost never exceeds 24 nats: lower
//     scores are internal placeholders leaking out); no two texts equal
//     case-insensitively; autocorrect on the first suggestion only, and only
//     for a typed word; kinds: next word / phrase when nothing is typed,
//     completion / correction / literal / emoji otherwise; a typed word with
//     a letter is never corrected or completed to text without any word
//     character ("," or "." for "tge").
//   - Ill-formed UTF-8 in context or typed gives exactly the answer of the
//     same request with each ill-formed part replaced by U+FFFD (ctl[0] bit 7).
//   - ScoreNextToken returns OK with a finite log-probability <= 0.
//   - Export's output imports back with OK (into a fresh session) and
//     saves again to the same lines; so does the C API's user model.
//   - Sessions sharing a UserModel export the same model; NewSession rejects
//     a null user model and another engine's.
//   - The C API answers as the C++ API does (same engine options), rejects
//     NULL arguments and over 256 touches with a message.
// $HUNCH_FUZZ_VERBOSE set: each Suggest's request, answer and time on stderr.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/lexicon.h"
#include "hunch/engine.h"
#include "hunch/hunch.h"
#include "hunch/model.h"
#include "text/unicode.h"
#include "text/utf8.h"

namespace hunch_fuzz {

constexpr size_t kMaxContext = 4096;
constexpr size_t kMaxTyped = 300;
constexpr size_t kMaxTypedRepeated = 64;  // longer typed words: no typing simulation, no replay after Reset
constexpr size_t kMaxLearn = 1024;
constexpr size_t kMaxWord = 80;
constexpr size_t kMaxUserModel = 4096;
constexpr size_t kMaxLayout = 4096;
constexpr size_t kMaxTouches = 300;
constexpr float kMinPlausibleScore = -80.0f;
constexpr float kScoreSlack = 1e-3f;

// Reads strings from the front and numbers from the back (see above).
class FuzzReader {
 public:
  FuzzReader(const uint8_t* data, size_t size) : d_(data), lo_(0), hi_(size) {}
  std::string String(size_t max_len) {
    std::string s;
    while (lo_ < hi_ && s.size() < max_len) {
      char c = static_cast<char>(d_[lo_++]);
      if (c == '\\' && lo_ < hi_) {
        const char next = static_cast<char>(d_[lo_++]);
        if (next != '\\') break;
      }
      s.push_back(c);
    }
    return s;
  }
  uint8_t Byte() { return hi_ > lo_ ? d_[--hi_] : 0; }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | Byte();
    return v;
  }
  float Float() {
    const uint32_t bits = U32();
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  size_t remaining() const { return hi_ - lo_; }

 private:
  const uint8_t* d_;
  size_t lo_, hi_;
};

// Checks named in $HUNCH_FUZZ_IGNORE (comma-separated tags, shown in
// brackets in the messages: fffd, space-in-word, score-floor, punctuation,
// bad-utf8-answer, roundtrip) are skipped, to fuzz on past a known, still
// unfixed violation; the tag user-words instead keeps what the user model
// learns to printable ASCII (bytes outside ' '..'~' of the Learn text s2 but
// line feeds, and outside '!'..'~' of the LearnWord word s3 and of the
// user-model bytes s4 but tabs and line feeds, become 'x'), while Learn,
// LearnWord and UserModel::Import take any bytes. The unit tests and
// scripts/fuzz.sh check everything.
inline bool Ignored(const char* tag) {
  static const std::string list = [] {
    const char* env = std::getenv("HUNCH_FUZZ_IGNORE");
    return "," + std::string(env ? env : "") + ",";
  }();
  return list.find("," + std::string(tag) + ",") != std::string::npos;
}

inline std::string DefaultModelPath() {
  if (const char* env = std::getenv("HUNCH_FUZZ_MODEL"))
    if (*env) return env;
#ifdef HUNCH_FUZZ_MODEL_PATH
  return HUNCH_FUZZ_MODEL_PATH;
#else
  const std::string here = __FILE__, tail = "tests/fuzz/engine_fuzz_harness.h";
  const bool in_tree = here.size() >= tail.size() && here.compare(here.size() - tail.size(), tail.size(), tail) == 0;
  return (in_tree ? here.substr(0, here.size() - tail.size()) : std::string()) + "models/en.hunch";
#endif
}

// ---- checks --------------------------------------------------------------

inline std::string Escaped(const std::string& s) {
  std::string out;
  for (unsigned char c : s.substr(0, 120)) {
    if (c >= 0x20 && c < 0x7F && c != '\\' && c != '"') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  if (s.size() > 120) out += "...";
  return "\"" + out + "\"";
}

// Strict UTF-8 (no overlongs, surrogates or values above U+10FFFF).
inline bool DecodeStrict(const std::string& s, std::vector<char32_t>* cps) {
  cps->clear();
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    size_t n;
    char32_t c;
    if (b < 0x80) { n = 1; c = b; }
    else if (b >= 0xC2 && b <= 0xDF) { n = 2; c = b & 0x1F; }
    else if (b >= 0xE0 && b <= 0xEF) { n = 3; c = b & 0x0F; }
    else if (b >= 0xF0 && b <= 0xF4) { n = 4; c = b & 0x07; }
    else return false;
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const unsigned char t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0) != 0x80) return false;
      c = (c << 6) | (t & 0x3F);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) || (c >= 0xD800 && c <= 0xDFFF))
      return false;
    cps->push_back(c);
    i += n;
  }
  return true;
}

struct Item {  // a suggestion as either API gives it
  std::string text;
  int kind = 0;
  float score = 0;
  bool autocorrect = false;
};

inline std::vector<Item> Items(const std::vector<hunch::Suggestion>& out) {
  std::vector<Item> items;
  for (const hunch::Suggestion& s : out) items.push_back({s.text, static_cast<int>(s.kind), s.score, s.autocorrect});
  return items;
}

inline bool HasAsciiLetter(const std::string& s) {
  for (char c : s)
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return false;
}

// What a request must get: an error when `invalid`, else OK and a list
// with the invariants above. Returns "" or what is wrong.
// Whether a touch is off the layout by more than 1.5 key sizes (SuggestRequest::touches).
inline bool OffTheLayout(const hunch::KeyboardLayout& layout, const hunch::TouchPoint& t) {
  float x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  for (const hunch::Key& k : layout.keys()) {
    x0 = std::min(x0, k.x);
    y0 = std::min(y0, k.y);
    x1 = std::max(x1, k.x + k.width);
    y1 = std::max(y1, k.y + k.height);
  }
  const float mx = 1.5f * layout.key_width(), my = 1.5f * layout.key_height();
  return t.x < x0 - mx || t.x > x1 + mx || t.y < y0 - my || t.y > y1 + my;
}

inline std::string CheckAnswer(const char* where, const hunch::SuggestRequest& r, const hunch::Status& st,
                               const std::vector<Item>& items,
                               const hunch::KeyboardLayout& layout = hunch::KeyboardLayout::Qwerty()) {
  const std::string at = std::string(where) + ": ";
  bool invalid = r.max_suggestions < 1 || r.max_suggestions > 16 || r.typed.size() > 256;
  if (!r.touches.empty()) {
    if (r.touches.size() != hunch::text::CountCodePoints(r.typed)) invalid = true;
    for (const hunch::TouchPoint& t : r.touches)
      if (!std::isfinite(t.x) || !std::isfinite(t.y)) invalid = true;
    if (!invalid)
      for (const hunch::TouchPoint& t : r.touches)
        if (OffTheLayout(layout, t)) invalid = true;
  }
  if (invalid) {
    if (st.ok()) return at + "an invalid request (max_suggestions " + std::to_string(r.max_suggestions) +
                        ", typed " + std::to_string(r.typed.size()) + " bytes, " +
                        std::to_string(r.touches.size()) + " touches) was answered OK";
    if (st.message().empty()) return at + "an error without a message";
    return "";
  }
  if (!st.ok()) return at + "a valid request failed: " + st.ToString();
  if (items.size() > static_cast<size_t>(r.max_suggestions))
    return at + std::to_string(items.size()) + " suggestions for max_suggestions " +
           std::to_string(r.max_suggestions);
  std::vector<std::string> lowered;
  std::vector<char32_t> cps;
  const bool letters_typed = HasAsciiLetter(r.typed);
  for (size_t i = 0; i < items.size(); ++i) {
    const Item& it = items[i];
    const std::string sg = at + "suggestion " + std::to_string(i) + " " + Escaped(it.text) + ": ";
    if (it.text.empty()) return sg + "empty text";
    if (!DecodeStrict(it.text, &cps)) return sg + "ill-formed UTF-8";
    for (char32_t c : cps) {
      if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) return sg + "a control character";
      if (c == 0xFFFD && !Ignored("fffd")) return sg + "[fffd] U+FFFD (a replaced ill-formed byte) in a suggestion";
    }
    if (hunch::text::IsSpace(cps.front()) || hunch::text::IsSpace(cps.back()))
      return sg + "leading or trailing white space";
    if (!std::isfinite(it.score)) return sg + "score not finite (" + std::to_string(it.score) + ")";
    if (it.score > kScoreSlack) return sg + "score above 0 (" + std::to_string(it.score) + ")";
    if (it.score < kMinPlausibleScore && !Ignored("score-floor"))
      return sg + "[score-floor] score " + std::to_string(it.score) + " below " + std::to_string(kMinPlausibleScore) +
             " (an internal placeholder cost?)";
    if (it.autocorrect && i != 0) return sg + "autocorrect on a suggestion other than the first";
    if (it.autocorrect && r.typed.empty()) return sg + "autocorrect with nothing typed";
    const auto K = [](hunch::SuggestionKind k) { return static_cast<int>(k); };
    if (r.typed.empty()) {
      if (it.kind != K(hunch::SuggestionKind::kNextWord) && it.kind != K(hunch::SuggestionKind::kPhrase))
        return sg + "kind " + std::to_string(it.kind) + " with nothing typed";
    } else if (it.kind != K(hunch::SuggestionKind::kCompletion) &&
               it.kind != K(hunch::SuggestionKind::kCorrection) &&
               it.kind != K(hunch::SuggestionKind::kLiteral) && it.kind != K(hunch::SuggestionKind::kEmoji)) {
      return sg + "kind " + std::to_string(it.kind) + " for a typed word";
    }
    if (it.kind != K(hunch::SuggestionKind::kPhrase) && !Ignored("space-in-word"))
      for (char32_t c : cps)
        if (hunch::text::IsSpace(c)) return sg + "[space-in-word] white space inside a word (not a phrase)";
    if (!Ignored("punctuation") && letters_typed && (it.kind == K(hunch::SuggestionKind::kCompletion) ||
                          it.kind == K(hunch::SuggestionKind::kCorrection))) {
      bool word_char = false;
      for (char32_t c : cps) word_char = word_char || hunch::text::IsWordChar(c);
      if (!word_char) return sg + "[punctuation] a typed word with letters corrected or completed to punctuation";
    }
    lowered.push_back(hunch::text::Lower(it.text));
  }
  for (size_t i = 0; i < lowered.size(); ++i)
    for (size_t j = i + 1; j < lowered.size(); ++j)
      if (lowered[i] == lowered[j])
        return at + "suggestions " + std::to_string(i) + " and " + std::to_string(j) + " " +
               Escaped(items[j].text) + " are equal case-insensitively";
  return "";
}

inline std::string SameAnswer(const char* where, const hunch::Status& a, const std::vector<Item>& x,
                              const hunch::Status& b, const std::vector<Item>& y) {
  const std::string at = std::string(where) + ": ";
  if (a.code() != b.code()) return at + "status " + a.ToString() + " against " + b.ToString();
  if (x.size() != y.size())
    return at + std::to_string(x.size()) + " suggestions against " + std::to_string(y.size());
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i].text != y[i].text || x[i].kind != y[i].kind || x[i].autocorrect != y[i].autocorrect ||
        !(std::fabs(x[i].score - y[i].score) <= 1e-4f))
      return at + "suggestion " + std::to_string(i) + " " + Escaped(x[i].text) + " (kind " +
             std::to_string(x[i].kind) + ", score " + std::to_string(x[i].score) + ") against " +
             Escaped(y[i].text) + " (kind " + std::to_string(y[i].kind) + ", score " + std::to_string(y[i].score) +
             ")";
  }
  return "";
}

inline std::vector<std::string> SortedLines(const std::string& s) {
  std::vector<std::string> lines;
  size_t a = 0;
  while (a < s.size()) {
    size_t e = s.find('\n', a);
    if (e == std::string::npos) e = s.size();
    lines.push_back(s.substr(a, e - a));
    a = e + 1;
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

// ---- engines -------------------------------------------------------------

struct EngineEntry {
  std::string key;  // options bytes + layout JSON
  std::shared_ptr<const hunch::Engine> engine;
  hunch::KeyboardLayout layout;
  bool default_options = true;
};

struct EngineWorld {
  std::string error;
  std::shared_ptr<const hunch::Model> model;
  // The lowest min_word_count the model can serve: a model whose lexicon
  // text was stripped (hunch metadata --strip-text) holds no words below
  // lexicon.bin's min_count, and Engine::FromModel refuses a lower one
  // (kInvalidArgument, engine.h); 0 when the text is there.
  int min_word_floor = 0;
  EngineEntry base;                // default options, QWERTY
  hunch_engine* c_engine = nullptr;  // the C API's, default options
  std::list<EngineEntry> cache;    // most recently used first
};

inline EngineWorld& World() {
  static EngineWorld* w = [] {
    EngineWorld* w = new EngineWorld;
    const std::string path = DefaultModelPath();
    hunch::Status st = hunch::Model::Open(path, hunch::ModelOptions(), &w->model);
    if (st.ok()) st = hunch::Engine::FromModel(w->model, hunch::EngineOptions(), &w->base.engine);
    if (!st.ok()) {
      w->error = path + ": " + st.ToString();
      return w;
    }
    const uint8_t* data = nullptr;
    size_t size = 0;
    hunch::engine::LexiconSectionHeader header;
    if (!w->model->GetMetadata("lexicon", &data, &size).ok() &&
        w->model->GetMetadata(hunch::engine::kLexiconSectionName, &data, &size).ok() &&
        hunch::engine::ReadLexiconHeader(data, size, &header).ok())
      w->min_word_floor = static_cast<int>(std::min<uint64_t>(header.min_count, 1u << 30));
    w->base.layout = hunch::KeyboardLayout::Qwerty();
    char* err = nullptr;
    if (hunch_engine_open(path.c_str(), &w->c_engine, &err) != HUNCH_OK) {
      w->error = path + ": hunch_engine_open: " + (err ? err : "?");
      hunch_free(err);
    }
    return w;
  }();
  return *w;
}

// "" when the default model opened; else why not.
inline const std::string& EngineFuzzInitError() { return World().error; }

template <typename T>
T Pick(FuzzReader& in, uint8_t sel, T def, const std::vector<T>& table) {
  switch (sel % 4) {
    case 0: return def;
    case 1: return table[(sel >> 2) % table.size()];
    default: {
      const uint32_t bits = in.U32();
      T v;
      static_assert(sizeof(T) == 4, "4-byte fields");
      std::memcpy(&v, &bits, 4);
      return v;
    }
  }
}

inline bool OptionsValid(const hunch::EngineOptions& o) {
  return o.max_context_tokens >= 2 && o.max_context_tokens <= 4096 && o.touch_sigma > 0.01f &&
         o.touch_sigma < 10.0f && o.savings_weight >= 0 && o.savings_weight <= 100 && o.cache_weight >= 0 &&
         o.cache_weight < 1 && o.user_weight >= 0 && o.user_weight <= 1 && o.min_word_count >= 0;
}

inline std::string OptionsKey(const hunch::EngineOptions& o) {
  std::string k;
  auto add = [&](const void* p, size_t n) { k.append(static_cast<const char*>(p), n); };
  add(&o.max_context_tokens, 4);
  add(&o.touch_sigma, 4);
  add(&o.savings_weight, 4);
  add(&o.cache_weight, 4);
  add(&o.user_weight, 4);
  add(&o.min_word_count, 4);
  k.push_back(static_cast<char>(o.phrases | o.emoji << 1 | o.corrections << 2 | o.skip_passed_over << 3));
  return k;
}

// The engine an input asks for (ctl[0] bits 2, 3); *violation on a wrong answer.
inline const EngineEntry* ChooseEngine(FuzzReader& in, const uint8_t* ctl, const std::string& layout_json,
                                       std::string* violation) {
  EngineWorld& w = World();
  const bool custom_options = ctl[0] & 4, custom_layout = ctl[0] & 8;
  if (!custom_options && !custom_layout) return &w.base;
  hunch::EngineOptions o;
  if (custom_options) {
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    const float dmin = std::numeric_limits<float>::denorm_min();
    o.max_context_tokens = Pick<int>(in, ctl[4], o.max_context_tokens,
                                     {2, 3, 8, 64, 4096, 1, 0, -1, 4097, INT32_MIN, INT32_MAX, 5});
    o.touch_sigma = Pick<float>(in, ctl[5], o.touch_sigma,
                                {0.0101f, 0.3f, 1.0f, 9.99f, 0.01f, 10.0f, 0.0f, -0.3f, nan, inf, -inf, dmin});
    o.savings_weight = Pick<float>(in, ctl[6], o.savings_weight,
                                   {0.0f, 0.5f, 3.0f, 100.0f, -0.0f, 100.5f, -1.0f, nan, inf, dmin});
    o.cache_weight = Pick<float>(in, ctl[7], o.cache_weight,
                                 {0.0f, 0.05f, 0.5f, 0.999f, 1.0f, -0.01f, nan, inf, dmin});
    o.user_weight = Pick<float>(in, ctl[8], o.user_weight, {0.0f, 0.3f, 1.0f, 1.0001f, -1.0f, nan, inf, dmin});
    o.min_word_count = Pick<int>(in, ctl[9], o.min_word_count,
                                 {0, 1, 2, 10, 1000, 1000000000, INT32_MAX, -1, INT32_MIN});
    o.phrases = !(ctl[10] & 1);
    o.emoji = !(ctl[10] & 2);
    o.corrections = !(ctl[10] & 4);
    o.skip_passed_over = !(ctl[10] & 8);
  }
  hunch::KeyboardLayout layout = hunch::KeyboardLayout::Qwerty();
  std::string key = OptionsKey(o);
  if (custom_layout) {
    hunch::KeyboardLayout parsed;
    const hunch::Status st = hunch::KeyboardLayout::FromJson(layout_json, &parsed);
    if (std::getenv("HUNCH_FUZZ_VERBOSE"))
      std::fprintf(stderr, "KeyboardLayout::FromJson: %s, %zu keys, key %g x %g\n", st.ToString().c_str(),
                   parsed.keys().size(), parsed.key_width(), parsed.key_height());
    if (!st.ok()) {
      if (st.message().empty()) *violation = "KeyboardLayout::FromJson: an error without a message";
    } else {
      const float kw = parsed.key_width(), kh = parsed.key_height();
      if (parsed.keys().empty() || parsed.keys().size() > 1024 || !std::isfinite(kw) || !std::isfinite(kh) ||
          !(kw > 0) || !(kh > 0)) {
        *violation = "KeyboardLayout::FromJson accepted a layout with " + std::to_string(parsed.keys().size()) +
                     " keys, key size " + std::to_string(kw) + " x " + std::to_string(kh);
        return &w.base;
      }
      for (const hunch::Key& k : parsed.keys()) {
        std::vector<char32_t> cps;
        if (!DecodeStrict(k.label, &cps) || cps.size() != 1 || !std::isfinite(k.x) || !std::isfinite(k.y) ||
            !(k.width > 0) || !(k.height > 0)) {
          *violation = "KeyboardLayout::FromJson accepted key " + Escaped(k.label);
          return &w.base;
        }
      }
      layout = std::move(parsed);
      key += layout_json;
    }
  }
  for (auto it = w.cache.begin(); it != w.cache.end(); ++it) {
    if (it->key == key) {
      w.cache.splice(w.cache.begin(), w.cache, it);
      return &w.cache.front();
    }
  }
  const bool valid = OptionsValid(o) && o.min_word_count >= w.min_word_floor;
  hunch::EngineOptions with_layout = o;
  with_layout.layout = &layout;
  std::shared_ptr<const hunch::Engine> engine;
  const hunch::Status st = hunch::Engine::FromModel(w.model, with_layout, &engine);
  if (std::getenv("HUNCH_FUZZ_VERBOSE")) std::fprintf(stderr, "Engine::FromModel: %s\n", st.ToString().c_str());
  if (st.ok() != valid) {
    *violation = std::string("Engine::FromModel: ") + (valid ? "valid options rejected: " + st.ToString()
                                                             : "out-of-range options accepted");
    return &w.base;
  }
  if (!st.ok()) {
    if (st.message().empty()) *violation = "Engine::FromModel: an error without a message";
    return &w.base;
  }
  EngineEntry e;
  e.key = key;
  e.engine = std::move(engine);
  e.layout = std::move(layout);
  e.default_options = !custom_options;
  w.cache.push_front(std::move(e));
  if (w.cache.size() > 4) w.cache.pop_back();
  return &w.cache.front();
}

// ---- one input -----------------------------------------------------------

inline std::vector<hunch::TouchPoint> MakeTouches(FuzzReader& in, const uint8_t* ctl, const std::string& typed,
                                                  const hunch::KeyboardLayout& layout) {
  std::vector<char32_t> cps;
  for (size_t pos = 0; pos < typed.size();) cps.push_back(hunch::text::NextCodePoint(typed, &pos));
  size_t count = cps.size();
  switch (ctl[2] & 3) {
    case 1: count = ctl[3]; break;
    case 2: count = cps.size() + 1; break;
    case 3: count = cps.empty() ? 0 : cps.size() - 1; break;
    default: break;
  }
  count = std::min(count, kMaxTouches);
  std::vector<hunch::TouchPoint> touches;
  const int mode = (ctl[2] >> 2) & 3;
  for (size_t i = 0; i < count; ++i) {
    const int m = mode == 2 ? (in.Byte() & 1) : mode;  // 2: centre + offset or raw, per touch
    if (m == 1) {
      hunch::TouchPoint t;
      t.x = in.Float();
      t.y = in.Float();
      touches.push_back(t);
      continue;
    }
    hunch::TouchPoint t;  // far from every key when the character has none
    t.x = -5;
    t.y = -5;
    const int k = i < cps.size() ? layout.FindKey(cps[i]) : -1;
    if (k >= 0) {
      const hunch::Key& key = layout.keys()[static_cast<size_t>(k)];
      t.x = key.x + key.width / 2;
      t.y = key.y + key.height / 2;
    }
    if (m == 0) {  // an offset of up to +-2 key widths
      t.x += static_cast<int8_t>(in.Byte()) / 64.0f * layout.key_width();
      t.y += static_cast<int8_t>(in.Byte()) / 64.0f * layout.key_height();
    }
    touches.push_back(t);
  }
  return touches;
}

inline int MaxSuggestions(uint8_t b) {
  static const int kMaxSuggestionsOdd[] = {0, -1, 17, 16, 1, 100, INT32_MIN, INT32_MAX,
                                           -16, 2, 1000, 15, 3, 65536, -2, 4};
  return b < 0xF0 ? 1 + b % 16 : kMaxSuggestionsOdd[b - 0xF0];
}

// The user-model and learning calls of an input, replayed on each session.
struct Teach {
  bool load = false;
  std::string user_model, learn_text, context, word;
};

inline std::string ApplyTeach(hunch::Session* s, const Teach& t) {
  if (t.load) {
    const hunch::Status st = s->user_model()->Import(t.user_model);
    if (!st.ok() && st.message().empty()) return "UserModel::Import: an error without a message";
  }
  if (!t.learn_text.empty()) {
    const hunch::Status st = s->Learn(t.learn_text);
    if (!st.ok()) return "Learn failed: " + st.ToString();
  }
  if (!t.word.empty()) {
    const hunch::Status st = s->LearnWord(t.context, t.word);
    if (!st.ok() && st.message().empty()) return "LearnWord: an error without a message";
  }
  return "";
}

inline std::string RoundTripUserModel(const hunch::Engine& engine, const hunch::Session& s) {
  const std::string saved = s.user_model()->Export();
  std::unique_ptr<hunch::Session> t;
  hunch::Status st = engine.NewSession(&t);
  if (!st.ok()) return "NewSession failed: " + st.ToString();
  st = t->user_model()->Import(saved);
  if (Ignored("roundtrip")) return "";
  if (!st.ok()) return "[roundtrip] Export's output does not import: " + st.ToString() + "; saved " + Escaped(saved);
  if (SortedLines(t->user_model()->Export()) != SortedLines(saved))
    return "[roundtrip] Export -> Import -> Export changed the model: " + Escaped(saved) + " -> " +
           Escaped(t->user_model()->Export());
  return "";
}

// $HUNCH_FUZZ_VERBOSE set: every Suggest's request and answer on stderr.
inline void Trace(const char* where, const hunch::SuggestRequest& r, const hunch::Status& st,
                  const std::vector<Item>& items, double ms) {
  static const bool verbose = std::getenv("HUNCH_FUZZ_VERBOSE") != nullptr;
  if (!verbose) return;
  std::fprintf(stderr, "%s: context %s typed %s, %zu touches, max %d%s: %s (%.1f ms)\n", where,
               Escaped(r.context).c_str(), Escaped(r.typed).c_str(), r.touches.size(), r.max_suggestions,
               r.complete ? ", complete" : "", st.ToString().c_str(), ms);
  for (const Item& it : items)
    std::fprintf(stderr, "  %-30s kind %d score %9.3f%s\n", Escaped(it.text).c_str(), it.kind, it.score,
                 it.autocorrect ? " autocorrect" : "");
}

inline std::string SuggestAndCheck(const char* where, hunch::Session* s, const hunch::SuggestRequest& r,
                                   hunch::Status* st_out = nullptr, std::vector<Item>* items_out = nullptr,
                                   const hunch::KeyboardLayout& layout = hunch::KeyboardLayout::Qwerty()) {
  std::vector<hunch::Suggestion> out;
  const auto t0 = std::chrono::steady_clock::now();
  const hunch::Status st = s->Suggest(r, &out);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const std::vector<Item> items = Items(out);
  Trace(where, r, st, items, ms);
  if (st_out) *st_out = st;
  if (items_out) *items_out = items;
  return CheckAnswer(where, r, st, items, layout);
}

inline std::string RunCApi(const uint8_t* ctl, const hunch::SuggestRequest& r, const Teach& teach,
                           const EngineEntry& base) {
  EngineWorld& w = World();
  char* err = nullptr;
  char** errp = (ctl[11] & 2) ? nullptr : &err;
  std::string v;
  // NULL arguments: an error, and a message where one is asked for.
  hunch_suggestions* list = nullptr;
  if (hunch_session_suggest(nullptr, "", "", nullptr, 0, 0, 3, &list, &err) != HUNCH_INVALID_ARGUMENT || !err)
    return "hunch_session_suggest(NULL session) did not fail with a message";
  if (hunch_session_create(w.c_engine, nullptr, &err) != HUNCH_INVALID_ARGUMENT)
    return "hunch_session_create(NULL out) did not fail";
  hunch_free(err);
  err = nullptr;
  hunch_session* cs = nullptr;
  if (hunch_session_create(w.c_engine, &cs, errp) != HUNCH_OK) {
    if (err) hunch_free(err);
    return "hunch_session_create failed";
  }
  // The C++ twin: a fresh session of the same (default) engine, taught the same.
  std::unique_ptr<hunch::Session> twin;
  if (!base.engine->NewSession(&twin).ok()) v = "NewSession failed";
  const bool learn = ctl[11] & 4;
  if (v.empty() && learn && !teach.learn_text.empty()) {
    // The C API takes a NUL-terminated text: what precedes the first NUL.
    const std::string text(teach.learn_text.c_str());
    if (hunch_session_learn(cs, text.c_str(), errp) != HUNCH_OK) v = "hunch_session_learn failed";
    if (v.empty() && !twin->Learn(text).ok()) v = "Learn failed";
  }
  // What the C API sees: strings up to their first NUL.
  hunch::SuggestRequest cr = r;
  cr.context = std::string(r.context.c_str());
  cr.typed = std::string(r.typed.c_str());
  std::vector<float> xy;
  for (const hunch::TouchPoint& t : r.touches) {
    xy.push_back(t.x);
    xy.push_back(t.y);
  }
  const bool null_touches = (ctl[11] & 1) && !r.touches.empty();
  if (v.empty()) {
    const hunch_status_code code =
        hunch_session_suggest(cs, cr.context.c_str(), cr.typed.c_str(), null_touches ? nullptr : xy.data(),
                              r.touches.size(), r.complete ? 1 : 0, r.max_suggestions, &list, errp);
    std::vector<Item> items;
    if (code == HUNCH_OK) {
      const size_t n = hunch_suggestions_count(list);
      for (size_t i = 0; i < n; ++i)
        items.push_back({hunch_suggestions_text(list, i), hunch_suggestions_kind(list, i),
                         hunch_suggestions_score(list, i), hunch_suggestions_autocorrect(list, i) != 0});
      if (std::strcmp(hunch_suggestions_text(list, n), "") != 0 || hunch_suggestions_kind(list, n) != -1 ||
          hunch_suggestions_autocorrect(list, n) != 0)
        v = "hunch_suggestions_* out of range did not give \"\", -1, 0";
      hunch_suggestions_free(list);
      list = nullptr;
    } else if (errp && !err) {
      v = "hunch_session_suggest failed without a message";
    }
    if (v.empty()) {
      if (null_touches || r.touches.size() > 256) {
        if (code != HUNCH_INVALID_ARGUMENT) v = "hunch_session_suggest accepted NULL touches or over 256 of them";
      } else {
        const hunch::Status cst =
            code == HUNCH_OK ? hunch::Status::OK()
                             : hunch::Status(static_cast<hunch::StatusCode>(code), err ? err : "(no message asked)");
        v = CheckAnswer("C API hunch_session_suggest", cr, cst, items);
        if (v.empty()) {
          hunch::Status tst;
          std::vector<Item> titems;
          v = SuggestAndCheck("C++ twin of the C API call", twin.get(), cr, &tst, &titems);
          if (v.empty()) v = SameAnswer("C API against C++", cst, items, tst, titems);
        }
      }
    }
  }
  hunch_session_reset(cs);
  hunch_session_reset(nullptr);
  hunch_session_free(cs);
  hunch_free(err);
  err = nullptr;
  if (v.empty() && (ctl[11] & 8)) {
    // The C API's user model: import the input's bytes (any, NULs included),
    // export, import that into another, suggest through a session sharing it.
    hunch_user_model* um = nullptr;
    hunch_user_model* um2 = nullptr;
    if (hunch_user_model_create(w.c_engine, &um, errp) != HUNCH_OK || !um) return "hunch_user_model_create failed";
    if (hunch_user_model_import(um, teach.user_model.data(), teach.user_model.size(), &err) != HUNCH_OK && !err)
      v = "hunch_user_model_import failed without a message";
    hunch_free(err);
    err = nullptr;
    if (v.empty() && !teach.word.empty()) {
      const std::string word(teach.word.c_str()), context(teach.context.c_str());
      if (hunch_user_model_learn_word(um, context.c_str(), word.c_str(), &err) != HUNCH_OK && !err)
        v = "hunch_user_model_learn_word failed without a message";
      hunch_free(err);
      err = nullptr;
    }
    char* data = nullptr;
    size_t data_size = 0;
    if (v.empty() && (hunch_user_model_export(um, &data, &data_size, errp) != HUNCH_OK || !data ||
                      std::strlen(data) != data_size))
      v = "hunch_user_model_export failed";
    if (v.empty() && (hunch_user_model_create(w.c_engine, &um2, errp) != HUNCH_OK ||
                      hunch_user_model_import(um2, data, data_size, &err) != HUNCH_OK))
      v = Ignored("roundtrip") ? "" : "[roundtrip] hunch_user_model_export's output does not import: " +
                                          std::string(err ? err : "?");
    hunch_free(data);
    hunch_free(err);
    err = nullptr;
    hunch_session* shared_session = nullptr;
    if (v.empty() && hunch_session_create_with_user_model(w.c_engine, um, &shared_session, errp) != HUNCH_OK)
      v = "hunch_session_create_with_user_model failed";
    hunch_session* none = nullptr;
    if (v.empty() && hunch_session_create_with_user_model(w.c_engine, nullptr, &none, &err) != HUNCH_INVALID_ARGUMENT)
      v = "hunch_session_create_with_user_model(NULL model) did not fail";
    hunch_session_free(none);
    if (v.empty()) {
      const int max = r.max_suggestions >= 1 && r.max_suggestions <= 16 ? r.max_suggestions : 3;
      hunch::SuggestRequest q;
      q.context = std::string(r.context.c_str());
      q.typed = std::string(r.typed.c_str());
      q.max_suggestions = max;
      q.complete = r.complete;
      const hunch_status_code code = hunch_session_suggest(shared_session, q.context.c_str(), q.typed.c_str(),
                                                           nullptr, 0, q.complete, max, &list, &err);
      std::vector<Item> items;
      for (size_t i = 0; code == HUNCH_OK && i < hunch_suggestions_count(list); ++i)
        items.push_back({hunch_suggestions_text(list, i), hunch_suggestions_kind(list, i),
                         hunch_suggestions_score(list, i), hunch_suggestions_autocorrect(list, i) != 0});
      hunch_suggestions_free(list);
      const hunch::Status cst = code == HUNCH_OK ? hunch::Status::OK()
                                                 : hunch::Status(static_cast<hunch::StatusCode>(code), err ? err : "");
      v = CheckAnswer("C API hunch_session_suggest (shared user model)", q, cst, items);
    }
    if (v.empty() && hunch_user_model_clear(um, errp) != HUNCH_OK) v = "hunch_user_model_clear failed";
    if (v.empty() && hunch_user_model_word_count(um) != 0) v = "hunch_user_model_clear left words";
    hunch_session_free(shared_session);
    hunch_user_model_free(um);
    hunch_user_model_free(um2);
    hunch_user_model_free(nullptr);
    hunch_free(err);
  }
  return v;
}

// Runs one input. Returns "" when every invariant held, else the first
// violation found.
inline std::string RunEngineFuzzInput(const uint8_t* data, size_t size) {
  EngineWorld& w = World();
  if (!w.error.empty()) return "cannot open the default model: " + w.error;
  uint8_t ctl[16] = {};
  FuzzReader in(data, size);
  if (size >= 16)
    for (uint8_t& c : ctl) c = in.Byte();
  const std::string context = in.String(kMaxContext);
  const std::string typed = in.String(kMaxTyped);
  const std::string learn_text = in.String(kMaxLearn);
  const std::string word = in.String(kMaxWord);
  const std::string user_model = in.String(kMaxUserModel);
  const std::string layout_json = (ctl[0] & 8) ? in.String(kMaxLayout) : std::string();

  std::string v;
  const EngineEntry* entry = ChooseEngine(in, ctl, layout_json, &v);
  if (!v.empty()) return v;
  const hunch::Engine& engine = *entry->engine;

  hunch::SuggestRequest r;
  r.context = context;
  r.typed = typed;
  r.complete = ctl[0] & 1;
  r.max_suggestions = MaxSuggestions(ctl[1]);
  if (ctl[0] & 2) r.touches = MakeTouches(in, ctl, typed, entry->layout);

  Teach teach;
  teach.load = !user_model.empty() || (ctl[0] & 16);
  teach.user_model = ((ctl[0] & 16) ? std::string("hunch-user-model 1\n") : std::string()) + user_model;
  teach.learn_text = learn_text;
  teach.context = context;
  teach.word = word;
  if (Ignored("user-words")) {
    for (char& c : teach.learn_text)
      if ((c < ' ' || c > '~') && c != '\n') c = 'x';
    for (char& c : teach.word)
      if (c < '!' || c > '~') c = 'x';
    for (size_t i = (ctl[0] & 16) ? 19 : 0; i < teach.user_model.size(); ++i) {
      char& c = teach.user_model[i];
      if ((c < '!' || c > '~') && c != '\t' && c != '\n') c = 'x';
    }
  }

  std::unique_ptr<hunch::Session> s;
  hunch::Status st;
  std::shared_ptr<hunch::UserModel> shared;
  if (ctl[13] & 1) {
    // A user model shared by two sessions: what one learns, the other has.
    st = hunch::UserModel::Create(entry->engine, &shared);
    if (!st.ok()) return "UserModel::Create failed: " + st.ToString();
    st = engine.NewSession(shared, &s);
    if (!st.ok()) return "NewSession(user model) failed: " + st.ToString();
    std::unique_ptr<hunch::Session> bad;
    st = engine.NewSession(nullptr, &bad);
    if (st.ok() || st.message().empty()) return "NewSession(null user model) did not fail with a message";
    if (entry != &w.base) {
      st = w.base.engine->NewSession(shared, &bad);
      if (st.ok() || st.message().empty())
        return "NewSession with another engine's user model did not fail with a message";
    }
  } else {
    st = engine.NewSession(&s);
    if (!st.ok()) return "NewSession failed: " + st.ToString();
  }
  if (!(v = ApplyTeach(s.get(), teach)).empty()) return v;
  if (shared) {
    std::unique_ptr<hunch::Session> other;
    st = engine.NewSession(shared, &other);
    if (!st.ok()) return "NewSession(user model) failed: " + st.ToString();
    if (other->user_model()->Export() != s->user_model()->Export() || shared->Export() != s->user_model()->Export())
      return "two sessions sharing a user model export different models";
  }

  hunch::Status first_st;
  std::vector<Item> first;
  if (!(v = SuggestAndCheck("Suggest", s.get(), r, &first_st, &first, entry->layout)).empty()) return v;

  // The touches reported for the typed word (LearnTouches) on a session of
  // its own: an error has a message, the spread only widens and stays finite,
  // and the request is answered as well at that spread.
  if (!r.touches.empty()) {
    std::unique_ptr<hunch::Session> t;
    if (!engine.NewSession(&t).ok()) return "NewSession failed";
    const float before = t->user_model()->touch_sigma();
    for (int i = 0; i < 3; ++i) {
      st = t->LearnTouches(r.typed, r.touches);
      if (!st.ok() && st.message().empty()) return "LearnTouches: an error without a message";
    }
    const float after = t->user_model()->touch_sigma();
    if (!std::isfinite(after) || after < before || after > std::max(before, 1.5f))
      return "LearnTouches: touch_sigma " + std::to_string(before) + " -> " + std::to_string(after);
    hunch::Status wide_st;
    std::vector<Item> wide;
    if (!(v = SuggestAndCheck("Suggest (learned touch spread)", t.get(), r, &wide_st, &wide, entry->layout)).empty())
      return v;
    if (wide_st.ok() != first_st.ok()) return "Suggest at a learned touch spread: " + wide_st.ToString();
  }

  // Ill-formed UTF-8 answers as its U+FFFD replacement would.
  if ((ctl[0] & 128) && r.touches.empty() &&
      (!hunch::text::IsValidUtf8(r.context) || !hunch::text::IsValidUtf8(r.typed))) {
    hunch::SuggestRequest clean = r;
    clean.context = hunch::text::ToValidUtf8(r.context);
    clean.typed = hunch::text::ToValidUtf8(r.typed);
    std::unique_ptr<hunch::Session> t;
    if (!engine.NewSession(&t).ok()) return "NewSession failed";
    if (!(v = ApplyTeach(t.get(), teach)).empty()) return v;
    hunch::Status clean_st;
    std::vector<Item> clean_items;
    if (!(v = SuggestAndCheck("Suggest (U+FFFD-replaced request)", t.get(), clean, &clean_st, &clean_items,
                                    entry->layout)).empty())
      return v;
    // The typed word's length in bytes changes with the replacement.
    if (r.typed.size() <= 256 && clean.typed.size() <= 256 &&
        !Ignored("bad-utf8-answer") &&
        !(v = SameAnswer("[bad-utf8-answer] ill-formed UTF-8 against its U+FFFD replacement", first_st, first, clean_st,
                         clean_items)).empty())
      return v;
  }

  // ScoreNextToken: a log-probability.
  {
    float lp = 0;
    bool in_vocab = false;
    const std::string token = word.empty() ? typed : word;
    st = s->ScoreNextToken(context, token, &lp, &in_vocab);
    if (!st.ok()) return "ScoreNextToken failed: " + st.ToString();
    if (!std::isfinite(lp) || lp > kScoreSlack)
      return "ScoreNextToken(" + Escaped(token) + ") = " + std::to_string(lp) + ", not a finite log-probability";
  }

  // Typing it out: a Suggest per prefix, the finished word, the next word.
  // (Skipped for long typed words: each Suggest of a 256-byte word costs
  // about 0.3 s under ASan, a legitimate cost; a few of them already ran.)
  const bool short_typed = typed.size() <= kMaxTypedRepeated;
  if ((ctl[0] & 64) && short_typed) {
    hunch::SuggestRequest p = r;
    p.touches.clear();
    p.complete = false;
    size_t pos = 0, prefixes = 0;
    const size_t max_prefixes = 1 + ctl[12] % 8;
    while (pos < typed.size() && prefixes < max_prefixes) {
      hunch::text::NextCodePoint(typed, &pos);
      p.typed = typed.substr(0, pos);
      if (!(v = SuggestAndCheck("Suggest (typing a prefix)", s.get(), p, nullptr, nullptr, entry->layout)).empty())
        return v;
      ++prefixes;
    }
    p.typed = typed;
    p.complete = true;
    if (!(v = SuggestAndCheck("Suggest (the finished word)", s.get(), p, nullptr, nullptr, entry->layout)).empty())
        return v;
    bool printable = true;
    for (char c : typed) printable = printable && c >= '!' && c <= '~';
    if (typed.size() <= 256 && (printable || !Ignored("user-words"))) {
      st = s->LearnWord(context, typed);
      if (!st.ok() && st.message().empty()) return "LearnWord: an error without a message";
    }
    p.context = context + " " + typed + " ";
    p.typed.clear();
    p.complete = false;
    if (!(v = SuggestAndCheck("Suggest (the next word)", s.get(), p, nullptr, nullptr, entry->layout)).empty())
        return v;
  }

  if (ctl[0] & 32) {
    // The C API's engine has the default options and layout.
    if (entry->default_options && entry == &w.base) {
      if (!(v = RunCApi(ctl, r, teach, w.base)).empty()) return v;
    }
  }

  if (!(v = RoundTripUserModel(engine, *s)).empty()) return v;

  s->Reset();
  if (short_typed &&
      !(v = SuggestAndCheck("Suggest (after Reset)", s.get(), r, nullptr, nullptr, entry->layout)).empty())
    return v;
  return "";
}

}  // namespace hunch_fuzz

#endif  // HUNCH_TESTS_FUZZ_ENGINE_FUZZ_HARNESS_H_
