// The live repl's key handling (tools/live_repl.h) on a scripted backend:
// what each key does to the line, and which learning calls it makes.
#include "tools/live_repl.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "hunch/engine.h"
#include "testing/test_paths.h"

namespace hunch {
namespace cli {
namespace {

Suggestion S(const std::string& text, bool autocorrect = false, SuggestionKind kind = SuggestionKind::kCompletion) {
  Suggestion s;
  s.text = text;
  s.kind = kind;
  s.autocorrect = autocorrect;
  return s;
}

// Answers Suggest from a table keyed by the typed word (the context is
// recorded, not used); records the learning calls as text.
class FakeBackend : public LiveBackend {
 public:
  Status Suggest(const std::string& context, const std::string& typed, std::vector<Suggestion>* out) override {
    requests.push_back(context + "|" + typed);
    auto it = table.find(typed);
    *out = it == table.end() ? std::vector<Suggestion>() : it->second;
    return Status::OK();
  }
  Status LearnWord(const std::string& context, const std::string& word, CommitSource source) override {
    const char* how = source == CommitSource::kTyped ? "typed" : source == CommitSource::kPicked ? "picked" : "auto";
    calls.push_back("learn(" + context + "|" + word + "|" + how + ")");
    if (word == "\xF0\x9F\x98\x80") return Status::InvalidArgument("not learnable");
    return learn_status;
  }
  Status UnlearnWord(const std::string& context, const std::string& word) override {
    calls.push_back("unlearn(" + context + "|" + word + ")");
    return Status::OK();
  }
  Status RejectAutocorrect(const std::string& context, const std::string& typed,
                           const std::string& correction) override {
    calls.push_back("reject(" + context + "|" + typed + "|" + correction + ")");
    return Status::OK();
  }

  std::map<std::string, std::vector<Suggestion>> table = {
      {"", {S("the", false, SuggestionKind::kNextWord), S("see you", false, SuggestionKind::kPhrase)}},
      {"teh", {S("the", true, SuggestionKind::kCorrection), S("ten")}},
      {"wo", {S("world"), S("word")}},
      {"smil", {S("smile"), S("\xF0\x9F\x98\x80", false, SuggestionKind::kEmoji)}},
  };
  std::vector<std::string> requests, calls;
  Status learn_status = Status::OK();
};

using Calls = std::vector<std::string>;

TEST(LiveReplTest, SpaceCommitsTheTypedWord) {
  FakeBackend b;
  LiveRepl r(&b);
  EXPECT_EQ(r.line(), "");
  EXPECT_EQ(r.BarText(), "[1 the] [2 see you]");
  EXPECT_EQ(r.FeedAll("hello"), LiveRepl::Event::kNone);
  EXPECT_EQ(r.word(), "hello");
  EXPECT_EQ(r.context(), "");
  EXPECT_TRUE(b.calls.empty());
  r.FeedAll(" wor");
  EXPECT_EQ(r.line(), "hello wor");
  EXPECT_EQ(r.word(), "wor");
  EXPECT_EQ(r.context(), "hello ");
  EXPECT_EQ(b.calls, Calls({"learn(|hello|typed)"}));
  // A suggestion request after every key, for the context and the word.
  EXPECT_EQ(b.requests.front(), "|");
  EXPECT_EQ(b.requests[1], "|h");
  EXPECT_EQ(b.requests.back(), "hello |wor");
  // A second space commits nothing.
  r.FeedAll("ld  ");
  EXPECT_EQ(r.line(), "hello world  ");
  EXPECT_EQ(b.calls, Calls({"learn(|hello|typed)", "learn(hello |world|typed)"}));
}

TEST(LiveReplTest, SpaceAppliesTheFlaggedAutocorrection) {
  FakeBackend b;
  LiveRepl r(&b);
  r.FeedAll("teh");
  EXPECT_EQ(r.BarText(), "[1 the*] [2 ten]");
  EXPECT_EQ(r.undo_hint(), "");
  r.Feed(' ');
  EXPECT_EQ(r.line(), "the ");
  EXPECT_EQ(r.undo_hint(), "teh");
  EXPECT_EQ(b.calls, Calls({"learn(|the|auto)"}));
  // Any other key and Backspace no longer undoes it.
  r.Feed('a');
  EXPECT_EQ(r.undo_hint(), "");
  r.Feed(0x7F);
  EXPECT_EQ(r.line(), "the ");
  EXPECT_EQ(b.calls, Calls({"learn(|the|auto)"}));
}

TEST(LiveReplTest, BackspaceUndoesTheAutocorrection) {
  FakeBackend b;
  LiveRepl r(&b);
  r.FeedAll("I saw teh ");
  EXPECT_EQ(r.line(), "I saw the ");
  b.calls.clear();
  r.Feed(0x7F);
  EXPECT_EQ(r.line(), "I saw teh");
  EXPECT_EQ(r.word(), "teh");
  EXPECT_EQ(r.undo_hint(), "");
  EXPECT_EQ(b.calls, Calls({"unlearn(I saw |the)", "reject(I saw |teh|the)"}));
  // The bar still flags "the", but the undone correction is not applied again: "teh" is kept as typed.
  EXPECT_EQ(r.BarText(), "[1 the*] [2 ten]");
  r.Feed(' ');
  EXPECT_EQ(r.line(), "I saw teh ");
  // RejectAutocorrect taught "teh": it is not learned a second time.
  EXPECT_EQ(b.calls, Calls({"unlearn(I saw |the)", "reject(I saw |teh|the)"}));
  // A later "teh" is autocorrected again (the session decides; RejectAutocorrect told it).
  r.FeedAll("teh ");
  EXPECT_EQ(r.line(), "I saw teh the ");
}

TEST(LiveReplTest, BackspaceIntoACommittedWordUnlearnsIt) {
  FakeBackend b;
  LiveRepl r(&b);
  r.FeedAll("hi there ");
  b.calls.clear();
  r.Feed(0x7F);
  EXPECT_EQ(r.line(), "hi there");
  EXPECT_EQ(r.word(), "there");
  EXPECT_EQ(b.calls, Calls({"unlearn(hi |there)"}));
  r.FeedAll("\x7F\x7F");
  EXPECT_EQ(r.line(), "hi the");
  EXPECT_EQ(b.calls, Calls({"unlearn(hi |there)"}));
  r.FeedAll("y ");
  EXPECT_EQ(r.line(), "hi they ");
  EXPECT_EQ(b.calls, Calls({"unlearn(hi |there)", "learn(hi |they|typed)"}));
  // Back through both words: each is taken back once, when the cursor enters it.
  b.calls.clear();
  r.FeedAll(std::string(8, '\x7F'));
  EXPECT_EQ(r.line(), "");
  EXPECT_EQ(b.calls, Calls({"unlearn(hi |they)", "unlearn(|hi)"}));
  r.Feed(0x7F);  // nothing left to delete
  EXPECT_EQ(r.line(), "");
}

TEST(LiveReplTest, TabAndDigitsPickSuggestions) {
  FakeBackend b;
  LiveRepl r(&b);
  r.FeedAll("wo\t");
  EXPECT_EQ(r.line(), "world ");
  r.FeedAll("wo2");
  EXPECT_EQ(r.line(), "world word ");
  EXPECT_EQ(b.calls, Calls({"learn(|world|picked)", "learn(world |word|picked)"}));
  // A digit past the bar's end is typed.
  r.FeedAll("wo3");
  EXPECT_EQ(r.line(), "world word wo3");
  EXPECT_EQ(r.word(), "wo3");
  // Nothing typed: the next word; a phrase is learned word by word.
  b.calls.clear();
  r.FeedAll(" 2");
  EXPECT_EQ(r.line(), "world word wo3 see you ");
  EXPECT_EQ(b.calls, Calls({"learn(world word |wo3|typed)", "learn(world word wo3 |see|picked)",
                            "learn(world word wo3 see |you|picked)"}));
  // Backspace into the phrase takes back its last word only.
  b.calls.clear();
  r.Feed(0x7F);
  EXPECT_EQ(b.calls, Calls({"unlearn(world word wo3 see |you)"}));
}

TEST(LiveReplTest, MarksCommitTheWord) {
  FakeBackend b;
  LiveRepl r(&b);
  r.FeedAll("teh,");
  EXPECT_EQ(r.line(), "the,");
  EXPECT_EQ(r.undo_hint(), "teh");
  r.Feed(0x7F);  // the undo works after a mark too
  EXPECT_EQ(r.line(), "teh");
  r.FeedAll("! don't");
  EXPECT_EQ(r.line(), "teh! don't");
  EXPECT_EQ(r.word(), "don't");  // the apostrophe is part of a word
  // A next word picked right after a mark gets its space.
  r.FeedAll(".\t");
  EXPECT_EQ(r.line(), "teh! don't. the ");
  // Deleting the mark goes back into the word and takes it back.
  r.FeedAll(std::string(6, '\x7F'));
  EXPECT_EQ(r.line(), "teh! don't");
  EXPECT_EQ(b.calls.back(), "unlearn(teh! |don't)");
}

TEST(LiveReplTest, EnterEndsTheLineWithoutAutocorrect) {
  FakeBackend b;
  LiveRepl r(&b);
  r.FeedAll("so teh");
  EXPECT_EQ(r.Feed('\r'), LiveRepl::Event::kLine);
  EXPECT_EQ(r.done(), "so teh");
  EXPECT_EQ(r.line(), "");
  EXPECT_EQ(b.calls, Calls({"learn(|so|typed)", "learn(so |teh|typed)"}));
  // "\r\n" is one Enter; a new line is a new context.
  EXPECT_EQ(r.Feed('\n'), LiveRepl::Event::kNone);
  r.FeedAll("ok");
  EXPECT_EQ(b.requests.back(), "|ok");
  EXPECT_EQ(r.Feed('\n'), LiveRepl::Event::kLine);
  EXPECT_EQ(r.done(), "ok");
  EXPECT_EQ(r.Feed('\n'), LiveRepl::Event::kLine);  // an empty line
  EXPECT_EQ(r.done(), "");
}

TEST(LiveReplTest, CommandLinesLearnNothing) {
  FakeBackend b;
  LiveRepl r(&b);
  const size_t requests = b.requests.size();
  r.FeedAll(":private on");
  EXPECT_TRUE(r.command_mode());
  EXPECT_TRUE(r.bar().empty());
  EXPECT_EQ(r.line(), ":private on");
  EXPECT_EQ(r.FeedAll("\r"), LiveRepl::Event::kCommand);
  EXPECT_EQ(r.done(), ":private on");
  EXPECT_FALSE(r.command_mode());
  EXPECT_TRUE(b.calls.empty());
  EXPECT_EQ(b.requests.size(), requests + 1);  // the fresh line's bar only
}

TEST(LiveReplTest, QuitKeys) {
  FakeBackend b;
  LiveRepl r(&b);
  EXPECT_EQ(r.FeedAll("ab\x03" "cd"), LiveRepl::Event::kQuit);
  EXPECT_EQ(r.line(), "ab");  // stops at the quit key
  EXPECT_EQ(r.Feed(0x04), LiveRepl::Event::kQuit);
  EXPECT_TRUE(b.calls.empty());
}

TEST(LiveReplTest, Utf8AndEscapeSequences) {
  FakeBackend b;
  LiveRepl r(&b);
  r.Feed(0xC3);
  EXPECT_TRUE(r.pending());
  r.Feed(0xA9);
  EXPECT_FALSE(r.pending());
  r.FeedAll("t\xC3\xA9");
  EXPECT_EQ(r.line(), "\xC3\xA9t\xC3\xA9");
  r.Feed(0x7F);  // a whole character
  EXPECT_EQ(r.line(), "\xC3\xA9t");
  // Arrow keys (CSI and SS3), Alt+x and other control bytes are ignored.
  r.FeedAll("\x1b[A\x1b[1;5C\x1bOB\x01\x1bx");
  EXPECT_FALSE(r.pending());
  EXPECT_EQ(r.line(), "\xC3\xA9tx");
  // A broken character is dropped.
  r.FeedAll("\xE2\x82y\x80");
  EXPECT_EQ(r.line(), "\xC3\xA9txy");
}

TEST(LiveReplTest, UnlearnableAndFailingWords) {
  FakeBackend b;
  LiveRepl r(&b);
  r.FeedAll("smil2");  // the emoji is not learnable: not an error
  EXPECT_EQ(r.line(), "\xF0\x9F\x98\x80 ");
  EXPECT_EQ(r.error(), "");
  r.Feed(0x7F);  // not learned, so not unlearned
  EXPECT_EQ(b.calls, Calls({"learn(|\xF0\x9F\x98\x80|picked)"}));
  b.learn_status = Status::IOError("disk full");
  r.FeedAll(" x ");
  EXPECT_NE(r.error().find("disk full"), std::string::npos) << r.error();
  r.Feed('y');
  EXPECT_EQ(r.error(), "");
}

// The real thing on the tiny model: a Session backend, and the commands.
TEST(LiveReplTest, SessionBackendAndCommands) {
  std::shared_ptr<const Engine> engine;
  ASSERT_TRUE(Engine::Open(testing::SourceRoot() + "tests/testdata/tiny.hunch", {}, &engine).ok());
  std::shared_ptr<UserModel> user;
  ASSERT_TRUE(UserModel::Create(engine, &user).ok());
  std::unique_ptr<Session> session;
  ASSERT_TRUE(engine->NewSession(user, &session).ok());
  SessionBackend backend(session.get(), 3);
  LiveRepl r(&backend);
  EXPECT_EQ(r.bar().size(), 3u);
  r.FeedAll("zorblax zorblax ");
  EXPECT_EQ(user->word_count(), 2u);
  std::string message;
  EXPECT_EQ(RunReplCommand(session.get(), ":private on", &message), ReplCommandResult::kDone);
  EXPECT_TRUE(session->is_private());
  EXPECT_NE(message.find("private mode on"), std::string::npos);
  r.FeedAll("zorblax ");
  EXPECT_EQ(user->word_count(), 2u);  // learns nothing
  EXPECT_EQ(RunReplCommand(session.get(), ":private off", &message), ReplCommandResult::kDone);
  EXPECT_FALSE(session->is_private());
  // Learned twice: suggested (at the first key: typing on past it would pass it over).
  r.FeedAll("\rz");
  bool shown = false;
  for (const Suggestion& s : r.bar()) shown |= s.text == "zorblax";
  EXPECT_TRUE(shown) << r.BarText();
  EXPECT_EQ(RunReplCommand(session.get(), ":private maybe", &message), ReplCommandResult::kFailed);
  EXPECT_EQ(RunReplCommand(session.get(), ":quit", &message), ReplCommandResult::kQuit);
  EXPECT_EQ(RunReplCommand(session.get(), ":)", &message), ReplCommandResult::kNotCommand);
  EXPECT_EQ(RunReplCommand(session.get(), ":learn hello there", &message), ReplCommandResult::kDone);
  EXPECT_EQ(user->word_count(), 4u);
}

}  // namespace
}  // namespace cli
}  // namespace hunch
