// The keystroke cost of a large user dictionary (issue 13: Suggest p99
// <= 1 ms with 100,000 learned words):
//   BM_SuggestWithLearnedWords/<n>   every keystroke of the first 1,000
//       tokens of data/test-public.tok (each prefix of each word, then the
//       next word: what `hunch eval` times) on models/en.hunch, with a user
//       dictionary holding n invented words the lexicon lacks (each typed
//       twice, so all are suggested) and their pairs. Counters: p50_us,
//       p99_us, max_us of one Suggest call (wall clock); p99_cpu_us and
//       mean_cpu_us, the p99 and the mean in the thread's CPU time
//       (CLOCK_THREAD_CPUTIME_ID: steadier on a loaded machine); dict_MiB,
//       the dictionary's memory_bytes.
// Run: build/hunch_bench --benchmark_filter=BM_SuggestWithLearnedWords
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hunch/engine.h"
#include "testing/test_paths.h"

namespace hunch {
namespace {

double ThreadCpuUs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

std::vector<std::vector<std::string>> TestLines(size_t max_tokens) {
  std::ifstream f(hunch::testing::SourceRoot() + "data/test-public.tok");
  std::vector<std::vector<std::string>> lines;
  std::string line;
  size_t n = 0;
  while (n < max_tokens && std::getline(f, line)) {
    std::istringstream ss(line);
    std::vector<std::string> toks;
    std::string t;
    while (n < max_tokens && ss >> t) {
      toks.push_back(t);
      ++n;
    }
    lines.push_back(std::move(toks));
  }
  return lines;
}

void BM_SuggestWithLearnedWords(benchmark::State& state) {
  std::shared_ptr<const Engine> engine;
  Status st = Engine::Open(hunch::testing::DefaultModelPath(), {}, &engine);
  if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
  UserModelOptions options;
  options.max_bytes = size_t{256} << 20;
  std::shared_ptr<UserModel> user;
  st = UserModel::Create(engine, options, &user);
  if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
  // Invented words (letters, 4-10 of them) in lines of ten, each line twice.
  std::mt19937 rng(42);
  const std::string letters = "abcdefghijklmnopqrstuvwxyz";
  std::string text;
  const int64_t n = state.range(0);
  for (int64_t i = 0; i < n; i += 10) {
    std::string line;
    for (int64_t k = i; k < std::min(n, i + 10); ++k) {
      std::string w = "x";
      const int len = 3 + static_cast<int>(rng() % 7);
      for (int c = 0; c < len; ++c) w += letters[rng() % 26];
      line += (line.empty() ? "" : " ") + w;
    }
    text += line + "\n" + line + "\n";
  }
  st = user->Learn(text);
  if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
  std::unique_ptr<Session> session;
  st = engine->NewSession(user, &session);
  if (!st.ok()) return state.SkipWithError(st.ToString().c_str());

  const auto lines = TestLines(1000);
  std::vector<double> us, cpu_us;
  std::vector<Suggestion> out;
  for (auto _ : state) {
    us.clear();
    cpu_us.clear();
    for (const auto& toks : lines) {
      std::string context;
      for (const std::string& tok : toks) {
        SuggestRequest r;
        r.context = context;
        for (size_t p = 0; p <= tok.size(); ++p) {
          r.typed = tok.substr(0, p);
          const auto a = std::chrono::steady_clock::now();
          const double c = ThreadCpuUs();
          session->Suggest(r, &out);
          cpu_us.push_back(ThreadCpuUs() - c);
          us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count());
        }
        context += (context.empty() ? "" : " ") + tok;
      }
    }
  }
  std::sort(us.begin(), us.end());
  std::sort(cpu_us.begin(), cpu_us.end());
  auto pct = [&](double q) { return us.empty() ? 0.0 : us[static_cast<size_t>(q * (us.size() - 1))]; };
  state.counters["p99_cpu_us"] = cpu_us.empty() ? 0.0 : cpu_us[static_cast<size_t>(0.99 * (cpu_us.size() - 1))];
  double cpu_sum = 0;
  for (double c : cpu_us) cpu_sum += c;
  state.counters["mean_cpu_us"] = cpu_us.empty() ? 0.0 : cpu_sum / static_cast<double>(cpu_us.size());
  state.counters["p50_us"] = pct(0.50);
  state.counters["p99_us"] = pct(0.99);
  state.counters["max_us"] = us.empty() ? 0.0 : us.back();
  state.counters["calls"] = static_cast<double>(us.size());
  state.counters["dict_MiB"] = static_cast<double>(user->memory_bytes()) / (1 << 20);
  state.counters["words"] = static_cast<double>(user->List().size());
}
BENCHMARK(BM_SuggestWithLearnedWords)->Arg(0)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace hunch
