#include "tools/report.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "builder/model_builder.h"

namespace hunch {
namespace cli {

namespace {

std::string Escape(const std::string& s) {
  std::string r;
  for (char c : s) {
    switch (c) {
      case '<': r += "&lt;"; break;
      case '>': r += "&gt;"; break;
      case '&': r += "&amp;"; break;
      case '"': r += "&quot;"; break;
      default: r += c;
    }
  }
  return r;
}

// A bar or line chart: x labels, y values, in a 480 x 240 SVG.
std::string Chart(const std::string& title, const std::string& x_label, const std::string& y_label,
                  const std::vector<std::string>& xs, const std::vector<double>& ys, bool line) {
  const double W = 480, H = 240, L = 56, R = 12, T = 28, B = 40;
  double ymax = 0;
  for (double y : ys) ymax = std::max(ymax, y);
  if (ymax <= 0) ymax = 1;
  // A round upper bound: 1, 2 or 5 times a power of ten.
  double step = std::pow(10.0, std::floor(std::log10(ymax)));
  double top = step;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * step >= ymax) {
      top = m * step;
      break;
    }
  std::string s = "<svg xmlns='http://www.w3.org/2000/svg' width='480' height='240' font-family='sans-serif' "
                  "font-size='11'>";
  s += "<text x='" + FormatFixed(W / 2, 0) + "' y='16' text-anchor='middle' font-weight='bold'>" + Escape(title) +
       "</text>";
  const double pw = W - L - R, ph = H - T - B;
  for (int g = 0; g <= 4; ++g) {
    double y = T + ph - ph * g / 4;
    s += "<line x1='" + FormatFixed(L, 1) + "' x2='" + FormatFixed(W - R, 1) + "' y1='" + FormatFixed(y, 1) +
         "' y2='" + FormatFixed(y, 1) + "' stroke='#ddd'/>";
    s += "<text x='" + FormatFixed(L - 4, 1) + "' y='" + FormatFixed(y + 4, 1) + "' text-anchor='end'>" +
         FormatFixed(top * g / 4, top >= 10 ? 0 : 2) + "</text>";
  }
  const size_t n = xs.size();
  std::string pts;
  for (size_t i = 0; i < n; ++i) {
    const double cx = L + pw * (i + 0.5) / std::max<size_t>(n, 1);
    const double h = ph * ys[i] / top;
    if (line) {
      pts += FormatFixed(cx, 1) + "," + FormatFixed(T + ph - h, 1) + " ";
      s += "<circle cx='" + FormatFixed(cx, 1) + "' cy='" + FormatFixed(T + ph - h, 1) + "' r='3' fill='#1f6feb'/>";
    } else {
      const double bw = std::max(1.0, pw / std::max<size_t>(n, 1) * 0.8);
      s += "<rect x='" + FormatFixed(cx - bw / 2, 1) + "' y='" + FormatFixed(T + ph - h, 1) + "' width='" +
           FormatFixed(bw, 1) + "' height='" + FormatFixed(h, 1) + "' fill='#1f6feb'/>";
    }
    if (n <= 20 || i % (n / 10 + 1) == 0)
      s += "<text x='" + FormatFixed(cx, 1) + "' y='" + FormatFixed(T + ph + 14, 1) + "' text-anchor='middle'>" +
           Escape(xs[i]) + "</text>";
  }
  if (line && !pts.empty()) s += "<polyline fill='none' stroke='#1f6feb' stroke-width='2' points='" + pts + "'/>";
  s += "<text x='" + FormatFixed(L + pw / 2, 1) + "' y='" + FormatFixed(H - 6, 1) + "' text-anchor='middle'>" +
       Escape(x_label) + "</text>";
  s += "<text transform='translate(12," + FormatFixed(T + ph / 2, 1) + ") rotate(-90)' text-anchor='middle'>" +
       Escape(y_label) + "</text></svg>";
  return s;
}

// A histogram of latencies in microseconds, 30 bins up to the p99.
std::string LatencyHistogram(const std::string& title, const std::vector<double>& latency_us) {
  std::vector<std::string> xs;
  std::vector<double> ys;
  if (!latency_us.empty()) {
    std::vector<double> v = latency_us;
    std::sort(v.begin(), v.end());
    const double hi = v[static_cast<size_t>(0.99 * (v.size() - 1))];  // the plot covers up to p99
    const int bins = 30;
    const double w = std::max(hi / bins, 1e-3);
    std::vector<double> counts(bins, 0);
    for (double x : v) counts[std::min(bins - 1, static_cast<int>(x / w))] += 1;
    for (int b = 0; b < bins; ++b) {
      xs.push_back(FormatFixed(b * w, w < 10 ? 1 : 0));
      ys.push_back(counts[b]);
    }
  }
  return Chart(title, "microseconds", "calls", xs, ys, false);
}

}  // namespace

std::string FormatFixed(double v, int decimals) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

Status WriteReport(const std::string& dir, const ReportData& d, std::string* path) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return Status::IOError("cannot create " + dir + ": " + std::strerror(errno));
  std::string html = "<!doctype html><html><head><meta charset='utf-8'><title>hunch eval</title>"
                     "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}"
                     "td,th{padding:2px 12px;text-align:left}</style></head><body>";
  html += "<h1>hunch eval</h1><p>model <code>" + Escape(d.model) + "</code>, text <code>" + Escape(d.text) +
          "</code></p><table>";
  for (const auto& kv : d.summary) html += "<tr><th>" + Escape(kv.first) + "</th><td>" + Escape(kv.second) + "</td></tr>";
  html += "</table>";

  std::vector<std::string> xs;
  for (size_t k = 1; k <= d.ksr_by_suggestions.size(); ++k) xs.push_back(std::to_string(k));
  html += "<p>" + Chart("KSR against the number of suggestions", "suggestions shown", "KSR %", xs,
                        d.ksr_by_suggestions, true) + "</p>";

  xs.clear();
  std::vector<double> ys;
  int max_p = d.hits_by_prefix.empty() ? 0 : d.hits_by_prefix.rbegin()->first;
  for (int p = 0; p <= std::min(max_p, 15); ++p) {
    xs.push_back(std::to_string(p));
    auto it = d.hits_by_prefix.find(p);
    ys.push_back(it == d.hits_by_prefix.end() ? 0.0 : 100.0 * it->second / std::max<long long>(d.words, 1));
  }
  html += "<p>" + Chart("Tokens completed after typing p characters", "prefix length p", "% of tokens", xs, ys,
                        false) + "</p>";

  html += "<p>" + LatencyHistogram("Suggest latency, every call (up to p99)", d.latency_us) + "</p>";
  html += "<p>" + LatencyHistogram("Typo-correction Suggest latency (up to p99)", d.typo_latency_us) + "</p>";
  html += "</body></html>\n";
  *path = dir + "/index.html";
  return WriteFileAtomic(*path, html.data(), html.size());
}

}  // namespace cli
}  // namespace hunch
