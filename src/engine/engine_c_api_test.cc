// The engine's C API: sessions, suggestions, learning and shared user
// models, engine options and layouts at open, the user dictionary in a file
// (commit sources, unlearn, undone autocorrections, forget, block, clear,
// export/import, list), private sessions, and NULL or bad arguments as errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <cmath>
#include <string>
#include <vector>

#include "hunch/hunch.h"
#include "testing/test_paths.h"

namespace {

std::string ModelPath() { return hunch::testing::DefaultModelPath(); }

struct Err {
  char* msg = nullptr;
  ~Err() { hunch_free(msg); }
  std::string str() const { return msg ? msg : ""; }
};

struct Bar {
  std::vector<std::string> words;
  bool first_autocorrect = false;
  bool Has(const std::string& w) const {
    for (const std::string& x : words)
      if (x == w) return true;
    return false;
  }
};

// The suggestion bar (up to `n` words) for `typed` after `context`.
Bar Suggest(hunch_session* s, const char* context, const char* typed, bool complete = false, int n = 3,
            const std::vector<float>& touches = {}) {
  hunch_suggestions* list = nullptr;
  Err err;
  EXPECT_EQ(hunch_session_suggest(s, context, typed, touches.empty() ? nullptr : touches.data(), touches.size() / 2,
                                  complete ? 1 : 0, n, &list, &err.msg),
            HUNCH_OK)
      << err.str();
  Bar bar;
  for (size_t i = 0; i < hunch_suggestions_count(list); ++i) bar.words.push_back(hunch_suggestions_text(list, i));
  bar.first_autocorrect = hunch_suggestions_autocorrect(list, 0) != 0;
  hunch_suggestions_free(list);
  return bar;
}

bool Suggests(hunch_session* s, const char* context, const char* typed, const std::string& word) {
  return Suggest(s, context, typed).Has(word);
}

// A directory of its own under /tmp, removed with what is in it.
class TempDir {
 public:
  TempDir() {
    char templ[] = "/tmp/hunch_c_api_XXXXXX";
    const char* made = mkdtemp(templ);
    EXPECT_NE(made, nullptr);
    if (made) dir_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

// A fixture with one engine (default options) for the user-dictionary tests.
class EngineCApiUserTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Err err;
    ASSERT_EQ(hunch_engine_open(ModelPath().c_str(), &engine_, &err.msg), HUNCH_OK) << err.str();
  }
  static void TearDownTestSuite() {
    hunch_engine_free(engine_);
    engine_ = nullptr;
  }
  // A session sharing `model`.
  hunch_session* SessionOf(hunch_user_model* model) {
    hunch_session* s = nullptr;
    Err err;
    EXPECT_EQ(hunch_session_create_with_options(engine_, model, nullptr, &s, &err.msg), HUNCH_OK) << err.str();
    return s;
  }

  static hunch_engine* engine_;
};
hunch_engine* EngineCApiUserTest::engine_ = nullptr;

TEST(EngineCApiTest, SuggestLearnAndShareAUserModel) {
  Err err;
  hunch_engine* engine = nullptr;
  ASSERT_EQ(hunch_engine_open(ModelPath().c_str(), &engine, &err.msg), HUNCH_OK) << err.str();
  EXPECT_GT(hunch_engine_lexicon_size(engine), 1000u);
  hunch_user_model* user = nullptr;
  ASSERT_EQ(hunch_user_model_create(engine, &user, &err.msg), HUNCH_OK);
  hunch_session *a = nullptr, *b = nullptr, *own = nullptr;
  ASSERT_EQ(hunch_session_create_with_user_model(engine, user, &a, &err.msg), HUNCH_OK);
  ASSERT_EQ(hunch_session_create_with_user_model(engine, user, &b, &err.msg), HUNCH_OK);
  ASSERT_EQ(hunch_session_create(engine, &own, &err.msg), HUNCH_OK);
  hunch_engine_free(engine);  // the sessions and the model keep it alive

  EXPECT_TRUE(Suggests(a, "I will see you", "tom", "tomorrow"));
  EXPECT_FALSE(Suggests(b, "my friend", "zorb", "zorblax"));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(hunch_session_learn_word(a, "my friend", "zorblax", &err.msg), HUNCH_OK);
  EXPECT_TRUE(Suggests(b, "my friend", "zorb", "zorblax"));
  EXPECT_FALSE(Suggests(own, "my friend", "zorb", "zorblax"));
  EXPECT_EQ(hunch_user_model_word_count(user), 3u);

  // Export from one model, import into the session's own.
  char* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(hunch_user_model_export(user, &data, &size, &err.msg), HUNCH_OK);
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(std::string(data).size(), size);
  hunch_user_model* own_model = nullptr;
  ASSERT_EQ(hunch_session_user_model(own, &own_model, &err.msg), HUNCH_OK);
  ASSERT_EQ(hunch_user_model_import(own_model, data, size, &err.msg), HUNCH_OK) << err.str();
  hunch_free(data);
  EXPECT_TRUE(Suggests(own, "my friend", "zorb", "zorblax"));
  EXPECT_EQ(hunch_user_model_import(own_model, "junk", 4, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_FALSE(err.str().empty());
  EXPECT_TRUE(Suggests(own, "my friend", "zorb", "zorblax"));  // unchanged on error

  ASSERT_EQ(hunch_user_model_learn(user, "zyx zyx zyx", &err.msg), HUNCH_OK);
  ASSERT_EQ(hunch_user_model_clear(user, &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(hunch_user_model_word_count(user), 0u);
  EXPECT_FALSE(Suggests(b, "my friend", "zorb", "zorblax"));

  // NULL arguments and bad words are errors, not crashes.
  EXPECT_EQ(hunch_session_learn_word(a, nullptr, "x", &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_session_learn_word(a, "", "", &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_learn(nullptr, "x", &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_export(user, nullptr, &size, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_import(user, nullptr, 3, &err.msg), HUNCH_INVALID_ARGUMENT);
  hunch_session* none = b;
  EXPECT_EQ(hunch_session_create_with_user_model(nullptr, user, &none, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(none, nullptr);  // set to NULL on failure
  EXPECT_EQ(hunch_user_model_word_count(nullptr), 0u);
  EXPECT_EQ(hunch_user_model_clear(nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  hunch_user_model_free(nullptr);

  hunch_user_model_free(own_model);
  hunch_user_model_free(user);
  hunch_session_free(a);
  hunch_session_free(b);
  hunch_session_free(own);
}

TEST(EngineCApiTest, AModelOfAnotherEngineIsRefused) {
  Err err;
  hunch_engine *e1 = nullptr, *e2 = nullptr;
  ASSERT_EQ(hunch_engine_open(ModelPath().c_str(), &e1, &err.msg), HUNCH_OK);
  ASSERT_EQ(hunch_engine_open(ModelPath().c_str(), &e2, &err.msg), HUNCH_OK);
  hunch_user_model* user = nullptr;
  ASSERT_EQ(hunch_user_model_create(e1, &user, &err.msg), HUNCH_OK);
  hunch_session* s = nullptr;
  EXPECT_EQ(hunch_session_create_with_user_model(e2, user, &s, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(s, nullptr);
  EXPECT_EQ(hunch_session_create_with_options(e2, user, nullptr, &s, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(s, nullptr);
  hunch_user_model_free(user);
  hunch_engine_free(e1);
  hunch_engine_free(e2);
}

std::string ReadAll(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  std::string s;
  if (!f) return s;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  std::fclose(f);
  return s;
}

// An app ships its model as an asset: opened from a buffer, or from a file
// descriptor with an offset and a length inside a bigger file.
TEST(EngineCApiTest, OpensFromABufferAndFromADescriptorRange) {
  const std::string model = ReadAll(ModelPath());
  ASSERT_GT(model.size(), 1000u);
  Err err;
  hunch_engine* engine = nullptr;
  {
    std::string copy = " " + model;  // misaligned; freed right after the call
    ASSERT_EQ(hunch_engine_open_buffer(copy.data() + 1, model.size(), &engine, &err.msg), HUNCH_OK) << err.str();
  }
  hunch_session* s = nullptr;
  ASSERT_EQ(hunch_session_create(engine, &s, &err.msg), HUNCH_OK);
  EXPECT_TRUE(Suggests(s, "I will see you", "tom", "tomorrow"));
  hunch_session_free(s);
  hunch_engine_free(engine);

  // The model inside a bigger file, at an odd offset.
  char path[] = "/tmp/hunch_asset_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string asset = std::string(777, 'x') + model + std::string(100, 'y');
  ASSERT_EQ(write(fd, asset.data(), asset.size()), static_cast<ssize_t>(asset.size()));
  engine = nullptr;
  ASSERT_EQ(hunch_engine_open_fd(fd, 777, static_cast<int64_t>(model.size()), &engine, &err.msg), HUNCH_OK)
      << err.str();
  ASSERT_EQ(hunch_session_create(engine, &s, &err.msg), HUNCH_OK);
  EXPECT_TRUE(Suggests(s, "I will see you", "tom", "tomorrow"));
  hunch_session_free(s);
  hunch_engine_free(engine);
  // Bad ranges and arguments are errors that say so.
  engine = nullptr;
  EXPECT_EQ(hunch_engine_open_fd(fd, 878, static_cast<int64_t>(model.size()), &engine, &err.msg),
            HUNCH_INVALID_ARGUMENT);  // past the end of the file
  EXPECT_NE(err.str().find("bytes asked for"), std::string::npos) << err.str();
  EXPECT_NE(hunch_engine_open_fd(fd, 778, static_cast<int64_t>(model.size()), &engine, &err.msg), HUNCH_OK);
  EXPECT_NE(hunch_engine_open_fd(fd, 0, static_cast<int64_t>(model.size()), &engine, &err.msg), HUNCH_OK);
  EXPECT_EQ(hunch_engine_open_fd(fd, -1, 10, &engine, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_engine_open_fd(fd, 0, 0, &engine, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_engine_open_fd(-1, 0, 10, &engine, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(engine, nullptr);

  // The same with options: a layout, from a buffer and from the descriptor.
  hunch_engine_options options;
  hunch_engine_options_init(&options);
  options.touch_sigma = 0.25f;
  ASSERT_EQ(hunch_engine_open_fd_with_options(fd, 777, static_cast<int64_t>(model.size()), &options, &engine, &err.msg),
            HUNCH_OK)
      << err.str();
  hunch_engine_free(engine);
  ASSERT_EQ(hunch_engine_open_buffer_with_options(model.data(), model.size(), &options, &engine, &err.msg), HUNCH_OK)
      << err.str();
  hunch_engine_free(engine);
  options.touch_sigma = 0;  // the engine refuses it: the options reach it
  EXPECT_EQ(hunch_engine_open_fd_with_options(fd, 777, static_cast<int64_t>(model.size()), &options, &engine, &err.msg),
            HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_engine_open_buffer_with_options(model.data(), model.size(), &options, &engine, &err.msg),
            HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(engine, nullptr);
  close(fd);
  unlink(path);
  EXPECT_EQ(hunch_engine_open_buffer(nullptr, 10, &engine, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(hunch_engine_open_buffer(model.data(), model.size() / 2, &engine, &err.msg), HUNCH_OK);
  EXPECT_EQ(hunch_engine_open_buffer(model.data(), 0, &engine, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_engine_open_buffer_with_options(nullptr, 10, nullptr, &engine, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_engine_open_fd_with_options(0, 0, 10, nullptr, nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(engine, nullptr);
}

// A QWERTY keyboard in pixels: keys 100 px wide and tall, rows staggered.
std::string PixelLayoutJson() {
  const char* rows[3] = {"qwertyuiop", "asdfghjkl'", "zxcvbnm"};
  const int offset[3] = {0, 50, 150};
  std::string json = "{\"name\": \"pixels\", \"keys\": [";
  bool first = true;
  for (int r = 0; r < 3; ++r)
    for (int i = 0; rows[r][i]; ++i) {
      if (!first) json += ", ";
      first = false;
      json += "{\"label\": \"" + std::string(1, rows[r][i]) + "\", \"x\": " + std::to_string(offset[r] + 100 * i) +
              ", \"y\": " + std::to_string(100 * r) + ", \"w\": 100, \"h\": 100}";
    }
  return json + "]}";
}

// The centre of the key for `c` in PixelLayoutJson.
void PixelCentre(char c, float* x, float* y) {
  const char* rows[3] = {"qwertyuiop", "asdfghjkl'", "zxcvbnm"};
  const int offset[3] = {0, 50, 150};
  for (int r = 0; r < 3; ++r)
    if (const char* p = std::strchr(rows[r], c)) {
      *x = static_cast<float>(offset[r] + 100 * (p - rows[r]) + 50);
      *y = static_cast<float>(100 * r + 50);
      return;
    }
  ADD_FAILURE() << "no key for " << c;
}

std::vector<float> PixelTouches(const std::string& word) {
  std::vector<float> xy;
  for (char c : word) {
    float x = 0, y = 0;
    PixelCentre(c, &x, &y);
    xy.push_back(x);
    xy.push_back(y);
  }
  return xy;
}

TEST(EngineCApiTest, OptionsDefaultsMirrorTheCppOnes) {
  hunch_engine_options o;
  std::memset(&o, 0xab, sizeof o);
  hunch_engine_options_init(&o);
  EXPECT_EQ(o.struct_size, sizeof o);
  EXPECT_EQ(o.max_context_tokens, 64);
  EXPECT_FLOAT_EQ(o.touch_sigma, 0.3f);
  EXPECT_EQ(o.phrases, 1);
  EXPECT_EQ(o.emoji, 1);
  EXPECT_EQ(o.corrections, 1);
  EXPECT_EQ(o.skip_passed_over, 1);
  EXPECT_EQ(o.min_word_count, 2);
  EXPECT_FLOAT_EQ(o.savings_weight, 0.0f);
  EXPECT_FLOAT_EQ(o.cache_weight, 0.05f);
  EXPECT_FLOAT_EQ(o.user_weight, 0.3f);
  EXPECT_EQ(o.filter_offensive, 1);
  EXPECT_EQ(o.layout_json, nullptr);
  EXPECT_EQ(o.max_memory_bytes, 0u);
  hunch_session_options so;
  std::memset(&so, 0xab, sizeof so);
  hunch_session_options_init(&so);
  EXPECT_EQ(so.struct_size, sizeof so);
  EXPECT_EQ(so.private_mode, 0);
  hunch_user_model_options uo;
  std::memset(&uo, 0xab, sizeof uo);
  hunch_user_model_options_init(&uo);
  EXPECT_EQ(uo.struct_size, sizeof uo);
  EXPECT_EQ(uo.max_bytes, size_t{8} << 20);
  EXPECT_EQ(uo.min_typed_count, 2);
  hunch_engine_options_init(nullptr);
  hunch_session_options_init(nullptr);
  hunch_user_model_options_init(nullptr);
}

// A layout given as JSON in pixels: touches in pixels land on its keys (on
// the default layout, in key widths, they are far outside every key).
TEST(EngineCApiTest, OpensWithALayoutInPixels) {
  Err err;
  const std::string layout = PixelLayoutJson();
  hunch_engine_options options;
  hunch_engine_options_init(&options);
  options.layout_json = layout.c_str();
  hunch_engine* engine = nullptr;
  ASSERT_EQ(hunch_engine_open_with_options(ModelPath().c_str(), &options, &engine, &err.msg), HUNCH_OK) << err.str();
  hunch_session* s = nullptr;
  ASSERT_EQ(hunch_session_create(engine, &s, &err.msg), HUNCH_OK);
  // Touches at the key centres of the word typed.
  EXPECT_TRUE(Suggest(s, "I will see you", "tomo", false, 3, PixelTouches("tomo")).Has("tomorrow"));
  Bar bar = Suggest(s, "hello", "the", true, 3, PixelTouches("the"));
  ASSERT_FALSE(bar.words.empty());
  EXPECT_EQ(bar.words[0], "the");
  EXPECT_FALSE(bar.first_autocorrect);
  // Touches off the centres (well inside the keys) too.
  std::vector<float> off = PixelTouches("tomo");
  for (size_t i = 0; i < off.size(); ++i) off[i] += (i % 2 ? -20.0f : 25.0f);
  EXPECT_TRUE(Suggest(s, "I will see you", "tomo", false, 3, off).Has("tomorrow"));
  // "tge" with the 'g' touched at the edge of 'g' next to 'h': corrected to "the".
  std::vector<float> edge = PixelTouches("the");
  edge[2] -= 52.0f;  // 2 px inside 'g', next to 'h'
  bar = Suggest(s, "hello", "tge", true, 3, edge);
  ASSERT_FALSE(bar.words.empty());
  EXPECT_EQ(bar.words[0], "the");
  hunch_session_free(s);
  hunch_engine_free(engine);

  // The same pixels on the default layout (key widths) are refused.
  ASSERT_EQ(hunch_engine_open(ModelPath().c_str(), &engine, &err.msg), HUNCH_OK) << err.str();
  ASSERT_EQ(hunch_session_create(engine, &s, &err.msg), HUNCH_OK);
  const std::vector<float> xy = PixelTouches("tomo");
  hunch_suggestions* list = nullptr;
  EXPECT_EQ(hunch_session_suggest(s, "I will see you", "tomo", xy.data(), 4, 0, 3, &list, &err.msg),
            HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(err.str().find("outside the layout"), std::string::npos) << err.str();
  EXPECT_EQ(list, nullptr);
  hunch_session_free(s);
  hunch_engine_free(engine);

  // A layout that does not parse is an error with the reason.
  for (const char* bad :
       {"", "{", "[]", "{\"keys\": []}", "{\"keys\": [{\"label\": \"ab\", \"x\": 0, \"y\": 0, \"w\": 1, \"h\": 1}]}",
        "{\"keys\": [{\"label\": \"a\", \"x\": 0, \"y\": 0, \"w\": 0, \"h\": 1}]}"}) {
    options.layout_json = bad;
    engine = nullptr;
    EXPECT_EQ(hunch_engine_open_with_options(ModelPath().c_str(), &options, &engine, &err.msg), HUNCH_INVALID_ARGUMENT)
        << bad;
    EXPECT_NE(err.str().find("layout"), std::string::npos) << err.str();
    EXPECT_EQ(engine, nullptr);
  }
}

TEST(EngineCApiTest, OptionsReachTheEngine) {
  Err err;
  hunch_engine_options options;
  hunch_engine_options_init(&options);
  hunch_engine* engine = nullptr;
  // NULL options: the defaults.
  ASSERT_EQ(hunch_engine_open_with_options(ModelPath().c_str(), nullptr, &engine, &err.msg), HUNCH_OK) << err.str();
  hunch_session* s = nullptr;
  ASSERT_EQ(hunch_session_create(engine, &s, &err.msg), HUNCH_OK);
  Bar with_corrections = Suggest(s, "hello", "tge", true);
  ASSERT_FALSE(with_corrections.words.empty());
  EXPECT_EQ(with_corrections.words[0], "the");
  EXPECT_TRUE(with_corrections.first_autocorrect);
  hunch_session_free(s);
  hunch_engine_free(engine);

  // corrections = 0: no correction of "tge" to "the".
  options.corrections = 0;
  ASSERT_EQ(hunch_engine_open_with_options(ModelPath().c_str(), &options, &engine, &err.msg), HUNCH_OK) << err.str();
  ASSERT_EQ(hunch_session_create(engine, &s, &err.msg), HUNCH_OK);
  Bar without = Suggest(s, "hello", "tge", true);
  EXPECT_FALSE(without.Has("the"));
  EXPECT_FALSE(without.first_autocorrect);
  hunch_session_free(s);
  hunch_engine_free(engine);

  // Values the engine refuses, and struct sizes this library does not read.
  hunch_engine_options_init(&options);
  options.touch_sigma = 0;
  EXPECT_EQ(hunch_engine_open_with_options(ModelPath().c_str(), &options, &engine, &err.msg), HUNCH_INVALID_ARGUMENT);
  hunch_engine_options_init(&options);
  options.struct_size = 0;
  EXPECT_EQ(hunch_engine_open_with_options(ModelPath().c_str(), &options, &engine, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(err.str().find("struct_size"), std::string::npos) << err.str();
  options.struct_size = sizeof options + 8;
  EXPECT_EQ(hunch_engine_open_with_options(ModelPath().c_str(), &options, &engine, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(engine, nullptr);
  // A memory limit the model cannot meet.
  hunch_engine_options_init(&options);
  options.max_memory_bytes = 1024;
  EXPECT_EQ(hunch_engine_open_with_options(ModelPath().c_str(), &options, &engine, &err.msg), HUNCH_RESOURCE_EXHAUSTED)
      << err.str();
  EXPECT_EQ(engine, nullptr);
  EXPECT_EQ(hunch_engine_open_with_options(nullptr, nullptr, &engine, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_engine_open_with_options(ModelPath().c_str(), nullptr, nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_engine_open_with_options(nullptr, nullptr, &engine, nullptr), HUNCH_INVALID_ARGUMENT);
}

// A user dictionary in a file: what is learned is there after a reopen.
TEST_F(EngineCApiUserTest, AFileDictionaryKeepsWhatWasLearned) {
  TempDir dir;
  const std::string path = dir.Path("user.dict");
  Err err;
  hunch_user_model* dict = nullptr;
  ASSERT_EQ(hunch_user_model_open(engine_, path.c_str(), nullptr, &dict, &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(std::string(hunch_user_model_path(dict)), path);
  EXPECT_STREQ(hunch_user_model_open_warning(dict), "");
  hunch_session* s = SessionOf(dict);
  ASSERT_NE(s, nullptr);
  EXPECT_FALSE(Suggests(s, "my friend", "zorb", "zorblax"));
  ASSERT_EQ(hunch_session_commit_word(s, "my friend", "zorblax", HUNCH_COMMIT_TYPED, &err.msg), HUNCH_OK);
  EXPECT_FALSE(Suggests(s, "my friend", "zorb", "zorblax"));  // typed once: not yet (min_typed_count 2)
  ASSERT_EQ(hunch_session_learn_word(s, "my friend", "zorblax", &err.msg), HUNCH_OK);
  EXPECT_TRUE(Suggests(s, "my friend", "zorb", "zorblax"));
  ASSERT_EQ(hunch_user_model_commit_word(dict, "hello", "Quuxly", HUNCH_COMMIT_PICKED, &err.msg), HUNCH_OK);
  EXPECT_EQ(hunch_user_model_word_count(dict), 3u);
  EXPECT_GT(hunch_user_model_memory_bytes(dict), 0u);
  hunch_session_free(s);
  hunch_user_model_free(dict);

  // Reopened (a restart): the words are there, the picked one in its spelling.
  dict = nullptr;
  ASSERT_EQ(hunch_user_model_open(engine_, path.c_str(), nullptr, &dict, &err.msg), HUNCH_OK) << err.str();
  EXPECT_STREQ(hunch_user_model_open_warning(dict), "");
  EXPECT_EQ(hunch_user_model_word_count(dict), 3u);
  s = SessionOf(dict);
  hunch_user_model_free(dict);  // the session keeps the model (and its file) alive
  EXPECT_TRUE(Suggests(s, "my friend", "zorb", "zorblax"));
  EXPECT_TRUE(Suggests(s, "hello", "quux", "Quuxly"));
  hunch_session_free(s);

  // Not a user dictionary; a directory that does not exist; NULLs.
  const std::string junk = dir.Path("junk.dict");
  FILE* f = std::fopen(junk.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("this is not a dictionary\n", f);
  std::fclose(f);
  EXPECT_EQ(hunch_user_model_open(engine_, junk.c_str(), nullptr, &dict, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_FALSE(err.str().empty());
  EXPECT_EQ(dict, nullptr);
  EXPECT_NE(hunch_user_model_open(engine_, dir.Path("no/such/dir/user.dict").c_str(), nullptr, &dict, &err.msg),
            HUNCH_OK);
  EXPECT_EQ(dict, nullptr);
  EXPECT_EQ(hunch_user_model_open(nullptr, path.c_str(), nullptr, &dict, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_open(engine_, nullptr, nullptr, &dict, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_open(engine_, path.c_str(), nullptr, nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_STREQ(hunch_user_model_path(nullptr), "");
  EXPECT_STREQ(hunch_user_model_open_warning(nullptr), "");
}

TEST_F(EngineCApiUserTest, ATornTailIsDroppedWithAWarning) {
  TempDir dir;
  const std::string path = dir.Path("user.dict");
  Err err;
  hunch_user_model* dict = nullptr;
  ASSERT_EQ(hunch_user_model_open(engine_, path.c_str(), nullptr, &dict, &err.msg), HUNCH_OK) << err.str();
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(hunch_user_model_learn_word(dict, "my friend", "zorblax", &err.msg), HUNCH_OK) << err.str();
  hunch_user_model_free(dict);
  FILE* f = std::fopen(path.c_str(), "ab");  // half a record, as a crash during a write leaves it
  ASSERT_NE(f, nullptr);
  std::fputs("\x01\x02partial", f);
  std::fclose(f);
  ASSERT_EQ(hunch_user_model_open(engine_, path.c_str(), nullptr, &dict, &err.msg), HUNCH_OK) << err.str();
  EXPECT_STRNE(hunch_user_model_open_warning(dict), "");
  EXPECT_EQ(hunch_user_model_word_count(dict), 2u);
  hunch_user_model_free(dict);
}

TEST_F(EngineCApiUserTest, OptionsOfTheUserModel) {
  Err err;
  hunch_user_model_options options;
  hunch_user_model_options_init(&options);
  options.min_typed_count = 1;
  hunch_user_model* dict = nullptr;
  ASSERT_EQ(hunch_user_model_create_with_options(engine_, &options, &dict, &err.msg), HUNCH_OK) << err.str();
  EXPECT_STREQ(hunch_user_model_path(dict), "");
  hunch_session* s = SessionOf(dict);
  ASSERT_EQ(hunch_session_commit_word(s, "my friend", "zorblax", HUNCH_COMMIT_TYPED, &err.msg), HUNCH_OK);
  EXPECT_TRUE(Suggests(s, "my friend", "zorb", "zorblax"));  // once is enough
  hunch_session_free(s);
  hunch_user_model_free(dict);

  TempDir dir;
  options.min_typed_count = 0;  // out of 1..255
  EXPECT_EQ(hunch_user_model_create_with_options(engine_, &options, &dict, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_open(engine_, dir.Path("a.dict").c_str(), &options, &dict, &err.msg),
            HUNCH_INVALID_ARGUMENT);
  hunch_user_model_options_init(&options);
  options.struct_size = 3;
  EXPECT_EQ(hunch_user_model_create_with_options(engine_, &options, &dict, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(err.str().find("struct_size"), std::string::npos) << err.str();
  EXPECT_EQ(dict, nullptr);
  EXPECT_EQ(hunch_user_model_create_with_options(nullptr, nullptr, &dict, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_create_with_options(engine_, nullptr, nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
}

// The learning rules by commit source, and taking a commit back.
TEST_F(EngineCApiUserTest, CommitSourcesAndUnlearn) {
  Err err;
  hunch_user_model* dict = nullptr;
  ASSERT_EQ(hunch_user_model_create(engine_, &dict, &err.msg), HUNCH_OK);
  hunch_session* s = SessionOf(dict);
  // Picked once from the bar: suggested at once.
  ASSERT_EQ(hunch_session_commit_word(s, "my friend", "zorblax", HUNCH_COMMIT_PICKED, &err.msg), HUNCH_OK);
  EXPECT_TRUE(Suggests(s, "my friend", "zorb", "zorblax"));
  // Autocorrect's own choices do not make a new word.
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(hunch_session_commit_word(s, "my friend", "quuxly", HUNCH_COMMIT_AUTOCORRECTED, &err.msg), HUNCH_OK);
  EXPECT_FALSE(Suggests(s, "my friend", "quux", "quuxly"));
  // Typed twice, then taken back once: below the count again.
  ASSERT_EQ(hunch_session_commit_word(s, "I met", "blorptic", HUNCH_COMMIT_TYPED, &err.msg), HUNCH_OK);
  ASSERT_EQ(hunch_session_commit_word(s, "I met", "blorptic", HUNCH_COMMIT_TYPED, &err.msg), HUNCH_OK);
  EXPECT_TRUE(Suggests(s, "I met", "blorp", "blorptic"));
  const uint64_t before = hunch_user_model_word_count(dict);
  ASSERT_EQ(hunch_session_unlearn_word(s, "I met", "blorptic", &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(hunch_user_model_word_count(dict), before - 1);
  EXPECT_FALSE(Suggests(s, "I met", "blorp", "blorptic"));
  ASSERT_EQ(hunch_user_model_unlearn_word(dict, "I met", "blorptic", &err.msg), HUNCH_OK) << err.str();
  ASSERT_EQ(hunch_user_model_unlearn_word(dict, "I met", "blorptic", &err.msg), HUNCH_OK);  // nothing left: OK
  EXPECT_EQ(hunch_user_model_word_count(dict), before - 2);

  // A source outside the enum, a word that cannot be learned, NULLs.
  EXPECT_EQ(hunch_session_commit_word(s, "", "word", static_cast<hunch_commit_source>(7), &err.msg),
            HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(err.str().find("source"), std::string::npos) << err.str();
  EXPECT_EQ(hunch_user_model_commit_word(dict, "", "word", static_cast<hunch_commit_source>(-1), &err.msg),
            HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_session_commit_word(s, "", "two words", HUNCH_COMMIT_TYPED, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_commit_word(dict, "", std::string(65, 'a').c_str(), HUNCH_COMMIT_PICKED, &err.msg),
            HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_session_commit_word(nullptr, "", "word", HUNCH_COMMIT_TYPED, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_session_commit_word(s, nullptr, "word", HUNCH_COMMIT_TYPED, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_session_commit_word(s, "", nullptr, HUNCH_COMMIT_TYPED, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_commit_word(nullptr, "", "w", HUNCH_COMMIT_TYPED, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_commit_word(dict, "", nullptr, HUNCH_COMMIT_TYPED, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_session_unlearn_word(nullptr, "", "w", &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_session_unlearn_word(s, "", nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_unlearn_word(nullptr, "", "w", &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_unlearn_word(dict, nullptr, "w", &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_learn_word(dict, "", nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_FALSE(err.str().empty());
  hunch_session_free(s);
  hunch_user_model_free(dict);
}

// The user typed "tge", autocorrect put in "the", they went back to "tge".
TEST_F(EngineCApiUserTest, AnUndoneAutocorrectIsNotRepeated) {
  Err err;
  hunch_session* s = nullptr;
  ASSERT_EQ(hunch_session_create(engine_, &s, &err.msg), HUNCH_OK);
  Bar bar = Suggest(s, "hello", "tge", true);
  ASSERT_FALSE(bar.words.empty());
  ASSERT_EQ(bar.words[0], "the");
  ASSERT_TRUE(bar.first_autocorrect);
  ASSERT_EQ(hunch_session_reject_autocorrect(s, "hello", "tge", "the", &err.msg), HUNCH_OK) << err.str();
  bar = Suggest(s, "hello", "tge", true);
  EXPECT_FALSE(bar.first_autocorrect && bar.words[0] == "the");
  EXPECT_TRUE(Suggests(s, "hello", "tg", "tge"));  // a word the user knows now
  hunch_session_free(s);

  // Through the user model: a new session of it does not autocorrect either.
  hunch_user_model* dict = nullptr;
  ASSERT_EQ(hunch_user_model_create(engine_, &dict, &err.msg), HUNCH_OK);
  ASSERT_EQ(hunch_user_model_reject_autocorrect(dict, "hello", "tge", "the", &err.msg), HUNCH_OK) << err.str();
  s = SessionOf(dict);
  bar = Suggest(s, "hello", "tge", true);
  EXPECT_FALSE(bar.first_autocorrect && bar.words[0] == "the");
  hunch_session_free(s);

  EXPECT_EQ(hunch_session_reject_autocorrect(nullptr, "", "tge", "the", &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_reject_autocorrect(dict, nullptr, "tge", "the", &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_reject_autocorrect(dict, "", nullptr, "the", &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_reject_autocorrect(dict, "", "tge", nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_reject_autocorrect(nullptr, "", "tge", "the", &err.msg), HUNCH_INVALID_ARGUMENT);
  hunch_user_model_free(dict);
}

// A settings screen: the list, forget, block and unblock, clear.
TEST_F(EngineCApiUserTest, ForgetBlockUnblockClearAndList) {
  TempDir dir;
  const std::string path = dir.Path("user.dict");
  Err err;
  hunch_user_model* dict = nullptr;
  ASSERT_EQ(hunch_user_model_open(engine_, path.c_str(), nullptr, &dict, &err.msg), HUNCH_OK) << err.str();
  hunch_session* s = SessionOf(dict);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(hunch_session_learn_word(s, "my friend", "Zorblax", &err.msg), HUNCH_OK);
  ASSERT_EQ(hunch_session_learn_word(s, "I met", "blorptic", &err.msg), HUNCH_OK);

  hunch_user_words* list = nullptr;
  ASSERT_EQ(hunch_user_model_list(dict, &list, &err.msg), HUNCH_OK) << err.str();
  ASSERT_GE(hunch_user_words_count(list), 2u);
  EXPECT_STREQ(hunch_user_words_word(list, 0), "Zorblax");  // most used first, in the user's spelling
  EXPECT_EQ(hunch_user_words_commit_count(list, 0), 3u);
  EXPECT_EQ(hunch_user_words_suggested(list, 0), 1);
  EXPECT_EQ(hunch_user_words_blocked(list, 0), 0);
  bool blorptic = false;
  for (size_t i = 0; i < hunch_user_words_count(list); ++i)
    if (std::string(hunch_user_words_word(list, i)) == "blorptic") {
      blorptic = true;
      EXPECT_EQ(hunch_user_words_commit_count(list, i), 1u);
      EXPECT_EQ(hunch_user_words_suggested(list, i), 0);  // typed once: not yet
    }
  EXPECT_TRUE(blorptic);
  const size_t n = hunch_user_words_count(list);
  EXPECT_STREQ(hunch_user_words_word(list, n), "");  // out of range
  EXPECT_EQ(hunch_user_words_commit_count(list, n), 0u);
  EXPECT_EQ(hunch_user_words_blocked(list, n), 0);
  EXPECT_EQ(hunch_user_words_suggested(list, n), 0);
  hunch_user_words_free(list);

  // Forget: gone from the suggestions and the list.
  EXPECT_TRUE(Suggests(s, "my friend", "zorb", "Zorblax"));
  ASSERT_EQ(hunch_user_model_forget(dict, "Zorblax", &err.msg), HUNCH_OK) << err.str();
  EXPECT_FALSE(Suggests(s, "my friend", "zorb", "Zorblax"));
  ASSERT_EQ(hunch_user_model_list(dict, &list, &err.msg), HUNCH_OK);
  for (size_t i = 0; i < hunch_user_words_count(list); ++i) EXPECT_STRNE(hunch_user_words_word(list, i), "Zorblax");
  hunch_user_words_free(list);

  // Block a lexicon word: never suggested until unblocked; kept in the file.
  ASSERT_TRUE(Suggests(s, "I will see you", "tom", "tomorrow"));
  ASSERT_EQ(hunch_user_model_block(dict, "tomorrow", &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(hunch_user_model_is_blocked(dict, "tomorrow"), 1);
  EXPECT_EQ(hunch_user_model_is_blocked(dict, "today"), 0);
  EXPECT_FALSE(Suggest(s, "I will see you", "tom", false, 5).Has("tomorrow"));
  ASSERT_EQ(hunch_user_model_list(dict, &list, &err.msg), HUNCH_OK);
  bool listed_blocked = false;
  for (size_t i = 0; i < hunch_user_words_count(list); ++i)
    if (std::string(hunch_user_words_word(list, i)) == "tomorrow")
      listed_blocked = hunch_user_words_blocked(list, i) == 1 && hunch_user_words_suggested(list, i) == 0;
  EXPECT_TRUE(listed_blocked);
  hunch_user_words_free(list);
  hunch_session_free(s);
  hunch_user_model_free(dict);
  ASSERT_EQ(hunch_user_model_open(engine_, path.c_str(), nullptr, &dict, &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(hunch_user_model_is_blocked(dict, "tomorrow"), 1);
  s = SessionOf(dict);
  EXPECT_FALSE(Suggests(s, "I will see you", "tom", "tomorrow"));
  ASSERT_EQ(hunch_user_model_unblock(dict, "tomorrow", &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(hunch_user_model_is_blocked(dict, "tomorrow"), 0);
  EXPECT_TRUE(Suggests(s, "I will see you", "tom", "tomorrow"));

  // Clear: nothing left, in memory and in the file.
  ASSERT_EQ(hunch_user_model_block(dict, "today", &err.msg), HUNCH_OK);
  ASSERT_EQ(hunch_user_model_clear(dict, &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(hunch_user_model_word_count(dict), 0u);
  EXPECT_EQ(hunch_user_model_is_blocked(dict, "today"), 0);
  EXPECT_FALSE(Suggests(s, "I met", "blorp", "blorptic"));
  ASSERT_EQ(hunch_user_model_list(dict, &list, &err.msg), HUNCH_OK);
  EXPECT_EQ(hunch_user_words_count(list), 0u);
  hunch_user_words_free(list);
  hunch_session_free(s);
  hunch_user_model_free(dict);
  ASSERT_EQ(hunch_user_model_open(engine_, path.c_str(), nullptr, &dict, &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(hunch_user_model_word_count(dict), 0u);

  // NULLs.
  EXPECT_EQ(hunch_user_model_forget(nullptr, "w", &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_forget(dict, nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_block(nullptr, "w", &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_block(dict, nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_unblock(nullptr, "w", &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_unblock(dict, nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_block(dict, "", &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_is_blocked(nullptr, "w"), 0);
  EXPECT_EQ(hunch_user_model_is_blocked(dict, nullptr), 0);
  EXPECT_EQ(hunch_user_model_list(nullptr, &list, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(list, nullptr);
  EXPECT_EQ(hunch_user_model_list(dict, nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_words_count(nullptr), 0u);
  EXPECT_STREQ(hunch_user_words_word(nullptr, 0), "");
  EXPECT_EQ(hunch_user_words_commit_count(nullptr, 0), 0u);
  EXPECT_EQ(hunch_user_words_blocked(nullptr, 0), 0);
  EXPECT_EQ(hunch_user_words_suggested(nullptr, 0), 0);
  hunch_user_words_free(nullptr);
  EXPECT_EQ(hunch_user_model_memory_bytes(nullptr), 0u);
  hunch_user_model_free(dict);
}

// A backup and a move to another device: export, then import elsewhere.
TEST_F(EngineCApiUserTest, ExportAndImport) {
  Err err;
  hunch_user_model *a = nullptr, *b = nullptr;
  ASSERT_EQ(hunch_user_model_create(engine_, &a, &err.msg), HUNCH_OK);
  ASSERT_EQ(hunch_user_model_create(engine_, &b, &err.msg), HUNCH_OK);
  for (int i = 0; i < 2; ++i) ASSERT_EQ(hunch_user_model_learn_word(a, "my friend", "zorblax", &err.msg), HUNCH_OK);
  ASSERT_EQ(hunch_user_model_block(a, "tomorrow", &err.msg), HUNCH_OK);
  char* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(hunch_user_model_export(a, &data, &size, &err.msg), HUNCH_OK) << err.str();
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(std::strlen(data), size);
  EXPECT_EQ(std::string(data).rfind("hunch-user-dictionary 2", 0), 0u) << data;
  // Not NUL-terminated: only `size` bytes are read.
  std::string copy(data, size);
  copy += "garbage that is not read";
  ASSERT_EQ(hunch_user_model_import(b, copy.data(), size, &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(hunch_user_model_word_count(b), 2u);
  EXPECT_EQ(hunch_user_model_is_blocked(b, "tomorrow"), 1);
  hunch_session* s = SessionOf(b);
  EXPECT_TRUE(Suggests(s, "my friend", "zorb", "zorblax"));
  // Import merges: counts add up.
  ASSERT_EQ(hunch_user_model_import(b, data, size, &err.msg), HUNCH_OK);
  EXPECT_EQ(hunch_user_model_word_count(b), 4u);
  hunch_free(data);
  // A malformed text changes nothing.
  const std::string bad = "hunch-user-dictionary 2\nthis line is not a record\n";
  EXPECT_EQ(hunch_user_model_import(b, bad.data(), bad.size(), &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_FALSE(err.str().empty());
  EXPECT_EQ(hunch_user_model_word_count(b), 4u);
  const hunch_status_code empty = hunch_user_model_import(b, nullptr, 0, &err.msg);  // no bytes: no crash
  EXPECT_TRUE(empty == HUNCH_OK || empty == HUNCH_INVALID_ARGUMENT) << hunch_status_code_name(empty);
  EXPECT_EQ(hunch_user_model_word_count(b), 4u);
  EXPECT_EQ(hunch_user_model_export(nullptr, &data, &size, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(data, nullptr);
  EXPECT_EQ(hunch_user_model_export(a, &data, nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_import(nullptr, "x", 1, &err.msg), HUNCH_INVALID_ARGUMENT);
  hunch_session_free(s);
  hunch_user_model_free(a);
  hunch_user_model_free(b);
}

// A password field: the session learns nothing, but still suggests.
// The touches of committed words: the user's spread, through the session
// (not in a private one) and the user model, kept in the file; bad calls are
// errors.
TEST_F(EngineCApiUserTest, LearnTouchesWidensTheTouchSpread) {
  TempDir dir;
  const std::string path = dir.Path("user.dict");
  Err err;
  hunch_user_model* dict = nullptr;
  ASSERT_EQ(hunch_user_model_open(engine_, path.c_str(), nullptr, &dict, &err.msg), HUNCH_OK) << err.str();
  hunch_session* s = nullptr;
  ASSERT_EQ(hunch_session_create_with_user_model(engine_, dict, &s, &err.msg), HUNCH_OK) << err.str();
  const float sigma0 = hunch_user_model_touch_sigma(dict);
  EXPECT_FLOAT_EQ(sigma0, 0.3f);
  // "the" typed 0.6 key widths off each key (t, h, e at (4.5, 0.5),
  // (6, 1.5), (2.5, 0.5)), 60 times.
  const float loose[6] = {5.1f, 0.5f, 6.0f, 2.1f, 1.9f, 0.5f};
  hunch_session_options po;
  hunch_session_options_init(&po);
  po.private_mode = 1;
  hunch_session* secret = nullptr;
  ASSERT_EQ(hunch_session_create_with_options(engine_, dict, &po, &secret, &err.msg), HUNCH_OK) << err.str();
  for (int i = 0; i < 60; ++i) ASSERT_EQ(hunch_session_learn_touches(secret, "the", loose, 3, &err.msg), HUNCH_OK);
  EXPECT_FLOAT_EQ(hunch_user_model_touch_sigma(dict), sigma0);  // private: nothing learned
  for (int i = 0; i < 30; ++i) ASSERT_EQ(hunch_session_learn_touches(s, "the", loose, 3, &err.msg), HUNCH_OK);
  for (int i = 0; i < 30; ++i) ASSERT_EQ(hunch_user_model_learn_touches(dict, "the", loose, 3, &err.msg), HUNCH_OK);
  const float learned = hunch_user_model_touch_sigma(dict);
  // 180 touches at d^2 0.36: (100 * 0.09 + 180 * 0.36 / 2) / 280, sigma 0.35
  EXPECT_NEAR(learned, std::sqrt((100 * 0.09 + 180 * 0.36 / 2) / 280), 1e-4);
  // Not one per character, off the layout, NULL: errors.
  EXPECT_EQ(hunch_session_learn_touches(s, "th", loose, 3, &err.msg), HUNCH_INVALID_ARGUMENT);
  const float far[2] = {900.0f, 900.0f};
  EXPECT_EQ(hunch_session_learn_touches(s, "t", far, 1, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_session_learn_touches(s, "the", nullptr, 3, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_session_learn_touches(nullptr, "the", loose, 3, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_learn_touches(dict, nullptr, loose, 3, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_touch_sigma(nullptr), 0.0f);
  EXPECT_FLOAT_EQ(hunch_user_model_touch_sigma(dict), learned);
  hunch_session_free(secret);
  hunch_session_free(s);
  hunch_user_model_free(dict);
  // Reopened: the spread is in the file.
  ASSERT_EQ(hunch_user_model_open(engine_, path.c_str(), nullptr, &dict, &err.msg), HUNCH_OK) << err.str();
  EXPECT_FLOAT_EQ(hunch_user_model_touch_sigma(dict), learned);
  hunch_user_model_free(dict);
}

TEST_F(EngineCApiUserTest, APrivateSessionLearnsNothing) {
  Err err;
  hunch_user_model* dict = nullptr;
  ASSERT_EQ(hunch_user_model_create(engine_, &dict, &err.msg), HUNCH_OK);
  hunch_session_options options;
  hunch_session_options_init(&options);
  options.private_mode = 1;
  hunch_session* s = nullptr;
  ASSERT_EQ(hunch_session_create_with_options(engine_, dict, &options, &s, &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(hunch_session_is_private(s), 1);
  EXPECT_EQ(hunch_session_commit_word(s, "my friend", "zorblax", HUNCH_COMMIT_PICKED, &err.msg), HUNCH_OK);
  EXPECT_EQ(hunch_session_learn_word(s, "my friend", "zorblax", &err.msg), HUNCH_OK);
  EXPECT_EQ(hunch_session_learn(s, "zorblax zorblax secret hunter2", &err.msg), HUNCH_OK);
  EXPECT_EQ(hunch_session_reject_autocorrect(s, "hello", "tge", "the", &err.msg), HUNCH_OK);
  EXPECT_EQ(hunch_session_unlearn_word(s, "my friend", "zorblax", &err.msg), HUNCH_OK);
  EXPECT_EQ(hunch_user_model_word_count(dict), 0u);
  EXPECT_FALSE(Suggests(s, "my friend", "zorb", "zorblax"));
  EXPECT_TRUE(Suggests(s, "I will see you", "tom", "tomorrow"));  // still suggests

  // The field changes: learning again; and back to private.
  ASSERT_EQ(hunch_session_set_private(s, 0, &err.msg), HUNCH_OK);
  EXPECT_EQ(hunch_session_is_private(s), 0);
  ASSERT_EQ(hunch_session_commit_word(s, "my friend", "zorblax", HUNCH_COMMIT_PICKED, &err.msg), HUNCH_OK);
  EXPECT_EQ(hunch_user_model_word_count(dict), 1u);
  ASSERT_EQ(hunch_session_set_private(s, 7, &err.msg), HUNCH_OK);
  EXPECT_EQ(hunch_session_is_private(s), 1);
  ASSERT_EQ(hunch_session_commit_word(s, "my friend", "zorblax", HUNCH_COMMIT_TYPED, &err.msg), HUNCH_OK);
  EXPECT_EQ(hunch_user_model_word_count(dict), 1u);
  EXPECT_TRUE(Suggests(s, "my friend", "zorb", "zorblax"));  // what was learned before is suggested
  hunch_session_free(s);

  // A private session with a user model of its own; NULL options: not private.
  ASSERT_EQ(hunch_session_create_with_options(engine_, nullptr, &options, &s, &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(hunch_session_is_private(s), 1);
  hunch_user_model* own = nullptr;
  ASSERT_EQ(hunch_session_user_model(s, &own, &err.msg), HUNCH_OK);
  EXPECT_NE(own, nullptr);
  ASSERT_EQ(hunch_session_learn_word(s, "my friend", "zorblax", &err.msg), HUNCH_OK);
  EXPECT_EQ(hunch_user_model_word_count(own), 0u);
  hunch_user_model_free(own);
  hunch_session_free(s);
  ASSERT_EQ(hunch_session_create_with_options(engine_, nullptr, nullptr, &s, &err.msg), HUNCH_OK) << err.str();
  EXPECT_EQ(hunch_session_is_private(s), 0);
  hunch_session_free(s);

  // Bad options and NULLs.
  options.struct_size = 1;
  EXPECT_EQ(hunch_session_create_with_options(engine_, dict, &options, &s, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(err.str().find("struct_size"), std::string::npos) << err.str();
  EXPECT_EQ(s, nullptr);
  EXPECT_EQ(hunch_session_create_with_options(nullptr, dict, nullptr, &s, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_session_create_with_options(engine_, dict, nullptr, nullptr, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_session_set_private(nullptr, 1, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(err.str().find("hunch_session_set_private"), std::string::npos) << err.str();
  EXPECT_EQ(hunch_session_set_private(nullptr, 1, nullptr), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_session_is_private(nullptr), 0);
  hunch_user_model_free(dict);
}

}  // namespace
