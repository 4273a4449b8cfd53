#include "tools/serve_users.h"

#include <sys/stat.h>

#include <utility>

namespace hunch {
namespace serve {

UserCache::Lease::Lease(Lease&& other) noexcept
    : cache_(std::exchange(other.cache_, nullptr)), id_(std::move(other.id_)), entry_(std::move(other.entry_)) {}

UserCache::Lease& UserCache::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (cache_ && entry_) {
      entry_.reset();
      cache_->Release(id_);
    }
    cache_ = std::exchange(other.cache_, nullptr);
    id_ = std::move(other.id_);
    entry_ = std::move(other.entry_);
  }
  return *this;
}

UserCache::Lease::~Lease() {
  if (cache_ && entry_) {
    entry_.reset();
    cache_->Release(id_);
  }
}

UserCache::UserCache(std::shared_ptr<const Engine> engine, Options options)
    : engine_(std::move(engine)), options_(std::move(options)) {
  if (options_.capacity < 1) options_.capacity = 1;
  while (options_.data_dir.size() > 1 && options_.data_dir.back() == '/') options_.data_dir.pop_back();
}

UserCache::~UserCache() { CloseAll(); }

std::string UserCache::PathFor(const std::string& id) const {
  return persistent() ? options_.data_dir + "/" + id + ".dict" : std::string();
}

bool UserCache::FileExists(const std::string& id) const {
  if (!persistent()) return false;
  struct stat st;
  return ::stat(PathFor(id).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Status UserCache::Acquire(const std::string& id, bool create, Lease* out) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    auto it = slots_.find(id);
    if (it == slots_.end()) break;
    Slot& s = it->second;
    if (s.state == State::kReady) {
      ++s.refs;
      s.last_used = std::chrono::steady_clock::now();
      lru_.splice(lru_.begin(), lru_, s.lru);
      out->cache_ = this;
      out->id_ = id;
      out->entry_ = s.entry;
      return Status::OK();
    }
    changed_.wait(lock);  // being opened or closed by another request
  }
  if (!create && !FileExists(id)) return Status::NotFound("no user '" + id + "'");
  slots_[id].state = State::kOpening;
  lock.unlock();

  auto entry = std::make_shared<UserEntry>();
  Status st = persistent() ? UserModel::Open(engine_, PathFor(id), options_.user, &entry->model)
                           : UserModel::Create(engine_, options_.user, &entry->model);
  if (st.ok()) st = engine_->NewSession(entry->model, &entry->session);

  lock.lock();
  auto it = slots_.find(id);
  if (!st.ok()) {
    slots_.erase(it);
    ++counts_.open_errors;
    changed_.notify_all();
    return st;
  }
  Slot& s = it->second;
  s.state = State::kReady;
  s.entry = entry;
  s.refs = 1;
  s.last_used = std::chrono::steady_clock::now();
  lru_.push_front(id);
  s.lru = lru_.begin();
  ++counts_.opened;
  changed_.notify_all();
  out->cache_ = this;
  out->id_ = id;
  out->entry_ = std::move(entry);
  EvictLocked(lock);
  return Status::OK();
}

void UserCache::Release(const std::string& id) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = slots_.find(id);
  if (it == slots_.end()) return;
  --it->second.refs;
  it->second.last_used = std::chrono::steady_clock::now();
  EvictLocked(lock);
}

void UserCache::CloseLocked(std::unique_lock<std::mutex>& lock, const std::string& key) {
  const std::string id = key;  // `key` may live in the slot or the list
  Slot& s = slots_[id];
  s.state = State::kClosing;
  lru_.erase(s.lru);
  std::shared_ptr<UserEntry> entry = std::move(s.entry);
  lock.unlock();
  entry.reset();  // closes the file (and releases its lock)
  lock.lock();
  slots_.erase(id);
  ++counts_.closed;
  changed_.notify_all();
}

void UserCache::EvictLocked(std::unique_lock<std::mutex>& lock) {
  while (lru_.size() > options_.capacity) {
    // The least recently used user no request holds.
    std::string victim;
    bool found = false;
    for (auto it = lru_.rbegin(); it != lru_.rend(); ++it) {
      if (slots_[*it].refs == 0) {
        victim = *it;
        found = true;
        break;
      }
    }
    if (!found) return;  // all held: the last release evicts
    ++counts_.evicted;
    CloseLocked(lock, victim);
  }
}

size_t UserCache::CloseIdle(std::chrono::steady_clock::time_point older_than) {
  std::unique_lock<std::mutex> lock(mu_);
  size_t closed = 0;
  for (;;) {
    std::string victim;
    bool found = false;
    for (auto it = lru_.rbegin(); it != lru_.rend(); ++it) {
      const Slot& s = slots_[*it];
      if (s.refs == 0 && s.last_used < older_than) {
        victim = *it;
        found = true;
        break;
      }
    }
    if (!found) return closed;
    CloseLocked(lock, victim);
    ++closed;
  }
}

size_t UserCache::CloseAll() { return CloseIdle(std::chrono::steady_clock::time_point::max()); }

UserCache::Counts UserCache::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  Counts c = counts_;
  c.cached = lru_.size();
  return c;
}

Status SessionPool::Take(std::unique_ptr<Session>* out) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      *out = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (*out) {
    (*out)->Reset();
    return Status::OK();
  }
  return engine_->NewSession(out);
}

void SessionPool::Give(std::unique_ptr<Session> session) {
  if (!session) return;
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(std::move(session));
}

size_t SessionPool::idle() const {
  std::lock_guard<std::mutex> lock(mu_);
  return free_.size();
}

}  // namespace serve
}  // namespace hunch
