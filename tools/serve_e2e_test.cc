// `hunch serve` end to end: the built CLI (HUNCH_CLI_PATH) on the tiny
// model, on an ephemeral loopback port, with user files and a web directory
// in a temporary folder. Every endpoint, the error answers, and SIGTERM
// (a word learned just before it is in the user's file after the exit).
// Nothing can hang: the server's start and exit are awaited with deadlines
// (then it is killed), every client call has connect/read/write timeouts.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "hunch/engine.h"
#include "testing/cli_run.h"
#include "testing/test_paths.h"
#include "tools/serve_api.h"

#ifdef HUNCH_CLI_PATH

namespace hunch {
namespace {

using nlohmann::json;

// A `hunch serve` child process.
class ServerProcess {
 public:
  ~ServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status;
      ::waitpid(pid_, &status, 0);
    }
    if (out_ >= 0) ::close(out_);
  }
  // Starts `hunch serve ARGS --port 0` and waits (at most 60 s) for its
  // "listening on http://HOST:PORT" line. stderr goes to `log`.
  bool Start(const std::vector<std::string>& args, const std::string& log, std::string* error) {
    int fds[2];
    if (::pipe(fds) != 0) return Error(error, "pipe");
    std::vector<std::string> argv_s = {HUNCH_CLI_PATH, "serve", "--port", "0"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_s) argv.push_back(&a[0]);
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) return Error(error, "fork");
    if (pid_ == 0) {
      ::dup2(fds[1], 1);
      const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err >= 0) ::dup2(err, 2);
      ::close(fds[0]);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = fds[0];
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (line.find('\n') == std::string::npos) {
      const int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
      if (left <= 0) return Error(error, "no 'listening' line within 60 s");
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, left) <= 0) continue;
      char buf[256];
      const ssize_t n = ::read(out_, buf, sizeof(buf));
      if (n <= 0) return Error(error, "exited before listening: " + testing::ReadAll(log));
      line.append(buf, static_cast<size_t>(n));
    }
    const std::string key = "listening on http://127.0.0.1:";
    const size_t at = line.find(key);
    if (at == std::string::npos) return Error(error, "unexpected first line: " + line);
    port_ = std::atoi(line.c_str() + at + key.size());
    return port_ > 0 || Error(error, "no port in: " + line);
  }
  void Signal(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
  }
  // Sends `sig` and waits at most `seconds` for the exit: its exit code, or
  // -1 (killed at the deadline, or ended by a signal).
  int Stop(int sig, int seconds = 30) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    return Wait(seconds);
  }
  // Waits at most `seconds` for the exit (as Stop, without a signal).
  int Wait(int seconds = 30) {
    if (pid_ <= 0) return -1;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    int status = 0;
    for (;;) {
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) break;
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  int port() const { return port_; }

 private:
  static bool Error(std::string* error, const std::string& what) {
    *error = what;
    return false;
  }
  pid_t pid_ = -1;
  int out_ = -1;
  int port_ = 0;
};

std::unique_ptr<httplib::Client> ClientFor(int port) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
  c->set_connection_timeout(5, 0);
  c->set_read_timeout(20, 0);
  c->set_write_timeout(20, 0);
  return c;
}

// Sends `request` as raw bytes on a new connection and returns the first
// response: its head and the Content-Length bytes of body after it (or what
// came before the server closed the connection, or 10 s passed). No
// half-close: httplib takes a client that shut its sending side for gone.
std::string RawExchange(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    size_t sent = 0;
    while (sent < request.size()) {
      const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    char buf[4096];
    for (;;) {
      const size_t head = out.find("\r\n\r\n");
      if (head != std::string::npos) {
        const size_t cl = out.find("Content-Length: ");
        const size_t length = cl != std::string::npos && cl < head ? std::strtoul(out.c_str() + cl + 16, nullptr, 10) : 0;
        if (out.size() >= head + 4 + length) {
          out.resize(head + 4 + length);
          break;
        }
      }
      const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

class ServeE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/hunch_serve_e2e.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = new std::string(tmpl);
    model_ = new std::string(testing::SourceRoot() + "tests/testdata/tiny.hunch");
    ASSERT_EQ(mkdir((*dir_ + "/data").c_str(), 0755), 0);
    ASSERT_EQ(mkdir((*dir_ + "/web").c_str(), 0755), 0);
    ASSERT_EQ(mkdir((*dir_ + "/web/sub").c_str(), 0755), 0);
    std::ofstream(*dir_ + "/web/index.html") << "<!doctype html><title>hunch</title>";
    std::ofstream(*dir_ + "/web/app.js") << "console.log('hunch');";
    std::ofstream(*dir_ + "/web/style.css") << "body{}";
    std::ofstream(*dir_ + "/web/hunch.wasm") << std::string("\0asm\1\0\0\0", 8);
    std::ofstream(*dir_ + "/secret.txt") << "secret";
    server_ = new ServerProcess;
    std::string error;
    ASSERT_TRUE(server_->Start({"--model", *model_, "--data", *dir_ + "/data", "--web", *dir_ + "/web",
                                "--threads", "4"},
                               *dir_ + "/server.log", &error))
        << error;
  }
  static void TearDownTestSuite() {
    if (server_) EXPECT_EQ(server_->Stop(SIGTERM), 0) << testing::ReadAll(*dir_ + "/server.log");
    delete server_;
    server_ = nullptr;
    std::system(("rm -rf '" + *dir_ + "'").c_str());
    delete dir_;
    delete model_;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    client_ = ClientFor(server_->port());
  }

  // POST a JSON body; the status and the parsed body (null when not JSON).
  std::pair<int, json> Post(const std::string& path, const std::string& body) {
    auto r = client_->Post(path.c_str(), body, "application/json");
    if (!r) return {-1, json()};
    return {r->status, json::parse(r->body, nullptr, false)};
  }
  std::pair<int, json> Get(const std::string& path) {
    auto r = client_->Get(path.c_str());
    if (!r) return {-1, json()};
    return {r->status, json::parse(r->body, nullptr, false)};
  }
  // The texts of /v1/suggest's answer.
  std::vector<std::string> Texts(const json& answer) {
    std::vector<std::string> t;
    for (const json& s : answer["suggestions"]) t.push_back(s["text"]);
    return t;
  }
  static bool HasWord(const json& list, const std::string& word, uint64_t count) {
    for (const json& w : list["words"])
      if (w["word"] == word && w["count"] == count) return true;
    return false;
  }

  static std::string* dir_;
  static std::string* model_;
  static ServerProcess* server_;
  std::unique_ptr<httplib::Client> client_;
};

std::string* ServeE2eTest::dir_ = nullptr;
std::string* ServeE2eTest::model_ = nullptr;
ServerProcess* ServeE2eTest::server_ = nullptr;

TEST_F(ServeE2eTest, Health) {
  auto [status, j] = Get("/healthz");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["model"], "tiny.hunch");
  EXPECT_TRUE(j["kernels"].is_string());
  EXPECT_TRUE(j["persistent"].get<bool>());
  EXPECT_NE(j["data_dir"].get<std::string>().find("/data"), std::string::npos);
  EXPECT_EQ(j["threads"], 4);
  EXPECT_TRUE(j["users_cached"].is_number_unsigned());
}

TEST_F(ServeE2eTest, LayoutIsTheEnginesQwerty) {
  auto r = client_->Get("/v1/layout");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json; charset=utf-8");
  KeyboardLayout layout;
  ASSERT_TRUE(KeyboardLayout::FromJson(r->body, &layout).ok());
  const KeyboardLayout q = KeyboardLayout::Qwerty();
  ASSERT_EQ(layout.keys().size(), q.keys().size());
  EXPECT_EQ(layout.keys()[0].label, "q");
}

// The service answers what the engine answers, in the same order.
TEST_F(ServeE2eTest, SuggestMatchesTheEngine) {
  std::shared_ptr<const Engine> engine;
  ASSERT_TRUE(Engine::Open(*model_, {}, &engine).ok());
  struct Case {
    std::string body;
    SuggestRequest request;
  };
  std::vector<Case> cases(4);
  cases[0].body = R"({"context": "I will see", "typed": "th"})";
  cases[0].request.context = "I will see";
  cases[0].request.typed = "th";
  cases[1].body = R"({"context": "I will", "n": 5})";
  cases[1].request.context = "I will";
  cases[1].request.max_suggestions = 5;
  cases[2].body = R"({"context": "I will see", "typed": "teh", "complete": true})";
  cases[2].request.context = "I will see";
  cases[2].request.typed = "teh";
  cases[2].request.complete = true;
  cases[3].body = R"({"context": "I", "typed": "wi", "touches": [{"x": 1.4, "y": 0.6}, {"x": 7.6, "y": 0.4}]})";
  cases[3].request.context = "I";
  cases[3].request.typed = "wi";
  cases[3].request.touches = {{1.4f, 0.6f}, {7.6f, 0.4f}};
  for (const Case& c : cases) {
    std::unique_ptr<Session> session;
    ASSERT_TRUE(engine->NewSession(&session).ok());
    std::vector<Suggestion> want;
    ASSERT_TRUE(session->Suggest(c.request, &want).ok());
    auto [status, j] = Post("/v1/suggest", c.body);
    ASSERT_EQ(status, 200) << c.body << " " << j.dump();
    ASSERT_EQ(j["suggestions"].size(), want.size()) << c.body << " " << j.dump();
    for (size_t i = 0; i < want.size(); ++i) {
      const json& s = j["suggestions"][i];
      EXPECT_EQ(s["text"], want[i].text) << c.body;
      EXPECT_EQ(s["kind"], serve::KindName(want[i].kind)) << c.body;
      EXPECT_FLOAT_EQ(s["score"].get<float>(), want[i].score) << c.body;
      EXPECT_EQ(s["autocorrect"], want[i].autocorrect) << c.body;
    }
    EXPECT_TRUE(j["took_us"].is_number_integer());
  }
}

TEST_F(ServeE2eTest, SuggestErrors) {
  auto [s1, j1] = Post("/v1/suggest", "{\"context\": ");
  EXPECT_EQ(s1, 400);
  EXPECT_EQ(j1["error"].get<std::string>().rfind("invalid JSON: ", 0), 0u) << j1.dump();
  auto [s2, j2] = Post("/v1/suggest", R"({"n": 17})");
  EXPECT_EQ(s2, 400);
  EXPECT_EQ(j2["error"], "\"n\" must be an integer from 1 to 16, not 17");
  auto [s3, j3] = Post("/v1/suggest", R"({"typed": "ab", "touches": [{"x": 1, "y": 1}]})");
  EXPECT_EQ(s3, 400);
  // Touches far off the layout: the engine's kInvalidArgument, as a 400.
  auto [s4, j4] = Post("/v1/suggest", R"({"typed": "a", "touches": [{"x": 500, "y": 500}]})");
  EXPECT_EQ(s4, 400);
  EXPECT_TRUE(j4["error"].is_string());
  for (const std::string& user : {std::string("../x"), std::string("a/b"), std::string(""), std::string(65, 'u'),
                                  std::string("a\\u0000b"), std::string("..")}) {
    auto [s, j] = Post("/v1/suggest", "{\"user\": \"" + user + "\"}");
    EXPECT_EQ(s, 400) << user;
    EXPECT_EQ(j["error"].get<std::string>().find("\"user\""), 0u) << user << ": " << j.dump();
  }
  // Over 64 KiB: 413.
  auto [s5, j5] = Post("/v1/suggest", "{\"context\": \"" + std::string(70000, 'a') + "\"}");
  EXPECT_EQ(s5, 413);
  EXPECT_TRUE(j5["error"].is_string());
  // No file was created for any of those users.
  EXPECT_FALSE(testing::Exists(*dir_ + "/x.dict"));
  EXPECT_FALSE(testing::Exists(*dir_ + "/data/..dict"));
}

TEST_F(ServeE2eTest, RoutesAndMethods) {
  auto r = client_->Get("/v1/suggest");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "POST");
  EXPECT_EQ(json::parse(r->body)["error"], "GET is not allowed on /v1/suggest; use POST");
  r = client_->Post("/healthz", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "GET");
  r = client_->Put("/v1/learn", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  r = client_->Delete("/v1/user/list");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  r = client_->Get("/v1/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(json::parse(r->body)["error"], "no such endpoint: GET /v1/nope");
  r = client_->Post("/v1/nope", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = client_->Post("/nope", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  // The same connection still answers after the refusals (their bodies were read).
  r = client_->Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServeE2eTest, RawProtocolAbuse) {
  const int port = server_->port();
  // A compressed body: 415, never decompressed.
  std::string out = RawExchange(port,
                                "POST /v1/suggest HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
                                "Content-Length: 4\r\n\r\nabcd");
  EXPECT_EQ(out.rfind("HTTP/1.1 415 ", 0), 0u) << out;
  // A Content-Length over the limit: 413 before any byte of it is read.
  out = RawExchange(port, "POST /v1/suggest HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n{}");
  EXPECT_EQ(out.rfind("HTTP/1.1 413 ", 0), 0u) << out;
  // A chunked body over the limit: 413 (the chunks are counted as they come).
  std::string chunked = "POST /v1/learn HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) chunked += "1000\r\n" + std::string(4096, ' ') + "\r\n";
  chunked += "0\r\n\r\n";
  out = RawExchange(port, chunked);
  EXPECT_EQ(out.rfind("HTTP/1.1 413 ", 0), 0u) << out;
  // A multipart body: 415.
  out = RawExchange(port,
                    "POST /v1/suggest HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                    "Content-Length: 4\r\n\r\n--b\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 415 ", 0), 0u) << out;
  // A malformed request line: 400 with a JSON error.
  out = RawExchange(port, "NONSENSE\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400 ", 0), 0u) << out;
  EXPECT_NE(out.find("{\"error\":\"bad request\"}"), std::string::npos) << out;
  // A NUL (and a traversal) in the user query parameter.
  out = RawExchange(port, "GET /v1/user/list?user=a%00b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400 ", 0), 0u) << out;
  out = RawExchange(port, "GET /v1/user/export?user=..%2Fsecret HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400 ", 0), 0u) << out;
}

TEST_F(ServeE2eTest, LearnThenSuggestForThatUserOnly) {
  const std::string ask = R"({"context": "I will see", "typed": "zor", "user": "alice"})";
  auto [s0, j0] = Post("/v1/suggest", ask);  // alice does not exist yet: no file is made
  ASSERT_EQ(s0, 200);
  EXPECT_FALSE(testing::Exists(*dir_ + "/data/alice.dict"));
  auto [s1, j1] = Post("/v1/learn", R"({"user": "alice", "text": "I will see zorblax"})");
  ASSERT_EQ(s1, 200) << j1.dump();
  EXPECT_EQ(j1, json({{"ok", true}, {"word_count", 4}}));
  EXPECT_TRUE(testing::Exists(*dir_ + "/data/alice.dict"));
  auto [s2, j2] = Post("/v1/learn", R"({"user": "alice", "word": "zorblax", "context": "I will see",
                                        "source": "typed"})");
  ASSERT_EQ(s2, 200) << j2.dump();
  EXPECT_EQ(j2["word_count"], 5);
  auto [s3, j3] = Post("/v1/suggest", ask);
  ASSERT_EQ(s3, 200);
  ASSERT_GE(Texts(j3).size(), 2u);
  // First, or second after the autocorrection of "zor" as a whole word.
  EXPECT_TRUE(Texts(j3)[0] == "zorblax" || (j3["suggestions"][0]["autocorrect"] == true && Texts(j3)[1] == "zorblax"))
      << j3.dump();
  // Not for another user, nor without one.
  auto [s4, j4] = Post("/v1/suggest", R"({"context": "I will see", "typed": "zor", "user": "bob"})");
  ASSERT_EQ(s4, 200);
  for (const std::string& t : Texts(j4)) EXPECT_NE(t, "zorblax");
  auto [s5, j5] = Post("/v1/suggest", R"({"context": "I will see", "typed": "zor"})");
  for (const std::string& t : Texts(j5)) EXPECT_NE(t, "zorblax");
  // A word that cannot be learned: the engine's refusal, as a 400.
  auto [s6, j6] = Post("/v1/learn", R"({"user": "alice", "word": "two words"})");
  EXPECT_EQ(s6, 400) << j6.dump();
  auto [s7, j7] = Get("/v1/user/list?user=alice");
  ASSERT_EQ(s7, 200);
  EXPECT_EQ(j7["user"], "alice");
  EXPECT_TRUE(HasWord(j7, "zorblax", 2)) << j7.dump();
  EXPECT_FLOAT_EQ(j7["touch_sigma"].get<float>(), 0.3f);  // no touches yet: the engine's
  // A word with the touches that typed it, 0.7 key widths off each key
  // (t, h, e at (4.5, 0.5), (6, 1.5), (2.5, 0.5)): the spread widens. A bad
  // touch is a 400 and teaches nothing, not even the word.
  const std::string loose = R"([{"x": 5.2, "y": 0.5}, {"x": 6.0, "y": 2.2}, {"x": 1.8, "y": 0.5}])";
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(Post("/v1/learn", R"({"user": "alice", "word": "the", "touches": )" + loose + "}").first, 200);
  auto [s8, j8] = Post("/v1/learn", R"({"user": "alice", "word": "the",
                                        "touches": [{"x": 900, "y": 1}, {"x": 6, "y": 1.5}, {"x": 2.5, "y": 0.5}]})");
  EXPECT_EQ(s8, 400) << j8.dump();
  auto [s9, j9] = Get("/v1/user/list?user=alice");
  ASSERT_EQ(s9, 200);
  EXPECT_GT(j9["touch_sigma"].get<float>(), 0.35f) << j9.dump();
  EXPECT_EQ(j9["word_count"], j7["word_count"].get<int>() + 20);
}

TEST_F(ServeE2eTest, UnlearnAndRejectAutocorrect) {
  ASSERT_EQ(Post("/v1/learn", R"({"user": "dave", "word": "blorp", "context": "a"})").first, 200);
  ASSERT_EQ(Post("/v1/learn", R"({"user": "dave", "word": "blorp", "context": "a"})").first, 200);
  EXPECT_TRUE(HasWord(Get("/v1/user/list?user=dave").second, "blorp", 2));
  auto [s1, j1] = Post("/v1/unlearn", R"({"user": "dave", "word": "blorp", "context": "a"})");
  ASSERT_EQ(s1, 200) << j1.dump();
  EXPECT_EQ(j1["word_count"], 1);
  EXPECT_TRUE(HasWord(Get("/v1/user/list?user=dave").second, "blorp", 1));
  // Unlearning for a user who has nothing: nothing to take back, no file.
  auto [s2, j2] = Post("/v1/unlearn", R"({"user": "nobody1", "word": "x"})");
  EXPECT_EQ(s2, 200);
  EXPECT_EQ(j2["word_count"], 0);
  EXPECT_FALSE(testing::Exists(*dir_ + "/data/nobody1.dict"));
  // An undone autocorrection makes the typed word known at once.
  auto [s3, j3] = Post("/v1/reject_autocorrect",
                       R"({"user": "dave", "typed": "qwzx", "correction": "was", "context": "it"})");
  ASSERT_EQ(s3, 200) << j3.dump();
  const json dave = Get("/v1/user/list?user=dave").second;
  bool known = false;
  for (const json& w : dave["words"]) known |= w["word"] == "qwzx" && w["suggested"] == true;
  EXPECT_TRUE(known) << dave.dump();
  auto [s4, j4] = Post("/v1/reject_autocorrect", R"({"user": "dave", "typed": "qwzx"})");
  EXPECT_EQ(s4, 400);
  EXPECT_EQ(j4["error"], "\"correction\" is required");
}

TEST_F(ServeE2eTest, UserDictionaryOperations) {
  ASSERT_EQ(Post("/v1/learn", R"({"user": "erin", "text": "gloop gloop frindle"})").first, 200);
  // export: the text format.
  auto r = client_->Get("/v1/user/export?user=erin");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r->body.rfind("hunch-user-dictionary 2\n", 0), 0u) << r->body;
  const std::string exported = r->body;
  // forget, block, unblock.
  auto [s1, j1] = Post("/v1/user/forget", R"({"user": "erin", "word": "frindle"})");
  ASSERT_EQ(s1, 200) << j1.dump();
  EXPECT_EQ(j1["word_count"], 2);
  ASSERT_EQ(Post("/v1/user/block", R"({"user": "erin", "word": "gloop"})").first, 200);
  json list = Get("/v1/user/list?user=erin").second;
  bool blocked = false;
  for (const json& w : list["words"]) blocked |= w["word"] == "gloop" && w["blocked"] == true;
  EXPECT_TRUE(blocked) << list.dump();
  ASSERT_EQ(Post("/v1/user/unblock", R"({"user": "erin", "word": "gloop"})").first, 200);
  list = Get("/v1/user/list?user=erin").second;
  for (const json& w : list["words"]) EXPECT_FALSE(w["blocked"].get<bool>()) << list.dump();
  // clear, then import the export back.
  auto [s2, j2] = Post("/v1/user/clear", R"({"user": "erin"})");
  ASSERT_EQ(s2, 200);
  EXPECT_EQ(j2["word_count"], 0);
  EXPECT_TRUE(Get("/v1/user/list?user=erin").second["words"].empty());
  r = client_->Post("/v1/user/import?user=erin", exported, "text/plain");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["word_count"], 3);
  list = Get("/v1/user/list?user=erin").second;
  EXPECT_TRUE(HasWord(list, "gloop", 2)) << list.dump();
  EXPECT_TRUE(HasWord(list, "frindle", 1)) << list.dump();
  // A malformed import changes nothing: 400 naming the line.
  r = client_->Post("/v1/user/import?user=erin", "hunch-user-dictionary 2\nnot a line\n", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_TRUE(HasWord(Get("/v1/user/list?user=erin").second, "gloop", 2));
  // Errors of the user operations.
  EXPECT_EQ(Get("/v1/user/list").first, 400);
  EXPECT_EQ(Get("/v1/user/list?user=a/b").first, 400);
  EXPECT_EQ(Post("/v1/user/forget", R"({"user": "erin"})").first, 400);
  EXPECT_EQ(Post("/v1/user/clear", R"({"user": "erin", "word": "x"})").first, 400);
  // A user who has nothing: an empty list and export, no file made.
  auto [s3, j3] = Get("/v1/user/list?user=nobody2");
  ASSERT_EQ(s3, 200);
  EXPECT_TRUE(j3["words"].empty());
  EXPECT_EQ(j3["word_count"], 0);
  r = client_->Get("/v1/user/export?user=nobody2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.rfind("hunch-user-dictionary 2\n", 0), 0u);
  EXPECT_EQ(Post("/v1/user/forget", R"({"user": "nobody2", "word": "x"})").first, 200);
  EXPECT_FALSE(testing::Exists(*dir_ + "/data/nobody2.dict"));
}

TEST_F(ServeE2eTest, StaticFiles) {
  auto r = client_->Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<!doctype html><title>hunch</title>");
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  const std::pair<const char*, const char*> types[] = {{"/app.js", "text/javascript; charset=utf-8"},
                                                       {"/style.css", "text/css; charset=utf-8"},
                                                       {"/hunch.wasm", "application/wasm"}};
  for (const auto& t : types) {
    r = client_->Get(t.first);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << t.first;
    EXPECT_EQ(r->get_header_value("Content-Type"), t.second);
  }
  EXPECT_EQ(client_->Get("/hunch.wasm")->body.size(), 8u);
  // A browser's Accept-Encoding gets the file as it is.
  r = client_->Get("/app.js", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Content-Encoding"), "");
  EXPECT_EQ(r->body, "console.log('hunch');");
  // Nothing outside the directory, no listing, only GET.
  for (const char* path : {"/../secret.txt", "/sub/../../secret.txt", "/%2e%2e/secret.txt"}) {
    r = client_->Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << path;
    EXPECT_EQ(r->body.find("secret\""), std::string::npos);
  }
  for (const char* path : {"/sub/", "/sub", "/missing.html", "/server.log"}) {
    r = client_->Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << path;
  }
  r = client_->Post("/index.html", "x", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "GET");
}

// The value of the series `name` (its whole label set) in Prometheus text,
// 0 when absent.
double MetricValue(const std::string& text, const std::string& name) {
  const size_t at = text.find("\n" + name + " ");
  return at == std::string::npos ? 0.0 : std::strtod(text.c_str() + at + name.size() + 2, nullptr);
}

TEST_F(ServeE2eTest, Metrics) {
  const std::vector<std::pair<std::string, double>> grows = {
      {"hunch_http_requests_total{endpoint=\"/v1/suggest\",status=\"200\"}", 1},
      {"hunch_http_requests_total{endpoint=\"/v1/suggest\",status=\"400\"}", 1},
      {"hunch_http_errors_total{endpoint=\"/v1/suggest\",class=\"4xx\"}", 1},
      {"hunch_http_request_duration_seconds_bucket{endpoint=\"/v1/suggest\",le=\"+Inf\"}", 2}};
  auto metrics = [&](std::string* t) {
    auto r = client_->Get("/metrics");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    *t = r->body;
  };
  std::string before, t;
  metrics(&before);
  ASSERT_EQ(Post("/v1/suggest", R"({"typed": "a"})").first, 200);
  ASSERT_EQ(Post("/v1/suggest", R"({"n": 0})").first, 400);
  // A request is counted once its response is written (docs/serve.md): the
  // client can read its answer first, so wait (5 s at most) for the counts.
  auto grown = [&] {
    for (const auto& g : grows)
      if (MetricValue(t, g.first) < MetricValue(before, g.first) + g.second) return false;
    return true;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    metrics(&t);
    if (grown() || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (const auto& g : grows)
    EXPECT_GE(MetricValue(t, g.first), MetricValue(before, g.first) + g.second) << g.first << "\n" << t;
  for (const char* needle : {"\nhunch_users_cached ", "\nhunch_requests_in_flight ", "\nprocess_resident_memory_bytes "})
    EXPECT_NE(t.find(needle), std::string::npos) << needle << "\n" << t;
}

std::string ServeLog(const std::string& dir) { return testing::ReadAll(dir + "/own.log"); }

// A connected TCP socket to loopback:port (with 10 s timeouts), or -1.
int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// SIGTERM while a request is being read: the listening socket closes (new
// connections are refused), the request in flight is still answered and
// applied, and the server exits 0.
TEST_F(ServeE2eTest, SigtermFinishesTheRequestInFlight) {
  const std::string data = *dir_ + "/data-inflight";
  ASSERT_EQ(mkdir(data.c_str(), 0755), 0);
  ServerProcess own;
  std::string error;
  ASSERT_TRUE(own.Start({"--model", *model_, "--data", data}, *dir_ + "/own.log", &error)) << error;
  std::shared_ptr<const Engine> engine;
  ASSERT_TRUE(Engine::Open(*model_, {}, &engine).ok());
  std::shared_ptr<UserModel> source;
  ASSERT_TRUE(UserModel::Create(engine, &source).ok());
  ASSERT_TRUE(source->Learn("grumblo").ok());
  const std::string body = source->Export();
  const int fd = Connect(own.port());
  ASSERT_GE(fd, 0);
  // The head and half of the body: the worker is now reading the body.
  ASSERT_TRUE(SendAll(fd, "POST /v1/user/import?user=gus HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                              body.substr(0, body.size() / 2)));
  auto client = ClientFor(own.port());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool in_flight = false;  // the import, and the metrics request itself
  while (!in_flight && std::chrono::steady_clock::now() < deadline) {
    auto m = client->Get("/metrics");
    in_flight = m && m->body.find("\nhunch_requests_in_flight 2\n") != std::string::npos;
    if (!in_flight) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(in_flight);
  client.reset();
  own.Signal(SIGTERM);
  bool refused = false;  // the listening socket is closed
  while (!refused && std::chrono::steady_clock::now() < deadline) {
    const int probe = Connect(own.port());
    refused = probe < 0;
    if (probe >= 0) ::close(probe);
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(refused);
  ASSERT_TRUE(SendAll(fd, body.substr(body.size() / 2)));
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  EXPECT_EQ(out.rfind("HTTP/1.1 200 ", 0), 0u) << out;
  EXPECT_NE(out.find("{\"ok\":true,\"word_count\":1}"), std::string::npos) << out;
  EXPECT_EQ(own.Wait(), 0) << ServeLog(*dir_);
  std::shared_ptr<UserModel> m;
  ASSERT_TRUE(UserModel::Open(engine, data + "/gus.dict", {}, &m).ok());
  bool found = false;
  for (const UserWord& w : m->List()) found |= w.word == "grumblo" && w.count == 1;
  EXPECT_TRUE(found);
}

// A server of its own: a word learned just before SIGTERM is in the user's
// file after the exit (and the file is unlocked).
TEST_F(ServeE2eTest, SigtermKeepsWhatWasLearned) {
  const std::string data = *dir_ + "/data-sigterm";
  ASSERT_EQ(mkdir(data.c_str(), 0755), 0);
  ServerProcess own;
  std::string error;
  ASSERT_TRUE(own.Start({"--model", *model_, "--data", data}, *dir_ + "/own.log", &error)) << error;
  auto client = ClientFor(own.port());
  auto r = client->Post("/v1/learn", R"({"user": "carol", "word": "quuxly", "context": "so"})", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(own.Stop(SIGTERM), 0) << ServeLog(*dir_);
  EXPECT_NE(ServeLog(*dir_).find("stopped; closed 1 user"), std::string::npos) << ServeLog(*dir_);
  std::shared_ptr<const Engine> engine;
  ASSERT_TRUE(Engine::Open(*model_, {}, &engine).ok());
  std::shared_ptr<UserModel> m;
  ASSERT_TRUE(UserModel::Open(engine, data + "/carol.dict", {}, &m).ok());
  bool found = false;
  for (const UserWord& w : m->List()) found |= w.word == "quuxly" && w.count == 1;
  EXPECT_TRUE(found);
}

// --user-idle: an idle user's file is closed (its lock released) while the
// server runs, so another process can take it; the server opens it again
// when the user comes back, and answers 503 while the other holds it.
TEST_F(ServeE2eTest, AnIdleUserIsHandedOver) {
  const std::string data = *dir_ + "/data-idle";
  ASSERT_EQ(mkdir(data.c_str(), 0755), 0);
  ServerProcess own;
  std::string error;
  ASSERT_TRUE(own.Start({"--model", *model_, "--data", data, "--user-idle", "1"}, *dir_ + "/own.log", &error))
      << error;
  auto client = ClientFor(own.port());
  auto r = client->Post("/v1/learn", R"({"user": "fay", "text": "hello blorptown"})", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  std::shared_ptr<const Engine> engine;
  ASSERT_TRUE(Engine::Open(*model_, {}, &engine).ok());
  std::shared_ptr<UserModel> other;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!UserModel::Open(engine, data + "/fay.dict", {}, &other).ok() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(other) << "the server kept fay.dict open";
  ASSERT_TRUE(other->Learn("blorptown").ok());
  r = client->Post("/v1/learn", R"({"user": "fay", "text": "again"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  other.reset();
  r = client->Get("/v1/user/list?user=fay");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_TRUE(HasWord(json::parse(r->body), "blorptown", 2)) << r->body;  // what the other process learned
  EXPECT_EQ(own.Stop(SIGTERM), 0) << ServeLog(*dir_);
}

TEST_F(ServeE2eTest, SigintStopsAMemoryOnlyServer) {
  ServerProcess own;
  std::string error;
  ASSERT_TRUE(own.Start({"--model", *model_}, *dir_ + "/own.log", &error)) << error;
  auto client = ClientFor(own.port());
  auto r = client->Get("/healthz");
  ASSERT_TRUE(r);
  const json j = json::parse(r->body);
  EXPECT_FALSE(j["persistent"].get<bool>());
  EXPECT_TRUE(j["data_dir"].is_null());
  EXPECT_NE(j["note"].get<std::string>().find("memory only"), std::string::npos);
  EXPECT_EQ(own.Stop(SIGINT), 0) << ServeLog(*dir_);
}

TEST_F(ServeE2eTest, APortInUseOrABadModelIsAClearError) {
  const std::string cli = std::string("timeout 60 ") + HUNCH_CLI_PATH + " serve --model '" + *model_ + "'";
  const std::string port = std::to_string(server_->port());
  testing::CliRun r = testing::RunCommand(cli + " --port " + port);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("hunch serve: cannot listen on 127.0.0.1:" + port), std::string::npos) << r.output;
  r = testing::RunCommand(std::string("timeout 60 ") + HUNCH_CLI_PATH + " serve --port 0 --model /nonexistent.hunch");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("/nonexistent.hunch"), std::string::npos) << r.output;
  r = testing::RunCommand(cli + " --port 0 --data /nonexistent-dir");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("--data /nonexistent-dir: not a directory"), std::string::npos) << r.output;
  r = testing::RunCommand(cli + " --port 0 --max-users 0");
  EXPECT_EQ(r.code, 2) << r.output;
}

}  // namespace
}  // namespace hunch

#endif  // HUNCH_CLI_PATH
