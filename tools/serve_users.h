// hunch serve: the users' dictionaries and sessions.
//
// UserCache keeps the users a server is serving: for each, its UserModel
// (the crash-safe file <data>/<user>.dict, or a dictionary in memory when
// there is no data directory) and one Session on it (its LM state cache:
// a user typing on sends a context that grew by a word, one LM step). A
// user's requests take the user's mutex, as a Session is used by one thread
// at a time. The cache is bounded: past `capacity` users, the least recently
// used one that no request holds is closed (its file keeps all it learned;
// the lock on it is released). A user is opened at most once at a time in
// the process: a request for a user being opened or closed waits for that
// to finish, so the file's lock (flock) never refuses this process.
//
// SessionPool is for requests without a user: sessions on their own empty
// dictionaries, reused, reset before each use (no request sees what an
// earlier one left in the session).
#ifndef HUNCH_TOOLS_SERVE_USERS_H_
#define HUNCH_TOOLS_SERVE_USERS_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hunch/engine.h"

namespace hunch {
namespace serve {

struct UserEntry {
  std::mutex mu;  // held while the session is used
  std::shared_ptr<UserModel> model;
  std::unique_ptr<Session> session;
};

class UserCache {
 public:
  struct Options {
    std::string data_dir;    // empty: dictionaries in memory only
    size_t capacity = 1000;  // users kept open (at least 1)
    UserModelOptions user;
  };
  UserCache(std::shared_ptr<const Engine> engine, Options options);
  ~UserCache();  // closes every user (none may be held)
  UserCache(const UserCache&) = delete;
  UserCache& operator=(const UserCache&) = delete;

  // A user held by one request; released when it goes.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    ~Lease();
    UserEntry* operator->() const { return entry_.get(); }
    UserEntry& operator*() const { return *entry_; }
    explicit operator bool() const { return entry_ != nullptr; }

   private:
    friend class UserCache;
    UserCache* cache_ = nullptr;
    std::string id_;
    std::shared_ptr<UserEntry> entry_;
  };

  // The user `id` (a valid user id: serve_api.h), opened when not cached.
  // With `create` false, a user that has no file (or, in memory, is not
  // cached) is kNotFound and nothing is created. Opening errors are
  // UserModel::Open's (kIOError "in use by another process" when another
  // process holds the file).
  Status Acquire(const std::string& id, bool create, Lease* out);
  // Closes the users no request holds that were last used before
  // `older_than` (a server closes idle users so another instance may take
  // them over). Returns how many were closed.
  size_t CloseIdle(std::chrono::steady_clock::time_point older_than);
  // Closes every user no request holds.
  size_t CloseAll();

  // <data>/<id>.dict; empty in memory.
  std::string PathFor(const std::string& id) const;
  bool persistent() const { return !options_.data_dir.empty(); }
  const std::string& data_dir() const { return options_.data_dir; }
  size_t capacity() const { return options_.capacity; }

  struct Counts {
    size_t cached = 0;        // users open now
    uint64_t opened = 0;      // users opened (or created in memory)
    uint64_t closed = 0;      // users closed (evicted, idle, at the end)
    uint64_t evicted = 0;     // of those, closed to stay within capacity
    uint64_t open_errors = 0; // opens that failed
  };
  Counts counts() const;

 private:
  enum class State { kOpening, kReady, kClosing };
  struct Slot {
    State state = State::kOpening;
    std::shared_ptr<UserEntry> entry;
    int refs = 0;
    std::list<std::string>::iterator lru;  // valid when kReady
    std::chrono::steady_clock::time_point last_used;
  };
  void Release(const std::string& id);
  // Closes `id` (kReady, refs 0): unlocks `lock` while the entry is
  // destroyed. The slot is gone when it returns.
  void CloseLocked(std::unique_lock<std::mutex>& lock, const std::string& id);
  // Closes least recently used idle users while more than capacity are open.
  void EvictLocked(std::unique_lock<std::mutex>& lock);
  bool FileExists(const std::string& id) const;

  std::shared_ptr<const Engine> engine_;
  Options options_;
  mutable std::mutex mu_;
  std::condition_variable changed_;  // a slot was opened, closed or failed to open
  std::map<std::string, Slot> slots_;
  std::list<std::string> lru_;  // kReady users, most recently used first
  Counts counts_;
};

class SessionPool {
 public:
  explicit SessionPool(std::shared_ptr<const Engine> engine) : engine_(std::move(engine)) {}
  // A session for one request (reset), from the pool or new.
  Status Take(std::unique_ptr<Session>* out);
  void Give(std::unique_ptr<Session> session);
  size_t idle() const;

 private:
  std::shared_ptr<const Engine> engine_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Session>> free_;
};

}  // namespace serve
}  // namespace hunch

#endif  // HUNCH_TOOLS_SERVE_USERS_H_
