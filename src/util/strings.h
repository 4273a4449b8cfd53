// printf-style formatting into std::string (the library has no iostreams).
#ifndef HUNCH_UTIL_STRINGS_H_
#define HUNCH_UTIL_STRINGS_H_

#include <string>

#include "hunch/types.h"

namespace hunch {
namespace internal {

std::string Format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// "[1, 670]"
std::string ShapeString(const Shape& shape);

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_UTIL_STRINGS_H_
