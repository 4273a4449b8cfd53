// hunch serve [--model M] [--host 127.0.0.1] [--port 8080] [--data DIR] [--web DIR] [--threads N]
//             [--max-users N] [--user-idle SECONDS] [--layout FILE] [--set NAME=VALUE,...]
// The engine as an HTTP/JSON service (docs/serve.md): suggestions, learning,
// the user dictionaries under --data, the keyboard layout, health, metrics,
// and the web page's static files. Built on Debian's cpp-httplib (a thread
// pool server); the request checks and JSON live in tools/serve_api.h, the
// users in tools/serve_users.h.
//
// Exit codes: 0 after SIGTERM or SIGINT (every user closed), 1 when it
// cannot start (the model, the data directory, the port), 2 a usage error.
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <httplib.h>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hunch/engine.h"
#include "hunch/kernels.h"
#include "tools/cli.h"
#include "tools/serve_api.h"
#include "tools/serve_users.h"

#ifndef HUNCH_WEB_SOURCE
#define HUNCH_WEB_SOURCE ""
#endif
#ifndef HUNCH_WEB_INSTALLED
#define HUNCH_WEB_INSTALLED ""
#endif

namespace hunch {
namespace cli {

namespace {

using serve::SessionPool;
using serve::UserCache;

const char* kServeUsage =
    "hunch serve [--model M] [--host 127.0.0.1] [--port 8080] [--data DIR] [--web DIR] [--threads N]\n"
    "            [--max-users N] [--user-idle SECONDS] [--layout FILE] [--set NAME=VALUE,...]\n"
    "  Serves the engine over HTTP/JSON (docs/serve.md): POST /v1/suggest, /v1/learn, /v1/unlearn,\n"
    "  /v1/reject_autocorrect, /v1/user/{forget,block,unblock,clear,import}; GET /v1/user/{export,list},\n"
    "  /v1/layout, /healthz, /metrics, and the files of the web directory at /.\n"
    "  --host: the address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 for all)\n"
    "  --port: the TCP port (default 8080; 0 picks a free one); the address is printed on stdout\n"
    "  --data DIR: keep each user's dictionary in the crash-safe file DIR/<user>.dict; without it\n"
    "    users live in memory only and are lost when the server stops (or evicts them)\n"
    "  --web DIR: the static files served at / (default: web/ of the source tree, else the installed one)\n"
    "  --threads N: worker threads, the connections served at once (default: 8 per core, at least 64;\n"
    "    a worker holds its connection while it is kept alive, idle up to 2 seconds)\n"
    "  --max-users N: users kept open at most (default 256, at most 512); the least recently used idle\n"
    "    one is closed past that\n"
    "  --user-idle SECONDS: with --data, close users unused this long (default 300; 0: only when\n"
    "    evicted), which lets another instance take them over (docs/serve.md, \"Several instances\")\n"
    "  --layout FILE: the keyboard layout JSON (KeyboardLayout::FromJson; default: QWERTY)\n"
    "  --set: engine options, as for hunch suggest\n"
    "  SIGTERM or SIGINT stops it: no new connections, the requests being answered finish, every\n"
    "  user is closed.";

// Connection limits (docs/serve.md, "Limits").
constexpr time_t kReadTimeoutSeconds = 5;
constexpr time_t kWriteTimeoutSeconds = 5;
constexpr time_t kKeepAliveSeconds = 2;
constexpr size_t kKeepAliveRequests = 100;

struct Route {
  const char* path;
  const char* method;
};
const Route kRoutes[] = {
    {"/v1/suggest", "POST"},      {"/v1/learn", "POST"},      {"/v1/unlearn", "POST"},
    {"/v1/reject_autocorrect", "POST"}, {"/v1/user/forget", "POST"}, {"/v1/user/block", "POST"},
    {"/v1/user/unblock", "POST"}, {"/v1/user/clear", "POST"}, {"/v1/user/import", "POST"},
    {"/v1/user/export", "GET"},   {"/v1/user/list", "GET"},   {"/v1/layout", "GET"},
    {"/healthz", "GET"},          {"/metrics", "GET"},
};

const Route* FindRoute(const std::string& path) {
  for (const Route& r : kRoutes)
    if (path == r.path) return &r;
  return nullptr;
}

// The reason phrase of the statuses httplib answers with on its own.
const char* StatusText(int status) {
  switch (status) {
    case 400: return "bad request";
    case 404: return "not found";
    case 405: return "method not allowed";
    case 413: return "payload too large";
    case 414: return "URI too long";
    case 415: return "unsupported media type";
    case 416: return "range not satisfiable";
    case 417: return "expectation failed";
    case 500: return "internal server error";
    default: return "error";
  }
}

// The request being answered by this worker thread (one at a time): when it
// was routed, for the latency histogram.
thread_local std::chrono::steady_clock::time_point t_start;
thread_local bool t_started = false;

class Service {
 public:
  struct Options {
    std::string model_path;
    std::string web_root;  // realpath, or empty: no static files
    int threads = 8;
    std::string host;
    UserCache::Options users;
  };

  Service(std::shared_ptr<const Engine> engine, KeyboardLayout layout, Options options)
      : engine_(std::move(engine)),
        options_(std::move(options)),
        users_(engine_, options_.users),
        anonymous_(engine_),
        layout_json_(serve::LayoutJson(layout)) {
    std::shared_ptr<UserModel> empty;
    if (UserModel::Create(engine_, options_.users.user, &empty).ok()) empty_ = empty;
  }

  void Install(httplib::Server& svr);
  UserCache& users() { return users_; }

 private:
  using Request = httplib::Request;
  using Response = httplib::Response;
  using Reader = httplib::ContentReader;

  static void SendJson(Response& res, int status, const std::string& body) {
    res.status = status;
    res.set_content(body, "application/json; charset=utf-8");
  }
  static void SendError(Response& res, int status, const std::string& message) {
    SendJson(res, status, serve::ErrorJson(message));
  }
  static void SendError(Response& res, const serve::ApiError& e) { SendError(res, e.status, e.message); }
  // An engine or user-dictionary error: 400 for what the request asked
  // (a word that cannot be learned, touches off the layout, a malformed
  // import), 503 for a user file another process holds, 500 otherwise.
  static void SendStatus(Response& res, const Status& st) {
    if (st.code() == StatusCode::kInvalidArgument) return SendError(res, 400, st.message());
    if (st.code() == StatusCode::kIOError && st.message().find("in use by another process") != std::string::npos) {
      res.set_header("Retry-After", "1");
      return SendError(res, 503, "the user's dictionary is open in another process; retry, or route this user to "
                                 "one instance (docs/serve.md, \"Several instances\")");
    }
    SendError(res, 500, st.ToString());
  }

  // Reads the body (at most `limit` bytes) into *body; on failure the
  // response is set (413, 400) and the connection is closed after it.
  static bool ReadBody(const Request& req, Response& res, const Reader& reader, size_t limit, std::string* body) {
    // (httplib would hand a multipart body to the form-data callbacks, which
    // a plain reader does not have.)
    if (req.is_multipart_form_data()) {
      res.set_header("Connection", "close");
      SendError(res, 415, "multipart bodies are not accepted: send the JSON (or the export's text) as the body");
      return false;
    }
    if (req.has_header("Content-Length")) {
      const std::string v = req.get_header_value("Content-Length");
      char* end = nullptr;
      errno = 0;
      const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end || errno || n > limit) {
        res.set_header("Connection", "close");
        SendError(res, 413, "the body is " + v + " bytes; at most " + std::to_string(limit) + " are accepted");
        return false;
      }
      body->reserve(n);
    }
    bool too_big = false;
    const bool ok = reader([&](const char* data, size_t n) {
      if (body->size() + n > limit) {
        too_big = true;
        return false;
      }
      body->append(data, n);
      return true;
    });
    if (ok) return true;
    res.set_header("Connection", "close");
    if (too_big)
      SendError(res, 413, "the body is more than " + std::to_string(limit) + " bytes; at most " +
                              std::to_string(limit) + " are accepted");
    else
      SendError(res, 400, "the body could not be read (a malformed or interrupted transfer)");
    return false;
  }

  // The "user" query parameter of GET /v1/user/export, list and POST import.
  static bool QueryUser(const Request& req, Response& res, std::string* user) {
    if (!req.has_param("user")) {
      SendError(res, 400, "the query parameter \"user\" is required (?user=ID)");
      return false;
    }
    *user = req.get_param_value("user");
    const std::string problem = serve::UserIdProblem(*user);
    if (!problem.empty()) {
      SendError(res, 400, problem);
      return false;
    }
    return true;
  }

  void Suggest(const Request& req, Response& res, const Reader& reader);
  void Learn(const Request& req, Response& res, const Reader& reader);
  void Unlearn(const Request& req, Response& res, const Reader& reader);
  void Reject(const Request& req, Response& res, const Reader& reader);
  // forget, block, unblock, clear
  void UserChange(const std::string& op, const Request& req, Response& res, const Reader& reader);
  void Import(const Request& req, Response& res, const Reader& reader);
  void Export(const Request& req, Response& res);
  void List(const Request& req, Response& res);
  void Health(Response& res);
  void MetricsPage(Response& res);
  // Any path and method no route above took: 405 for a route's path with
  // another method, the static files for GET, 404 otherwise.
  void Fallback(const Request& req, Response& res, const Reader* reader);
  void Static(const Request& req, Response& res);

  std::shared_ptr<const Engine> engine_;
  Options options_;
  UserCache users_;
  SessionPool anonymous_;
  std::shared_ptr<UserModel> empty_;  // GET export and list of a user who has nothing
  const std::string layout_json_;
  serve::Metrics metrics_;
  std::atomic<int64_t> in_flight_{0};
};

void Service::Suggest(const Request& req, Response& res, const Reader& reader) {
  std::string body;
  if (!ReadBody(req, res, reader, serve::kMaxJsonBody, &body)) return;
  serve::SuggestCall call;
  serve::ApiError err;
  if (!serve::ParseSuggest(body, &call, &err)) return SendError(res, err);
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Suggestion> out;
  Status st = Status::NotFound("");
  if (!call.user.empty()) {
    UserCache::Lease lease;
    st = users_.Acquire(call.user, /*create=*/false, &lease);
    if (st.ok()) {
      std::lock_guard<std::mutex> lock(lease->mu);
      st = lease->session->Suggest(call.request, &out);
    } else if (st.code() != StatusCode::kNotFound) {
      return SendStatus(res, st);
    }
  }
  if (st.code() == StatusCode::kNotFound) {  // no user, or one who has learned nothing yet
    std::unique_ptr<Session> session;
    st = anonymous_.Take(&session);
    if (st.ok()) st = session->Suggest(call.request, &out);
    anonymous_.Give(std::move(session));
  }
  if (!st.ok()) return SendStatus(res, st);
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  SendJson(res, 200, serve::SuggestionsJson(out, took.count()));
}

void Service::Learn(const Request& req, Response& res, const Reader& reader) {
  std::string body;
  if (!ReadBody(req, res, reader, serve::kMaxJsonBody, &body)) return;
  serve::LearnCall call;
  serve::ApiError err;
  if (!serve::ParseLearn(body, &call, &err)) return SendError(res, err);
  UserCache::Lease lease;
  Status st = users_.Acquire(call.user, /*create=*/true, &lease);
  if (!st.ok()) return SendStatus(res, st);
  std::lock_guard<std::mutex> lock(lease->mu);
  if (!call.is_text && !call.touches.empty()) {
    // Checked before anything is learned: a bad touch leaves the word unlearned too.
    st = lease->session->LearnTouches(call.word, call.touches);
    if (!st.ok()) return SendStatus(res, st);
  }
  st = call.is_text ? lease->session->Learn(call.text)
                    : lease->session->LearnWord(call.context, call.word, call.source);
  if (!st.ok()) return SendStatus(res, st);
  SendJson(res, 200, serve::OkJson(lease->model->word_count()));
}

void Service::Unlearn(const Request& req, Response& res, const Reader& reader) {
  std::string body;
  if (!ReadBody(req, res, reader, serve::kMaxJsonBody, &body)) return;
  serve::WordCall call;
  serve::ApiError err;
  if (!serve::ParseWord(body, /*allow_context=*/true, &call, &err)) return SendError(res, err);
  UserCache::Lease lease;
  Status st = users_.Acquire(call.user, /*create=*/false, &lease);
  if (st.code() == StatusCode::kNotFound) return SendJson(res, 200, serve::OkJson(0));  // nothing to take back
  if (!st.ok()) return SendStatus(res, st);
  std::lock_guard<std::mutex> lock(lease->mu);
  st = lease->session->UnlearnWord(call.context, call.word);
  if (!st.ok()) return SendStatus(res, st);
  SendJson(res, 200, serve::OkJson(lease->model->word_count()));
}

void Service::Reject(const Request& req, Response& res, const Reader& reader) {
  std::string body;
  if (!ReadBody(req, res, reader, serve::kMaxJsonBody, &body)) return;
  serve::RejectCall call;
  serve::ApiError err;
  if (!serve::ParseReject(body, &call, &err)) return SendError(res, err);
  UserCache::Lease lease;
  Status st = users_.Acquire(call.user, /*create=*/true, &lease);
  if (!st.ok()) return SendStatus(res, st);
  std::lock_guard<std::mutex> lock(lease->mu);
  st = lease->session->RejectAutocorrect(call.context, call.typed, call.correction);
  if (!st.ok()) return SendStatus(res, st);
  SendJson(res, 200, serve::OkJson(lease->model->word_count()));
}

void Service::UserChange(const std::string& op, const Request& req, Response& res, const Reader& reader) {
  std::string body;
  if (!ReadBody(req, res, reader, serve::kMaxJsonBody, &body)) return;
  serve::WordCall call;
  serve::ApiError err;
  if (op == "clear" ? !serve::ParseUserOnly(body, &call.user, &err)
                    : !serve::ParseWord(body, /*allow_context=*/false, &call, &err))
    return SendError(res, err);
  // Only a block is something to keep for a user who has no dictionary yet.
  UserCache::Lease lease;
  Status st = users_.Acquire(call.user, /*create=*/op == "block", &lease);
  if (st.code() == StatusCode::kNotFound) return SendJson(res, 200, serve::OkJson(0));
  if (!st.ok()) return SendStatus(res, st);
  UserModel& m = *lease->model;
  if (op == "forget") st = m.Forget(call.word);
  else if (op == "block") st = m.Block(call.word);
  else if (op == "unblock") st = m.Unblock(call.word);
  else st = m.Clear();
  if (!st.ok()) return SendStatus(res, st);
  SendJson(res, 200, serve::OkJson(m.word_count()));
}

void Service::Import(const Request& req, Response& res, const Reader& reader) {
  std::string user;
  if (!QueryUser(req, res, &user)) return;
  std::string body;
  if (!ReadBody(req, res, reader, serve::kMaxImportBody, &body)) return;
  UserCache::Lease lease;
  Status st = users_.Acquire(user, /*create=*/true, &lease);
  if (!st.ok()) return SendStatus(res, st);
  st = lease->model->Import(body);
  if (!st.ok()) return SendStatus(res, st);
  SendJson(res, 200, serve::OkJson(lease->model->word_count()));
}

void Service::Export(const Request& req, Response& res) {
  std::string user;
  if (!QueryUser(req, res, &user)) return;
  UserCache::Lease lease;
  Status st = users_.Acquire(user, /*create=*/false, &lease);
  if (!st.ok() && st.code() != StatusCode::kNotFound) return SendStatus(res, st);
  if (st.ok() || empty_) {
    res.status = 200;
    res.set_content(st.ok() ? lease->model->Export() : empty_->Export(), "text/plain; charset=utf-8");
    return;
  }
  SendError(res, 500, "no empty dictionary to export");
}

void Service::List(const Request& req, Response& res) {
  std::string user;
  if (!QueryUser(req, res, &user)) return;
  UserCache::Lease lease;
  Status st = users_.Acquire(user, /*create=*/false, &lease);
  if (!st.ok() && st.code() != StatusCode::kNotFound) return SendStatus(res, st);
  if (st.ok()) return SendJson(res, 200, serve::UserListJson(user, *lease->model));
  if (empty_) return SendJson(res, 200, serve::UserListJson(user, *empty_));
  SendError(res, 500, "no empty dictionary to list");
}

std::string JsonString(const std::string& s) {
  // A JSON string of `s` (paths, names: printable text).
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (static_cast<unsigned char>(c) < 0x20) out += '?';
    else out += c;
  }
  return out + "\"";
}

void Service::Health(Response& res) {
  const UserCache::Counts c = users_.counts();
  std::string name = options_.model_path;
  const size_t slash = name.rfind('/');
  if (slash != std::string::npos) name = name.substr(slash + 1);
  std::string body = "{\"status\":\"ok\",\"model\":" + JsonString(name) +
                     ",\"model_path\":" + JsonString(options_.model_path) +
                     ",\"kernels\":" + JsonString(ActiveKernelIsa()) +
                     ",\"vocab_size\":" + std::to_string(engine_->vocab_size()) +
                     ",\"lexicon_size\":" + std::to_string(engine_->lexicon_size()) +
                     ",\"users_cached\":" + std::to_string(c.cached) +
                     ",\"max_users\":" + std::to_string(users_.capacity()) +
                     ",\"data_dir\":" + (users_.persistent() ? JsonString(users_.data_dir()) : "null") +
                     ",\"persistent\":" + (users_.persistent() ? "true" : "false");
  if (!users_.persistent())
    body += ",\"note\":\"no --data: users live in memory only and are lost when the server stops or evicts them\"";
  body += ",\"threads\":" + std::to_string(options_.threads) +
          ",\"web\":" + (options_.web_root.empty() ? "null" : JsonString(options_.web_root)) + "}";
  SendJson(res, 200, body);
}

void Service::MetricsPage(Response& res) {
  const UserCache::Counts c = users_.counts();
  std::string g;
  auto gauge = [&g](const char* name, const char* type, const char* help, unsigned long long v) {
    g += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
         std::to_string(v) + "\n";
  };
  gauge("hunch_requests_in_flight", "gauge", "Requests being answered now.",
        static_cast<unsigned long long>(std::max<int64_t>(0, in_flight_.load())));
  gauge("hunch_users_cached", "gauge", "Users whose dictionary is open now.", c.cached);
  gauge("hunch_users_max", "gauge", "Users kept open at most (--max-users).", users_.capacity());
  gauge("hunch_users_opened_total", "counter", "User dictionaries opened (or created in memory).", c.opened);
  gauge("hunch_users_closed_total", "counter", "User dictionaries closed (evicted, idle or at shutdown).", c.closed);
  gauge("hunch_users_evicted_total", "counter", "User dictionaries closed to stay within --max-users.", c.evicted);
  gauge("hunch_user_open_errors_total", "counter", "User dictionaries that could not be opened.", c.open_errors);
  gauge("hunch_anonymous_sessions_idle", "gauge", "Pooled sessions for requests without a user.", anonymous_.idle());
  gauge("process_resident_memory_bytes", "gauge", "Resident memory (VmRSS).", serve::ProcessRssBytes());
  gauge("hunch_process_peak_resident_memory_bytes", "gauge", "Peak resident memory (VmHWM).",
        serve::ProcessPeakRssBytes());
  res.status = 200;
  res.set_content(metrics_.Render(g), "text/plain; version=0.0.4; charset=utf-8");
}

void Service::Static(const Request& req, Response& res) {
  if (options_.web_root.empty())
    return SendError(res, 404, "no web directory (--web DIR) is served");
  std::string file;
  int status = 404;
  if (!serve::ResolveStaticFile(options_.web_root, req.path, &file, &status))
    return SendError(res, status, status == 403 ? "forbidden" : "not found");
  std::string data, error;
  if (!ReadFile(file, &data, &error)) return SendError(res, 404, "not found");
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_content(std::move(data), serve::StaticContentType(file));
}

void Service::Fallback(const Request& req, Response& res, const Reader* reader) {
  if (reader) {  // drain what the client sent, so the connection stays usable
    std::string body;
    if (!ReadBody(req, res, *reader, serve::kMaxJsonBody, &body)) return;
  }
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (const Route* r = FindRoute(req.path)) {
    res.set_header("Allow", r->method);
    return SendError(res, 405, req.method + " is not allowed on " + req.path + "; use " + r->method);
  }
  const bool api = req.path.compare(0, 4, "/v1/") == 0 || req.path == "/v1";
  if (get && !api) return Static(req, res);
  if (!api && !options_.web_root.empty()) {
    std::string file;
    int status = 404;
    if (serve::ResolveStaticFile(options_.web_root, req.path, &file, &status)) {
      res.set_header("Allow", "GET");
      return SendError(res, 405, req.method + " is not allowed on " + req.path + "; use GET");
    }
  }
  SendError(res, 404, "no such endpoint: " + req.method + " " + req.path);
}

void Service::Install(httplib::Server& svr) {
  svr.set_pre_routing_handler([this](const Request& req, Response& res) {
    if (!t_started) ++in_flight_;  // (still set: the last response on this thread was never written)
    t_start = std::chrono::steady_clock::now();
    t_started = true;
    // Debian's cpp-httplib compresses text responses (brotli at quality 11)
    // for clients that accept it: tens of milliseconds per 100 KB on a
    // worker. Responses go out as they are (a reverse proxy in front
    // compresses and caches better). The Request is httplib's own local
    // object, handed over as const only by convention.
    const_cast<Request&>(req).headers.erase("Accept-Encoding");
    // Compressed request bodies are refused: decompressing one is work (and
    // memory) the body limit would not bound.
    if (req.has_header("Content-Encoding") && req.get_header_value("Content-Encoding") != "identity") {
      res.set_header("Connection", "close");
      SendError(res, 415, "compressed request bodies (Content-Encoding) are not accepted");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  svr.set_logger([this](const Request& req, const Response& res) {
    double seconds = -1;
    if (t_started) {
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
      t_started = false;
      --in_flight_;
    }
    std::string endpoint = "other";
    if (FindRoute(req.path)) endpoint = req.path;
    else if (res.status == 200 && req.path.compare(0, 4, "/v1/") != 0) endpoint = "static";
    metrics_.Record(endpoint, res.status, seconds);
  });
  // httplib's own refusals (a malformed request line, a URI too long) get a
  // JSON body too.
  svr.set_error_handler(httplib::Server::HandlerWithResponse([](const Request&, Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    SendError(res, res.status, StatusText(res.status));
    return httplib::Server::HandlerResponse::Handled;
  }));
  svr.set_exception_handler([](const Request&, Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    SendError(res, 500, "internal error: " + what);
  });

  auto post = [&](const char* path, void (Service::*fn)(const Request&, Response&, const Reader&)) {
    svr.Post(path, [this, fn](const Request& req, Response& res, const Reader& reader) { (this->*fn)(req, res, reader); });
  };
  post("/v1/suggest", &Service::Suggest);
  post("/v1/learn", &Service::Learn);
  post("/v1/unlearn", &Service::Unlearn);
  post("/v1/reject_autocorrect", &Service::Reject);
  post("/v1/user/import", &Service::Import);
  for (const char* op : {"forget", "block", "unblock", "clear"}) {
    const std::string name = op;
    svr.Post("/v1/user/" + name, [this, name](const Request& req, Response& res, const Reader& reader) {
      UserChange(name, req, res, reader);
    });
  }
  svr.Get("/v1/user/export", [this](const Request& req, Response& res) { Export(req, res); });
  svr.Get("/v1/user/list", [this](const Request& req, Response& res) { List(req, res); });
  svr.Get("/v1/layout", [this](const Request&, Response& res) { SendJson(res, 200, layout_json_); });
  svr.Get("/healthz", [this](const Request&, Response& res) { Health(res); });
  svr.Get("/metrics", [this](const Request&, Response& res) { MetricsPage(res); });
  // Everything else.
  svr.Get(".*", [this](const Request& req, Response& res) { Fallback(req, res, nullptr); });
  auto with_body = [this](const Request& req, Response& res, const Reader& reader) { Fallback(req, res, &reader); };
  svr.Post(".*", with_body);
  svr.Put(".*", with_body);
  svr.Patch(".*", with_body);
  svr.Delete(".*", with_body);
  svr.Options(".*", [this](const Request& req, Response& res) { Fallback(req, res, nullptr); });
}

// httplib's server with its listening socket reachable: the library listens
// with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, compiled into Debian's
// build), so clients that reconnect together (a keep-alive connection ends
// after 100 requests) overflow it and wait for SYN retransmits (1 s, 3 s).
// listen() again on the bound socket raises the backlog.
class Server : public httplib::Server {
 public:
  bool RaiseBacklog(int backlog) { return svr_sock_ != INVALID_SOCKET && ::listen(svr_sock_, backlog) == 0; }
};

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : std::string();
}

}  // namespace

int ServeMain(int argc, char** argv) {
  const char* cmd = "serve";
  Args args(argc, argv, {"help"});
  if (!args.ok()) return Usage(cmd, kServeUsage, args.error());
  if (args.Has("help")) return Help(kServeUsage);
  if (!args.CheckKnown({"model", "host", "port", "data", "web", "threads", "max-users", "user-idle", "layout", "set",
                        "help"}))
    return Usage(cmd, kServeUsage, args.error());
  if (!args.positional().empty()) return Usage(cmd, kServeUsage, "unexpected argument '" + args.positional()[0] + "'");
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  long long port = 0, threads = 0, max_users = 0, user_idle = 0;
  if (!args.GetInt("port", 8080, 0, 65535, &port) ||
      !args.GetInt("threads", std::max<long long>(64, 8LL * cores), 1, 1024, &threads) ||
      !args.GetInt("max-users", 256, 1, 512, &max_users) || !args.GetInt("user-idle", 300, 0, 86400 * 365, &user_idle))
    return Usage(cmd, kServeUsage, args.error());
  const std::string host = args.Get("host", "127.0.0.1");

  // SIGTERM and SIGINT are taken by one thread (sigwait) that stops the
  // server; they are blocked here, before any thread starts, so every
  // thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  // The engine, with the layout the server describes at /v1/layout.
  KeyboardLayout layout = KeyboardLayout::Qwerty();
  if (args.Has("layout")) {
    std::string json, err;
    if (!ReadFile(args.Get("layout"), &json, &err)) return Fail(cmd, err);
    Status st = KeyboardLayout::FromJson(json, &layout);
    if (!st.ok()) return Fail(cmd, args.Get("layout") + ": " + st.message());
  }
  EngineOptions eopts;
  eopts.layout = &layout;
  std::string err;
  if (args.Has("set") && !ApplyEngineSettings(args.Get("set"), &eopts, &err)) return Usage(cmd, kServeUsage, err);
  const std::string model_path = args.Has("model") ? args.Get("model") : DefaultModelPath();
  std::shared_ptr<const Engine> engine;
  Status st = Engine::Open(model_path, eopts, &engine);
  if (!st.ok()) return Fail(cmd, model_path + ": " + st.message());

  Service::Options so;
  so.model_path = model_path;
  so.threads = static_cast<int>(threads);
  so.host = host;
  so.users.capacity = static_cast<size_t>(max_users);
  if (args.Has("data")) {
    const std::string dir = args.Get("data");
    if (!IsDirectory(dir)) return Fail(cmd, "--data " + dir + ": not a directory");
    if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0)
      return Fail(cmd, "--data " + dir + ": not readable and writable: " + std::strerror(errno));
    so.users.data_dir = RealPath(dir);
  }
  if (args.Has("web")) {
    if (!IsDirectory(args.Get("web"))) return Fail(cmd, "--web " + args.Get("web") + ": not a directory");
    so.web_root = RealPath(args.Get("web"));
  } else {
    for (const char* dir : {HUNCH_WEB_SOURCE, HUNCH_WEB_INSTALLED})
      if (*dir && IsDirectory(dir)) {
        so.web_root = RealPath(dir);
        break;
      }
  }

  Service service(engine, layout, so);
  Server svr;
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  svr.set_read_timeout(kReadTimeoutSeconds, 0);
  svr.set_write_timeout(kWriteTimeoutSeconds, 0);
  svr.set_keep_alive_timeout(kKeepAliveSeconds);
  svr.set_keep_alive_max_count(kKeepAliveRequests);
  svr.set_payload_max_length(serve::kMaxImportBody);
  svr.set_tcp_nodelay(true);
  // httplib's default is SO_REUSEPORT, which lets a second server bind the
  // same port and take half of its connections: SO_REUSEADDR only, so a
  // taken port is an error (and a restart need not wait out TIME_WAIT).
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });  // a response is two writes (headers, body): no Nagle delay on the second
  service.Install(svr);

  errno = 0;
  int bound = -1;
  if (port == 0) {
    bound = svr.bind_to_any_port(host);
  } else if (svr.bind_to_port(host, static_cast<int>(port))) {
    bound = static_cast<int>(port);
  }
  if (bound <= 0) {
    const int e = errno;
    return Fail(cmd, "cannot listen on " + host + ":" + std::to_string(port) +
                         (e ? std::string(": ") + std::strerror(e) : std::string(": the address is not available")));
  }

  if (!svr.RaiseBacklog(SOMAXCONN))
    std::fprintf(stderr, "hunch serve: warning: cannot raise the listen backlog: %s\n", std::strerror(errno));

  // The signal thread: the first SIGTERM/SIGINT stops the server (once it
  // runs), a second one exits at once (what returned OK is on disk already).
  std::atomic<bool> done{false}, listen_returned{false};
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopping = false;
  std::thread signals([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    if (done) return;
    std::fprintf(stderr, "hunch serve: %s: stopping (finishing the requests in flight)\n",
                 sig == SIGINT ? "SIGINT" : "SIGTERM");
    while (!svr.is_running() && !listen_returned) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (svr.is_running()) svr.stop();
    {
      std::lock_guard<std::mutex> lock(stop_mu);
      stopping = true;
    }
    stop_cv.notify_all();
    sigwait(&stop_signals, &sig);
    if (done) return;
    std::fprintf(stderr, "hunch serve: a second signal: exiting now\n");
    std::_Exit(1);
  });
  // Closes users left idle for --user-idle seconds, once a second.
  std::thread sweeper([&] {
    std::unique_lock<std::mutex> lock(stop_mu);
    while (!stopping) {
      stop_cv.wait_for(lock, std::chrono::seconds(1));
      // Users in memory only are kept until evicted: closing them forgets them.
      if (stopping || user_idle <= 0 || !service.users().persistent()) continue;
      lock.unlock();
      service.users().CloseIdle(std::chrono::steady_clock::now() - std::chrono::seconds(user_idle));
      lock.lock();
    }
  });

  std::printf("hunch serve: listening on http://%s:%d (model %s, %lld threads, %s%s)\n", host.c_str(), bound,
              model_path.c_str(), threads, so.users.data_dir.empty() ? "users in memory only" : "users in ",
              so.users.data_dir.c_str());
  std::fflush(stdout);
  const bool ok = svr.listen_after_bind();  // returns once stopped and every worker is done
  listen_returned = true;
  if (!ok) {
    std::fprintf(stderr, "hunch serve: the listening socket failed: %s\n", std::strerror(errno));
    {
      std::lock_guard<std::mutex> lock(stop_mu);
      stopping = true;
    }
    stop_cv.notify_all();
  }
  sweeper.join();
  done = true;
  pthread_kill(signals.native_handle(), SIGTERM);  // wakes the signal thread (blocked: sigwait takes it)
  signals.join();
  const size_t closed = service.users().CloseAll();
  std::fprintf(stderr, "hunch serve: stopped; closed %zu user%s\n", closed, closed == 1 ? "" : "s");
  return ok ? 0 : 1;
}

}  // namespace cli
}  // namespace hunch
