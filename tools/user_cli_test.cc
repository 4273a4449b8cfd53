// `hunch learn`, `hunch user` and the --user flag of suggest, repl and eval,
// end to end: runs the built CLI (HUNCH_CLI_PATH) on the tiny model with user
// dictionaries in a temporary folder; the live repl with keys from a pipe.
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/cli_run.h"
#include "testing/test_paths.h"
#include "util/json.h"

#ifdef HUNCH_CLI_PATH

namespace hunch {
namespace {

using testing::CliRun;
using testing::Exists;
using testing::ReadAll;

// The names in `dir`, sorted, space-separated.
std::string Files(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (const dirent* e = readdir(d))
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : " ") + n;
  return out;
}

// A line of `hunch user FILE list`.
std::string Row(const std::string& word, int count, const std::string& flags) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), "%-24s %8d  %s\n", word.c_str(), count, flags.c_str());
  return buf;
}

class UserCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hunch_user_cli_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    dict_ = dir_ + "/user.dict";
    model_ = testing::SourceRoot() + "tests/testdata/tiny.hunch";
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(("rm -rf '" + dir_ + "'").c_str());
  }

  // Runs `hunch ARGS` (a shell command line's tail); `input` is its stdin.
  CliRun Run(const std::string& args, const std::string& input = "") {
    const std::string in = dir_ + "/stdin";
    std::ofstream(in, std::ios::binary) << input;
    return testing::RunCommand(std::string(HUNCH_CLI_PATH) + " " + args + " < '" + in + "'");
  }
  // `hunch user DICT ARGS --model tiny`.
  CliRun User(const std::string& args, const std::string& dict = "") {
    return Run("user '" + (dict.empty() ? dict_ : dict) + "' " + args + " --model '" + model_ + "'");
  }
  CliRun Learn(const std::string& text, const std::string& dict = "") {
    return Run("learn --model '" + model_ + "' --user '" + (dict.empty() ? dict_ : dict) + "' " + text);
  }
  // `hunch user DICT list --json`, parsed.
  json::Value ListJson(const std::string& dict = "") {
    CliRun r = User("list --json", dict);
    EXPECT_EQ(r.code, 0) << r.output;
    json::Value v;
    const Status s = json::Parse(r.output, &v);
    EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << r.output;
    return v;
  }
  // The entry of `word` in a list --json answer, or null.
  static const json::Value* Entry(const json::Value& list, const std::string& word) {
    const json::Value* words = list.Find("words");
    if (!words) return nullptr;
    for (size_t i = 0; i < words->size(); ++i)
      if ((*words)[i].Find("word") && (*words)[i].Find("word")->str() == word) return &(*words)[i];
    return nullptr;
  }

  std::string dir_, dict_, model_;
};

TEST_F(UserCliTest, LearnThenList) {
  CliRun r = Learn("I will see zorblax soon");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("learned 5 words; " + dict_ + " holds 5 words (5 uses)\n"), std::string::npos) << r.output;
  r = User("list");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find(Row("zorblax", 1, "-")), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(dict_ + ": 5 words (5 uses), "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" bytes; touch spread 0.30 key widths\n"), std::string::npos) << r.output;  // no touches yet

  // Learned a second time (from stdin, then from a file): suggested, most used first.
  r = Run("learn --model '" + model_ + "' --user '" + dict_ + "' -", "zorblax again\n");
  ASSERT_EQ(r.code, 0) << r.output;
  std::ofstream(dir_ + "/text.txt") << "zorblax\nzorblax\n";
  r = Run("learn --model '" + model_ + "' --user '" + dict_ + "' --file '" + dir_ + "/text.txt'");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("learned 2 words; " + dict_ + " holds 6 words (9 uses)\n"), std::string::npos) << r.output;
  r = User("list");
  EXPECT_EQ(r.output.compare(0, Row("zorblax", 4, "suggested").size(), Row("zorblax", 4, "suggested")), 0)
      << r.output;
  const json::Value v = ListJson();
  ASSERT_TRUE(v.Find("words") && v.Find("words")->size() == 6) << r.output;
  const json::Value* z = Entry(v, "zorblax");
  ASSERT_TRUE(z);
  EXPECT_EQ(z->Find("count")->number(), 4);
  EXPECT_TRUE(z->Find("suggested")->bool_value());
  EXPECT_FALSE(z->Find("blocked")->bool_value());
  EXPECT_EQ(v.Find("word_count")->number(), 9);
  EXPECT_EQ(v.Find("file")->str(), dict_);
}

TEST_F(UserCliTest, SuggestWithUserShowsALearnedWord) {
  const std::string suggest = "suggest --model '" + model_ + "' --user '" + dict_ + "' --typed zor 'I will see'";
  CliRun r = Run(suggest);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output.find("zorblax"), std::string::npos) << r.output;
  ASSERT_EQ(Learn("I will see zorblax").code, 0);
  r = Run(suggest);
  EXPECT_EQ(r.output.find("zorblax"), std::string::npos) << "suggested after one lesson:\n" << r.output;
  ASSERT_EQ(Learn("I will see zorblax").code, 0);
  r = Run(suggest);
  ASSERT_EQ(r.code, 0) << r.output;
  // Shown (first, or second after the autocorrection of "zor" as a whole word).
  const size_t at = r.output.find("zorblax ");
  ASSERT_NE(at, std::string::npos) << r.output;
  EXPECT_TRUE(at == 0 || (r.output.find("autocorrect") < at && r.output.find('\n') + 1 == at)) << r.output;
  // Without --user the engine does not know it.
  r = Run("suggest --model '" + model_ + "' --typed zor 'I will see'");
  EXPECT_EQ(r.output.find("zorblax"), std::string::npos) << r.output;
}

TEST_F(UserCliTest, ForgetBlockUnblockClear) {
  ASSERT_EQ(Learn("zorblax zorblax I think").code, 0);
  CliRun r = User("forget zorblax");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output, "forgot 'zorblax' (2 uses)\n");
  EXPECT_EQ(Entry(ListJson(), "zorblax"), nullptr);
  r = User("forget zorblax");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output, "'zorblax' was not learned: nothing to forget\n");

  // A lexicon word blocked: never suggested, nor autocorrected to.
  const std::string suggest = "suggest --model '" + model_ + "' --user '" + dict_ + "' --typed tge 'I think'";
  r = Run(suggest);
  EXPECT_EQ(r.output.compare(0, 4, "the "), 0) << r.output;
  r = User("block the");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output, "blocked 'the': never suggested\n");
  r = Run(suggest);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output.find("the "), std::string::npos) << r.output;
  const json::Value listed = ListJson();  // Entry points into it
  const json::Value* the = Entry(listed, "the");
  ASSERT_TRUE(the);
  EXPECT_TRUE(the->Find("blocked")->bool_value());
  r = User("unblock the");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output, "unblocked 'the'\n");
  r = Run(suggest);
  EXPECT_EQ(r.output.compare(0, 4, "the "), 0) << r.output;
  r = User("unblock the");
  EXPECT_EQ(r.output, "'the' was not blocked\n");

  // Blocking a learned word forgets it.
  r = User("block think");
  EXPECT_EQ(r.output, "blocked 'think': never suggested; forgot 'think' (1 use)\n");

  r = User("clear");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output, "cleared " + dict_ + ": removed 1 word (1 use), 1 block\n");
  const json::Value v = ListJson();
  EXPECT_EQ(v.Find("words")->size(), 0u);
  EXPECT_EQ(v.Find("word_count")->number(), 0);
}

TEST_F(UserCliTest, ExportImportRoundTrip) {
  ASSERT_EQ(Learn("zorblax zorblax I think so").code, 0);
  ASSERT_EQ(User("block damn").code, 0);
  CliRun exported = User("export");
  ASSERT_EQ(exported.code, 0) << exported.output;
  EXPECT_EQ(exported.output.compare(0, 23, "hunch-user-dictionary 2"), 0) << exported.output;
  EXPECT_NE(exported.output.find("zorblax"), std::string::npos);
  const std::string out = dir_ + "/export.txt";
  CliRun r = User("export --out '" + out + "'");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(ReadAll(out), exported.output);
  EXPECT_EQ(r.output, "exported 4 words (5 uses), 1 blocked to " + out + ": " +
                          std::to_string(exported.output.size()) + " bytes\n");
  // Written through a temporary file, which is gone: the folder holds the dictionary, the export and Run's stdin.
  EXPECT_EQ(Files(dir_), "export.txt stdin user.dict");

  // Into a new dictionary, from a file and (again) from stdin: counts add up.
  const std::string other = dir_ + "/other.dict";
  r = User("import '" + out + "'", other);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("imported " + out + " (5 uses); " + other + " holds 4 words (5 uses), 1 blocked\n"),
            std::string::npos)
      << r.output;
  json::Value a = ListJson(), b = ListJson(other);
  ASSERT_EQ(a.Find("words")->size(), b.Find("words")->size());
  for (size_t i = 0; i < a.Find("words")->size(); ++i) {
    const json::Value& x = (*a.Find("words"))[i];
    const json::Value* y = Entry(b, x.Find("word")->str());
    ASSERT_TRUE(y) << x.Find("word")->str();
    EXPECT_EQ(y->Find("count")->number(), x.Find("count")->number()) << x.Find("word")->str();
    EXPECT_EQ(y->Find("blocked")->bool_value(), x.Find("blocked")->bool_value()) << x.Find("word")->str();
  }
  r = Run("user '" + other + "' import - --model '" + model_ + "'", exported.output);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("imported stdin (5 uses); " + other + " holds 4 words (10 uses), 1 blocked\n"),
            std::string::npos)
      << r.output;
  const json::Value merged = ListJson(other);  // Entry points into it
  ASSERT_TRUE(Entry(merged, "zorblax") && Entry(merged, "damn"));
  EXPECT_EQ(Entry(merged, "zorblax")->Find("count")->number(), 4);
  EXPECT_TRUE(Entry(merged, "damn")->Find("blocked")->bool_value());

  // A malformed import changes nothing.
  const std::string before = ReadAll(other);
  std::ofstream(dir_ + "/bad.txt") << "hunch-user-dictionary 2\nthis is not a line of it\n";
  r = User("import '" + dir_ + "/bad.txt'", other);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("bad.txt"), std::string::npos) << r.output;
  EXPECT_EQ(ReadAll(other), before);
  r = User("import '" + dir_ + "/missing.txt'", other);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("missing.txt"), std::string::npos) << r.output;
  EXPECT_EQ(ReadAll(other), before);
}

TEST_F(UserCliTest, NotAUserDictionaryIsAnErrorAndUntouched) {
  const std::string bad = dir_ + "/notes.txt";
  const std::string content = "shopping list\nmilk\neggs\n";
  std::ofstream(bad, std::ios::binary) << content;
  const std::string commands[] = {
      "user '" + bad + "' list --model '" + model_ + "'",
      "user '" + bad + "' forget milk --model '" + model_ + "'",
      "user '" + bad + "' clear --model '" + model_ + "'",
      "user '" + bad + "' import - --model '" + model_ + "'",
      "learn --user '" + bad + "' --model '" + model_ + "' hello",
      "suggest --user '" + bad + "' --model '" + model_ + "' hello",
      "repl --user '" + bad + "' --model '" + model_ + "'",
      "eval --user '" + bad + "' --model '" + model_ + "' --learn --text '" + testing::SourceRoot() +
          "tests/testdata/tiny-test.tok'",
  };
  for (const std::string& c : commands) {
    CliRun r = Run(c, "hunch-user-dictionary 2\n");
    EXPECT_EQ(r.code, 1) << c << "\n" << r.output;
    EXPECT_NE(r.output.find(bad), std::string::npos) << c << "\n" << r.output;
    EXPECT_EQ(ReadAll(bad), content) << c;
  }
}

// A torn tail (a crash during a write) is dropped with a warning; the words before it stay.
TEST_F(UserCliTest, TornTailIsAWarning) {
  ASSERT_EQ(Learn("hello there").code, 0);
  const std::string intact = ReadAll(dict_);
  std::ofstream(dict_, std::ios::binary | std::ios::app) << "torn-record";
  CliRun r = User("list");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("hunch user: warning: " + dict_ + ": "), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(dict_ + ": " + dict_), std::string::npos) << r.output;  // the path once
  EXPECT_NE(r.output.find(Row("Hello", 1, "suggested")), std::string::npos) << r.output;
  EXPECT_EQ(ReadAll(dict_), intact);
  r = User("list");
  EXPECT_EQ(r.output.find("warning"), std::string::npos) << r.output;
}

TEST_F(UserCliTest, UsageErrors) {
  struct Case {
    std::string args, message;
  } cases[] = {
      {"user", "FILE and COMMAND are required"},
      {"user '" + dict_ + "'", "COMMAND is required"},
      {"user '" + dict_ + "' frobnicate", "unknown command 'frobnicate'"},
      {"user '" + dict_ + "' forget", "forget needs an argument"},
      {"user '" + dict_ + "' import", "import needs an argument"},
      {"user '" + dict_ + "' clear now", "unexpected argument 'now'"},
      {"user '" + dict_ + "' forget x --json", "--json is for list"},
      {"user '" + dict_ + "' list --out x", "--out is for export"},
      {"user '" + dict_ + "' list --frob=1", "unknown option --frob"},
      {"learn hello", "--user FILE is required"},
      {"learn --user '" + dict_ + "'", "no text to learn"},
      {"learn --user '" + dict_ + "' --file x hello", "give TEXT or --file, not both"},
  };
  for (const Case& c : cases) {
    CliRun r = Run(c.args);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find("usage: hunch "), std::string::npos) << c.args << "\n" << r.output;
  }
  // list and export do not create a dictionary.
  CliRun r = User("list");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find(dict_ + ": no such user dictionary"), std::string::npos) << r.output;
  r = User("export");
  EXPECT_EQ(r.code, 1);
  EXPECT_FALSE(Exists(dict_));
  // A missing folder.
  r = Learn("hello", dir_ + "/no/such/folder/user.dict");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("no/such/folder/user.dict"), std::string::npos) << r.output;
}

TEST_F(UserCliTest, Help) {
  for (const char* c : {"user", "learn", "suggest", "repl", "eval"}) {
    CliRun r = Run(std::string(c) + " --help");
    EXPECT_EQ(r.code, 0) << c;
    EXPECT_NE(r.output.find("usage: hunch " + std::string(c)), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("--user"), std::string::npos) << r.output;
  }
  CliRun r = Run("--help");
  EXPECT_NE(r.output.find("  user "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("  learn "), std::string::npos) << r.output;
}

// The live repl fed through a pipe (--live): the suggestion bar after every
// key, an autocorrection undone with Backspace, private mode, and what the
// dictionary learned.
TEST_F(UserCliTest, LiveReplWithPipedKeys) {
  // "I think tge " is autocorrected (to whatever the tiny model flags);
  // Backspace goes back to "tge", which the next space keeps; Enter ends the line. Then private mode on, a line
  // learned nothing of, private mode off, a word typed and deleted, and a
  // word left uncommitted at Ctrl-D.
  const std::string keys = std::string("I think tge ") + "\x7f" + " so\r" + ":private on\r" + "secret words\r" +
                           ":private off\r" + "zz\x7f\x7f" + "ok" + "\x04";
  CliRun r = Run("repl --live --model '" + model_ + "' --user '" + dict_ + "'", keys);
  ASSERT_EQ(r.code, 0) << r.output;
  const std::string& out = r.output;
  // The bar as "tge" was typed: its first suggestion is flagged (*) for autocorrect.
  const std::string typed_tge = "> I think tge\r\n\033[K[1 ";
  const size_t bar = out.find(typed_tge);
  ASSERT_NE(bar, std::string::npos) << out;
  const size_t first_end = out.find(']', bar);
  ASSERT_NE(first_end, std::string::npos);
  std::string correction = out.substr(bar + typed_tge.size(), first_end - bar - typed_tge.size());
  ASSERT_EQ(correction.back(), '*') << out;
  correction.pop_back();
  // After the space: the correction in the line, and the undo offered.
  EXPECT_NE(out.find("> I think " + correction + " \r\n\033[K"), std::string::npos) << out;
  EXPECT_NE(out.find("(Backspace: back to 'tge')"), std::string::npos) << out;
  // The undo kept "tge"; the line as it ended.
  EXPECT_NE(out.find("> I think tge so\r\n\033[K"), std::string::npos) << out;
  EXPECT_NE(out.find("private mode on: nothing is learned"), std::string::npos) << out;
  EXPECT_NE(out.find("(private)"), std::string::npos) << out;
  EXPECT_NE(out.find("private mode off"), std::string::npos) << out;
  // The cursor goes back up after every bar.
  EXPECT_NE(out.find("\033[1A\r\033["), std::string::npos) << out;

  const json::Value v = ListJson();
  for (const char* w : {"think", "tge", "so"}) EXPECT_TRUE(Entry(v, w)) << w << "\n" << out;
  const json::Value* tge = Entry(v, "tge");
  ASSERT_TRUE(tge);
  EXPECT_EQ(tge->Find("count")->number(), 1);          // once: the undo taught it, the space did not again
  EXPECT_TRUE(tge->Find("suggested")->bool_value());  // kept by undoing the autocorrection
  EXPECT_FALSE(Entry(v, correction)) << correction;   // learned at the space, unlearned by the undo
  for (const char* w : {"secret", "words", "zz", "ok"}) EXPECT_FALSE(Entry(v, w)) << w << "\n" << out;
  EXPECT_EQ(v.Find("words")->size(), 4u);  // i, think, tge, so
}

TEST_F(UserCliTest, LineReplWithUser) {
  CliRun r = Run("repl --model '" + model_ + "' --user '" + dict_ + "'",
                 ":learn I will see zorblax\n:learn I will see zorblax\nI will see zor\n:private on\n"
                 ":learn never mind\n:private\n");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("[zorblax]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("private mode on: nothing is learned\nprivate mode on"), std::string::npos) << r.output;
  const json::Value v = ListJson();
  EXPECT_EQ(Entry(v, "zorblax")->Find("count")->number(), 2);
  EXPECT_FALSE(Entry(v, "never"));
}

TEST_F(UserCliTest, EvalLearnsIntoTheUserDictionary) {
  const std::string tok = testing::SourceRoot() + "tests/testdata/tiny-test.tok";
  CliRun r = Run("eval --model '" + model_ + "' --text '" + tok + "' --max-tokens 40 --json --user '" + dict_ + "'");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(ListJson().Find("word_count")->number(), 0);  // without --learn nothing is learned
  r = Run("eval --model '" + model_ + "' --text '" + tok + "' --max-tokens 40 --json --learn --user '" + dict_ + "'");
  ASSERT_EQ(r.code, 0) << r.output;
  json::Value e;
  ASSERT_TRUE(json::Parse(r.output, &e).ok()) << r.output;
  EXPECT_TRUE(e.Find("learn")->bool_value());
  EXPECT_GE(ListJson().Find("word_count")->number(), 30);  // 40 tokens, less punctuation
  // At --noise 0.25 the typo test's touches are below touch_sigma (0.3): the
  // spread stays; a loose typist's (0.6) widen it, and the file keeps it.
  EXPECT_NEAR(ListJson().Find("touch_sigma")->number(), 0.3, 1e-6);
  r = Run("eval --model '" + model_ + "' --text '" + tok + "' --json --learn --noise 0.6 --user '" + dict_ + "'");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_GT(ListJson().Find("touch_sigma")->number(), 0.4);
}

}  // namespace
}  // namespace hunch

#endif  // HUNCH_CLI_PATH
