// hunch serve's request checks, responses, static paths and metrics
// (tools/serve_api.h), without a server.
#include "tools/serve_api.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "gtest/gtest.h"

namespace hunch {
namespace serve {
namespace {

using nlohmann::json;

TEST(ServeUserIdTest, AcceptsLettersDigitsUnderscoreAndDash) {
  EXPECT_TRUE(IsValidUserId("alice"));
  EXPECT_TRUE(IsValidUserId("A_b-9"));
  EXPECT_TRUE(IsValidUserId(std::string(64, 'x')));
}

TEST(ServeUserIdTest, RefusesWhatCouldLeaveTheDataDirectory) {
  EXPECT_EQ(UserIdProblem(""), "\"user\" must not be empty");
  EXPECT_EQ(UserIdProblem(std::string(65, 'x')), "\"user\" is 65 characters; at most 64 are accepted");
  const std::string charset = "\"user\" may hold only the characters A-Z, a-z, 0-9, '_' and '-'";
  for (const std::string& id : {std::string("../x"), std::string("a/b"), std::string(".."), std::string("a.b"),
                                std::string("a\0b", 3), std::string(" a"), std::string("\xc3\xa9"),
                                std::string("a\\b"), std::string("%2e%2e")})
    EXPECT_EQ(UserIdProblem(id), charset) << id;
}

SuggestCall Suggest(const std::string& body) {
  SuggestCall call;
  ApiError err;
  EXPECT_TRUE(ParseSuggest(body, &call, &err)) << body << ": " << err.message;
  return call;
}

ApiError SuggestError(const std::string& body) {
  SuggestCall call;
  ApiError err;
  EXPECT_FALSE(ParseSuggest(body, &call, &err)) << body;
  return err;
}

TEST(ServeParseSuggestTest, DefaultsForAnEmptyObject) {
  const SuggestCall c = Suggest("{}");
  EXPECT_EQ(c.request.context, "");
  EXPECT_EQ(c.request.typed, "");
  EXPECT_TRUE(c.request.touches.empty());
  EXPECT_EQ(c.request.max_suggestions, 3);
  EXPECT_FALSE(c.request.complete);
  EXPECT_EQ(c.user, "");
}

TEST(ServeParseSuggestTest, EveryField) {
  const SuggestCall c = Suggest(
      R"({"context": "I will see you", "typed": "t\u00f6m", "n": 16, "complete": true, "user": "u-1",
          "touches": [{"x": 4.5, "y": 0.5}, {"x": 8, "y": 0.4}, {"y": 2.5, "x": 6.5}]})");
  EXPECT_EQ(c.request.context, "I will see you");
  EXPECT_EQ(c.request.typed, "t\xc3\xb6m");
  EXPECT_EQ(c.request.max_suggestions, 16);
  EXPECT_TRUE(c.request.complete);
  EXPECT_EQ(c.user, "u-1");
  ASSERT_EQ(c.request.touches.size(), 3u);  // one per code point, not per byte
  EXPECT_EQ(c.request.touches[0].x, 4.5f);
  EXPECT_EQ(c.request.touches[1].y, 0.4f);
  EXPECT_EQ(c.request.touches[2].x, 6.5f);
  EXPECT_EQ(c.request.touches[2].y, 2.5f);
}

TEST(ServeParseSuggestTest, MalformedJsonIs400WithWhere) {
  ApiError e = SuggestError("{\"context\": ");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.message.rfind("invalid JSON: parse error at line 1, column 13", 0), 0u) << e.message;
  EXPECT_EQ(SuggestError("").message.rfind("invalid JSON: ", 0), 0u);
  EXPECT_EQ(SuggestError("{\"typed\": \"\xff\"}").message.rfind("invalid JSON: ", 0), 0u);  // bad UTF-8
  EXPECT_EQ(SuggestError("[1]").message, "the body must be a JSON object");
  EXPECT_EQ(SuggestError("\"x\"").message, "the body must be a JSON object");
}

TEST(ServeParseSuggestTest, FieldsOfTheWrongTypeOrRange) {
  EXPECT_EQ(SuggestError(R"({"contxt": "a"})").message,
            "unknown field \"contxt\" (this endpoint takes context, typed, touches, n, complete, user)");
  EXPECT_EQ(SuggestError(R"({"context": 1})").message, "\"context\" must be a string, not an integer");
  EXPECT_EQ(SuggestError(R"({"typed": null})").message, "\"typed\" must be a string, not null");
  EXPECT_EQ(SuggestError(R"({"n": 0})").message, "\"n\" must be an integer from 1 to 16, not 0");
  EXPECT_EQ(SuggestError(R"({"n": 17})").message, "\"n\" must be an integer from 1 to 16, not 17");
  EXPECT_EQ(SuggestError(R"({"n": -1})").message, "\"n\" must be an integer from 1 to 16, not -1");
  EXPECT_EQ(SuggestError(R"({"n": 18446744073709551615})").message,
            "\"n\" must be an integer from 1 to 16, not 18446744073709551615");
  EXPECT_EQ(SuggestError(R"({"n": 3.5})").message, "\"n\" must be an integer from 1 to 16, not a number");
  EXPECT_EQ(SuggestError(R"({"n": "3"})").message, "\"n\" must be an integer from 1 to 16, not a string");
  EXPECT_EQ(SuggestError(R"({"complete": 1})").message, "\"complete\" must be true or false, not an integer");
  EXPECT_EQ(SuggestError(R"({"user": "../x"})").message,
            "\"user\" may hold only the characters A-Z, a-z, 0-9, '_' and '-'");
  EXPECT_EQ(SuggestError(R"({"user": ""})").message, "\"user\" must not be empty");
  EXPECT_EQ(SuggestError(R"({"context": "a\u0000b"})").message, "\"context\" contains a NUL character");
}

TEST(ServeParseSuggestTest, Limits) {
  Suggest(json({{"context", std::string(kMaxContextBytes, 'a')}}).dump());
  EXPECT_EQ(SuggestError(json({{"context", std::string(kMaxContextBytes + 1, 'a')}}).dump()).message,
            "\"context\" is 4097 bytes; at most 4096 are accepted");
  std::string e64;
  for (int i = 0; i < 64; ++i) e64 += "\xc3\xa9";  // 64 code points, 128 bytes
  Suggest(json({{"typed", e64}}).dump());
  EXPECT_EQ(SuggestError(json({{"typed", e64 + "\xc3\xa9"}}).dump()).message,
            "\"typed\" is 65 characters; at most 64 are accepted");
  EXPECT_EQ(SuggestError(json({{"typed", std::string(257, 'a')}}).dump()).message,
            "\"typed\" is 257 bytes; at most 256 are accepted");
  // The body: at most 64 KiB (413), nested at most 8 deep.
  const ApiError big = SuggestError("{\"context\": \"" + std::string(kMaxJsonBody, 'a') + "\"}");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.message, "the body is 65551 bytes; at most 65536 are accepted");
  EXPECT_EQ(SuggestError(std::string(20000, '[') + std::string(20000, ']')).message,
            "the JSON nests deeper than 8 levels");
  // Brackets inside strings are not nesting.
  Suggest(json({{"context", std::string(100, '[')}}).dump());
}

TEST(ServeParseSuggestTest, TouchesOnePerCodePoint) {
  EXPECT_EQ(SuggestError(R"({"typed": "ab", "touches": [{"x": 1, "y": 1}]})").message,
            "\"touches\" has 1 points; \"typed\" has 2 characters (one touch per character)");
  EXPECT_EQ(SuggestError(R"({"touches": [{"x": 1, "y": 1}]})").message,
            "\"touches\" has 1 points; \"typed\" has 0 characters (one touch per character)");
  EXPECT_EQ(SuggestError(R"({"typed": "a", "touches": {"x": 1, "y": 1}})").message,
            "\"touches\" must be an array, not an object");
  EXPECT_EQ(SuggestError(R"({"typed": "a", "touches": [{"x": 1}]})").message,
            "\"touches[0]\" must be an object {\"x\": number, \"y\": number}");
  EXPECT_EQ(SuggestError(R"({"typed": "a", "touches": [{"x": 1, "y": 2, "z": 3}]})").message,
            "\"touches[0]\" must be an object {\"x\": number, \"y\": number}");
  EXPECT_EQ(SuggestError(R"({"typed": "a", "touches": [[1, 2]]})").message,
            "\"touches[0]\" must be an object {\"x\": number, \"y\": number}");
  EXPECT_EQ(SuggestError(R"({"typed": "a", "touches": [{"x": "1", "y": 2}]})").message,
            "\"touches[0].x\" must be a number, not a string");
  EXPECT_EQ(SuggestError(R"({"typed": "a", "touches": [{"x": 1, "y": 1e300}]})").message,
            "\"touches[0].y\" is out of range");
  EXPECT_TRUE(Suggest(R"({"typed": "", "touches": []})").request.touches.empty());
}

TEST(ServeParseLearnTest, TextOrOneWord) {
  LearnCall c;
  ApiError e;
  ASSERT_TRUE(ParseLearn(R"({"user": "a", "text": "hello there"})", &c, &e)) << e.message;
  EXPECT_TRUE(c.is_text);
  EXPECT_EQ(c.text, "hello there");
  ASSERT_TRUE(ParseLearn(R"({"user": "a", "word": "zorb", "context": "the", "source": "picked"})", &c, &e));
  EXPECT_FALSE(c.is_text);
  EXPECT_EQ(c.word, "zorb");
  EXPECT_EQ(c.context, "the");
  EXPECT_EQ(c.source, CommitSource::kPicked);
  ASSERT_TRUE(ParseLearn(R"({"user": "a", "word": "zorb"})", &c, &e));
  EXPECT_EQ(c.source, CommitSource::kTyped);
  EXPECT_EQ(c.context, "");
  ASSERT_TRUE(ParseLearn(R"({"user": "a", "word": "zorb", "source": "autocorrected"})", &c, &e));
  EXPECT_EQ(c.source, CommitSource::kAutocorrected);
  EXPECT_TRUE(c.touches.empty());
  // The touches that typed the word: one per code point ("né": two).
  ASSERT_TRUE(ParseLearn(R"({"user": "a", "word": "n\u00e9", "touches": [{"x": 6.5, "y": 2.5}, {"x": 2.5, "y": 0.5}]})",
                         &c, &e)) << e.message;
  ASSERT_EQ(c.touches.size(), 2u);
  EXPECT_EQ(c.touches[1].x, 2.5f);
  EXPECT_FALSE(ParseLearn(R"({"user": "a", "word": "zorb", "touches": [{"x": 1, "y": 1}]})", &c, &e));
  EXPECT_EQ(e.message, "\"touches\" has 1 points; \"word\" has 4 characters (one touch per character)");
  EXPECT_FALSE(ParseLearn(R"({"user": "a", "text": "zorb", "touches": []})", &c, &e));
  EXPECT_EQ(e.message, "unknown field \"touches\" (this endpoint takes user, text)");

  EXPECT_FALSE(ParseLearn(R"({"user": "a", "text": "x", "word": "y"})", &c, &e));
  EXPECT_EQ(e.message, "give \"text\" or \"word\", not both");
  EXPECT_FALSE(ParseLearn(R"({"user": "a"})", &c, &e));
  EXPECT_EQ(e.message, "\"text\" or \"word\" is required");
  EXPECT_FALSE(ParseLearn(R"({"text": "x"})", &c, &e));
  EXPECT_EQ(e.message, "\"user\" is required");
  EXPECT_FALSE(ParseLearn(R"({"user": "a/b", "text": "x"})", &c, &e));
  EXPECT_EQ(e.status, 400);
  EXPECT_FALSE(ParseLearn(R"({"user": "a", "text": "x", "context": "y"})", &c, &e));
  EXPECT_EQ(e.message, "unknown field \"context\" (this endpoint takes user, text)");
  EXPECT_FALSE(ParseLearn(R"({"user": "a", "word": "x", "source": "guessed"})", &c, &e));
  EXPECT_EQ(e.message, "\"source\" must be \"typed\", \"picked\" or \"autocorrected\", not \"guessed\"");
  EXPECT_FALSE(ParseLearn(json({{"user", "a"}, {"text", std::string(kMaxTextBytes + 1, 'a')}}).dump(), &c, &e));
  EXPECT_EQ(e.message, "\"text\" is 32769 bytes; at most 32768 are accepted");
  EXPECT_FALSE(ParseLearn(json({{"user", "a"}, {"word", std::string(kMaxWordBytes + 1, 'a')}}).dump(), &c, &e));
  EXPECT_EQ(e.message, "\"word\" is 257 bytes; at most 256 are accepted");
}

TEST(ServeParseWordTest, ContextOnlyWhereAllowed) {
  WordCall c;
  ApiError e;
  ASSERT_TRUE(ParseWord(R"({"user": "a", "word": "w", "context": "c"})", true, &c, &e));
  EXPECT_EQ(c.user, "a");
  EXPECT_EQ(c.word, "w");
  EXPECT_EQ(c.context, "c");
  ASSERT_TRUE(ParseWord(R"({"user": "a", "word": "w"})", false, &c, &e));
  EXPECT_FALSE(ParseWord(R"({"user": "a", "word": "w", "context": "c"})", false, &c, &e));
  EXPECT_EQ(e.message, "unknown field \"context\" (this endpoint takes user, word)");
  EXPECT_FALSE(ParseWord(R"({"user": "a"})", false, &c, &e));
  EXPECT_EQ(e.message, "\"word\" is required");
}

TEST(ServeParseRejectTest, TypedAndCorrectionRequired) {
  RejectCall c;
  ApiError e;
  ASSERT_TRUE(ParseReject(R"({"user": "a", "typed": "teh", "correction": "the", "context": "I saw"})", &c, &e));
  EXPECT_EQ(c.typed, "teh");
  EXPECT_EQ(c.correction, "the");
  EXPECT_EQ(c.context, "I saw");
  EXPECT_FALSE(ParseReject(R"({"user": "a", "typed": "teh"})", &c, &e));
  EXPECT_EQ(e.message, "\"correction\" is required");
}

TEST(ServeParseUserOnlyTest, OnlyTheUser) {
  std::string user;
  ApiError e;
  ASSERT_TRUE(ParseUserOnly(R"({"user": "abc"})", &user, &e));
  EXPECT_EQ(user, "abc");
  EXPECT_FALSE(ParseUserOnly(R"({"user": "abc", "word": "x"})", &user, &e));
  EXPECT_FALSE(ParseUserOnly(R"({})", &user, &e));
  EXPECT_EQ(e.message, "\"user\" is required");
}

TEST(ServeResponsesTest, SuggestionsJson) {
  std::vector<Suggestion> s(3);
  s[0].text = "tomorrow";
  s[0].kind = SuggestionKind::kCompletion;
  s[0].score = -1.5f;
  s[0].autocorrect = true;
  s[1].text = "\xf0\x9f\x98\x80";  // an emoji
  s[1].kind = SuggestionKind::kEmoji;
  s[1].score = -4.25f;
  s[2].text = "see you";
  s[2].kind = SuggestionKind::kPhrase;
  s[2].score = -6;
  const json j = json::parse(SuggestionsJson(s, 1234));
  EXPECT_EQ(j["took_us"], 1234);
  ASSERT_EQ(j["suggestions"].size(), 3u);
  EXPECT_EQ(j["suggestions"][0], json({{"text", "tomorrow"}, {"kind", "completion"}, {"score", -1.5},
                                        {"autocorrect", true}}));
  EXPECT_EQ(j["suggestions"][1]["text"], "\xf0\x9f\x98\x80");
  EXPECT_EQ(j["suggestions"][1]["kind"], "emoji");
  EXPECT_EQ(j["suggestions"][2]["kind"], "phrase");
  EXPECT_EQ(j["suggestions"][2]["autocorrect"], false);
}

TEST(ServeResponsesTest, KindNames) {
  EXPECT_STREQ(KindName(SuggestionKind::kCompletion), "completion");
  EXPECT_STREQ(KindName(SuggestionKind::kCorrection), "correction");
  EXPECT_STREQ(KindName(SuggestionKind::kNextWord), "next_word");
  EXPECT_STREQ(KindName(SuggestionKind::kPhrase), "phrase");
  EXPECT_STREQ(KindName(SuggestionKind::kEmoji), "emoji");
  EXPECT_STREQ(KindName(SuggestionKind::kLiteral), "literal");
}

TEST(ServeResponsesTest, ErrorJsonEscapes) {
  EXPECT_EQ(ErrorJson("a \"b\"\n\\"), R"({"error":"a \"b\"\n\\"})");
  EXPECT_EQ(json::parse(ErrorJson("bad \xff byte"))["error"], "bad \xef\xbf\xbd byte");  // replaced, still JSON
}

TEST(ServeResponsesTest, LayoutJsonReadsBackAsTheLayout) {
  const KeyboardLayout q = KeyboardLayout::Qwerty();
  const std::string text = LayoutJson(q);
  const json j = json::parse(text);
  EXPECT_EQ(j["keys"].size(), q.keys().size());
  EXPECT_EQ(j["keys"][0], json({{"label", "q"}, {"x", 0.0}, {"y", 0.0}, {"w", 1.0}, {"h", 1.0}}));
  EXPECT_EQ(j["width"], 10.5);  // the apostrophe key ends the middle row at 10.5
  EXPECT_EQ(j["height"], 3.0);
  KeyboardLayout back;
  ASSERT_TRUE(KeyboardLayout::FromJson(text, &back).ok());
  ASSERT_EQ(back.keys().size(), q.keys().size());
  for (size_t i = 0; i < q.keys().size(); ++i) {
    EXPECT_EQ(back.keys()[i].label, q.keys()[i].label);
    EXPECT_EQ(back.keys()[i].x, q.keys()[i].x);
    EXPECT_EQ(back.keys()[i].y, q.keys()[i].y);
  }
  EXPECT_EQ(back.name(), q.name());
}

TEST(ServeResponsesTest, OkJson) { EXPECT_EQ(OkJson(42), R"({"ok":true,"word_count":42})"); }

TEST(ServeStaticTest, ContentTypes) {
  EXPECT_STREQ(StaticContentType("/index.html"), "text/html; charset=utf-8");
  EXPECT_STREQ(StaticContentType("/app.js"), "text/javascript; charset=utf-8");
  EXPECT_STREQ(StaticContentType("/style.css"), "text/css; charset=utf-8");
  EXPECT_STREQ(StaticContentType("/hunch.wasm"), "application/wasm");
  EXPECT_STREQ(StaticContentType("/a.json"), "application/json; charset=utf-8");
  EXPECT_STREQ(StaticContentType("/logo.png"), "image/png");
  EXPECT_STREQ(StaticContentType("/wasm/en.hunch"), "application/octet-stream");
  EXPECT_EQ(StaticContentType("/a.sh"), nullptr);
  EXPECT_EQ(StaticContentType("/Makefile"), nullptr);
  EXPECT_EQ(StaticContentType("/dir.html/file"), nullptr);
}

class ServeStaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hunch_serve_static.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    char real[PATH_MAX];
    ASSERT_NE(realpath(tmpl, real), nullptr);
    dir_ = real;
    root_ = dir_ + "/web";
    ASSERT_EQ(mkdir(root_.c_str(), 0755), 0);
    ASSERT_EQ(mkdir((root_ + "/sub").c_str(), 0755), 0);
    ASSERT_EQ(mkdir((root_ + "/dir.html").c_str(), 0755), 0);
    Write(root_ + "/index.html", "<html>");
    Write(root_ + "/app.js", "js");
    Write(root_ + "/sub/x.css", "css");
    Write(root_ + "/.hidden.js", "hidden");
    Write(root_ + "/run.sh", "sh");
    Write(dir_ + "/secret.txt", "secret");
    ASSERT_EQ(symlink((dir_ + "/secret.txt").c_str(), (root_ + "/escape.txt").c_str()), 0);
    ASSERT_EQ(symlink((root_ + "/app.js").c_str(), (root_ + "/alias.js").c_str()), 0);
    ASSERT_EQ(symlink((root_ + "/run.sh").c_str(), (root_ + "/run.js").c_str()), 0);
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }
  static void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
  // The file served for `url`, or "<status>".
  std::string Serve(const std::string& url) {
    std::string file;
    int status = 0;
    if (ResolveStaticFile(root_, url, &file, &status)) {
      EXPECT_EQ(status, 200);
      return file.substr(root_.size());
    }
    return "<" + std::to_string(status) + ">";
  }
  std::string dir_, root_;
};

TEST_F(ServeStaticFilesTest, RegularFilesInsideTheRoot) {
  EXPECT_EQ(Serve("/"), "/index.html");
  EXPECT_EQ(Serve("/index.html"), "/index.html");
  EXPECT_EQ(Serve("/app.js"), "/app.js");
  EXPECT_EQ(Serve("/sub/x.css"), "/sub/x.css");
  EXPECT_EQ(Serve("/alias.js"), "/app.js");  // a symlink inside the root
  EXPECT_EQ(Serve("/sub/../app.js"), "<403>");
}

TEST_F(ServeStaticFilesTest, NothingElse) {
  EXPECT_EQ(Serve("/../secret.txt"), "<403>");
  EXPECT_EQ(Serve("/sub/../../secret.txt"), "<403>");
  EXPECT_EQ(Serve("/escape.txt"), "<403>");  // a symlink out of the root
  EXPECT_EQ(Serve("/run.js"), "<404>");      // a symlink to a type not served
  EXPECT_EQ(Serve("/run.sh"), "<404>");      // a type not served
  EXPECT_EQ(Serve("/.hidden.js"), "<404>");
  EXPECT_EQ(Serve("/sub"), "<404>");  // directories: no listing
  EXPECT_EQ(Serve("/sub/"), "<404>");
  EXPECT_EQ(Serve("/dir.html"), "<404>");
  EXPECT_EQ(Serve("/nope.html"), "<404>");
  EXPECT_EQ(Serve("index.html"), "<404>");
  EXPECT_EQ(Serve(""), "<404>");
  EXPECT_EQ(Serve(std::string("/app.js\0.html", 13)), "<404>");
}

TEST(ServeMetricsTest, PrometheusText) {
  Metrics m;
  m.Record("/v1/suggest", 200, 0.0002);
  m.Record("/v1/suggest", 200, 0.003);
  m.Record("/v1/suggest", 400, 0.00005);
  m.Record("other", 404, 2.0);
  m.Record("other", 400, -1);  // counted, not timed
  const std::string t = m.Render("extra_gauge 7\n");
  auto has = [&t](const std::string& line) { return t.find(line + "\n") != std::string::npos; };
  EXPECT_TRUE(has("# TYPE hunch_http_requests_total counter"));
  EXPECT_TRUE(has("hunch_http_requests_total{endpoint=\"/v1/suggest\",status=\"200\"} 2"));
  EXPECT_TRUE(has("hunch_http_requests_total{endpoint=\"/v1/suggest\",status=\"400\"} 1"));
  EXPECT_TRUE(has("hunch_http_requests_total{endpoint=\"other\",status=\"400\"} 1"));
  EXPECT_TRUE(has("hunch_http_errors_total{endpoint=\"/v1/suggest\",class=\"4xx\"} 1"));
  EXPECT_TRUE(has("hunch_http_errors_total{endpoint=\"other\",class=\"4xx\"} 2"));
  EXPECT_TRUE(has("# TYPE hunch_http_request_duration_seconds histogram"));
  EXPECT_TRUE(has("hunch_http_request_duration_seconds_bucket{endpoint=\"/v1/suggest\",le=\"0.0001\"} 1"));
  EXPECT_TRUE(has("hunch_http_request_duration_seconds_bucket{endpoint=\"/v1/suggest\",le=\"0.00025\"} 2"));
  EXPECT_TRUE(has("hunch_http_request_duration_seconds_bucket{endpoint=\"/v1/suggest\",le=\"0.0025\"} 2"));
  EXPECT_TRUE(has("hunch_http_request_duration_seconds_bucket{endpoint=\"/v1/suggest\",le=\"0.005\"} 3"));
  EXPECT_TRUE(has("hunch_http_request_duration_seconds_bucket{endpoint=\"/v1/suggest\",le=\"+Inf\"} 3"));
  EXPECT_TRUE(has("hunch_http_request_duration_seconds_count{endpoint=\"/v1/suggest\"} 3"));
  EXPECT_TRUE(has("hunch_http_request_duration_seconds_sum{endpoint=\"/v1/suggest\"} 0.00325"));
  EXPECT_TRUE(has("hunch_http_request_duration_seconds_bucket{endpoint=\"other\",le=\"1\"} 0"));
  EXPECT_TRUE(has("hunch_http_request_duration_seconds_bucket{endpoint=\"other\",le=\"+Inf\"} 1"));
  EXPECT_TRUE(has("extra_gauge 7"));
}

TEST(ServeMetricsTest, ProcessMemory) {
  EXPECT_GT(ProcessRssBytes(), 0u);
  EXPECT_GE(ProcessPeakRssBytes(), ProcessRssBytes());
}

}  // namespace
}  // namespace serve
}  // namespace hunch
