// The per-node report of `hunch convert` and `hunch check`: what became of
// every ONNX node (converted, folded, fused, alias, dead, unsupported,
// unchecked), the graph's inputs, outputs and states, and its text and JSON
// forms.
#ifndef HUNCH_TOOLS_CONVERT_REPORT_H_
#define HUNCH_TOOLS_CONVERT_REPORT_H_

#include <string>

#include "tools/convert/converter.h"
#include "tools/convert/onnx_ir.h"
#include "tools/convert/passes.h"

namespace hunch {
namespace convert {

// Appends to result->nodes one entry per ONNX node of `g` (after emission),
// to result->errors every unsupported node (ONNX nodes first, then fused
// ones), and fills result->inputs, outputs and states from `binding`.
void CollectReport(const Graph& g, const Binding& binding, ConvertResult* result);

// Human-readable and JSON forms of the report (`hunch check`).
std::string ReportText(const std::string& path, const ConvertResult& r, bool ok);
std::string ReportJson(const std::string& path, const ConvertResult& r, bool ok);

}  // namespace convert
}  // namespace hunch

#endif  // HUNCH_TOOLS_CONVERT_REPORT_H_
