// hunch convert MODEL.onnx -o MODEL.hunch [--vocab FILE] [--state IN=OUT ...]
//   [--inputs NAME[:DIMS],...] [--outputs NAME,...] [--quiet]
// hunch check MODEL.onnx [--json] [same I/O options]
// See docs/toolchain.md.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "builder/model_builder.h"
#include "tools/cli.h"
#include "tools/convert/converter.h"
#include "tools/convert/report.h"

namespace hunch {
namespace cli {

namespace {

const char* kConvertUsage =
    "hunch convert MODEL.onnx -o MODEL.hunch [--vocab FILE] [--state IN=OUT ...] [--inputs NAME[:DIMS],...] "
    "[--outputs NAME,...] [--custom-op OPTYPE ...] [--quiet]";
const char* kCheckUsage =
    "hunch check MODEL.onnx [--json] [--state IN=OUT ...] [--inputs NAME[:DIMS],...] [--outputs NAME,...] "
    "[--custom-op OPTYPE ...]";

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Parses the options shared by convert and check. --state may repeat, so the
// arguments are scanned here rather than by Args (which keeps the last value).
// Returns an empty string on success, else the problem.
std::string ParseOptions(int argc, char** argv, bool convert, convert::ConvertOptions* o, std::string* output,
                         bool* json, bool* quiet, bool* help) {
  std::vector<std::string> positional;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    std::string value;
    const size_t eq = a.find('=');
    const bool has_eq = a.rfind("--", 0) == 0 && eq != std::string::npos;
    std::string name = has_eq ? a.substr(0, eq) : a;
    if (has_eq) value = a.substr(eq + 1);
    auto take = [&](std::string* v) -> bool {
      if (has_eq) {
        *v = value;
        return true;
      }
      if (i + 1 >= argc) return false;
      *v = argv[++i];
      return true;
    };
    if (name == "--help" || name == "-h") {
      *help = true;
    } else if (convert && (name == "-o" || name == "--output")) {
      if (!take(output)) return "-o needs a file name";
    } else if (convert && name == "--vocab") {
      if (!take(&o->vocab_path)) return "--vocab needs a file name";
    } else if (convert && name == "--quiet") {
      *quiet = true;
    } else if (!convert && name == "--json") {
      *json = true;
    } else if (name == "--state") {
      std::string pair;
      if (!take(&pair)) return "--state needs IN=OUT";
      const size_t e = pair.find('=');
      if (e == std::string::npos || e == 0 || e + 1 == pair.size())
        return "--state takes IN=OUT (an input name and the output it is updated from), not '" + pair + "'";
      o->states.emplace_back(pair.substr(0, e), pair.substr(e + 1));
    } else if (name == "--custom-op") {
      std::string op;
      if (!take(&op) || op.empty()) return "--custom-op needs an ONNX op type";
      o->custom_ops.push_back(op);
    } else if (name == "--inputs" || name == "--outputs") {
      std::string list;
      if (!take(&list)) return name + " needs a comma-separated list of names";
      for (const std::string& x : SplitComma(list))
        (name == "--inputs" ? o->inputs : o->outputs).push_back(x);
      if (SplitComma(list).empty()) return name + " needs at least one name";
    } else if (a.size() > 1 && a[0] == '-') {
      return "unknown option " + a;
    } else {
      positional.push_back(a);
    }
  }
  if (*help) return "";
  if (positional.size() != 1) return positional.empty() ? "no model given" : "give one model";
  o->input_path = positional[0];
  if (convert && output->empty()) return "-o MODEL.hunch is required";
  return "";
}

}  // namespace

int ConvertMain(int argc, char** argv) {
  convert::ConvertOptions o;
  std::string output;
  bool json = false, quiet = false, help = false;
  const std::string problem = ParseOptions(argc, argv, true, &o, &output, &json, &quiet, &help);
  if (help) return Help(kConvertUsage);
  if (!problem.empty()) return Usage("convert", kConvertUsage, problem);
  const auto start = std::chrono::steady_clock::now();
  convert::ConvertResult r;
  Status s = convert::Convert(o, &r);
  if (!s.ok()) return Fail("convert", s.message());
  s = WriteFileAtomic(output, r.model.data(), r.model.size());
  if (!s.ok()) return Fail("convert", s);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!quiet) {
    std::string ops;
    for (const std::string& op : r.hunch_ops) ops += (ops.empty() ? "" : ", ") + op;
    std::printf("wrote %s: %zu bytes, %zu ops (%s), %.0f ms\n", output.c_str(), r.model.size(),
                r.hunch_ops.size(), ops.c_str(), ms);
    for (const auto& in : r.inputs)
      std::printf("  input  %s %s%s\n", in.name.c_str(), in.hunch_type.c_str(),
                  in.onnx_type != in.hunch_type ? (" (" + in.onnx_type + " in the ONNX model)").c_str() : "");
    for (const auto& st : r.states)
      std::printf("  state  %s, updated from %s\n", st.name.c_str(), st.next.c_str());
    for (const auto& out : r.outputs) std::printf("  output %s\n", out.name.c_str());
    std::string md;
    for (const std::string& m : r.metadata) md += (md.empty() ? "" : ", ") + m;
    std::printf("  metadata: %s\n", md.empty() ? "none" : md.c_str());
  }
  return 0;
}

int CheckMain(int argc, char** argv) {
  convert::ConvertOptions o;
  std::string output;
  bool json = false, quiet = false, help = false;
  const std::string problem = ParseOptions(argc, argv, false, &o, &output, &json, &quiet, &help);
  if (help) return Help(kCheckUsage);
  if (!problem.empty()) return Usage("check", kCheckUsage, problem);
  convert::ConvertResult r;
  Status s = convert::Convert(o, &r);
  // A file that cannot be read at all has no per-node report.
  if (!s.ok() && r.nodes.empty()) return Fail("check", s.message());
  if (!s.ok() && r.errors.empty()) r.errors.push_back(s.message());
  const std::string report =
      json ? convert::ReportJson(o.input_path, r, s.ok()) : convert::ReportText(o.input_path, r, s.ok());
  std::fputs(report.c_str(), stdout);
  return s.ok() ? 0 : 1;
}

}  // namespace cli
}  // namespace hunch
