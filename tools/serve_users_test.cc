// hunch serve's user cache and anonymous session pool (tools/serve_users.h)
// on the tiny test model, with user files in a temporary directory.
#include "tools/serve_users.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "testing/cli_run.h"
#include "testing/test_paths.h"

namespace hunch {
namespace serve {
namespace {

uint64_t CountOf(const UserModel& m, const std::string& word) {
  for (const UserWord& w : m.List())
    if (w.word == word) return w.count;
  return 0;
}

class UserCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Engine::Open(testing::SourceRoot() + "tests/testdata/tiny.hunch", {}, &engine_).ok());
    char tmpl[] = "/tmp/hunch_serve_users.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }
  UserCache::Options Persistent(size_t capacity) {
    UserCache::Options o;
    o.data_dir = dir_ + "/";
    o.capacity = capacity;
    return o;
  }
  std::shared_ptr<const Engine> engine_;
  std::string dir_;
};

TEST_F(UserCacheTest, InMemoryUsersExistOnceCreated) {
  UserCache::Options o;
  UserCache cache(engine_, o);
  EXPECT_FALSE(cache.persistent());
  EXPECT_EQ(cache.PathFor("a"), "");
  UserCache::Lease lease;
  EXPECT_EQ(cache.Acquire("a", false, &lease).code(), StatusCode::kNotFound);
  EXPECT_FALSE(lease);
  ASSERT_TRUE(cache.Acquire("a", true, &lease).ok());
  ASSERT_TRUE(lease->session->Learn("zorblax").ok());
  UserEntry* first = &*lease;
  lease = UserCache::Lease();
  ASSERT_TRUE(cache.Acquire("a", false, &lease).ok());
  EXPECT_EQ(&*lease, first);  // the same user, still open
  EXPECT_EQ(CountOf(*lease->model, "zorblax"), 1u);
  EXPECT_EQ(lease->model->path(), "");
  EXPECT_EQ(cache.counts().cached, 1u);
  EXPECT_EQ(cache.counts().opened, 1u);
}

TEST_F(UserCacheTest, AUserWithoutAFileIsNotCreatedByALookup) {
  UserCache cache(engine_, Persistent(4));
  EXPECT_EQ(cache.PathFor("bob"), dir_ + "/bob.dict");
  UserCache::Lease lease;
  EXPECT_EQ(cache.Acquire("bob", false, &lease).code(), StatusCode::kNotFound);
  EXPECT_FALSE(testing::Exists(dir_ + "/bob.dict"));
  ASSERT_TRUE(cache.Acquire("bob", true, &lease).ok());
  EXPECT_TRUE(testing::Exists(dir_ + "/bob.dict"));
  EXPECT_EQ(lease->model->path(), dir_ + "/bob.dict");
}

TEST_F(UserCacheTest, EvictionClosesTheLeastRecentlyUsedIdleUserAndKeepsItsWords) {
  UserCache cache(engine_, Persistent(1));
  {
    UserCache::Lease a;
    ASSERT_TRUE(cache.Acquire("a", true, &a).ok());
    ASSERT_TRUE(a->session->LearnWord("", "zorblax").ok());
  }
  {
    UserCache::Lease b;
    ASSERT_TRUE(cache.Acquire("b", true, &b).ok());
  }
  const UserCache::Counts c = cache.counts();
  EXPECT_EQ(c.cached, 1u);
  EXPECT_EQ(c.evicted, 1u);
  EXPECT_EQ(c.closed, 1u);
  // a's file is closed (its lock released): another opener gets it, words and all.
  std::shared_ptr<UserModel> reopened;
  ASSERT_TRUE(UserModel::Open(engine_, dir_ + "/a.dict", {}, &reopened).ok());
  EXPECT_EQ(CountOf(*reopened, "zorblax"), 1u);
  reopened.reset();
  UserCache::Lease a;
  ASSERT_TRUE(cache.Acquire("a", false, &a).ok());
  EXPECT_EQ(CountOf(*a->model, "zorblax"), 1u);
}

TEST_F(UserCacheTest, AUserARequestHoldsIsNotEvicted) {
  UserCache cache(engine_, Persistent(1));
  UserCache::Lease a, b;
  ASSERT_TRUE(cache.Acquire("a", true, &a).ok());
  ASSERT_TRUE(cache.Acquire("b", true, &b).ok());
  EXPECT_EQ(cache.counts().cached, 2u);  // over capacity while both are held
  EXPECT_EQ(cache.counts().evicted, 0u);
  a = UserCache::Lease();  // a is now idle and the least recently used
  EXPECT_EQ(cache.counts().cached, 1u);
  EXPECT_EQ(cache.counts().evicted, 1u);
  std::shared_ptr<UserModel> m;
  EXPECT_TRUE(UserModel::Open(engine_, dir_ + "/a.dict", {}, &m).ok());  // a closed
  EXPECT_EQ(UserModel::Open(engine_, dir_ + "/b.dict", {}, &m).code(), StatusCode::kIOError);  // b open
}

TEST_F(UserCacheTest, AFileAnotherOpenerHoldsIsRefusedAsInUse) {
  std::shared_ptr<UserModel> other;
  ASSERT_TRUE(UserModel::Open(engine_, dir_ + "/c.dict", {}, &other).ok());
  UserCache cache(engine_, Persistent(4));
  UserCache::Lease lease;
  const Status st = cache.Acquire("c", true, &lease);
  EXPECT_EQ(st.code(), StatusCode::kIOError);
  // hunch serve answers 503 on this message.
  EXPECT_NE(st.message().find("in use by another process"), std::string::npos) << st.message();
  EXPECT_EQ(cache.counts().open_errors, 1u);
  EXPECT_EQ(cache.counts().cached, 0u);
  other.reset();
  EXPECT_TRUE(cache.Acquire("c", true, &lease).ok());  // the failed open left nothing behind
}

TEST_F(UserCacheTest, CloseIdleAndCloseAll) {
  UserCache cache(engine_, Persistent(8));
  for (const char* id : {"a", "b", "c"}) {
    UserCache::Lease l;
    ASSERT_TRUE(cache.Acquire(id, true, &l).ok());
  }
  UserCache::Lease held;
  ASSERT_TRUE(cache.Acquire("b", false, &held).ok());
  const auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(cache.CloseIdle(now - std::chrono::hours(1)), 0u);  // none idle that long
  EXPECT_EQ(cache.CloseIdle(now + std::chrono::hours(1)), 2u);  // a and c; b is held
  EXPECT_EQ(cache.counts().cached, 1u);
  held = UserCache::Lease();
  EXPECT_EQ(cache.CloseAll(), 1u);
  EXPECT_EQ(cache.counts().cached, 0u);
  EXPECT_EQ(cache.counts().closed, 3u);
}

// Many threads on few users with a cache of one: every user is opened by
// one of them at a time (no flock refusal within the process), and no
// learned word is lost across the evictions.
TEST_F(UserCacheTest, ConcurrentRequestsNeverOpenAUserTwice) {
  UserCache cache(engine_, Persistent(1));
  const int kThreads = 4, kRounds = 25;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        const std::string id = (i + t) % 2 ? "odd" : "even";
        UserCache::Lease lease;
        if (!cache.Acquire(id, true, &lease).ok()) {
          ++failures[t];
          continue;
        }
        std::lock_guard<std::mutex> lock(lease->mu);
        if (!lease->session->LearnWord("", "zorblax").ok()) ++failures[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
  cache.CloseAll();
  uint64_t total = 0;
  for (const char* id : {"odd", "even"}) {
    std::shared_ptr<UserModel> m;
    ASSERT_TRUE(UserModel::Open(engine_, dir_ + "/" + id + ".dict", {}, &m).ok());
    total += CountOf(*m, "zorblax");
  }
  EXPECT_EQ(total, static_cast<uint64_t>(kThreads * kRounds));
}

// A pooled session answers like a new one: what an earlier request showed
// (the passed-over words) does not carry over.
TEST_F(UserCacheTest, SessionPoolReusesResetSessions) {
  SuggestRequest shown, next;
  shown.context = next.context = "the";
  shown.typed = "t";
  next.typed = "th";
  std::unique_ptr<Session> fresh;
  ASSERT_TRUE(engine_->NewSession(&fresh).ok());
  std::vector<Suggestion> expected, got;
  ASSERT_TRUE(fresh->Suggest(next, &expected).ok());

  SessionPool pool(engine_);
  std::unique_ptr<Session> a;
  ASSERT_TRUE(pool.Take(&a).ok());
  ASSERT_TRUE(a->Suggest(shown, &got).ok());
  Session* used = a.get();
  pool.Give(std::move(a));
  EXPECT_EQ(pool.idle(), 1u);
  std::unique_ptr<Session> b;
  ASSERT_TRUE(pool.Take(&b).ok());
  EXPECT_EQ(b.get(), used);
  EXPECT_EQ(pool.idle(), 0u);
  ASSERT_TRUE(b->Suggest(next, &got).ok());
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].text, expected[i].text) << i;
}

}  // namespace
}  // namespace serve
}  // namespace hunch
