#include "util/strings.h"

#include <cstdarg>
#include <cstdio>

namespace hunch {
namespace internal {

std::string Format(const char* fmt, ...) {
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

std::string ShapeString(const Shape& shape) {
  std::string s = "[";
  for (int i = 0; i < shape.rank; ++i) {
    if (i) s += ", ";
    s += std::to_string(shape.dims[i]);
  }
  return s + "]";
}

}  // namespace internal
}  // namespace hunch
