#include "tools/convert/report.h"

#include <algorithm>
#include <map>

#include "tools/json_writer.h"

namespace hunch {
namespace convert {

namespace {

const char* StatusLabel(const Graph& g, const Node& n) {
  switch (n.disposition) {
    case Disposition::kConverted: return "converted";
    case Disposition::kFolded: return "folded";
    case Disposition::kAlias: return "alias";
    case Disposition::kDead: return "dead";
    case Disposition::kUnsupported: return "unsupported";
    case Disposition::kFused: {
      const Node& into = g.nodes[n.merged_into];
      if (into.op_type == "hunch.Linear" && n.note.rfind("bias of", 0) != 0)
        return into.disposition == Disposition::kConverted ? "converted" : "unchecked";
      return "fused";
    }
    case Disposition::kPending: return "unchecked";
  }
  return "?";
}

std::string HunchTypeName(const Value& v) { return v.is_float() ? "float32" : "int32"; }

IoReport MakeIo(const Graph& g, int v) {
  IoReport r;
  const Value& val = g.values[v];
  r.name = val.name;
  r.onnx_type = OnnxTypeName(val.onnx_type);
  r.hunch_type = HunchTypeName(val);
  r.shape = val.shape;
  return r;
}

std::string Pad(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string Summary(const ConvertResult& r, bool ok) {
  std::map<std::string, int> counts;
  for (const NodeReport& n : r.nodes) counts[n.status]++;
  std::string s = std::to_string(r.nodes.size()) + " nodes:";
  bool first = true;
  for (const char* k : {"converted", "folded", "fused", "alias", "dead", "unchecked", "unsupported"}) {
    if (!counts[k] && std::string(k) != "unsupported") continue;
    s += std::string(first ? " " : ", ") + std::to_string(counts[k]) + " " + k;
    first = false;
  }
  s += ok ? "; convertible" : "; NOT convertible";
  if (ok) s += " to " + std::to_string(r.hunch_ops.size()) + " hunch ops";
  return s;
}

}  // namespace

void CollectReport(const Graph& g, const Binding& binding, ConvertResult* result) {
  for (size_t k = 0; k < g.num_onnx_nodes; ++k) {
    const Node& n = g.nodes[k];
    NodeReport r;
    r.index = static_cast<int>(k);
    r.name = n.name;
    r.op_type = n.op_type;
    r.status = StatusLabel(g, n);
    r.detail = n.note;
    if (n.disposition == Disposition::kFused && r.status == std::string("fused") && n.merged_into >= 0 &&
        g.nodes[n.merged_into].cell && g.nodes[n.merged_into].disposition == Disposition::kUnsupported)
      r.detail += " [the fused cell failed: " + g.nodes[n.merged_into].note + "]";
    result->nodes.push_back(r);
    if (n.disposition == Disposition::kUnsupported)
      result->errors.push_back("node '" + n.name + "' (" + n.op_type + "): " + n.note);
  }
  for (size_t k = g.num_onnx_nodes; k < g.nodes.size(); ++k)
    if (g.nodes[k].disposition == Disposition::kUnsupported && g.nodes[k].merged_into < 0)
      result->errors.push_back("fused node '" + g.nodes[k].name + "' (" + g.nodes[k].op_type +
                               "): " + g.nodes[k].note);
  for (int in : binding.inputs) result->inputs.push_back(MakeIo(g, in));
  for (int out : binding.outputs) result->outputs.push_back(MakeIo(g, out));
  for (const auto& s : binding.states) {
    IoReport r = MakeIo(g, s.first);
    r.next = g.values[s.second].name;
    result->states.push_back(r);
  }
}

std::string ReportText(const std::string& path, const ConvertResult& r, bool ok) {
  std::string out = path + ": ONNX opset " + std::to_string(r.opset) +
                    (r.producer.empty() ? "" : ", producer " + r.producer) + "\n";
  size_t wname = 4, wop = 7;
  for (const NodeReport& n : r.nodes) {
    wname = std::max(wname, std::min<size_t>(n.name.size(), 40));
    wop = std::max(wop, n.op_type.size());
  }
  out += "  " + Pad("#", 5) + Pad("node", wname + 2) + Pad("op", wop + 2) + Pad("status", 13) + "detail\n";
  for (const NodeReport& n : r.nodes)
    out += "  " + Pad(std::to_string(n.index), 5) + Pad(n.name, wname + 2) + Pad(n.op_type, wop + 2) +
           Pad(n.status, 13) + n.detail + "\n";
  auto io = [](const IoReport& x) {
    std::string s = x.name + " " + x.onnx_type + " " + ShapeStr(x.shape);
    if (x.onnx_type != x.hunch_type) s += " (" + x.hunch_type + " in hunch)";
    return s;
  };
  for (const IoReport& x : r.inputs) out += "input:  " + io(x) + "\n";
  for (const IoReport& x : r.states) out += "state:  " + io(x) + ", updated from " + x.next + "\n";
  for (const IoReport& x : r.outputs) out += "output: " + io(x) + "\n";
  if (ok) {
    std::string ops;
    for (const std::string& o : r.hunch_ops) ops += (ops.empty() ? "" : ", ") + o;
    out += "hunch graph: " + ops + "\n";
    std::string md;
    for (const std::string& m : r.metadata) md += (md.empty() ? "" : ", ") + m;
    if (!md.empty()) out += "metadata: " + md + "\n";
  }
  for (const std::string& e : r.errors) out += "error: " + e + "\n";
  out += "summary: " + Summary(r, ok) + "\n";
  return out;
}

std::string ReportJson(const std::string& path, const ConvertResult& r, bool ok) {
  cli::JsonWriter w;
  w.BeginObject();
  w.Key("model").Value(path);
  w.Key("opset").Value(static_cast<long long>(r.opset));
  w.Key("producer").Value(r.producer);
  w.Key("convertible").Value(ok);
  w.Key("nodes").BeginArray();
  for (const NodeReport& n : r.nodes) {
    w.BeginObject();
    w.Key("index").Value(n.index);
    w.Key("name").Value(n.name);
    w.Key("op_type").Value(n.op_type);
    w.Key("status").Value(n.status);
    w.Key("detail").Value(n.detail);
    w.EndObject();
  }
  w.EndArray();
  auto io = [&](const char* key, const std::vector<IoReport>& list) {
    w.Key(key).BeginArray();
    for (const IoReport& x : list) {
      w.BeginObject();
      w.Key("name").Value(x.name);
      w.Key("onnx_type").Value(x.onnx_type);
      w.Key("hunch_type").Value(x.hunch_type);
      w.Key("shape").BeginArray();
      for (int64_t d : x.shape) w.Value(static_cast<long long>(d));
      w.EndArray();
      if (!x.next.empty()) w.Key("updated_from").Value(x.next);
      w.EndObject();
    }
    w.EndArray();
  };
  io("inputs", r.inputs);
  io("states", r.states);
  io("outputs", r.outputs);
  w.Key("hunch_ops").BeginArray();
  for (const std::string& o : r.hunch_ops) w.Value(o);
  w.EndArray();
  w.Key("errors").BeginArray();
  for (const std::string& e : r.errors) w.Value(e);
  w.EndArray();
  std::map<std::string, int> counts;
  for (const NodeReport& n : r.nodes) counts[n.status]++;
  w.Key("counts").BeginObject();
  for (const auto& kv : counts) w.Key(kv.first).Value(kv.second);
  w.EndObject();
  w.Key("summary").Value(Summary(r, ok));
  w.EndObject();
  return w.str() + "\n";
}

}  // namespace convert
}  // namespace hunch
