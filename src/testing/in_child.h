// Running a call that might hang (opening a FIFO) or crash (SIGBUS) in a
// forked child, so that a regression fails the test instead of hanging or
// killing the test binary. Also the scratch directory and the FIFO the
// boundary tests share.
#ifndef HUNCH_TESTING_IN_CHILD_H_
#define HUNCH_TESTING_IN_CHILD_H_

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>

#include "hunch/status.h"

namespace hunch {
namespace testing {

// What the child did: returned (with a Status), or died of a signal.
struct ChildResult {
  bool returned = false;  // the call returned and its Status came back
  int signal = 0;         // the signal that ended the child (SIGALRM: it ran past the deadline)
  Status status;          // what the call returned, when `returned`
};

// Runs `fn` in a forked child with an alarm of `seconds`: a call that blocks
// is killed (signal SIGALRM) rather than hanging the test. Only the Status
// (code and message) comes back. The deadline is a guard, never a measure: a
// passing call returns at once.
inline ChildResult RunInChild(const std::function<Status()>& fn, unsigned seconds = 30) {
  ChildResult r;
  int fds[2];
  if (::pipe(fds) != 0) return r;
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return r;
  }
  if (pid == 0) {
    ::close(fds[0]);
    ::alarm(seconds);
    const Status s = fn();
    const std::string msg = std::to_string(static_cast<int>(s.code())) + "\n" + s.message();
    size_t done = 0;
    while (done < msg.size()) {
      const ssize_t n = ::write(fds[1], msg.data() + done, msg.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
    return r;
  }
  const size_t nl = out.find('\n');
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || nl == std::string::npos) return r;
  r.returned = true;
  r.status = Status(static_cast<StatusCode>(std::atoi(out.substr(0, nl).c_str())), out.substr(nl + 1));
  return r;
}

// A fresh directory under $TMPDIR (or /tmp), removed with its files.
class ScratchDir {
 public:
  ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/hunch_boundary.XXXXXX";
    if (::mkdtemp(&pattern[0])) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Path(const std::string& name) const { return path_ + "/" + name; }
  // A FIFO named `name` in the directory (no writer ever opens it).
  std::string Fifo(const std::string& name) const {
    const std::string p = Path(name);
    return ::mkfifo(p.c_str(), 0600) == 0 ? p : std::string();
  }
  // A subdirectory named `name`.
  std::string Dir(const std::string& name) const {
    const std::string p = Path(name);
    return ::mkdir(p.c_str(), 0700) == 0 ? p : std::string();
  }

 private:
  std::string path_;
};

}  // namespace testing
}  // namespace hunch

#endif  // HUNCH_TESTING_IN_CHILD_H_
