// hunch bench --model M [--runs 10000] [--json]
// The seed team's experiment: load the model, run it step by step `runs`
// times with state carried, and report load time, the first inference, the
// per-step time distribution, peak RSS, the planned arena and the sizes of
// the model and the library. With the engine's metadata in the model, also
// the Suggest time per keystroke of a typing trace, the time of Engine::Open
// and the peak RSS of a separate process (this program again, with
// --rss-child) that opens the engine and types the trace.
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "eval/evaluate.h"
#include "hunch/engine.h"
#include "hunch/interpreter.h"
#include "hunch/kernels.h"
#include "hunch/model.h"
#include "tools/cli.h"
#include "tools/json_writer.h"

namespace hunch {
namespace cli {

namespace {
const char* kUsage =
    "hunch bench --model M [--runs 10000] [--trace TEXT_FILE] [--library PATH] [--json]\n"
    "  Steps the model `runs` times; when the model carries the engine's metadata (vocab, tokenizer),\n"
    "  also times Suggest at every keystroke of typing TEXT_FILE (default: a built-in paragraph),\n"
    "  times Engine::Open (the median of 5 opens) and measures the peak RSS (VmHWM) of a separate\n"
    "  process that opens the engine and types the trace, and that process's RSS before the open.\n"
    "hunch bench --rss-child --model M [--trace TEXT_FILE]\n"
    "  That separate process: prints baseline_rss_bytes and peak_rss_bytes.";

// Opens of the engine timed for engine_open_us (the median is reported).
constexpr int kEngineOpens = 5;

// The default typing trace: ordinary e-mail prose, 120 words.
const char* kTrace =
    "Hi all, thanks for the quick reply yesterday. I will be in the office tomorrow morning and we can "
    "go through the new schedule together. Could you send me the latest version of the report before "
    "lunch? I think there are still a few numbers missing in the second table, and the summary needs "
    "another look. If anything changes, please let me know as soon as possible. I am also happy to "
    "call you later this week if that is easier for you. The meeting with the team is still on for "
    "Friday at ten, so we should have everything ready by then. Thanks again for all your help, and "
    "have a good evening.";

// Types `text` with `session`: for each word, one Suggest call per typed
// prefix (0 .. length - 1 characters) with the words before it as context;
// each call's time goes to *us when us is not null. Words over
// eval::kMaxTokenBytes are skipped (not typed, not context) and counted in
// *skipped; an error names the text's line.
Status TypeTrace(Session* session, const std::string& text, std::vector<double>* us, long long* skipped) {
  SuggestRequest r;
  std::vector<Suggestion> out;
  size_t pos = 0;
  long long line = 1;
  *skipped = 0;
  while (pos < text.size()) {
    size_t end = text.find_first_of(" \n", pos);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(pos, end - pos);
    if (word.size() > eval::kMaxTokenBytes) {
      ++*skipped;
    } else {
      for (size_t p = 0; p < word.size(); ++p) {
        if ((static_cast<unsigned char>(word[p]) & 0xC0) == 0x80) continue;  // whole code points only
        r.typed = word.substr(0, p);
        const auto a = std::chrono::steady_clock::now();
        Status s = session->Suggest(r, &out);
        if (us) us->push_back(MicrosBetween(a, std::chrono::steady_clock::now()));
        if (!s.ok()) return Status(s.code(), "line " + std::to_string(line) + ": " + s.message());
      }
      if (!word.empty()) r.context += (r.context.empty() ? "" : " ") + word;
    }
    if (end < text.size() && text[end] == '\n') {
      r.context += "\n";
      ++line;
    }
    pos = end + 1;
  }
  return Status::OK();
}

// Per-keystroke Suggest times over typing `text` (TypeTrace) with an engine on `model`.
Status TimeKeystrokes(std::shared_ptr<const Model> model, const std::string& text, std::vector<double>* us,
                      long long* skipped) {
  std::shared_ptr<const Engine> engine;
  Status s = Engine::FromModel(std::move(model), EngineOptions(), &engine);
  if (!s.ok()) return s;
  std::unique_ptr<Session> session;
  s = engine->NewSession(&session);
  if (!s.ok()) return s;
  return TypeTrace(session.get(), text, us, skipped);
}

// A "Vm...:  N kB" line of /proc/self/status in bytes; -1 when missing.
long long ProcStatusBytes(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(f, line))
    if (line.compare(0, key.size(), key) == 0) return std::atoll(line.c_str() + key.size()) * 1024;
  return -1;
}

// The --rss-child process: its RSS before anything is opened, then Engine::Open
// of the model, a session, the trace typed, and the peak RSS (VmHWM).
int RssChildMain(const std::string& path, const std::string& trace) {
  const long long baseline = ProcStatusBytes("VmRSS");
  std::shared_ptr<const Engine> engine;
  Status s = Engine::Open(path, EngineOptions(), &engine);
  std::unique_ptr<Session> session;
  if (s.ok()) s = engine->NewSession(&session);
  long long skipped = 0;
  if (s.ok()) s = TypeTrace(session.get(), trace, nullptr, &skipped);
  if (!s.ok()) return Fail("bench --rss-child", s);
  std::printf("baseline_rss_bytes %lld\npeak_rss_bytes %lld\n", baseline, ProcStatusBytes("VmHWM"));
  return 0;
}

// Runs this program again as `bench --rss-child` on the model and the trace
// file (the built-in trace when empty) and reads what it prints.
Status MeasureEngineRss(const std::string& path, const std::string& trace_path, long long* baseline,
                        long long* peak) {
  std::vector<std::string> argv_s = {"hunch", "bench", "--rss-child", "--model", path};
  if (!trace_path.empty()) argv_s.insert(argv_s.end(), {"--trace", trace_path});
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(&a[0]);
  argv.push_back(nullptr);
  int fds[2];
  if (pipe(fds) != 0) return Status::IOError(std::string("pipe: ") + std::strerror(errno));
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return Status::IOError(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Status::Internal("the --rss-child process failed (exit status " +
                            std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  std::istringstream in(out);
  std::string key;
  long long v;
  *baseline = *peak = -1;
  while (in >> key >> v) {
    if (key == "baseline_rss_bytes") *baseline = v;
    if (key == "peak_rss_bytes") *peak = v;
  }
  if (*baseline <= 0 || *peak <= 0) return Status::Internal("the --rss-child process printed no RSS: " + out);
  return Status::OK();
}

using Clock = std::chrono::steady_clock;
double Us(Clock::time_point a, Clock::time_point b) { return MicrosBetween(a, b); }

long long FileBytes(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return -1;
  return static_cast<long long>(st.st_size);
}

// libhunch.so beside the executable (build tree) or in ../lib (installed).
std::string FindLibrary() {
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0) return "";
  exe[n] = '\0';
  std::string dir(exe);
  dir = dir.substr(0, dir.rfind('/'));
  for (const std::string& cand : {dir + "/libhunch.so", dir + "/../lib/libhunch.so"})
    if (FileBytes(cand) >= 0) return cand;
  return "";
}

// Fills the inputs for step `step`: int32 inputs get ids in [0, bound).
void FillInputs(Interpreter* in, int step, int32_t bound) {
  for (int i = 0; i < in->num_inputs(); ++i) {
    const TensorInfo& info = in->input_info(i);
    const int64_t n = info.shape.NumElements();
    if (info.dtype == DType::kInt32) {
      int32_t* p = in->input_data<int32_t>(i);
      for (int64_t k = 0; k < n; ++k) p[k] = static_cast<int32_t>((static_cast<int64_t>(step) * 7919 + k) % bound);
    } else {
      float* p = in->input_data<float>(i);
      for (int64_t k = 0; k < n; ++k) p[k] = static_cast<float>((step + k) % 17) / 17.f - 0.5f;
    }
  }
}
}  // namespace

int BenchMain(int argc, char** argv) {
  Args args(argc, argv, {"json", "rss-child", "help"});
  if (args.Has("help")) return Help(kUsage);
  long long runs = 0;
  if (!args.ok() || !args.CheckKnown({"model", "runs", "trace", "library", "json", "rss-child", "help"}) ||
      !args.GetInt("runs", 10000, 1, 100000000, &runs))
    return Usage("bench", kUsage, args.error());
  if (!args.Has("model")) return Usage("bench", kUsage, "--model is required");
  const std::string path = args.Get("model");
  std::string trace = kTrace, err;
  if (args.Has("trace") && !ReadFile(args.Get("trace"), &trace, &err)) return Fail("bench", err);
  if (args.Has("rss-child")) return RssChildMain(path, trace);

  const auto t0 = Clock::now();
  std::shared_ptr<const Model> model;
  Status s = Model::Open(path, ModelOptions(), &model);
  if (!s.ok()) return Fail("bench", s);
  std::unique_ptr<Interpreter> in;
  s = Interpreter::Create(model, InterpreterOptions(), &in);
  if (!s.ok()) return Fail("bench", s);
  const auto t1 = Clock::now();

  // Token ids must be valid: for a language model the vocabulary is the width
  // of the first output (log-probabilities over the vocabulary).
  const int32_t bound = in->num_outputs() > 0 ? std::max<int32_t>(1, in->output_info(0).shape.Last()) : 1;
  FillInputs(in.get(), 0, bound);
  const auto f0 = Clock::now();
  s = in->Invoke();
  const auto f1 = Clock::now();
  if (!s.ok()) return Fail("bench", s);

  std::vector<double> steps;
  steps.reserve(static_cast<size_t>(runs));
  for (long long r = 0; r < runs; ++r) {
    FillInputs(in.get(), static_cast<int>(r + 1), bound);
    const auto a = Clock::now();
    s = in->Invoke();
    const auto b = Clock::now();
    if (!s.ok()) return Fail("bench", s);
    steps.push_back(Us(a, b));
  }
  // Keystrokes, when the model carries the engine's metadata.
  std::vector<double> keys;
  long long skipped = 0;  // trace words over eval::kMaxTokenBytes
  std::string keys_note;
  const uint8_t* meta = nullptr;
  size_t meta_size = 0;
  const bool engine_model = model->GetMetadata("vocab", &meta, &meta_size).ok();
  std::vector<double> opens;  // Engine::Open times
  long long engine_baseline = -1, engine_peak = -1;
  if (engine_model) {
    s = TimeKeystrokes(model, trace, &keys, &skipped);
    if (!s.ok()) return Fail("bench", (args.Has("trace") ? args.Get("trace") + ": " : "") + s.ToString());
    if (keys.empty()) keys_note = "no word of the trace to type";
    for (int i = 0; i < kEngineOpens; ++i) {
      std::shared_ptr<const Engine> engine;
      const auto a = Clock::now();
      s = Engine::Open(path, EngineOptions(), &engine);
      opens.push_back(Us(a, Clock::now()));
      if (!s.ok()) return Fail("bench", s);
    }
    s = MeasureEngineRss(path, args.Get("trace"), &engine_baseline, &engine_peak);
    if (!s.ok()) return Fail("bench", s);
  } else {
    keys_note = "no engine metadata in the model";
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  char exe[4096];
  const ssize_t exe_n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  const long long cli_bytes = exe_n > 0 ? FileBytes(std::string(exe, static_cast<size_t>(exe_n))) : -1;
  const long long peak_rss = static_cast<long long>(ru.ru_maxrss) * 1024;
  const std::string lib = args.Has("library") ? args.Get("library") : FindLibrary();
  const long long lib_bytes = lib.empty() ? -1 : FileBytes(lib);

  double sum = 0;
  for (double v : steps) sum += v;
  const std::string skipped_note =
      skipped ? " (" + std::to_string(skipped) + (skipped == 1 ? " word" : " words") + " over " +
                    std::to_string(eval::kMaxTokenBytes) + " bytes skipped)"
              : "";
  if (args.Has("json")) {
    JsonWriter j;
    j.BeginObject();
    j.Key("model").Value(path);
    j.Key("runs").Value(runs);
    j.Key("kernels").Value(ActiveKernelIsa());
    j.Key("init_us").Value(Us(t0, t1));
    j.Key("first_step_us").Value(Us(f0, f1));
    j.Key("step_us").BeginObject();
    j.Key("p50").Value(Percentile(steps, 50));
    j.Key("p99").Value(Percentile(steps, 99));
    j.Key("mean").Value(sum / static_cast<double>(steps.size()));
    j.Key("max").Value(*std::max_element(steps.begin(), steps.end()));
    j.EndObject();
    j.Key("keystroke_us");
    if (keys.empty()) {
      j.Null();
    } else {
      j.BeginObject();
      j.Key("p50").Value(Percentile(keys, 50)).Key("p99").Value(Percentile(keys, 99));
      j.Key("max").Value(*std::max_element(keys.begin(), keys.end()));
      j.Key("count").Value(static_cast<long long>(keys.size()));
      j.Key("skipped_tokens").Value(skipped);
      j.EndObject();
    }
    j.Key("engine_open_us");
    if (opens.empty())
      j.Null();
    else
      j.Value(Percentile(opens, 50));
    for (const auto& kv : {std::make_pair("engine_peak_rss_bytes", engine_peak),
                           std::make_pair("engine_baseline_rss_bytes", engine_baseline),
                           std::make_pair("engine_rss_delta_bytes", engine_peak - engine_baseline)}) {
      j.Key(kv.first);
      if (engine_peak < 0)
        j.Null();
      else
        j.Value(kv.second);
    }
    j.Key("peak_rss_bytes").Value(peak_rss);
    j.Key("arena_bytes").Value(static_cast<unsigned long long>(in->arena_bytes()));
    j.Key("state_bytes").Value(static_cast<unsigned long long>(in->state_bytes()));
    j.Key("model_bytes").Value(static_cast<unsigned long long>(model->file_bytes()));
    j.Key("library_bytes");
    if (lib_bytes >= 0)
      j.Value(lib_bytes);
    else
      j.Null();
    j.Key("cli_bytes").Value(cli_bytes);
    j.EndObject();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("model          %s (%zu bytes, weights %zu bytes)\n", path.c_str(), model->file_bytes(),
                model->weight_bytes());
    std::printf("kernels        %s\n", ActiveKernelIsa());
    std::printf("init           %.1f us (open + plan + interpreter)\n", Us(t0, t1));
    std::printf("first step     %.1f us\n", Us(f0, f1));
    std::printf("step           p50 %.2f us, p99 %.2f us, mean %.2f us over %lld runs\n", Percentile(steps, 50),
                Percentile(steps, 99), sum / static_cast<double>(steps.size()), runs);
    if (keys.empty())
      std::printf("keystroke      not timed (%s)\n", keys_note.c_str());
    else
      std::printf("keystroke      Suggest p50 %.1f us, p99 %.1f us over %zu keystrokes%s\n", Percentile(keys, 50),
                  Percentile(keys, 99), keys.size(), skipped_note.c_str());
    if (opens.empty()) {
      std::printf("engine         not opened (%s)\n", keys_note.c_str());
    } else {
      std::printf("engine open    %.1f us (median of %d Engine::Open)\n", Percentile(opens, 50), kEngineOpens);
      std::printf("engine RSS     peak %lld bytes = %lld before the open + %lld (a separate process: open, type the "
                  "trace)\n",
                  engine_peak, engine_baseline, engine_peak - engine_baseline);
    }
    std::printf("arena          %zu bytes; state %zu bytes\n", in->arena_bytes(), in->state_bytes());
    std::printf("peak RSS       %lld bytes\n", peak_rss);
    if (lib_bytes >= 0) std::printf("library        %s: %lld bytes\n", lib.c_str(), lib_bytes);
    std::printf("cli            %lld bytes\n", cli_bytes);
  }
  return 0;
}

}  // namespace cli
}  // namespace hunch
