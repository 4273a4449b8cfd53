// Running the built `hunch` CLI from a test: the command line, its exit code
// and its output, and the file checks the CLI tests share.
#ifndef HUNCH_TESTING_CLI_RUN_H_
#define HUNCH_TESTING_CLI_RUN_H_

#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <string>

namespace hunch {
namespace testing {

struct CliRun {
  int code = -1;       // the exit code; -1 when the command did not exit normally
  std::string output;  // stdout (and stderr, unless left out)
};

// Runs `command` (a shell command line) and collects its output; stderr too
// unless `with_stderr` is false.
inline CliRun RunCommand(const std::string& command, bool with_stderr = true) {
  CliRun r;
  const std::string cmd = command + (with_stderr ? " 2>&1" : "");
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.output.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// Files in `dir` (to check that no temporary file was left behind).
inline int CountFiles(const std::string& dir) {
  FILE* p = popen(("ls -A '" + dir + "' | wc -l").c_str(), "r");
  int n = -1;
  if (p) {
    if (fscanf(p, "%d", &n) != 1) n = -1;
    pclose(p);
  }
  return n;
}

}  // namespace testing
}  // namespace hunch

#endif  // HUNCH_TESTING_CLI_RUN_H_
