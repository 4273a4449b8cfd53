// Small helpers shared by the hunch CLI commands: argument parsing and
// uniform error reporting (message on stderr, non-zero exit).
#ifndef HUNCH_TOOLS_CLI_H_
#define HUNCH_TOOLS_CLI_H_

#include <map>
#include <string>
#include <vector>

#include "hunch/status.h"

namespace hunch {
namespace cli {

// Parses "--name value", "--name=value" and "--flag" arguments. `flags` lists
// the options that take no value; every other "--x" takes one.
class Args {
 public:
  Args(int argc, char** argv, const std::vector<std::string>& flags);
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  bool Has(const std::string& name) const { return options_.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& def = "") const;
  // Fails (returns false, sets error) when the value is not an integer in [lo, hi].
  bool GetInt(const std::string& name, long long def, long long lo, long long hi, long long* out);
  const std::vector<std::string>& positional() const { return positional_; }
  // Names of options given that are not in `known`; error set when any.
  bool CheckKnown(const std::vector<std::string>& known);

 private:
  std::map<std::string, std::string> options_;
  std::vector<std::string> positional_;
  std::string error_;
};

// Prints "hunch <cmd>: <message>" to stderr and returns 1 (or 2 for usage).
int Fail(const char* cmd, const std::string& message);
int Fail(const char* cmd, const Status& status);
int Usage(const char* cmd, const char* usage, const std::string& problem);
// Prints the usage to stdout and returns 0 (for --help).
int Help(const char* usage);

// Commands.
int InspectMain(int argc, char** argv);
int SynthMain(int argc, char** argv);
int BenchMain(int argc, char** argv);

}  // namespace cli
}  // namespace hunch

#endif  // HUNCH_TOOLS_CLI_H_
