// The HTML report of `hunch eval --report DIR`: a summary table and four SVG
// plots (KSR against the number of suggestions, hits by prefix length, the
// latency histograms of every Suggest call and of the typo-correction calls),
// one self-contained file.
#ifndef HUNCH_TOOLS_REPORT_H_
#define HUNCH_TOOLS_REPORT_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "hunch/status.h"

namespace hunch {
namespace cli {

struct Percentiles {
  double p50, p95, p99, max;
};

struct ReportData {
  std::string model, text;
  std::vector<std::pair<std::string, std::string>> summary;  // label, value
  std::vector<double> ksr_by_suggestions;                    // [k-1] = KSR with k suggestions, %
  std::map<int, long long> hits_by_prefix;                   // prefix length -> tokens
  long long words = 0;
  std::vector<double> latency_us;       // every Suggest call
  std::vector<double> typo_latency_us;  // the typo-correction calls
};

std::string FormatFixed(double v, int decimals);
// Writes DIR/index.html (creating DIR); *path receives the file's path.
Status WriteReport(const std::string& dir, const ReportData& data, std::string* path);

}  // namespace cli
}  // namespace hunch

#endif  // HUNCH_TOOLS_REPORT_H_
