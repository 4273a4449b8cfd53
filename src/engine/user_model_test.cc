// The user dictionary on the shipped model: its file (kept across opens,
// crash-safe under SIGKILL), the learning rules, the controls (forget,
// block, clear, export/import, private sessions), the memory cap, and the
// search over many learned words.
#include "hunch/engine.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "engine/engine_impl.h"
#include "engine/lexicon_search.h"
#include "engine/user_model.h"
#include "engine/word_scores.h"
#include "eval/typing_sim.h"
#include "testing/test_paths.h"

namespace hunch {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string t = ::testing::TempDir() + "hunch-user-XXXXXX";
    path_ = mkdtemp(&t[0]);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  std::string Path(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class UserDictionaryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const Status st = Engine::Open(hunch::testing::DefaultModelPath(), {}, &engine_);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  static void TearDownTestSuite() { engine_.reset(); }

  static std::vector<Suggestion> Suggest(Session* s, const std::string& context, const std::string& typed,
                                         bool complete = false) {
    SuggestRequest r;
    r.context = context;
    r.typed = typed;
    r.complete = complete;
    std::vector<Suggestion> out;
    EXPECT_TRUE(s->Suggest(r, &out).ok());
    return out;
  }
  static bool Has(const std::vector<Suggestion>& v, const std::string& w) {
    for (const Suggestion& s : v)
      if (s.text == w) return true;
    return false;
  }
  std::unique_ptr<Session> NewSession(std::shared_ptr<UserModel> user, bool private_mode = false) {
    std::unique_ptr<Session> s;
    SessionOptions o;
    o.private_mode = private_mode;
    EXPECT_TRUE(engine_->NewSession(std::move(user), o, &s).ok());
    return s;
  }

  static std::shared_ptr<const Engine> engine_;
};
std::shared_ptr<const Engine> UserDictionaryTest::engine_;

// What was learned, blocked and undone is in the file after the model goes
// away, with the user's spelling.
TEST_F(UserDictionaryTest, AFileKeepsEverythingAcrossOpens) {
  TempDir dir;
  const std::string path = dir.Path("user.dict");
  std::string exported;
  {
    std::shared_ptr<UserModel> user;
    ASSERT_TRUE(UserModel::Open(engine_, path, {}, &user).ok());
    EXPECT_EQ(user->path(), path);
    EXPECT_EQ(user->open_warning(), "");
    ASSERT_TRUE(user->LearnWord("my friend", "Zorblax").ok());
    ASSERT_TRUE(user->LearnWord("I met", "Zorblax").ok());
    ASSERT_TRUE(user->Learn("we went to Quizzleton on Monday\nQuizzleton was fun").ok());
    ASSERT_TRUE(user->Block("tomorrow").ok());
    ASSERT_TRUE(user->RejectAutocorrect("I said", "thw", "the").ok());
    exported = user->Export();
  }
  std::shared_ptr<UserModel> user;
  ASSERT_TRUE(UserModel::Open(engine_, path, {}, &user).ok());
  EXPECT_EQ(user->Export(), exported);
  EXPECT_TRUE(user->IsBlocked("tomorrow"));
  auto session = NewSession(user);
  EXPECT_EQ(Suggest(session.get(), "I told my", "zorb")[0].text, "Zorblax") << "the user's spelling";
  EXPECT_FALSE(Has(Suggest(session.get(), "I will see you", "tomo"), "tomorrow"));
  // Another process (or handle) cannot write the same file meanwhile.
  std::shared_ptr<UserModel> second;
  EXPECT_FALSE(UserModel::Open(engine_, path, {}, &second).ok());
}

TEST_F(UserDictionaryTest, AFileThatIsNotADictionaryIsAnErrorAndUntouched) {
  TempDir dir;
  const std::string path = dir.Path("notes.txt");
  {
    std::ofstream f(path);
    f << "dear diary, today I typed a lot\n";
  }
  const std::string before = ReadFile(path);
  std::shared_ptr<UserModel> user;
  const Status st = UserModel::Open(engine_, path, {}, &user);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
  EXPECT_EQ(ReadFile(path), before);
  EXPECT_FALSE(UserModel::Open(engine_, dir.Path("no/such/dir/user.dict"), {}, &user).ok());
  UserModelOptions bad;
  bad.max_bytes = 1000;
  EXPECT_EQ(UserModel::Open(engine_, dir.Path("u.dict"), bad, &user).code(), StatusCode::kInvalidArgument);
}

// A torn tail (the process died in the middle of a write) is dropped with a
// warning; everything before it stays.
TEST_F(UserDictionaryTest, ATornTailIsDroppedWithAWarning) {
  TempDir dir;
  const std::string path = dir.Path("user.dict");
  {
    std::shared_ptr<UserModel> user;
    ASSERT_TRUE(UserModel::Open(engine_, path, {}, &user).ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(user->LearnWord("hello", "word" + std::to_string(i)).ok());
  }
  struct stat sb;
  ASSERT_EQ(stat(path.c_str(), &sb), 0);
  ASSERT_EQ(truncate(path.c_str(), sb.st_size - 3), 0);
  std::shared_ptr<UserModel> user;
  ASSERT_TRUE(UserModel::Open(engine_, path, {}, &user).ok());
  EXPECT_NE(user->open_warning(), "");
  EXPECT_EQ(user->word_count(), 4u);
  const std::vector<UserWord> words = user->List();
  ASSERT_EQ(words.size(), 4u);
  ASSERT_TRUE(user->LearnWord("hello", "again").ok());
  user.reset();
  ASSERT_TRUE(UserModel::Open(engine_, path, {}, &user).ok());
  EXPECT_EQ(user->open_warning(), "");
  EXPECT_EQ(user->word_count(), 5u);
}

// A child learns in a loop and is killed at random moments (200 times);
// after every kill the file opens and holds every word whose call returned.
TEST_F(UserDictionaryTest, SurvivesSigkillAtRandomMoments) {
  TempDir dir;
  const std::string path = dir.Path("user.dict");
  std::mt19937 rng(20261201);
  uint64_t acknowledged_total = 0;  // words acknowledged over all rounds
  for (int round = 0; round < 200; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      std::shared_ptr<UserModel> user;
      if (!UserModel::Open(engine_, path, {}, &user).ok()) _exit(3);
      for (uint32_t i = 0;; ++i) {
        const std::string word = "r" + std::to_string(round) + "w" + std::to_string(i);
        const Status st = i % 7 == 3 ? user->Learn("so " + word + " and " + word) : user->LearnWord("so", word);
        if (!st.ok()) _exit(4);
        if (write(fds[1], &i, sizeof i) != sizeof i) _exit(5);  // i + 1 words of this round returned
      }
    }
    close(fds[1]);
    // The kill comes a random 0-8 ms after the child's first word returned
    // (so every round tests something, on a fast machine or under an
    // emulator alike).
    int64_t last = -1;
    uint32_t v;
    pollfd pfd{fds[0], POLLIN, 0};
    if (poll(&pfd, 1, 30000) == 1 && read(fds[0], &v, sizeof v) == sizeof v) last = v;
    usleep(std::uniform_int_distribution<int>(0, 8000)(rng));
    kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child ended on its own, status " << status;
    ASSERT_GE(last, 0) << "round " << round << ": the child learned nothing in 30 s";
    while (read(fds[0], &v, sizeof v) == sizeof v) last = v;
    close(fds[0]);

    std::shared_ptr<UserModel> user;
    const Status st = UserModel::Open(engine_, path, {}, &user);
    ASSERT_TRUE(st.ok()) << "round " << round << ": " << st.ToString();
    const std::string exported = user->Export();
    for (int64_t i = 0; i <= last; ++i) {
      const std::string word = "r" + std::to_string(round) + "w" + std::to_string(i);
      ASSERT_NE(exported.find("w\t" + word + "\t"), std::string::npos) << "round " << round << " lost " << word;
    }
    acknowledged_total += static_cast<uint64_t>(last + 1);
    ASSERT_GE(user->word_count(), acknowledged_total);
  }
  EXPECT_GE(acknowledged_total, 200u);
}

// The learning rules: a new word is suggested once typed twice or picked
// once; autocorrect's own choice makes no word; a word taken back is not
// learned; a capital at a sentence start is not the word's spelling.
TEST_F(UserDictionaryTest, LearningRules) {
  std::shared_ptr<UserModel> user;
  ASSERT_TRUE(UserModel::Create(engine_, &user).ok());
  auto s = NewSession(user);
  ASSERT_TRUE(s->LearnWord("my friend", "zorblax").ok());
  EXPECT_FALSE(Has(Suggest(s.get(), "my friend", "zorb"), "zorblax")) << "typed once";
  ASSERT_TRUE(s->LearnWord("my friend", "zorblax").ok());
  EXPECT_TRUE(Has(Suggest(s.get(), "my friend", "zorb"), "zorblax")) << "typed twice";

  ASSERT_TRUE(s->LearnWord("I met", "quuxly", CommitSource::kPicked).ok());
  EXPECT_TRUE(Has(Suggest(s.get(), "I met", "quux"), "quuxly")) << "picked once";

  for (int i = 0; i < 3; ++i) ASSERT_TRUE(s->LearnWord("I met", "blorptic", CommitSource::kAutocorrected).ok());
  EXPECT_FALSE(Has(Suggest(s.get(), "I met", "blorp"), "blorptic"));

  // Typed, then deleted: taken back.
  ASSERT_TRUE(s->LearnWord("we saw", "flimzy").ok());
  ASSERT_TRUE(s->LearnWord("we saw", "flimzy").ok());
  ASSERT_TRUE(s->UnlearnWord("we saw", "flimzy").ok());
  EXPECT_FALSE(Has(Suggest(s.get(), "we saw", "flim"), "flimzy"));

  // Sentence-initial capitals are not learned as the spelling; capitals
  // inside a sentence are.
  ASSERT_TRUE(s->LearnWord("", "Grobnik").ok());
  ASSERT_TRUE(s->LearnWord("It was late.", "Grobnik").ok());
  auto out = Suggest(s.get(), "I saw", "grob");
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].text, "grobnik");
  ASSERT_TRUE(s->LearnWord("I saw", "Vendalo").ok());
  ASSERT_TRUE(s->LearnWord("we met", "Vendalo").ok());
  out = Suggest(s.get(), "I saw", "vend");
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].text, "Vendalo");
  // Learn(text) follows the same rules.
  ASSERT_TRUE(s->Learn("Brindle is here. Brindle went home").ok());
  for (const UserWord& w : user->List())
    if (w.word == "brindle" || w.word == "Brindle") {
      EXPECT_EQ(w.word, "brindle");
      EXPECT_TRUE(w.suggested);
    }
}

// Undoing an autocorrection: the typed word becomes known and the same
// correction is not flagged again.
TEST_F(UserDictionaryTest, AnUndoneAutocorrectIsNotRepeated) {
  std::shared_ptr<UserModel> user;
  ASSERT_TRUE(UserModel::Create(engine_, &user).ok());
  auto s = NewSession(user);
  // Find a typo the engine autocorrects.
  auto out = Suggest(s.get(), "I will see you", "tomorow", true);
  ASSERT_FALSE(out.empty());
  ASSERT_TRUE(out[0].autocorrect) << out[0].text;
  const std::string correction = out[0].text;
  ASSERT_TRUE(s->RejectAutocorrect("I will see you", "tomorow", correction).ok());
  out = Suggest(s.get(), "I will see you", "tomorow", true);
  ASSERT_FALSE(out.empty());
  EXPECT_FALSE(out[0].autocorrect && out[0].text == correction);
  // The word is known now: typing toward it suggests it.
  EXPECT_TRUE(Has(Suggest(s.get(), "I will see you", "tomor"), "tomorow"));
  // A private session does not write, but does not flag it again either.
  std::shared_ptr<UserModel> other;
  ASSERT_TRUE(UserModel::Create(engine_, &other).ok());
  auto p = NewSession(other, true);
  ASSERT_TRUE(p->RejectAutocorrect("I will see you", "tomorow", correction).ok());
  out = Suggest(p.get(), "I will see you", "tomorow", true);
  ASSERT_FALSE(out.empty());
  EXPECT_FALSE(out[0].autocorrect);
  EXPECT_EQ(other->word_count(), 0u);
}

// Forget, block (the lexicon's words too), unblock, clear, list.
TEST_F(UserDictionaryTest, ForgetBlockUnblockClear) {
  std::shared_ptr<UserModel> user;
  ASSERT_TRUE(UserModel::Create(engine_, &user).ok());
  auto s = NewSession(user);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(s->LearnWord("my friend", "zorblax").ok());
  ASSERT_TRUE(Has(Suggest(s.get(), "my friend", "zorb"), "zorblax"));
  ASSERT_TRUE(user->Forget("zorblax").ok());
  EXPECT_FALSE(Has(Suggest(s.get(), "my friend", "zorb"), "zorblax"));
  EXPECT_EQ(user->word_count(), 0u);

  ASSERT_TRUE(Has(Suggest(s.get(), "I will see you", "tomo"), "tomorrow"));
  ASSERT_TRUE(user->Block("Tomorrow").ok());
  EXPECT_TRUE(user->IsBlocked("tomorrow"));
  EXPECT_FALSE(Has(Suggest(s.get(), "I will see you", "tomo"), "tomorrow"));
  EXPECT_FALSE(Has(Suggest(s.get(), "I will see you", "tomorow", true), "tomorrow")) << "never a correction";
  EXPECT_FALSE(Has(Suggest(s.get(), "see you", ""), "tomorrow")) << "never a next word";
  float lp = 0;
  bool in_vocab = false;
  ASSERT_TRUE(s->ScoreNextToken("see you", "tomorrow", &lp, &in_vocab).ok());
  EXPECT_EQ(lp, -INFINITY);
  // Learning a blocked word does nothing.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(s->LearnWord("see you", "tomorrow").ok());
  EXPECT_FALSE(Has(Suggest(s.get(), "I will see you", "tomo"), "tomorrow"));
  bool listed = false;
  for (const UserWord& w : user->List())
    if (w.word == "tomorrow") listed = w.blocked && !w.suggested;
  EXPECT_TRUE(listed);
  ASSERT_TRUE(user->Unblock("tomorrow").ok());
  EXPECT_TRUE(Has(Suggest(s.get(), "I will see you", "tomo"), "tomorrow"));

  ASSERT_TRUE(s->Learn("alpha beta gamma").ok());
  ASSERT_TRUE(user->Block("beta").ok());
  ASSERT_TRUE(user->Clear().ok());
  EXPECT_EQ(user->word_count(), 0u);
  EXPECT_TRUE(user->List().empty());
  EXPECT_FALSE(user->IsBlocked("beta"));
  EXPECT_EQ(user->Export(), "hunch-user-dictionary 2\nt\t0\n");
  EXPECT_EQ(user->Forget("two words").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(user->Block("").code(), StatusCode::kInvalidArgument);
}

// A private session learns nothing and writes nothing; it still suggests
// what was learned before.
TEST_F(UserDictionaryTest, PrivateSessionsLearnNothing) {
  TempDir dir;
  const std::string path = dir.Path("user.dict");
  std::shared_ptr<UserModel> user;
  ASSERT_TRUE(UserModel::Open(engine_, path, {}, &user).ok());
  auto normal = NewSession(user);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(normal->LearnWord("my friend", "zorblax").ok());
  const std::string before = ReadFile(path);
  auto secret = NewSession(user, true);
  EXPECT_TRUE(secret->is_private());
  ASSERT_TRUE(secret->Learn("my password is hunter2").ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(secret->LearnWord("password", "hunter2").ok());
  ASSERT_TRUE(secret->UnlearnWord("my friend", "zorblax").ok());
  EXPECT_EQ(ReadFile(path), before);
  EXPECT_FALSE(Has(Suggest(normal.get(), "my password is", "hun"), "hunter2"));
  EXPECT_TRUE(Has(Suggest(secret.get(), "my friend", "zorb"), "zorblax"));
  // The flag follows the focused field.
  secret->SetPrivate(false);
  ASSERT_TRUE(secret->LearnWord("my friend", "zorblax").ok());
  EXPECT_NE(ReadFile(path), before);
}

// The cap holds, the least useful words go first, scores stay <= 0.
TEST_F(UserDictionaryTest, MemoryCapEvictsTheLeastUseful) {
  UserModelOptions o;
  o.max_bytes = 256 << 10;
  std::shared_ptr<UserModel> user;
  ASSERT_TRUE(UserModel::Create(engine_, o, &user).ok());
  auto s = NewSession(user);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(s->LearnWord("my friend", "zorblax").ok());
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "qword" + std::to_string(i) + (i % 10 == 9 ? "\n" : " ");
  ASSERT_TRUE(s->Learn(text).ok());
  EXPECT_LE(user->memory_bytes(), o.max_bytes);
  EXPECT_GT(user->memory_bytes(), o.max_bytes / 2);
  const std::string exported = user->Export();
  EXPECT_NE(exported.find("w\tzorblax\t"), std::string::npos) << "a frequent word stays";
  EXPECT_NE(exported.find("w\tqword19999\t"), std::string::npos) << "a recent word stays";
  EXPECT_EQ(exported.find("w\tqword0\t"), std::string::npos) << "an old word used once goes";
  EXPECT_TRUE(Has(Suggest(s.get(), "my friend", "zorb"), "zorblax"));
  float lp = 0;
  bool in_vocab = false;
  ASSERT_TRUE(s->ScoreNextToken("my friend", "zorblax", &lp, &in_vocab).ok());
  EXPECT_LE(lp, 0.0f);
  EXPECT_EQ(user->Import("hunch-user-dictionary 2\nw\tbig\t\t4294967295\t0\t0\np\tfriend\tbig\t4294967295\n").code(),
            StatusCode::kOk);
  ASSERT_TRUE(s->ScoreNextToken("my friend", "big", &lp, &in_vocab).ok());
  EXPECT_LE(lp, 0.0f);
}

// With thousands of learned words the lexicon lacks, the search over the
// user's index finds what aligning every word one by one finds: every word

// The index's prefix ranges and range maxima (blocks and super-blocks)
// against scans of its keys and counts, before and after counts change.
// Touches at a spread of `sigma` key widths around the letters of `word`:
// shared/EVAL.md's simulator (keys 1 x 1, the default QWERTY layout).
std::vector<TouchPoint> LooseTouches(const std::string& word, eval::TapSimulator* sim) {
  std::vector<eval::TapSimulator::Touch> t;
  std::string literal;
  sim->Type(word, &t, &literal);
  return eval::TapSimulator::Points(t);
}

// The touches a user reports widen the touch model to their spread, never
// below the engine's touch_sigma; the spread is kept in the file, exported,
// imported and cleared like the words.
TEST_F(UserDictionaryTest, TouchesTeachTheUsersSpread) {
  TempDir dir;
  const std::string path = dir.Path("user.dict");
  const float sigma0 = EngineOptions().touch_sigma;
  eval::TapSimulator loose(11, 0.55), precise_taps(12, 0.1);
  const std::vector<std::string> words = {"the", "with", "have", "this", "will", "your", "from", "they", "know"};
  float learned = 0;
  std::string exported;
  {
    std::shared_ptr<UserModel> user;
    ASSERT_TRUE(UserModel::Open(engine_, path, {}, &user).ok());
    EXPECT_EQ(user->touch_sigma(), sigma0);  // a new user
    for (int i = 0; i < 200; ++i) {
      const std::string& w = words[static_cast<size_t>(i) % words.size()];
      ASSERT_TRUE(user->LearnTouches(w, LooseTouches(w, &loose)).ok());
    }
    learned = user->touch_sigma();
    // The MAP estimate of 0.55 (a little less: the prior's 100 touches at
    // 0.3 still count).
    EXPECT_GT(learned, 0.45f);
    EXPECT_LT(learned, 0.6f);
    exported = user->Export();
    EXPECT_NE(exported.find("\ns\t"), std::string::npos) << exported.substr(0, 200);
  }
  {
    // Replayed from the file, and after a compaction the same.
    std::shared_ptr<UserModel> user;
    ASSERT_TRUE(UserModel::Open(engine_, path, {}, &user).ok());
    EXPECT_EQ(user->touch_sigma(), learned);
    std::shared_ptr<UserModel> other;
    ASSERT_TRUE(UserModel::Create(engine_, &other).ok());
    ASSERT_TRUE(other->Import(exported).ok());
    EXPECT_EQ(other->touch_sigma(), learned);
    ASSERT_TRUE(user->Clear().ok());
    EXPECT_EQ(user->touch_sigma(), sigma0);
  }
  // A precise typist keeps the engine's sigma.
  std::shared_ptr<UserModel> precise;
  ASSERT_TRUE(UserModel::Create(engine_, &precise).ok());
  for (int i = 0; i < 300; ++i) {
    const std::string& w = words[static_cast<size_t>(i) % words.size()];
    ASSERT_TRUE(precise->LearnTouches(w, LooseTouches(w, &precise_taps)).ok());
  }
  EXPECT_EQ(precise->touch_sigma(), sigma0);
}

// Bad calls are errors and change nothing; characters without a key teach
// nothing; a private session learns no touches.
TEST_F(UserDictionaryTest, TouchesAreCheckedAtTheBoundary) {
  std::shared_ptr<UserModel> user;
  ASSERT_TRUE(UserModel::Create(engine_, &user).ok());
  const std::vector<TouchPoint> two = {{0.5f, 0.5f}, {1.5f, 0.5f}};
  EXPECT_EQ(user->LearnTouches("qwe", two).code(), StatusCode::kInvalidArgument);  // not one per character
  EXPECT_EQ(user->LearnTouches("qw", {{0.5f, 0.5f}, {NAN, 0.5f}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(user->LearnTouches("qw", {{0.5f, 0.5f}, {500.0f, 300.0f}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(user->LearnTouches("q w", {{0.5f, 0.5f}, {3.0f, 2.5f}, {1.5f, 0.5f}}).code(),
            StatusCode::kInvalidArgument);  // not a learnable word
  EXPECT_EQ(user->LearnTouches("", {}).code(), StatusCode::kInvalidArgument);
  // "\xc3\xa9" (é) has no key: only q's touch counts (one touch, far off).
  ASSERT_TRUE(user->LearnTouches("q\xc3\xa9", {{0.5f, 1.5f}, {9.0f, 2.5f}}).ok());
  EXPECT_NE(user->Export().find("\ns\t1\t10000\n"), std::string::npos) << user->Export();
  ASSERT_TRUE(user->Clear().ok());
  EXPECT_EQ(user->Export().find("\ns\t"), std::string::npos);

  std::unique_ptr<Session> secret = NewSession(user, true);
  eval::TapSimulator sim(3, 0.6);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(secret->LearnTouches("with", LooseTouches("with", &sim)).ok());
  EXPECT_EQ(user->touch_sigma(), EngineOptions().touch_sigma);
  EXPECT_EQ(user->Export().find("\ns\t"), std::string::npos);
  EXPECT_EQ(secret->LearnTouches("with", two).code(), StatusCode::kInvalidArgument);  // still checked
  EXPECT_EQ(secret->LearnTouches("q w", {{0.5f, 0.5f}, {3.0f, 2.5f}, {1.5f, 0.5f}}).code(),
            StatusCode::kInvalidArgument);
}

// The "s" record: checked before it is applied, and the window halves the
// counts past kTouchWindow touches.
TEST_F(UserDictionaryTest, TouchRecordsAreCheckedAndWindowed) {
  const Engine::Impl& e = internal::EngineAccess::Get(*engine_);
  engine::UserCounts c(&e.lexicon, &e.tokenizer, UserModelOptions());
  using U = engine::UserCounts;
  EXPECT_TRUE(c.IsValidRecord("s\t3\t120000"));
  EXPECT_FALSE(c.IsValidRecord("s\t0\t0"));                          // no touches
  EXPECT_FALSE(c.IsValidRecord("s\t3\t120001"));                     // more than 3 clipped touches add up to
  EXPECT_FALSE(c.IsValidRecord("s\t4097\t0"));                       // more than the window
  EXPECT_FALSE(c.IsValidRecord("s\t3"));                              // a field missing
  EXPECT_FALSE(c.IsValidRecord("s\t3\t12\t4"));                      // one too many
  EXPECT_FALSE(c.IsValidRecord("s\t-3\t12"));
  EXPECT_EQ(c.TouchRecord({}), "");
  EXPECT_EQ(c.TouchRecord({0.25f, 9.0f}), "s\t2\t42500");  // 0.25 and 4 (the clip) in 1/10000
  c.Apply("s\t4096\t20480000");  // mean d^2 0.5 key widths squared: sigma 0.5
  EXPECT_EQ(c.touch_count(), 4096u);
  EXPECT_NEAR(c.TouchSigma(0.3f), std::sqrt((U::kTouchPrior * 0.09 + 20480000.0 / U::kTouchUnit / 2) /
                                            (U::kTouchPrior + 4096)), 1e-6);
  c.Apply("s\t4096\t20480000");
  EXPECT_EQ(c.touch_count(), 4096u);  // halved once: the window
  c.Apply("s\t1\t40000");
  EXPECT_EQ(c.touch_count(), 4097u / 2);
  // An import with a bad "s" line is refused, naming it.
  std::vector<std::string> records;
  const Status st = c.ImportRecords("hunch-user-dictionary 2\nt\t5\ns\t2\t999999999\n", &records);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("line 3"), std::string::npos) << st.message();
}

TEST(UserWordIndexTest, PrefixRangeAndRangeMaxMatchScans) {
  std::mt19937 rng(5);
  std::vector<std::pair<std::string, uint32_t>> words;
  for (int i = 0; i < 6000; ++i) {
    std::string w(1, static_cast<char>('a' + rng() % 3));
    const int len = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < len; ++k) w += static_cast<char>('a' + rng() % 4);
    words.emplace_back(w, 1 + rng() % 1000);
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end(),
                          [](const auto& a, const auto& b) { return a.first == b.first; }),
              words.end());
  engine::UserWordIndex index;
  index.Assign(words, true);
  ASSERT_EQ(index.size(), words.size());
  for (int round = 0; round < 2; ++round) {
    for (const std::string prefix : {"", "a", "b", "cd", "aab", "zz", "c", "ba"}) {
      size_t lo, hi, want_lo = 0;
      index.PrefixRange(prefix, &lo, &hi);
      while (want_lo < words.size() && words[want_lo].first < prefix) ++want_lo;
      size_t want_hi = want_lo;
      while (want_hi < words.size() && words[want_hi].first.compare(0, prefix.size(), prefix) == 0) ++want_hi;
      EXPECT_EQ(lo, want_lo) << prefix;
      EXPECT_EQ(hi, want_hi) << prefix;
    }
    for (int q = 0; q < 2000; ++q) {
      size_t lo = rng() % words.size(), hi = rng() % (words.size() + 1);
      if (q % 10 == 0) lo = 0;
      if (lo > hi) std::swap(lo, hi);
      uint32_t want = 0;
      for (size_t i = lo; i < hi; ++i) want = std::max(want, words[i].second);
      ASSERT_EQ(index.RangeMaxCount(lo, hi), want) << lo << " " << hi;
    }
    // New counts, through Put (in place: the keys are all indexed).
    for (int k = 0; k < 300; ++k) {
      const size_t i = rng() % words.size();
      words[i].second = k % 2 ? 5000 + rng() % 1000 : 0;
      index.Put(words[i].first, words[i].second);
    }
  }
  for (size_t i = 0; i < words.size(); ++i) ASSERT_EQ(index.key(i), words[i].first);
}

// that would make the list, at the same cost.
TEST_F(UserDictionaryTest, TheIndexSearchFindsWhatAligningEveryWordFinds) {
  UserModelOptions o;
  o.min_typed_count = 1;
  std::shared_ptr<UserModel> user;
  ASSERT_TRUE(UserModel::Create(engine_, o, &user).ok());
  std::mt19937 rng(7);
  const std::string letters = "abcdefghijklmnopqrstuvwxyz";
  std::vector<std::string> words;
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    std::string w = "zq";
    const int len = 2 + static_cast<int>(rng() % 6);
    for (int k = 0; k < len; ++k) w += letters[rng() % 26];
    words.push_back(w);
    const int reps = 1 + static_cast<int>(rng() % 3);
    for (int r = 0; r < reps; ++r) text += "so " + w + "\n";
  }
  const Engine::Impl& e = internal::EngineAccess::Get(*engine_);
  engine::UserCounts counts(&e.lexicon, &e.tokenizer, o);
  std::vector<std::string> records;
  counts.LearnRecords(text, &records);
  for (const std::string& r : records) counts.Apply(r);
  // A flat LM: what the user taught decides among these words.
  const std::vector<float> lm(static_cast<size_t>(engine_->vocab_size()),
                              -std::log(static_cast<float>(engine_->vocab_size())));
  engine::ContextWindow window;
  window.tokens = {"so"};
  engine::WordScores scores;
  scores.Init(&e.lexicon, e.tokenizer.unk_id(), 0.3f, 0.05f);
  scores.Update(lm.data(), window, &counts, 1);
  const size_t keep = 10;
  int checked = 0, capped = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string typed = words[rng() % words.size()];
    const int edit = static_cast<int>(rng() % 4);
    const size_t at = rng() % typed.size();
    if (edit == 0) typed[at] = letters[rng() % 26];
    if (edit == 1 && typed.size() > 3) typed.erase(at, 1);
    if (edit == 2) typed.insert(at, 1, letters[rng() % 26]);
    const bool complete = rng() % 2 == 0;
    if (!complete && typed.size() > 4) typed.resize(3 + rng() % (typed.size() - 3));
    std::vector<engine::Observation> obs;
    e.channel.Observe(typed, {}, &obs);
    std::vector<engine::Candidate> cands;
    engine::LexiconSearch::Stats stats;
    engine::LexiconSearch(e.lexicon, e.channel, scores).Run(obs, typed, complete, keep, &counts, &cands, &stats);
    // At the cap on expansions the search may stop short (by design: a
    // bound on one keystroke's work); below it, it must be exact.
    if (stats.user_capped) {
      ++capped;
      continue;
    }
    std::vector<float> all;
    for (const engine::Candidate& c : cands) all.push_back(c.score);
    std::sort(all.rbegin(), all.rend());
    float threshold = all.empty() ? -INFINITY : all[0] - engine::LexiconSearch::kUserBeam;
    if (all.size() >= keep) threshold = std::max(threshold, all[keep - 1]);
    for (const std::string& w : words) {
      const float cost = e.channel.Align(w, obs, complete);
      if (!(cost <= engine::TypingChannel::kMaxCost)) continue;
      const float score = scores.Of(w, -1) - cost;
      if (!(score > threshold + 1e-3f)) continue;
      ++checked;
      bool found = false;
      for (const engine::Candidate& c : cands)
        if (c.word < 0 && c.user_key == w) {
          found = true;
          EXPECT_NEAR(c.cost, cost, 1e-4) << typed << " -> " << w;
        }
      EXPECT_TRUE(found) << "typed '" << typed << "' (complete " << complete << "): '" << w << "' scores " << score
                         << " above the threshold " << threshold << " but the search missed it";
    }
  }
  EXPECT_GT(checked, 200) << "too few words made the lists for the test to mean anything";
  // The flat LM makes the lexicon search spend most of the call's budget on
  // many of these words, leaving the user's search its minimum.
  EXPECT_LT(capped, 200) << "most searches end on their bound, not at the cap";
}

}  // namespace
}  // namespace hunch
