#include "tools/cli.h"

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "util/file.h"

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

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

double MicrosBetween(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

bool ReadFile(const std::string& path, std::string* out, std::string* error) {
  // A FIFO, directory or device is refused, never waited on (util/file.h).
  const Status s = internal::ReadRegularFile(path, out);
  if (!s.ok()) *error = s.message();
  return s.ok();
}

bool ReadInput(const std::string& path, std::string* out, std::string* error) {
  if (path != "-") return ReadFile(path, out, error);
  out->clear();
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), stdin)) > 0) out->append(buf, n);
  if (std::ferror(stdin)) {
    *error = std::string("cannot read stdin: ") + std::strerror(errno);
    return false;
  }
  return true;
}

Status OpenEngine(const Args& args, std::shared_ptr<const Engine>* engine, std::string* path) {
  *path = args.Has("model") ? args.Get("model") : DefaultModelPath();
  EngineOptions opts;
  std::string err;
  if (args.Has("set") && !ApplyEngineSettings(args.Get("set"), &opts, &err)) return Status::InvalidArgument(err);
  return Engine::Open(*path, opts, engine);
}

Status OpenUserDictionary(const char* cmd, const std::shared_ptr<const Engine>& engine, const std::string& path,
                          std::shared_ptr<UserModel>* user) {
  Status st = UserModel::Open(engine, path, UserModelOptions(), user);
  if (!st.ok()) {
    if (st.message().find(path) != std::string::npos) return st;
    return Status(st.code(), path + ": " + st.message());
  }
  const std::string& warning = (*user)->open_warning();
  if (!warning.empty())
    std::fprintf(stderr, "hunch %s: warning: %s%s\n", cmd,
                 warning.find(path) == std::string::npos ? (path + ": ").c_str() : "", warning.c_str());
  return st;
}

bool ApplyEngineSettings(const std::string& spec, EngineOptions* o, std::string* error) {
  size_t pos = 0;
  while (pos < spec.size()) {
    size_t end = spec.find(',', pos);
    if (end == std::string::npos) end = spec.size();
    const std::string item = spec.substr(pos, end - pos);
    pos = end + 1;
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      *error = "--set: expected NAME=VALUE, got '" + item + "'";
      return false;
    }
    const std::string name = item.substr(0, eq), value = item.substr(eq + 1);
    char* rest = nullptr;
    const double v = std::strtod(value.c_str(), &rest);
    if (value.empty() || *rest != '\0' || !std::isfinite(v)) {
      *error = "--set: " + name + " needs a number, got '" + value + "'";
      return false;
    }
    if (name == "phrases") o->phrases = v != 0;
    else if (name == "emoji") o->emoji = v != 0;
    else if (name == "corrections") o->corrections = v != 0;
    else if (name == "skip_passed_over") o->skip_passed_over = v != 0;
    else if (name == "touch_sigma") o->touch_sigma = static_cast<float>(v);
    else if (name == "savings_weight") o->savings_weight = static_cast<float>(v);
    else if (name == "user_weight") o->user_weight = static_cast<float>(v);
    else if (name == "cache_weight") o->cache_weight = static_cast<float>(v);
    else if (name == "recency_weight") o->recency_weight = static_cast<float>(v);
    else if (name == "max_context_tokens" && v == static_cast<int>(v)) o->max_context_tokens = static_cast<int>(v);
    else if (name == "min_word_count" && v == static_cast<int>(v)) o->min_word_count = static_cast<int>(v);
    else {
      *error = "--set: unknown option or non-integer value: '" + item + "'";
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

std::string Thousands(unsigned long long v) {
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace cli
}  // namespace hunch
