// Small helpers shared by the hunch CLI commands: argument parsing and
// uniform error reporting (message on stderr, non-zero exit).
#ifndef HUNCH_TOOLS_CLI_H_
#define HUNCH_TOOLS_CLI_H_

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hunch/engine.h"
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

// "1,234,567".
std::string Thousands(unsigned long long v);

// The p-th percentile (0..100, nearest rank) of `v`; 0 for an empty vector.
double Percentile(std::vector<double> v, double p);
// Microseconds between two steady_clock readings.
double MicrosBetween(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b);
// Reads a whole file; false (and a message in *error) when it cannot.
bool ReadFile(const std::string& path, std::string* out, std::string* error);
// ReadFile, or all of stdin for "-".
bool ReadInput(const std::string& path, std::string* out, std::string* error);

// The engine of --model (else DefaultModelPath()) with the --set options;
// *path gets the model's path.
Status OpenEngine(const Args& args, std::shared_ptr<const Engine>* engine, std::string* path);
// The user dictionary in the file `path` for `engine` (UserModel::Open,
// created empty when missing): its open_warning(), when any, goes to stderr
// as "hunch <cmd>: warning: ...". A failure's message names the file.
Status OpenUserDictionary(const char* cmd, const std::shared_ptr<const Engine>& engine, const std::string& path,
                          std::shared_ptr<UserModel>* user);

// Commands.
int InspectMain(int argc, char** argv);
int SynthMain(int argc, char** argv);
int BenchMain(int argc, char** argv);
int SuggestMain(int argc, char** argv);
int ReplMain(int argc, char** argv);
int EvalMain(int argc, char** argv);
int ConvertMain(int argc, char** argv);  // tools/convert/convert_main.cc
int CheckMain(int argc, char** argv);
int QuantizeMain(int argc, char** argv);  // tools/quantize.cc
int MetadataMain(int argc, char** argv);  // tools/metadata.cc
int UserMain(int argc, char** argv);      // tools/user.cc
int LearnMain(int argc, char** argv);     // tools/user.cc
int ServeMain(int argc, char** argv);     // tools/serve.cc

// Applies "--set NAME=VALUE[,NAME=VALUE...]" to engine options: phrases,
// emoji, corrections, skip_passed_over (0/1); touch_sigma, savings_weight,
// user_weight (numbers); max_context_tokens, min_word_count (integers).
bool ApplyEngineSettings(const std::string& spec, EngineOptions* options, std::string* error);

// The model `suggest`, `repl` and `eval` use without --model: $HUNCH_MODEL,
// else models/en.hunch of the source tree, else the installed one.
std::string DefaultModelPath();

}  // namespace cli
}  // namespace hunch

#endif  // HUNCH_TOOLS_CLI_H_
