// A small strict JSON reader (RFC 8259) for the runtime's own inputs:
// tokenizer settings and keyboard layouts. Parses into a DOM of Values.
//
// Strict: exactly one value, no comments, no trailing commas, no NaN or
// Infinity, no leading zeros or '+'; strings must be well-formed UTF-8 with
// control characters escaped; \u escapes must pair surrogates; object keys
// must be unique; nesting is limited to kMaxDepth; numbers must fit a double
// (1e400 is an error, not infinity). A UTF-8 byte order mark at the start is
// skipped. Errors say where: "json: line 3 col 7 (byte 41): expected ':' after
// an object key". Number parsing does not depend on the C locale.
//
//   hunch::json::Value v;
//   HUNCH_RETURN_IF_ERROR(hunch::json::Parse(text, &v));
//   const hunch::json::Value* keys = v.Find("keys");
//   if (!keys || !keys->is_array()) ...
//   for (size_t i = 0; i < keys->size(); ++i) { const Value& k = (*keys)[i]; ... }
//
// Thread safety: a Value is a plain value; Parse is reentrant.
#ifndef HUNCH_UTIL_JSON_H_
#define HUNCH_UTIL_JSON_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "hunch/status.h"

namespace hunch {
namespace json {

constexpr int kMaxDepth = 64;

class Value {
 public:
  enum Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Value();  // null
  ~Value();
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;

  Type type() const { return type_; }
  bool is_null() const { return type_ == kNull; }
  bool is_bool() const { return type_ == kBool; }
  bool is_number() const { return type_ == kNumber; }
  bool is_string() const { return type_ == kString; }
  bool is_array() const { return type_ == kArray; }
  bool is_object() const { return type_ == kObject; }

  // Each accessor returns a neutral value (false, 0, "") for other types.
  bool bool_value() const { return type_ == kBool && bool_; }
  double number() const { return type_ == kNumber ? number_ : 0.0; }
  // True when the number is an integer that fits `int` (e.g. 3, -7, 1e3).
  bool is_int() const;
  int int_value() const { return is_int() ? static_cast<int>(number_) : 0; }
  const std::string& str() const { return str_; }  // the decoded UTF-8 of a string

  // Elements of an array or members of an object; 0 for other types.
  size_t size() const { return items_.size(); }
  // Element i of an array, or the value of member i of an object. i < size().
  const Value& operator[](size_t i) const { return items_[i]; }
  // The name of member i of an object (members keep the file's order). i < size().
  const std::string& key(size_t i) const { return keys_[i]; }
  // The value of the member named `key`, or nullptr (also for non-objects).
  const Value* Find(std::string_view key) const;

  // A name for messages: "null", "a boolean", "a number", "a string", "an array", "an object".
  static const char* TypeName(Type t);

 private:
  friend class Parser;
  Type type_ = kNull;
  bool bool_ = false;
  double number_ = 0.0;
  std::string str_;
  std::vector<std::string> keys_;  // objects: member names, parallel to items_
  std::vector<Value> items_;       // array elements or member values
};

// Parses `text` into *out (replaced; null on error). Errors are
// kInvalidArgument with "json: line L col C (byte B): <what>".
Status Parse(std::string_view text, Value* out);

}  // namespace json
}  // namespace hunch

#endif  // HUNCH_UTIL_JSON_H_
