#include "util/json.h"

#include <cerrno>
#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "util/strings.h"

namespace hunch {
namespace json {

Value::Value() = default;
Value::~Value() = default;
Value::Value(const Value&) = default;
Value::Value(Value&&) noexcept = default;
Value& Value::operator=(const Value&) = default;
Value& Value::operator=(Value&&) noexcept = default;

bool Value::is_int() const {
  return type_ == kNumber && number_ >= -2147483648.0 && number_ <= 2147483647.0 && number_ == std::floor(number_);
}

const Value* Value::Find(std::string_view key) const {
  if (type_ != kObject) return nullptr;
  for (size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] == key) return &items_[i];
  return nullptr;
}

const char* Value::TypeName(Type t) {
  switch (t) {
    case kNull: return "null";
    case kBool: return "a boolean";
    case kNumber: return "a number";
    case kString: return "a string";
    case kArray: return "an array";
    case kObject: return "an object";
  }
  return "unknown";
}

static_assert(kMaxDepth == 64, "the depth message below says 64");

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Status Run(Value* out) {
    if (s_.size() >= 3 && s_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;
    SkipSpace();
    if (!ParseValue(out, 0)) return error_;
    SkipSpace();
    if (pos_ < s_.size()) {
      Fail("unexpected data after the JSON value", true);
      return error_;
    }
    return Status::OK();
  }

 private:
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return s_[pos_]; }

  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }

  // Records the first error (at the current position, or `at`) and returns
  // false. With `found`, the message ends in what is there. Out of line and
  // cold: message building would otherwise be inlined into every caller.
  __attribute__((noinline, cold)) bool Fail(const char* what, bool found = false) { return FailAt(pos_, what, found); }
  __attribute__((noinline, cold)) bool FailAt(size_t at, const char* what, bool found = false,
                                              const std::string* key = nullptr) {
    if (!error_.ok()) return false;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at && i < s_.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(s_[i]);
      if (c == '\n') {
        ++line;
        col = 1;
      } else if ((c & 0xC0) != 0x80) {  // count code points, not continuation bytes
        ++col;
      }
    }
    std::string msg = internal::Format("json: line %zu col %zu (byte %zu): %s", line, col, at, what);
    if (key) msg += " \"" + *key + "\"";
    if (found) {
      if (at >= s_.size()) {
        msg += ", found the end of the text";
      } else {
        const unsigned char c = static_cast<unsigned char>(s_[at]);
        msg +=
            (c >= 0x20 && c < 0x7F) ? internal::Format(", found '%c'", c) : internal::Format(", found byte 0x%02X", c);
      }
    }
    error_ = Status::InvalidArgument(std::move(msg));
    return false;
  }

  bool ParseValue(Value* v, int depth) {
    if (AtEnd()) return Fail("expected a value", true);
    switch (Peek()) {
      case '{': return ParseObject(v, depth + 1);
      case '[': return ParseArray(v, depth + 1);
      case '"': v->type_ = Value::kString; return ParseString(&v->str_);
      case 't': return ParseLiteral("true", v, Value::kBool, true);
      case 'f': return ParseLiteral("false", v, Value::kBool, false);
      case 'n': return ParseLiteral("null", v, Value::kNull, false);
      default:
        if (Peek() == '-' || (Peek() >= '0' && Peek() <= '9')) return ParseNumber(v);
        return Fail("expected a value", true);
    }
  }

  bool ParseLiteral(const char* word, Value* v, Value::Type type, bool b) {
    const size_t n = std::strlen(word);
    if (s_.compare(pos_, n, word) != 0) return Fail("expected a value", true);
    pos_ += n;
    v->type_ = type;
    v->bool_ = b;
    return true;
  }

  bool ParseObject(Value* v, int depth) {
    if (depth > kMaxDepth) return Fail("nesting deeper than 64 levels");
    v->type_ = Value::kObject;
    ++pos_;  // '{'
    SkipSpace();
    if (!AtEnd() && Peek() == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      if (AtEnd() || Peek() != '"') return Fail("expected a string key", true);
      const size_t key_at = pos_;
      std::string key;
      if (!ParseString(&key)) return false;
      for (const std::string& k : v->keys_)
        if (k == key) return FailAt(key_at, "duplicate key", false, &key);
      SkipSpace();
      if (AtEnd() || Peek() != ':') return Fail("expected ':' after an object key", true);
      ++pos_;
      SkipSpace();
      v->keys_.push_back(std::move(key));
      const Next next = ParseItem(v, depth, '}', "expected ',' or '}' in an object");
      if (next != kMore) return next == kClosed;
    }
  }

  bool ParseArray(Value* v, int depth) {
    if (depth > kMaxDepth) return Fail("nesting deeper than 64 levels");
    v->type_ = Value::kArray;
    ++pos_;  // '['
    SkipSpace();
    if (!AtEnd() && Peek() == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      const Next next = ParseItem(v, depth, ']', "expected ',' or ']' in an array");
      if (next != kMore) return next == kClosed;
    }
  }

  // One member value of an object or array, then ',' (more follow) or
  // `close` (the container ends); anything else fails with `what`.
  enum Next { kMore, kClosed, kError };
  Next ParseItem(Value* v, int depth, char close, const char* what) {
    v->items_.emplace_back();
    if (!ParseValue(&v->items_.back(), depth)) return kError;
    SkipSpace();
    if (!AtEnd() && Peek() == ',') {
      ++pos_;
      SkipSpace();
      return kMore;
    }
    if (!AtEnd() && Peek() == close) {
      ++pos_;
      return kClosed;
    }
    Fail(what, true);
    return kError;
  }

  static int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Four hex digits after "\u" at pos_; advances past them.
  bool ParseHex4(uint32_t* out) {
    if (s_.size() - pos_ < 4) return Fail("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = HexValue(s_[pos_ + i]);
      if (h < 0) return FailAt(pos_ + i, "\\u must be followed by 4 hex digits");
      v = (v << 4) | static_cast<uint32_t>(h);
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  static void AppendUtf8(uint32_t c, std::string* out) {
    char b[4];
    size_t n;
    if (c < 0x80) {
      b[0] = static_cast<char>(c);
      n = 1;
    } else if (c < 0x800) {
      b[0] = static_cast<char>(0xC0 | (c >> 6));
      b[1] = static_cast<char>(0x80 | (c & 0x3F));
      n = 2;
    } else if (c < 0x10000) {
      b[0] = static_cast<char>(0xE0 | (c >> 12));
      b[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      b[2] = static_cast<char>(0x80 | (c & 0x3F));
      n = 3;
    } else {
      b[0] = static_cast<char>(0xF0 | (c >> 18));
      b[1] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      b[2] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      b[3] = static_cast<char>(0x80 | (c & 0x3F));
      n = 4;
    }
    out->append(b, n);
  }

  // Length of the well-formed UTF-8 sequence at pos_ (lead byte >= 0x80), or 0.
  size_t Utf8Length() const {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(s_.data()) + pos_;
    const size_t avail = s_.size() - pos_;
    const unsigned char b0 = p[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    } else {
      return 0;
    }
    if (avail < len) return 0;
    if (p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < len; ++i)
      if (p[i] < 0x80 || p[i] > 0xBF) return 0;
    return len;
  }

  bool ParseString(std::string* out) {
    const size_t open = pos_;
    ++pos_;  // '"'
    while (true) {
      if (AtEnd()) return FailAt(open, "unterminated string");
      const unsigned char c = static_cast<unsigned char>(Peek());
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return Fail("unescaped control character in a string", true);
      if (c >= 0x80) {
        const size_t n = Utf8Length();
        if (n == 0) return Fail("invalid UTF-8 in a string");
        out->append(s_.data() + pos_, n);
        pos_ += n;
        continue;
      }
      if (c != '\\') {  // a run of plain ASCII
        size_t end = pos_ + 1;
        while (end < s_.size() && static_cast<unsigned char>(s_[end]) >= 0x20 &&
               static_cast<unsigned char>(s_[end]) < 0x80 && s_[end] != '"' && s_[end] != '\\')
          ++end;
        out->append(s_.data() + pos_, end - pos_);
        pos_ = end;
        continue;
      }
      const size_t esc = pos_;
      ++pos_;
      if (AtEnd()) return FailAt(open, "unterminated string");
      const char e = Peek();
      ++pos_;
      switch (e) {
        case '"': AppendUtf8('"', out); break;
        case '\\': AppendUtf8('\\', out); break;
        case '/': AppendUtf8('/', out); break;
        case 'b': AppendUtf8('\b', out); break;
        case 'f': AppendUtf8('\f', out); break;
        case 'n': AppendUtf8('\n', out); break;
        case 'r': AppendUtf8('\r', out); break;
        case 't': AppendUtf8('\t', out); break;
        case 'u': {
          uint32_t u = 0;
          if (!ParseHex4(&u)) return false;
          if (u >= 0xDC00 && u <= 0xDFFF) return FailAt(esc, "unpaired low surrogate in a \\u escape");
          if (u >= 0xD800 && u <= 0xDBFF) {
            if (s_.size() - pos_ < 2 || s_[pos_] != '\\' || s_[pos_ + 1] != 'u')
              return FailAt(esc, "high surrogate \\u escape not followed by a low surrogate");
            pos_ += 2;
            uint32_t low = 0;
            if (!ParseHex4(&low)) return false;
            if (low < 0xDC00 || low > 0xDFFF)
              return FailAt(esc, "high surrogate \\u escape not followed by a low surrogate");
            u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(u, out);
          break;
        }
        default: return FailAt(esc, "invalid escape");
      }
    }
  }

  bool ParseNumber(Value* v) {
    const size_t start = pos_;
    bool negative = false;
    if (Peek() == '-') {
      negative = true;
      ++pos_;
    }
    // Significant digits, up to 19 in a uint64; `exp10` scales them.
    uint64_t mantissa = 0;
    int digits = 0;        // significant digits kept in mantissa
    bool inexact = false;  // a non-zero digit did not fit
    int64_t exp10 = 0;
    auto take_digit = [&](int d, bool fraction) {
      if (digits == 0 && d == 0) {
        if (fraction) --exp10;
        return;
      }
      if (digits < 19) {
        mantissa = mantissa * 10 + static_cast<uint64_t>(d);
        ++digits;
        if (fraction) --exp10;
      } else {
        if (d != 0) inexact = true;
        if (!fraction) ++exp10;
      }
    };
    if (AtEnd() || !(Peek() >= '0' && Peek() <= '9')) return Fail("expected a digit after '-'");
    if (Peek() == '0') {
      ++pos_;
      if (!AtEnd() && Peek() >= '0' && Peek() <= '9') return Fail("numbers must not have leading zeros");
    } else {
      while (!AtEnd() && Peek() >= '0' && Peek() <= '9') take_digit(s_[pos_++] - '0', false);
    }
    if (!AtEnd() && Peek() == '.') {
      ++pos_;
      if (AtEnd() || !(Peek() >= '0' && Peek() <= '9')) return Fail("expected a digit after '.'");
      while (!AtEnd() && Peek() >= '0' && Peek() <= '9') take_digit(s_[pos_++] - '0', true);
    }
    if (!AtEnd() && (Peek() == 'e' || Peek() == 'E')) {
      ++pos_;
      bool exp_negative = false;
      if (!AtEnd() && (Peek() == '+' || Peek() == '-')) exp_negative = s_[pos_++] == '-';
      if (AtEnd() || !(Peek() >= '0' && Peek() <= '9')) return Fail("expected a digit in the exponent");
      int64_t e = 0;
      while (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
        if (e < 100000) e = e * 10 + (s_[pos_] - '0');  // beyond this, the value is 0 or out of range anyway
        ++pos_;
      }
      exp10 += exp_negative ? -e : e;
    }
    double value;
    static const double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (mantissa == 0 && !inexact) {
      value = 0.0;
    } else if (!inexact && mantissa <= (uint64_t{1} << 53) && exp10 >= -22 && exp10 <= 22) {
      // Clinger's fast path: both operands exact, so one correctly rounded operation.
      const double m = static_cast<double>(mantissa);
      value = exp10 >= 0 ? m * kPow10[exp10] : m / kPow10[-exp10];
    } else {
      // Correct rounding in general is strtod's job; it reads the locale's
      // decimal point, so give it the number with that one.
      std::string copy(s_.substr(start, pos_ - start));
      const char* point = std::localeconv()->decimal_point;
      if (point && std::strcmp(point, ".") != 0) {
        const size_t dot = copy.find('.');
        if (dot != std::string::npos) copy.replace(dot, 1, point);
      }
      errno = 0;
      char* end = nullptr;
      value = std::strtod(copy.c_str(), &end);
      if (end != copy.c_str() + copy.size()) return FailAt(start, "unreadable number");
      if (!std::isfinite(value)) return FailAt(start, "number out of range");
      v->type_ = Value::kNumber;
      v->number_ = value;  // strtod applied the sign
      return true;
    }
    v->type_ = Value::kNumber;
    v->number_ = negative ? -value : value;
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  Status error_;
};

Status Parse(std::string_view text, Value* out) {
  *out = Value();
  Parser p(text);
  Status s = p.Run(out);
  if (!s.ok()) *out = Value();
  return s;
}

}  // namespace json
}  // namespace hunch
