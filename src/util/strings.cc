#include "util/strings.h"

#include <cstdarg>
#include <cstdio>

namespace hunch {
namespace internal {


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
