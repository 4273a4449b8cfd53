// presage_eval: next-word top-1/top-3 and prediction time of Presage on a test
// file, by shared/EVAL.md's next-word rule.
//
//   presage_eval --config PRESAGE.xml --test TEST.tok --json OUT.json [--tsv OUT.tsv]
//
// Per line of the test file (tokens separated by single spaces), for each
// token t_i: Presage's past stream is "t_0 t_1 ... t_{i-1} " (the line's
// previous tokens joined by spaces, with a trailing space so that the word in
// progress is empty; "" for the first token), its future stream is empty, and
// predict() is called once. A hit at k when the target equals one of the first
// k suggestions, compared after lower-casing both (towlower per code point,
// C.UTF-8). Every token counts, punctuation and out-of-vocabulary ones
// included.
//
// REPEAT_SUGGESTIONS is forced to "yes" here: each query is an independent
// prediction for its context, not a later view of the same word in progress.
// Everything else (predictors, database, suggestion count, case mode, no
// learning) comes from the configuration file.
//
// Output JSON: tokens, lines, top1, top3 (fractions), predict_ms {p50, mean,
// p99, max} (wall time of each predict() call, one thread), init_ms (Presage
// construction), peak_rss_bytes (getrusage ru_maxrss of this process),
// suggestions (the configured count). --tsv writes target<TAB>suggestions...
// one line per token, for inspection.
//
// Built by bench/peers/run_peers.sh: g++ -O2 presage_eval.cc -lpresage.
#include <presage.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwctype>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

class Context : public PresageCallback {
 public:
  std::string past;
  std::string get_past_stream() const override { return past; }
  std::string get_future_stream() const override { return std::string(); }
};

// Lower-cases UTF-8 text code point by code point; invalid bytes are kept as
// they are (they compare equal only to the same bytes).
std::string Lower(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  std::mbstate_t st{};
  const char* p = s.data();
  const char* end = p + s.size();
  while (p < end) {
    wchar_t wc;
    const size_t n = std::mbrtowc(&wc, p, static_cast<size_t>(end - p), &st);
    if (n == static_cast<size_t>(-1) || n == static_cast<size_t>(-2) || n == 0) {
      out.push_back(*p++);
      st = std::mbstate_t{};
      continue;
    }
    char buf[MB_LEN_MAX];
    std::mbstate_t ost{};
    const size_t m = std::wcrtomb(buf, static_cast<wchar_t>(std::towlower(static_cast<wint_t>(wc))), &ost);
    if (m == static_cast<size_t>(-1)) {
      out.append(p, n);
    } else {
      out.append(buf, m);
    }
    p += n;
  }
  return out;
}

std::vector<std::string> SplitSpaces(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= line.size()) {
    size_t j = line.find(' ', i);
    if (j == std::string::npos) j = line.size();
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  // Nearest rank, as hunch bench reports its percentiles.
  size_t k = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size()) + 0.999999);
  if (k < 1) k = 1;
  if (k > v.size()) k = v.size();
  return v[k - 1];
}

int Usage(const char* msg) {
  std::fprintf(stderr,
               "presage_eval: %s\nusage: presage_eval --config PRESAGE.xml --test TEST.tok "
               "--json OUT.json [--tsv OUT.tsv]\n",
               msg);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config, test, json, tsv;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return Usage(("missing value for " + a).c_str());
    if (a == "--config") {
      config = argv[++i];
    } else if (a == "--test") {
      test = argv[++i];
    } else if (a == "--json") {
      json = argv[++i];
    } else if (a == "--tsv") {
      tsv = argv[++i];
    } else {
      return Usage(("unknown argument " + a).c_str());
    }
  }
  if (config.empty() || test.empty() || json.empty()) return Usage("--config, --test and --json are required");
  if (!std::setlocale(LC_CTYPE, "C.UTF-8")) {
    std::fprintf(stderr, "presage_eval: the C.UTF-8 locale is not available\n");
    return 1;
  }

  std::ifstream in(test);
  if (!in) {
    std::fprintf(stderr, "presage_eval: cannot open %s\n", test.c_str());
    return 1;
  }
  std::vector<std::vector<std::string>> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> toks = SplitSpaces(line);
    if (!toks.empty()) lines.push_back(std::move(toks));
  }
  if (lines.empty()) {
    std::fprintf(stderr, "presage_eval: %s holds no tokens\n", test.c_str());
    return 1;
  }

  Context ctx;
  long long tokens = 0, hit1 = 0, hit3 = 0;
  std::vector<double> ms;
  double init_ms = 0.0;
  int suggestions = 0;
  std::ostringstream rows;
  try {
    const auto t0 = std::chrono::steady_clock::now();
    Presage presage(&ctx, config);
    init_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    presage.config("Presage.Selector.REPEAT_SUGGESTIONS", "yes");
    suggestions = std::atoi(presage.config("Presage.Selector.SUGGESTIONS").c_str());
    for (const std::vector<std::string>& toks : lines) {
      ctx.past.clear();
      for (const std::string& target : toks) {
        const auto a = std::chrono::steady_clock::now();
        const std::vector<std::string> pred = presage.predict();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
        const std::string want = Lower(target);
        for (size_t k = 0; k < pred.size() && k < 3; ++k) {
          if (Lower(pred[k]) == want) {
            if (k == 0) ++hit1;
            ++hit3;
            break;
          }
        }
        ++tokens;
        if (!tsv.empty()) {
          rows << target;
          for (const std::string& p : pred) rows << '\t' << p;
          rows << '\n';
        }
        ctx.past += target;
        ctx.past += ' ';
      }
    }
  } catch (PresageException& e) {
    std::fprintf(stderr, "presage_eval: presage: %s\n", e.what());
    return 1;
  }

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double sum = 0.0;
  for (double v : ms) sum += v;
  char buf[1024];
  std::snprintf(buf, sizeof(buf),
                "{\n \"tokens\": %lld,\n \"lines\": %zu,\n \"top1\": %.6f,\n \"top3\": %.6f,\n"
                " \"predict_ms\": {\"p50\": %.4f, \"mean\": %.4f, \"p99\": %.4f, \"max\": %.4f},\n"
                " \"init_ms\": %.3f,\n \"peak_rss_bytes\": %lld,\n \"suggestions\": %d\n}\n",
                tokens, lines.size(), static_cast<double>(hit1) / tokens, static_cast<double>(hit3) / tokens,
                Percentile(ms, 50), sum / static_cast<double>(ms.size()), Percentile(ms, 99),
                *std::max_element(ms.begin(), ms.end()), init_ms, static_cast<long long>(ru.ru_maxrss) * 1024LL,
                suggestions);
  // Temp file + rename: no partly written output.
  for (const auto& [path, text] : {std::make_pair(json, std::string(buf)), std::make_pair(tsv, rows.str())}) {
    if (path.empty()) continue;
    const std::string tmp = path + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    bool ok = f != nullptr && std::fwrite(text.data(), 1, text.size(), f) == text.size();
    if (f != nullptr && std::fclose(f) != 0) ok = false;
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
      std::remove(tmp.c_str());
      std::fprintf(stderr, "presage_eval: cannot write %s\n", path.c_str());
      return 1;
    }
  }
  return 0;
}
