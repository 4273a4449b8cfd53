// printf-style formatting into std::string (the library has no iostreams).
#ifndef HUNCH_UTIL_STRINGS_H_
#define HUNCH_UTIL_STRINGS_H_

#include <cstdarg>
#include <cstdio>
#include <string>

#include "hunch/types.h"

namespace hunch {
namespace internal {

// Inline (a COMDAT copy in each library that uses it): both libhunch and
// libhunch_engine use it, and neither exports internal symbols.
inline std::string Format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
inline std::string Format(const char* fmt, ...) {
  char small[256];
  va_list args;
  va_start(args, fmt);
  int n = std::vsnprintf(small, sizeof(small), fmt, args);
  va_end(args);
  if (n < 0) return std::string();
  if (static_cast<size_t>(n) < sizeof(small)) return std::string(small, static_cast<size_t>(n));
  std::string out(static_cast<size_t>(n) + 1, '\0');
  va_start(args, fmt);
  std::vsnprintf(&out[0], out.size(), fmt, args);
  va_end(args);
  out.resize(static_cast<size_t>(n));
  return out;
}

// "[1, 670]"
std::string ShapeString(const Shape& shape);

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_UTIL_STRINGS_H_
