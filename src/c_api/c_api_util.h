// The C API's error plumbing, shared by the runtime's and the engine's halves.
#ifndef HUNCH_C_API_C_API_UTIL_H_
#define HUNCH_C_API_C_API_UTIL_H_

#include <cstdlib>
#include <cstring>
#include <string>

#include "hunch/hunch.h"
#include "hunch/status.h"

namespace hunch {
namespace c_api {

// Stores a malloc'd copy of `message` in *error (freeing an earlier one).
inline void SetError(char** error, const std::string& message) {
  if (!error) return;
  if (*error) std::free(*error);
  char* copy = static_cast<char*>(std::malloc(message.size() + 1));
  if (copy) std::memcpy(copy, message.c_str(), message.size() + 1);
  *error = copy;
}

inline hunch_status_code Return(const Status& s, char** error) {
  if (s.ok()) return HUNCH_OK;
  SetError(error, s.ToString());
  return static_cast<hunch_status_code>(s.code());
}

inline hunch_status_code InvalidArgument(const char* message, char** error) {
  return Return(Status::InvalidArgument(message), error);
}

}  // namespace c_api
}  // namespace hunch

#endif  // HUNCH_C_API_C_API_UTIL_H_
