#include "tools/cli.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace hunch {
namespace cli {

Args::Args(int argc, char** argv, const std::vector<std::string>& flags) {
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() > 2 && a[0] == '-' && a[1] == '-') {
      std::string name = a.substr(2), value;
      const size_t eq = name.find('=');
      bool is_flag = false;
      for (const std::string& f : flags) is_flag |= (f == name);
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (!is_flag) {
        if (i + 1 >= argc) {
          error_ = "option --" + name + " needs a value";
          return;
        }
        value = argv[++i];
      }
      options_[name] = value;
    } else {
      positional_.push_back(a);
    }
  }
}

std::string Args::Get(const std::string& name, const std::string& def) const {
  auto it = options_.find(name);
  return it == options_.end() ? def : it->second;
}

bool Args::GetInt(const std::string& name, long long def, long long lo, long long hi, long long* out) {
  *out = def;
  auto it = options_.find(name);
  if (it == options_.end()) return true;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(it->second.c_str(), &end, 10);
  if (errno != 0 || it->second.empty() || *end != '\0' || v < lo || v > hi) {
    error_ = "--" + name + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi) +
             ", not '" + it->second + "'";
    return false;
  }
  *out = v;
  return true;
}

bool Args::CheckKnown(const std::vector<std::string>& known) {
  for (const auto& kv : options_) {
    bool found = false;
    for (const std::string& k : known) found |= (k == kv.first);
    if (!found) {
      error_ = "unknown option --" + kv.first;
      return false;
    }
  }
  return true;
}

int Fail(const char* cmd, const std::string& message) {
  std::fprintf(stderr, "hunch %s: %s\n", cmd, message.c_str());
  return 1;
}

int Fail(const char* cmd, const Status& status) { return Fail(cmd, status.ToString()); }

int Usage(const char* cmd, const char* usage, const std::string& problem) {
  if (!problem.empty()) std::fprintf(stderr, "hunch %s: %s\n", cmd, problem.c_str());
  std::fprintf(stderr, "usage: %s\n", usage);
  return 2;
}

int Help(const char* usage) {
  std::printf("usage: %s\n", usage);
  return 0;
}

}  // namespace cli
}  // namespace hunch
