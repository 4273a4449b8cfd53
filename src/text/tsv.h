// The one reader of the tab-separated text the engine reads: the model's
// "lexicon", "surface" and "emoji" metadata and the user model's file.
//
// A row is a line (LF, or CR LF) split at every TAB into fields; empty lines
// are skipped. Fields are views into the text, valid while it is.
#ifndef HUNCH_TEXT_TSV_H_
#define HUNCH_TEXT_TSV_H_

#include <cstddef>
#include <string_view>
#include <vector>

namespace hunch {
namespace text {

// Splits one line into its TAB-separated fields (at least one).
inline void SplitTsvFields(std::string_view line, std::vector<std::string_view>* fields) {
  fields->clear();
  size_t a = 0;
  while (true) {
    const size_t t = line.find('\t', a);
    if (t == std::string_view::npos) {
      fields->push_back(line.substr(a));
      return;
    }
    fields->push_back(line.substr(a, t - a));
    a = t + 1;
  }
}

// Calls fn(line_number, fields) for every non-empty line of `tsv`, line
// numbers counted from 1 (from first_line when given). Stops at the first
// line for which fn returns false and returns that line's number; returns 0
// when every line was accepted.
template <typename Fn>
size_t ForEachTsvRow(std::string_view tsv, Fn&& fn, size_t first_line = 1) {
  std::vector<std::string_view> fields;
  size_t line_no = first_line - 1, pos = 0;
  while (pos < tsv.size()) {
    size_t end = tsv.find('\n', pos);
    if (end == std::string_view::npos) end = tsv.size();
    std::string_view line = tsv.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    SplitTsvFields(line, &fields);
    if (!fn(line_no, fields)) return line_no;
  }
  return 0;
}

// A decimal count of at most `max_digits` digits (no sign, no spaces).
inline bool ParseTsvCount(std::string_view s, size_t max_digits, unsigned long long* out) {
  if (s.empty() || s.size() > max_digits) return false;
  unsigned long long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned long long>(c - '0');
  }
  *out = v;
  return true;
}

}  // namespace text
}  // namespace hunch

#endif  // HUNCH_TEXT_TSV_H_
