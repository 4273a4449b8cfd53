// The engine's C API: sessions, suggestions, learning and shared user
// models, and NULL or bad arguments as errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "testing/test_paths.h"

#include <string>

#include "hunch/hunch.h"

namespace {

std::string ModelPath() { return hunch::testing::DefaultModelPath(); }

struct Err {
  char* msg = nullptr;
  ~Err() { hunch_free(msg); }
  std::string str() const { return msg ? msg : ""; }
};

bool Suggests(hunch_session* s, const char* context, const char* typed, const std::string& word) {
  hunch_suggestions* list = nullptr;
  Err err;
  EXPECT_EQ(hunch_session_suggest(s, context, typed, nullptr, 0, 0, 3, &list, &err.msg), HUNCH_OK) << err.str();
  bool found = false;
  for (size_t i = 0; i < hunch_suggestions_count(list); ++i) found = found || word == hunch_suggestions_text(list, i);
  hunch_suggestions_free(list);
  return found;
}

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

  // Save from one model, load into the session's own.
  char* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(hunch_user_model_save(user, &data, &size, &err.msg), HUNCH_OK);
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(std::string(data).size(), size);
  hunch_user_model* own_model = nullptr;
  ASSERT_EQ(hunch_session_user_model(own, &own_model, &err.msg), HUNCH_OK);
  ASSERT_EQ(hunch_user_model_load(own_model, data, size, &err.msg), HUNCH_OK) << err.str();
  hunch_free(data);
  EXPECT_TRUE(Suggests(own, "my friend", "zorb", "zorblax"));
  EXPECT_EQ(hunch_user_model_load(own_model, "junk", 4, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(err.str().find("header"), std::string::npos) << err.str();
  EXPECT_TRUE(Suggests(own, "my friend", "zorb", "zorblax"));  // unchanged on error

  ASSERT_EQ(hunch_user_model_learn(user, "zyx zyx zyx", &err.msg), HUNCH_OK);
  hunch_user_model_clear(user);
  EXPECT_EQ(hunch_user_model_word_count(user), 0u);
  EXPECT_FALSE(Suggests(b, "my friend", "zorb", "zorblax"));

  // NULL arguments and bad words are errors, not crashes.
  EXPECT_EQ(hunch_session_learn_word(a, nullptr, "x", &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_session_learn_word(a, "", "", &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_learn(nullptr, "x", &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_save(user, nullptr, &size, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_load(user, nullptr, 3, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_session_create_with_user_model(nullptr, user, &a, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(hunch_user_model_word_count(nullptr), 0u);
  hunch_user_model_clear(nullptr);
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
  hunch_user_model_free(user);
  hunch_engine_free(e1);
  hunch_engine_free(e2);
}

}  // namespace

namespace {

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
  close(fd);
  unlink(path);
  EXPECT_EQ(hunch_engine_open_buffer(nullptr, 10, &engine, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_NE(hunch_engine_open_buffer(model.data(), model.size() / 2, &engine, &err.msg), HUNCH_OK);
  EXPECT_EQ(hunch_engine_open_buffer(model.data(), 0, &engine, &err.msg), HUNCH_INVALID_ARGUMENT);
  EXPECT_EQ(engine, nullptr);
}

}  // namespace
