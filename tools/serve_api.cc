#include "tools/serve_api.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <sstream>

#include "text/utf8.h"

namespace hunch {
namespace serve {

using nlohmann::json;
// Responses keep their keys in the order written ("text" first).
using ojson = nlohmann::ordered_json;

namespace {

bool Fail(ApiError* error, const std::string& message, int status = 400) {
  error->status = status;
  error->message = message;
  return false;
}

// The deepest nesting of arrays and objects in `body` (strings skipped), or
// kMaxJsonDepth + 1 as soon as it goes past that: checked before parsing, so
// that no parser recursion or allocation depends on a hostile nesting.
bool NestingWithin(const std::string& body, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

// Parses a JSON object body.
bool ParseObject(const std::string& body, json* out, ApiError* error) {
  if (body.size() > kMaxJsonBody)
    return Fail(error, "the body is " + std::to_string(body.size()) + " bytes; at most " +
                           std::to_string(kMaxJsonBody) + " are accepted", 413);
  if (!NestingWithin(body, kMaxJsonDepth))
    return Fail(error, "the JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  try {
    *out = json::parse(body);
  } catch (const json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
    std::string what = e.what();
    const size_t bracket = what.find("] ");
    return Fail(error, "invalid JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
  if (!out->is_object()) return Fail(error, "the body must be a JSON object");
  return true;
}

const char* TypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    default: return "another type";
  }
}

// The fields of one request object: only `allowed` may appear.
class Fields {
 public:
  Fields(const json& obj, ApiError* error) : obj_(obj), error_(error) {}

  bool OnlyThese(std::initializer_list<const char*> allowed) {
    for (auto it = obj_.begin(); it != obj_.end(); ++it) {
      bool known = false;
      for (const char* a : allowed) known |= it.key() == a;
      if (!known) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        return Fail(error_, "unknown field \"" + Printable(it.key()) + "\" (this endpoint takes " + list + ")");
      }
    }
    return true;
  }
  bool Has(const char* name) const { return obj_.contains(name); }

  // A string of at most `max_bytes` bytes, no NUL. Absent: *out keeps its
  // value unless `required`.
  bool String(const char* name, bool required, size_t max_bytes, std::string* out) {
    auto it = obj_.find(name);
    if (it == obj_.end()) return required ? Fail(error_, std::string("\"") + name + "\" is required") : true;
    if (!it->is_string())
      return Fail(error_, std::string("\"") + name + "\" must be a string, not " + TypeName(*it));
    const std::string& s = it->get_ref<const std::string&>();
    if (s.size() > max_bytes)
      return Fail(error_, std::string("\"") + name + "\" is " + std::to_string(s.size()) + " bytes; at most " +
                              std::to_string(max_bytes) + " are accepted");
    if (s.find('\0') != std::string::npos)
      return Fail(error_, std::string("\"") + name + "\" contains a NUL character");
    *out = s;
    return true;
  }
  bool Bool(const char* name, bool* out) {
    auto it = obj_.find(name);
    if (it == obj_.end()) return true;
    if (!it->is_boolean())
      return Fail(error_, std::string("\"") + name + "\" must be true or false, not " + TypeName(*it));
    *out = it->get<bool>();
    return true;
  }
  bool Int(const char* name, long long lo, long long hi, int* out) {
    auto it = obj_.find(name);
    if (it == obj_.end()) return true;
    const std::string range = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
    if (!it->is_number_integer())
      return Fail(error_, std::string("\"") + name + "\" must be " + range + ", not " + TypeName(*it));
    const bool in_range = it->is_number_unsigned()
                              ? it->get<unsigned long long>() <= static_cast<unsigned long long>(hi) &&
                                    static_cast<long long>(it->get<unsigned long long>()) >= lo
                              : it->get<long long>() >= lo && it->get<long long>() <= hi;
    if (!in_range)
      return Fail(error_, std::string("\"") + name + "\" must be " + range + ", not " + it->dump());
    *out = static_cast<int>(it->get<long long>());
    return true;
  }
  // The user id: required or optional, and valid.
  bool User(bool required, std::string* out) {
    if (!String("user", required, 1024, out)) return false;
    if (!Has("user")) return true;
    const std::string problem = UserIdProblem(*out);
    return problem.empty() ? true : Fail(error_, problem);
  }
  const json& obj() const { return obj_; }

  // A key as it may be quoted in a message: at most 64 bytes, control
  // characters as '?'.
  static std::string Printable(const std::string& s) {
    std::string out;
    for (char c : s.substr(0, 64)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    return s.size() > 64 ? out + "..." : out;
  }

 private:
  const json& obj_;
  ApiError* error_;
};

std::string Dump(const ojson& j) { return j.dump(-1, ' ', false, ojson::error_handler_t::replace); }

}  // namespace

bool IsValidUserId(const std::string& id) { return UserIdProblem(id).empty(); }

std::string UserIdProblem(const std::string& id) {
  if (id.empty()) return "\"user\" must not be empty";
  if (id.size() > kMaxUserIdBytes)
    return "\"user\" is " + std::to_string(id.size()) + " characters; at most " + std::to_string(kMaxUserIdBytes) +
           " are accepted";
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return "\"user\" may hold only the characters A-Z, a-z, 0-9, '_' and '-'";
  }
  return "";
}

// "touches" of `obj` (when present): exactly `cps` points {"x", "y"}, one
// per code point of the field `of`, finite and at most 1e6 in size.
bool ParseTouches(const json& obj, const char* of, size_t cps, std::vector<TouchPoint>* out, ApiError* error) {
  if (!obj.contains("touches")) return true;
  const json& t = obj["touches"];
  if (!t.is_array()) return Fail(error, std::string("\"touches\" must be an array, not ") + TypeName(t));
  if (t.size() != cps)
    return Fail(error, "\"touches\" has " + std::to_string(t.size()) + " points; \"" + of + "\" has " +
                           std::to_string(cps) + " characters (one touch per character)");
  out->reserve(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    const json& p = t[i];
    const std::string where = "touches[" + std::to_string(i) + "]";
    if (!p.is_object() || p.size() != 2 || !p.contains("x") || !p.contains("y"))
      return Fail(error, "\"" + where + "\" must be an object {\"x\": number, \"y\": number}");
    TouchPoint tp;
    for (const char* axis : {"x", "y"}) {
      const json& v = p[axis];
      if (!v.is_number()) return Fail(error, "\"" + where + "." + axis + "\" must be a number, not " + TypeName(v));
      const double d = v.get<double>();
      if (!std::isfinite(d) || std::fabs(d) > 1e6) return Fail(error, "\"" + where + "." + axis + "\" is out of range");
      (axis[0] == 'x' ? tp.x : tp.y) = static_cast<float>(d);
    }
    out->push_back(tp);
  }
  return true;
}

bool ParseSuggest(const std::string& body, SuggestCall* out, ApiError* error) {
  json obj;
  if (!ParseObject(body, &obj, error)) return false;
  Fields f(obj, error);
  if (!f.OnlyThese({"context", "typed", "touches", "n", "complete", "user"})) return false;
  *out = SuggestCall();
  SuggestRequest& r = out->request;
  if (!f.String("context", false, kMaxContextBytes, &r.context)) return false;
  if (!f.String("typed", false, kMaxTypedCodePoints * 4, &r.typed)) return false;
  const size_t typed_cps = text::CountCodePoints(r.typed);
  if (typed_cps > kMaxTypedCodePoints)
    return Fail(error, "\"typed\" is " + std::to_string(typed_cps) + " characters; at most " +
                           std::to_string(kMaxTypedCodePoints) + " are accepted");
  r.max_suggestions = 3;
  if (!f.Int("n", 1, kMaxSuggestions, &r.max_suggestions)) return false;
  if (!f.Bool("complete", &r.complete)) return false;
  if (!f.User(false, &out->user)) return false;
  if (!ParseTouches(obj, "typed", typed_cps, &r.touches, error)) return false;
  return true;
}

bool ParseLearn(const std::string& body, LearnCall* out, ApiError* error) {
  json obj;
  if (!ParseObject(body, &obj, error)) return false;
  Fields f(obj, error);
  *out = LearnCall();
  if (!f.User(true, &out->user)) return false;
  if (f.Has("text") == f.Has("word"))
    return Fail(error, f.Has("text") ? "give \"text\" or \"word\", not both" : "\"text\" or \"word\" is required");
  if (f.Has("text")) {
    out->is_text = true;
    if (!f.OnlyThese({"user", "text"})) return false;
    return f.String("text", true, kMaxTextBytes, &out->text);
  }
  if (!f.OnlyThese({"user", "word", "context", "source", "touches"})) return false;
  if (!f.String("word", true, kMaxWordBytes, &out->word)) return false;
  if (!ParseTouches(obj, "word", text::CountCodePoints(out->word), &out->touches, error)) return false;
  if (!f.String("context", false, kMaxContextBytes, &out->context)) return false;
  std::string source = "typed";
  if (!f.String("source", false, 32, &source)) return false;
  if (source == "typed") out->source = CommitSource::kTyped;
  else if (source == "picked") out->source = CommitSource::kPicked;
  else if (source == "autocorrected") out->source = CommitSource::kAutocorrected;
  else return Fail(error, "\"source\" must be \"typed\", \"picked\" or \"autocorrected\", not \"" +
                              Fields::Printable(source) + "\"");
  return true;
}

bool ParseWord(const std::string& body, bool allow_context, WordCall* out, ApiError* error) {
  json obj;
  if (!ParseObject(body, &obj, error)) return false;
  Fields f(obj, error);
  *out = WordCall();
  if (allow_context ? !f.OnlyThese({"user", "word", "context"}) : !f.OnlyThese({"user", "word"})) return false;
  if (!f.User(true, &out->user)) return false;
  if (!f.String("word", true, kMaxWordBytes, &out->word)) return false;
  return !allow_context || f.String("context", false, kMaxContextBytes, &out->context);
}

bool ParseReject(const std::string& body, RejectCall* out, ApiError* error) {
  json obj;
  if (!ParseObject(body, &obj, error)) return false;
  Fields f(obj, error);
  *out = RejectCall();
  if (!f.OnlyThese({"user", "typed", "correction", "context"})) return false;
  if (!f.User(true, &out->user)) return false;
  if (!f.String("typed", true, kMaxWordBytes, &out->typed)) return false;
  if (!f.String("correction", true, kMaxWordBytes, &out->correction)) return false;
  return f.String("context", false, kMaxContextBytes, &out->context);
}

bool ParseUserOnly(const std::string& body, std::string* user, ApiError* error) {
  json obj;
  if (!ParseObject(body, &obj, error)) return false;
  Fields f(obj, error);
  return f.OnlyThese({"user"}) && f.User(true, user);
}

const char* KindName(SuggestionKind kind) {
  switch (kind) {
    case SuggestionKind::kCompletion: return "completion";
    case SuggestionKind::kCorrection: return "correction";
    case SuggestionKind::kNextWord: return "next_word";
    case SuggestionKind::kPhrase: return "phrase";
    case SuggestionKind::kEmoji: return "emoji";
    case SuggestionKind::kLiteral: return "literal";
  }
  return "unknown";
}

std::string SuggestionsJson(const std::vector<Suggestion>& suggestions, int64_t took_us) {
  ojson list = ojson::array();
  for (const Suggestion& s : suggestions) {
    ojson item = ojson::object();
    item["text"] = s.text;
    item["kind"] = KindName(s.kind);
    // Scores are finite log-probabilities; a non-finite one would not be JSON.
    item["score"] = std::isfinite(s.score) ? ojson(static_cast<double>(s.score)) : ojson(nullptr);
    item["autocorrect"] = s.autocorrect;
    list.push_back(std::move(item));
  }
  ojson out = ojson::object();
  out["suggestions"] = std::move(list);
  out["took_us"] = took_us;
  return Dump(out);
}

std::string ErrorJson(const std::string& message) {
  ojson out = ojson::object();
  out["error"] = message;
  return Dump(out);
}

std::string LayoutJson(const KeyboardLayout& layout) {
  ojson keys = ojson::array();
  float right = 0, bottom = 0;
  for (const Key& k : layout.keys()) {
    ojson key = ojson::object();
    key["label"] = k.label;
    key["x"] = k.x;
    key["y"] = k.y;
    key["w"] = k.width;
    key["h"] = k.height;
    keys.push_back(std::move(key));
    right = std::max(right, k.x + k.width);
    bottom = std::max(bottom, k.y + k.height);
  }
  ojson out = ojson::object();
  out["name"] = layout.name();
  out["key_width"] = layout.key_width();
  out["key_height"] = layout.key_height();
  out["width"] = right;
  out["height"] = bottom;
  out["keys"] = std::move(keys);
  return Dump(out);
}

std::string UserListJson(const std::string& user, const UserModel& model) {
  ojson words = ojson::array();
  for (const UserWord& w : model.List()) {
    ojson item = ojson::object();
    item["word"] = w.word;
    item["count"] = w.count;
    item["blocked"] = w.blocked;
    item["suggested"] = w.suggested;
    words.push_back(std::move(item));
  }
  ojson out = ojson::object();
  out["user"] = user;
  out["word_count"] = model.word_count();
  out["memory_bytes"] = model.memory_bytes();
  out["touch_sigma"] = model.touch_sigma();
  out["words"] = std::move(words);
  return Dump(out);
}

std::string OkJson(uint64_t word_count) {
  ojson out = ojson::object();
  out["ok"] = true;
  out["word_count"] = word_count;
  return Dump(out);
}

const char* StaticContentType(const std::string& path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".wasm", "application/wasm"},
      {".json", "application/json; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".png", "image/png"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      // The model the page loads for its on-device mode (web/wasm/en.hunch).
      {".hunch", "application/octet-stream"},
  };
  const size_t slash = path.rfind('/');
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return nullptr;
  const std::string ext = path.substr(dot);
  for (const auto& t : kTypes)
    if (ext == t.first) return t.second;
  return nullptr;
}

bool ResolveStaticFile(const std::string& root, const std::string& url_path, std::string* file, int* status) {
  *status = 404;
  if (url_path.empty() || url_path[0] != '/' || url_path.find('\0') != std::string::npos) return false;
  std::string rel = url_path == "/" ? "/index.html" : url_path;
  // Any ".." segment, or a hidden file (".git", ".env"), is refused before
  // the file system is asked.
  size_t pos = 0;
  while (pos < rel.size()) {
    size_t next = rel.find('/', pos + 1);
    if (next == std::string::npos) next = rel.size();
    const std::string seg = rel.substr(pos + 1, next - pos - 1);
    if (seg == "..") {
      *status = 403;
      return false;
    }
    if (!seg.empty() && seg[0] == '.') return false;
    pos = next;
  }
  if (!StaticContentType(rel)) return false;
  char resolved[PATH_MAX];
  if (!::realpath((root + rel).c_str(), resolved)) return false;
  const std::string real = resolved;
  // Inside root, after symlinks: root + "/" is a prefix of the real path.
  if (real.size() <= root.size() + 1 || real.compare(0, root.size(), root) != 0 || real[root.size()] != '/') {
    *status = 403;
    return false;
  }
  struct stat st;
  if (::stat(real.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (!StaticContentType(real)) return false;  // a symlink to a type not served
  *file = real;
  *status = 200;
  return true;
}

constexpr std::array<double, 12> Metrics::kBuckets;

void Metrics::Record(const std::string& endpoint, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{endpoint, status}];
  if (seconds < 0) return;
  Timing& t = timings_[endpoint];
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  if (b < kBuckets.size()) ++t.buckets[b];
  ++t.count;
  t.sum += seconds;
}

std::string Metrics::Render(const std::string& gauges) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::ostringstream o;
  o.precision(9);
  o << "# HELP hunch_http_requests_total HTTP requests answered, by endpoint and status.\n"
       "# TYPE hunch_http_requests_total counter\n";
  for (const auto& kv : requests_)
    o << "hunch_http_requests_total{endpoint=\"" << kv.first.first << "\",status=\"" << kv.first.second << "\"} "
      << kv.second << "\n";
  o << "# HELP hunch_http_errors_total HTTP requests answered with an error status (4xx: the request, 5xx: the "
       "server).\n"
       "# TYPE hunch_http_errors_total counter\n";
  std::map<std::pair<std::string, std::string>, uint64_t> errors;
  for (const auto& kv : requests_)
    if (kv.first.second >= 400) errors[{kv.first.first, kv.first.second >= 500 ? "5xx" : "4xx"}] += kv.second;
  for (const auto& kv : errors)
    o << "hunch_http_errors_total{endpoint=\"" << kv.first.first << "\",class=\"" << kv.first.second << "\"} "
      << kv.second << "\n";
  o << "# HELP hunch_http_request_duration_seconds Time from a request's routing to its response, by endpoint.\n"
       "# TYPE hunch_http_request_duration_seconds histogram\n";
  for (const auto& kv : timings_) {
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += kv.second.buckets[b];
      o << "hunch_http_request_duration_seconds_bucket{endpoint=\"" << kv.first << "\",le=\"" << kBuckets[b]
        << "\"} " << cumulative << "\n";
    }
    o << "hunch_http_request_duration_seconds_bucket{endpoint=\"" << kv.first << "\",le=\"+Inf\"} "
      << kv.second.count << "\n";
    o << "hunch_http_request_duration_seconds_sum{endpoint=\"" << kv.first << "\"} " << kv.second.sum << "\n";
    o << "hunch_http_request_duration_seconds_count{endpoint=\"" << kv.first << "\"} " << kv.second.count << "\n";
  }
  o << gauges;
  return o.str();
}

namespace {
uint64_t StatusKiB(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(f, line))
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':')
      return std::strtoull(line.c_str() + n + 1, nullptr, 10);
  return 0;
}
}  // namespace

uint64_t ProcessRssBytes() { return StatusKiB("VmRSS") * 1024; }
uint64_t ProcessPeakRssBytes() { return StatusKiB("VmHWM") * 1024; }

}  // namespace serve
}  // namespace hunch
