// hunch serve: the HTTP API's requests and responses, without the HTTP
// server (tools/serve.cc wires them to cpp-httplib). Everything a request
// body may hold is checked here: the JSON itself, the fields and their
// types, the limits of docs/serve.md, the user id. Responses are built as
// JSON text. Also: the static files' paths and types, and the metrics.
#ifndef HUNCH_TOOLS_SERVE_API_H_
#define HUNCH_TOOLS_SERVE_API_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "hunch/engine.h"

namespace hunch {
namespace serve {

// Limits (docs/serve.md, "Limits").
constexpr size_t kMaxJsonBody = 64 * 1024;          // a JSON request body, bytes
constexpr size_t kMaxImportBody = 8 * 1024 * 1024;  // POST /v1/user/import's text body, bytes
constexpr size_t kMaxJsonDepth = 8;                 // nesting of arrays and objects in a body
constexpr size_t kMaxContextBytes = 4096;           // "context"
constexpr size_t kMaxTextBytes = 32 * 1024;         // "text" of /v1/learn
constexpr size_t kMaxTypedCodePoints = 64;          // "typed"
constexpr size_t kMaxWordBytes = 256;               // "word", "correction"
constexpr int kMaxSuggestions = 16;                 // "n"
constexpr size_t kMaxUserIdBytes = 64;

// A request the API refuses: the HTTP status and the message of the
// {"error": message} body.
struct ApiError {
  int status = 400;
  std::string message;
};

// User ids are 1 to 64 characters of [A-Za-z0-9_-]: they name a file under
// --data, so nothing else may reach the file system ("../x", "a/b", NUL).
bool IsValidUserId(const std::string& id);
// Why `id` is not a valid user id ("" when it is).
std::string UserIdProblem(const std::string& id);

// POST /v1/suggest.
struct SuggestCall {
  SuggestRequest request;
  std::string user;  // empty: no user dictionary
};
bool ParseSuggest(const std::string& body, SuggestCall* out, ApiError* error);

// POST /v1/learn: a whole text ({"user", "text"}) or one word
// ({"user", "word", "context", "source", "touches"}: the touches that typed
// the word, one per code point, are optional).
struct LearnCall {
  std::string user;
  bool is_text = false;
  std::string text;  // is_text
  std::string word, context;
  CommitSource source = CommitSource::kTyped;
  std::vector<TouchPoint> touches;
};
bool ParseLearn(const std::string& body, LearnCall* out, ApiError* error);

// POST /v1/unlearn {"user", "word", "context"}; POST /v1/user/forget, block,
// unblock {"user", "word"} (allow_context false).
struct WordCall {
  std::string user, word, context;
};
bool ParseWord(const std::string& body, bool allow_context, WordCall* out, ApiError* error);

// POST /v1/reject_autocorrect {"user", "typed", "correction", "context"}.
struct RejectCall {
  std::string user, typed, correction, context;
};
bool ParseReject(const std::string& body, RejectCall* out, ApiError* error);

// POST /v1/user/clear {"user"}.
bool ParseUserOnly(const std::string& body, std::string* user, ApiError* error);

// The "kind" of a suggestion: "completion", "correction", "next_word",
// "phrase", "emoji", "literal".
const char* KindName(SuggestionKind kind);

// {"suggestions": [{"text", "kind", "score", "autocorrect"}, ...], "took_us": N}
std::string SuggestionsJson(const std::vector<Suggestion>& suggestions, int64_t took_us);
// {"error": message}
std::string ErrorJson(const std::string& message);
// {"name", "key_width", "key_height", "width", "height",
//  "keys": [{"label", "x", "y", "w", "h"}, ...]} (KeyboardLayout::FromJson reads it back).
std::string LayoutJson(const KeyboardLayout& layout);
// {"user", "word_count", "memory_bytes", "touch_sigma", "words": [{"word", "count", "blocked", "suggested"}, ...]}
std::string UserListJson(const std::string& user, const UserModel& model);
// {"ok": true, "word_count": N}
std::string OkJson(uint64_t word_count);

// Static files (GET / and the files of --web DIR).
// The Content-Type of a served file by its extension (.html, .js, .mjs,
// .css, .wasm, .json, .png, .svg, .ico, .txt, .map); nullptr for any other,
// which is not served.
const char* StaticContentType(const std::string& path);
// The file of `root` (an absolute, symlink-free directory: realpath) that
// the URL path `url_path` names ("/" is "/index.html"): a regular file
// inside root, after symlinks are resolved, of a served type. False, with
// *status 404 (no such file, a directory, a type not served) or 403 (a path
// that leaves root), otherwise.
bool ResolveStaticFile(const std::string& root, const std::string& url_path, std::string* file, int* status);

// Request counts by endpoint and status, a latency histogram by endpoint,
// errors: rendered in the Prometheus text format (version 0.0.4).
class Metrics {
 public:
  // The histogram's bucket bounds, in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.25,   1.0};
  // One answered request: `endpoint` is a route ("/v1/suggest"), "static"
  // or "other"; `seconds` < 0 when the request's start is unknown (a request
  // line httplib refused), which is counted but not timed.
  void Record(const std::string& endpoint, int status, double seconds);
  // The metrics; `gauges` are added as they are ("name value" lines, with
  // their HELP and TYPE lines written by the caller).
  std::string Render(const std::string& gauges) const;

 private:
  struct Timing {
    std::array<uint64_t, kBuckets.size()> buckets{};  // non-cumulative counts
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, Timing> timings_;
};

// The process's resident set (VmRSS of /proc/self/status) and its peak
// (VmHWM), bytes; 0 when unknown.
uint64_t ProcessRssBytes();
uint64_t ProcessPeakRssBytes();

}  // namespace serve
}  // namespace hunch

#endif  // HUNCH_TOOLS_SERVE_API_H_
