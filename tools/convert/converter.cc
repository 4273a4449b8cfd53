// The conversion driver: reads the ONNX file, runs the passes
// (tools/convert/passes.h), emits the hunch graph (tools/convert/emit.h),
// collects the per-node report (tools/convert/report.h), adds the metadata
// and loads the result back.
#include "tools/convert/converter.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "builder/model_builder.h"
#include "engine/model_sections.h"
#include "hunch/interpreter.h"
#include "hunch/model.h"
#include "onnx/onnx_pb.h"
#include "tools/convert/emit.h"
#include "tools/convert/onnx_ir.h"
#include "tools/convert/passes.h"
#include "tools/convert/report.h"
#include "tools/json_writer.h"
#include "util/file.h"

namespace hunch {
namespace convert {

namespace {

std::string Basename(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string Dirname(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

Status CheckVocab(const std::vector<std::string>& tokens, const Graph& g, const Binding& b,
                  const std::string& what) {
  const Value& out = g.values[g.Resolve(b.outputs[0])];
  if (!out.shape_known || out.shape.empty()) return Status::OK();
  const int64_t size = out.shape.back();
  if (static_cast<int64_t>(tokens.size()) != size)
    return Status::InvalidArgument(what + " has " + std::to_string(tokens.size()) +
                                   " tokens, but the output '" + out.name + "' " + ShapeStr(out.shape) +
                                   " scores " + std::to_string(size));
  return Status::OK();
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

Status ParseInputSpec(const std::string& spec, std::string* name, std::vector<int64_t>* shape) {
  shape->clear();
  // Names may hold ':' ("onnx::Gather_0"): only a last part of digits and 'x' is a shape.
  const size_t colon = spec.rfind(':');
  const bool has_shape = colon != std::string::npos && colon + 1 < spec.size() &&
                         spec.find_first_not_of("0123456789x", colon + 1) == std::string::npos;
  *name = has_shape ? spec.substr(0, colon) : spec;
  if (name->empty()) return Status::InvalidArgument("empty input name in '" + spec + "'");
  if (!has_shape) return Status::OK();
  const std::string dims = spec.substr(colon + 1);
  size_t start = 0;
  while (start <= dims.size()) {
    size_t end = dims.find('x', start);
    if (end == std::string::npos) end = dims.size();
    const std::string d = dims.substr(start, end - start);
    char* stop = nullptr;
    errno = 0;
    const long long v = std::strtoll(d.c_str(), &stop, 10);
    if (d.empty() || errno || *stop || v < 1 || v > INT32_MAX)
      return Status::InvalidArgument("shape '" + dims + "' of input '" + *name +
                                     "' must be dimensions >= 1 joined by 'x' (e.g. 1x96)");
    shape->push_back(v);
    start = end + 1;
  }
  if (shape->size() > 6) return Status::InvalidArgument("shape '" + dims + "' has more than 6 dimensions");
  return Status::OK();
}

Status ReadVocabFile(const std::string& path, std::vector<std::string>* tokens) {
  std::string text;
  const Status read = internal::ReadRegularFile(path, &text);
  if (!read.ok()) return Status(read.code(), "--vocab " + read.message());
  if (text.empty()) return Status::InvalidArgument("--vocab " + path + ": the file is empty");
  if (text.back() == '\n') text.pop_back();
  *tokens = SplitLines(text);
  for (size_t k = 0; k < tokens->size(); ++k) {
    std::string& t = (*tokens)[k];
    if (!t.empty() && t.back() == '\r') t.pop_back();
    if (t.empty())
      return Status::InvalidArgument("--vocab " + path + ": line " + std::to_string(k + 1) + " is empty");
  }
  return Status::OK();
}

Status Convert(const ConvertOptions& options, ConvertResult* result) {
  *result = ConvertResult();
  onnx::ModelProto proto;
  HUNCH_RETURN_IF_ERROR(ReadOnnxFile(options.input_path, &proto));
  Graph g;
  for (const std::string& op : options.custom_ops) {
    if (OpResolver().Find(op.c_str()))
      return Status::InvalidArgument("--custom-op " + op + ": the name of a hunch builtin op");
    g.custom_ops.insert(op);
  }
  {
    Status s = BuildGraph(proto, Dirname(options.input_path), &g);
    if (!s.ok()) return Status(s.code(), options.input_path + ": " + s.message());
  }
  result->producer = g.producer;
  result->opset = g.opset;

  IoSpec spec;
  for (const std::string& in : options.inputs) {
    std::string name;
    std::vector<int64_t> shape;
    HUNCH_RETURN_IF_ERROR(ParseInputSpec(in, &name, &shape));
    spec.inputs.push_back(name);
    spec.input_shapes.push_back(shape);
  }
  spec.outputs = options.outputs;
  spec.states = options.states;
  Binding binding;
  HUNCH_RETURN_IF_ERROR(BindIo(&g, spec, &binding));

  InferAndFold(&g, binding);
  MarkDead(&g, binding);
  CanonicalizeLinear(&g, binding);
  FuseCells(&g, binding);

  Emitter em(&g, binding);
  Status begin = em.Begin();
  if (begin.ok())
    for (int k : EmissionOrder(g))
      if (g.nodes[k].disposition != Disposition::kUnsupported) em.EmitNode(k);

  // The report, and every problem.
  CollectReport(g, binding, result);
  if (!begin.ok()) result->errors.push_back(begin.message());

  // Metadata: vocabulary (checked against the output size), tokenizer, architecture.
  std::vector<std::pair<std::string, std::string>> metadata;
  if (!options.vocab_path.empty()) {
    std::vector<std::string> tokens;
    Status s = ReadVocabFile(options.vocab_path, &tokens);
    if (s.ok()) s = CheckVocab(tokens, g, binding, "--vocab " + options.vocab_path);
    if (!s.ok()) return s;
    std::string joined;
    for (size_t k = 0; k < tokens.size(); ++k) joined += (k ? "\n" : "") + tokens[k];
    metadata.emplace_back("vocab", joined);
  } else if (g.metadata.count("hunch.vocab")) {
    const std::string& text = g.metadata["hunch.vocab"];
    HUNCH_RETURN_IF_ERROR(
        CheckVocab(SplitLines(text), g, binding, "the vocabulary in the model (hunch.vocab)"));
    metadata.emplace_back("vocab", text);
  }
  // Every other "hunch.<name>" entry (tokenizer, architecture, and what the
  // engine reads: lexicon, surface, emoji) becomes metadata "<name>".
  for (const auto& kv : g.metadata)
    if (kv.first.rfind("hunch.", 0) == 0 && kv.first != "hunch.vocab" && kv.first.size() > 6)
      metadata.emplace_back(kv.first.substr(6), kv.second);
  // The engine's binary sections (lexicon.bin, emoji.bin), derived from the
  // text ones so that the engine reads them in place.
  {
    auto text = [&metadata](const char* name) {
      for (const auto& m : metadata)
        if (m.first == name) return std::string_view(m.second);
      return std::string_view();
    };
    std::vector<std::pair<std::string, std::string>> derived;
    Status s = engine::DeriveEngineSections(text("vocab"), text("tokenizer"), text("lexicon"), text("surface"),
                                            text("emoji"), &derived);
    if (!s.ok()) return Status(s.code(), options.input_path + ": the engine metadata: " + s.message());
    for (auto& d : derived) {
      metadata.erase(std::remove_if(metadata.begin(), metadata.end(), [&](const auto& m) { return m.first == d.first; }),
                     metadata.end());
      metadata.push_back(std::move(d));
    }
  }
  for (const auto& m : metadata) result->metadata.push_back(m.first);

  if (!result->errors.empty()) {
    size_t unsupported = 0;
    for (const NodeReport& r : result->nodes) unsupported += r.status == "unsupported";
    std::string msg = options.input_path + ": cannot convert (" + std::to_string(result->errors.size()) +
                      (result->errors.size() == 1 ? " problem" : " problems") + "):";
    for (const std::string& e : result->errors) msg += "\n  " + e;
    if (unsupported)
      msg +=
          "\nhint: rewrite the model so that these ops are not needed (export with the ops hunch supports, "
          "see "
          "docs/toolchain.md), or implement them in the app as hunch custom ops "
          "(hunch::OpResolver::AddCustom) "
          "and convert with --custom-op OPTYPE for each";
    return Status::Unsupported(msg);
  }
  {
    Status s = em.Finish();
    if (!s.ok()) return Status(s.code(), options.input_path + ": " + s.message());
  }
  ModelBuilder& mb = em.builder();
  mb.SetDescription("converted from " + Basename(options.input_path) + " by hunch convert");
  for (const auto& m : metadata) mb.AddMetadata(m.first, m.second);
  cli::JsonWriter prov;
  prov.BeginObject();
  prov.Key("tool").Value("hunch convert");
  prov.Key("source").Value(Basename(options.input_path));
  prov.Key("onnx_producer").Value(g.producer);
  prov.Key("onnx_opset").Value(static_cast<long long>(g.opset));
  prov.EndObject();
  const std::string provenance = prov.str();
  if (!g.metadata.count("hunch.provenance")) {  // the model's own provenance wins
    mb.AddMetadata("provenance", provenance);
    result->metadata.push_back("provenance");
  }
  result->hunch_ops = em.ops();
  result->model = mb.Finish();
  if (result->model.empty()) return Status::Internal("the model builder produced no bytes");

  // Load it back: what the runtime accepts is what convert writes.
  // Custom ops are checked against registrations that accept any shapes
  // (the app's own prepare checks them when it loads the model).
  OpResolver resolver;
  for (const std::string& op : options.custom_ops) {
    OpRegistration reg;
    reg.name = op.c_str();
    reg.prepare = [](OpContext*) { return Status::OK(); };
    reg.eval = [](OpContext*) {
      return Status::Internal("hunch convert's stand-in for a custom op cannot run");
    };
    if (!resolver.Find(reg.name)) resolver.AddCustom(reg);
  }
  ModelOptions mo;
  mo.resolver = &resolver;
  std::shared_ptr<const Model> model;
  Status s = Model::FromBufferCopy(result->model.data(), result->model.size(), mo, &model);
  std::unique_ptr<Interpreter> interp;
  if (s.ok()) s = Interpreter::Create(model, InterpreterOptions(), &interp);
  if (!s.ok()) {
    result->model.clear();
    return Status::Internal("the converted model does not load (a converter bug): " + s.ToString());
  }
  return Status::OK();
}

}  // namespace convert
}  // namespace hunch
