// ONNX -> .hunch conversion (`hunch convert`), the driver: the report's
// text and JSON forms (`hunch check`) are tools/convert/report.h, the
// emitter tools/convert/emit.h. Tools only: links the ONNX protobuf library,
// never part of the runtime. See docs/toolchain.md.
//
//   ConvertOptions o;
//   o.input_path = "lm.onnx";
//   ConvertResult r;
//   Status s = Convert(o, &r);           // r.report for every node, r.model when s.ok()
//   if (s.ok()) s = WriteFileAtomic("lm.hunch", r.model.data(), r.model.size());
#ifndef HUNCH_TOOLS_CONVERT_CONVERTER_H_
#define HUNCH_TOOLS_CONVERT_CONVERTER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hunch/status.h"

namespace hunch {
namespace convert {

struct ConvertOptions {
  std::string input_path;  // the .onnx file
  std::string vocab_path;  // optional: one token per line, in id order (overrides hunch.vocab)
  // Overrides of the automatic I/O rule (empty = automatic): graph inputs in
  // order, each optionally with a shape ("token" or "token:1x1"), outputs,
  // and state pairs (ONNX input, value it is updated from).
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::vector<std::pair<std::string, std::string>> states;
  // ONNX op types to keep as hunch custom ops of the same name (the app
  // registers them with hunch::OpResolver::AddCustom). Their output shapes and
  // types come from the model's value_info; their attributes are written as
  // a JSON object in the operator's custom_options.
  std::vector<std::string> custom_ops;
};

// One ONNX node in the report.
struct NodeReport {
  int index = 0;
  std::string name, op_type;
  // "converted", "folded", "fused", "alias", "dead", "unsupported" or
  // "unchecked" (supported op after an unsupported one).
  std::string status;
  std::string detail;  // the hunch op(s), what it was fused into, or why it is unsupported
};

struct IoReport {
  std::string name;
  std::string onnx_type;   // "int64"
  std::string hunch_type;  // "int32"
  std::vector<int64_t> shape;
  std::string next;  // states: the value the state is updated from
};

struct ConvertResult {
  std::string producer;  // "hunch-train 1.13.0"
  int64_t opset = 0;
  std::vector<NodeReport> nodes;
  std::vector<IoReport> inputs, outputs, states;
  std::vector<std::string> hunch_ops;  // the converted graph's ops, in order
  std::vector<std::string> metadata;   // names of the metadata entries written
  std::vector<std::string> errors;     // every problem (unsupported nodes first)
  std::vector<uint8_t> model;          // the .hunch file (only when Convert returns OK)
};

// Converts the ONNX file. On failure the Status summarizes (and
// result->errors lists) every problem found; result->nodes is filled as far
// as the file could be read. The produced model is loaded back with
// hunch::Model::FromBufferCopy and an interpreter created before OK is
// returned.
Status Convert(const ConvertOptions& options, ConvertResult* result);

// "token:1x1" -> ("token", {1, 1}); "token" -> ("token", {}).
Status ParseInputSpec(const std::string& spec, std::string* name, std::vector<int64_t>* shape);

// Reads a vocabulary file: one token per line (LF or CRLF), in id order; a
// final newline is optional; empty lines inside are an error.
Status ReadVocabFile(const std::string& path, std::vector<std::string>* tokens);

}  // namespace convert
}  // namespace hunch

#endif  // HUNCH_TOOLS_CONVERT_CONVERTER_H_
