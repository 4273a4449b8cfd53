#include "tools/convert/converter.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <queue>
#include <set>
#include <sstream>

#include "builder/model_builder.h"
#include "hunch/interpreter.h"
#include "hunch/model.h"
#include "onnx/onnx_pb.h"
#include "tools/convert/fold.h"
#include "tools/convert/onnx_ir.h"
#include "tools/convert/passes.h"
#include "tools/json_writer.h"

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

std::vector<int32_t> Dims(const std::vector<int64_t>& shape) {
  return std::vector<int32_t>(shape.begin(), shape.end());
}

// Gate blocks of `rows_per_gate` rows of a row-major [gates * rows_per_gate,
// cols] matrix, taken in `order` (source block indices).
std::vector<float> ReorderBlocks(const float* src, int64_t rows_per_gate, int64_t cols,
                                 const std::vector<int>& order) {
  std::vector<float> out;
  out.reserve(order.size() * rows_per_gate * cols);
  for (int block : order) {
    const float* p = src + block * rows_per_gate * cols;
    out.insert(out.end(), p, p + rows_per_gate * cols);
  }
  return out;
}

class Emitter {
 public:
  Emitter(Graph* g, const Binding& b) : g_(g), b_(b) {}

  ModelBuilder& builder() { return mb_; }
  const std::vector<std::string>& ops() const { return ops_; }

  // Graph inputs and state tensors first, so they exist before any node.
  Status Begin() {
    mb_.AddSubgraph("step");
    for (const auto& s : b_.states) HUNCH_RETURN_IF_ERROR(NewActivation(s.first, &tensor_[s.first]));
    for (int in : b_.inputs) HUNCH_RETURN_IF_ERROR(NewActivation(in, &tensor_[in]));
    for (int r : Roots()) {
      const int v = g_->Resolve(r);
      if (v != r && g_->values[v].producer >= 0 && !preferred_.count(v)) preferred_[v] = g_->values[r].name;
    }
    return Status::OK();
  }

  // Emits one live node; on failure records why on the node.
  void EmitNode(int k) {
    Node& n = g_->nodes[k];
    for (int in : n.inputs) {
      if (in < 0) continue;
      const int v = g_->Resolve(in);
      if (!Available(v)) {
        n.note = "not converted: its input '" + g_->values[v].name + "' comes from an unsupported node";
        failed_.insert(k);
        return;
      }
    }
    const size_t before = ops_.size();
    Status s = Emit(n);
    if (!s.ok()) {
      n.disposition = Disposition::kUnsupported;
      n.note = s.message();
      return;
    }
    if (n.disposition == Disposition::kPending) n.disposition = Disposition::kConverted;
    std::string what;
    for (size_t o = before; o < ops_.size(); ++o) what += (what.empty() ? "" : " + ") + ops_[o];
    if (n.custom) {
      n.note = "custom op " + n.op_type;
    } else if (n.cell) {
      n.note = what + " (" + n.cell->description + ")";
    } else if (n.op_type == "hunch.Linear") {
      for (int m : n.members)
        if (g_->nodes[m].note == "FULLY_CONNECTED")
          g_->nodes[m].note = what.empty() ? "FULLY_CONNECTED" : what;
    } else {
      n.note = what.empty() ? "no op (a view of its input)" : what;
    }
  }

  // Graph inputs, outputs and state pairs; then the finished file.
  Status Finish() {
    std::vector<int> ins, outs;
    for (int in : b_.inputs) ins.push_back(tensor_.at(in));
    for (int out : b_.outputs) {
      int t;
      HUNCH_RETURN_IF_ERROR(RootTensor(out, &t));
      outs.push_back(t);
    }
    for (const auto& s : b_.states) {
      const int next = g_->Resolve(s.second);
      if (next == s.first)
        return Status::InvalidArgument("state '" + g_->values[s.first].name + "' is updated from '" +
                                       g_->values[s.second].name + "', which is the state itself unchanged");
      const Value& sv = g_->values[s.first];
      const Value& nv = g_->values[next];
      if (!nv.shape_known || nv.shape != sv.shape)
        return Status::InvalidArgument("state '" + sv.name + "' " + ShapeStr(sv.shape) +
                                       " is updated from '" + g_->values[s.second].name + "' " +
                                       ShapeStr(nv.shape) + ": shapes differ");
      if (nv.is_float() != sv.is_float())
        return Status::InvalidArgument("state '" + sv.name + "' and its update '" +
                                       g_->values[s.second].name + "' differ in type");
      if (nv.constant)
        return Status::InvalidArgument("state '" + sv.name + "' is updated from '" +
                                       g_->values[s.second].name + "', a constant");
      int t;
      HUNCH_RETURN_IF_ERROR(RootTensor(s.second, &t));
      mb_.SetStateNext(tensor_.at(s.first), t);
    }
    mb_.SetInputs(ins);
    mb_.SetOutputs(outs);
    return Status::OK();
  }

  bool Failed(int k) const { return failed_.count(k) > 0; }

 private:
  struct View {
    int root;  // hunch tensor
    std::vector<int64_t> shape;
  };

  std::vector<int> Roots() const {
    std::vector<int> r = b_.outputs;
    for (const auto& s : b_.states) r.push_back(s.second);
    return r;
  }

  bool Available(int v) const {
    v = g_->Resolve(v);
    return tensor_.count(v) || views_.count(v) || g_->values[v].constant;
  }

  DType HunchType(const Value& v) const { return v.is_float() ? DType::kFloat32 : DType::kInt32; }

  std::string NameOf(int v) const {
    auto it = preferred_.find(v);
    return it != preferred_.end() ? it->second : g_->values[v].name;
  }

  Status NewActivation(int v, int* t) {
    const Value& val = g_->values[v];
    if (!val.shape_known) return Status::Internal("the shape of '" + val.name + "' is unknown");
    *t = mb_.AddTensor(NameOf(v), HunchType(val), Dims(val.shape));
    shape_[*t] = val.shape;
    return Status::OK();
  }

  // The output tensor of a node for ONNX value `v`.
  Status Output(int v, int* t) {
    HUNCH_RETURN_IF_ERROR(NewActivation(v, t));
    tensor_[v] = *t;
    return Status::OK();
  }

  // A fresh activation tensor not tied to an ONNX value.
  int Temp(const std::string& name, DType dtype, const std::vector<int64_t>& shape) {
    const int t = mb_.AddTensor(name, dtype, Dims(shape));
    shape_[t] = shape;
    return t;
  }

  Status ConstantTensor(int v, int* t) {
    const Value& val = g_->values[v];
    const Tensor& c = *val.constant;
    if (c.elem == Elem::kFloat) {
      *t = mb_.AddFloat(val.name, Dims(c.shape), c.f);
    } else {
      std::vector<int32_t> ints(c.i.size());
      for (size_t k = 0; k < c.i.size(); ++k) {
        if (c.i[k] < INT32_MIN || c.i[k] > INT32_MAX)
          return Status::Unsupported("constant '" + val.name + "' holds " + std::to_string(c.i[k]) +
                                     ", outside int32 (hunch's integer type)");
        ints[k] = static_cast<int32_t>(c.i[k]);
      }
      *t = mb_.AddInt32(val.name, Dims(c.shape), ints);
    }
    shape_[*t] = c.shape;
    for (int64_t d : c.shape)
      if (d == 0) return Status::Unsupported("constant '" + val.name + "' is empty " + ShapeStr(c.shape));
    return Status::OK();
  }

  // The hunch tensor holding value `v` (constants created on first use,
  // views materialized as one RESHAPE of their root).
  Status Get(int v, int* t) {
    v = g_->Resolve(v);
    auto it = tensor_.find(v);
    if (it != tensor_.end()) {
      *t = it->second;
      return Status::OK();
    }
    if (g_->values[v].constant) {
      HUNCH_RETURN_IF_ERROR(ConstantTensor(v, t));
      tensor_[v] = *t;
      return Status::OK();
    }
    auto vit = views_.find(v);
    if (vit != views_.end()) {
      HUNCH_RETURN_IF_ERROR(Output(v, t));
      AddOp("RESHAPE", {vit->second.root}, {*t});
      return Status::OK();
    }
    return Status::Internal("value '" + g_->values[v].name + "' was not converted");
  }

  // A graph output or state update: a tensor of its own name, written by a node.
  Status RootTensor(int r, int* t) {
    const int v = g_->Resolve(r);
    const Value& val = g_->values[v];
    const bool produced = tensor_.count(v) && !val.graph_input && !val.constant && val.producer >= 0;
    if (v == r || produced || views_.count(v)) return Get(v, t);
    // An input, state or constant passed through unchanged: a RESHAPE view of it.
    int src;
    HUNCH_RETURN_IF_ERROR(Get(v, &src));
    const Value& rv = g_->values[r];
    *t = mb_.AddTensor(rv.name, HunchType(val), Dims(val.shape));
    AddOp("RESHAPE", {src}, {*t});
    return Status::OK();
  }

  // `out` is `in` under another shape: no op unless something needs it alone.
  Status MakeView(int out, int in) {
    in = g_->Resolve(in);
    const Value& ov = g_->values[out];
    auto vit = views_.find(in);
    int root;
    if (vit != views_.end()) {
      root = vit->second.root;
    } else {
      HUNCH_RETURN_IF_ERROR(Get(in, &root));
    }
    if (shape_.count(root) && shape_[root] == ov.shape && !IsRoot(b_, *g_, out)) {
      tensor_[out] = root;  // the same tensor under the same shape
      return Status::OK();
    }
    views_[out] = View{root, ov.shape};
    return Status::OK();
  }

  // Value `v` under `shape` as a hunch tensor: its root when the shapes
  // agree, else one RESHAPE of the root (never a chain of views).
  Status ViewTo(int v, const std::vector<int64_t>& shape, const std::string& name, int* t) {
    v = g_->Resolve(v);
    int root;
    auto vit = views_.find(v);
    if (vit != views_.end()) {
      root = vit->second.root;
    } else {
      HUNCH_RETURN_IF_ERROR(Get(v, &root));
    }
    if (shape_.count(root) && shape_[root] == shape) {
      *t = root;
      return Status::OK();
    }
    *t = ViewOf(root, name, HunchType(g_->values[v]), shape);
    return Status::OK();
  }

  // A view of hunch tensor `t` (not an ONNX value) with `shape`.
  int ViewOf(int t, const std::string& name, DType dtype, const std::vector<int64_t>& shape) {
    const int out = Temp(name, dtype, shape);
    AddOp("RESHAPE", {t}, {out});
    return out;
  }

  void AddOp(const std::string& op, const std::vector<int>& in, const std::vector<int>& out,
             const OpOptions& o = OpOptions()) {
    mb_.AddOp(op, in, out, o);
    ops_.push_back(op);
  }

  int FloatConst(const std::string& name, const std::vector<int64_t>& shape, std::vector<float> values) {
    const int t = mb_.AddFloat(name, Dims(shape), values);
    shape_[t] = shape;
    return t;
  }

  Status EmitCustom(const Node& n) {
    std::vector<int> ins, outs;
    for (int in : n.inputs) {
      int t = -1;
      if (in >= 0) HUNCH_RETURN_IF_ERROR(Get(in, &t));
      ins.push_back(t);
    }
    for (int out : n.outputs) {
      int t;
      if (out < 0) return Status::Unsupported("an omitted output of a custom op");
      HUNCH_RETURN_IF_ERROR(Output(out, &t));
      outs.push_back(t);
    }
    // Attributes as one JSON object: numbers, strings and lists of them.
    cli::JsonWriter w;
    w.BeginObject();
    for (const auto& a : n.proto->attribute()) {
      w.Key(a.name());
      switch (a.type()) {
        case onnx::AttributeProto::INT: w.Value(static_cast<long long>(a.i())); break;
        case onnx::AttributeProto::FLOAT: w.Value(static_cast<double>(a.f())); break;
        case onnx::AttributeProto::STRING: w.Value(a.s()); break;
        case onnx::AttributeProto::INTS:
          w.BeginArray();
          for (int64_t v : a.ints()) w.Value(static_cast<long long>(v));
          w.EndArray();
          break;
        case onnx::AttributeProto::FLOATS:
          w.BeginArray();
          for (float v : a.floats()) w.Value(static_cast<double>(v));
          w.EndArray();
          break;
        case onnx::AttributeProto::STRINGS:
          w.BeginArray();
          for (const std::string& v : a.strings()) w.Value(v);
          w.EndArray();
          break;
        default: w.Null(); break;
      }
    }
    w.EndObject();
    OpOptions o;
    o.custom.assign(w.str().begin(), w.str().end());
    AddOp(n.op_type, ins, outs, o);
    return Status::OK();
  }

  Status Emit(Node& n) {
    const std::string& op = n.op_type;
    if (n.custom) return EmitCustom(n);
    if (op == "hunch.Linear") return EmitLinear(n);
    if (op == "hunch.LSTM" || op == "hunch.GRU") return EmitCell(n);
    if (op == "LSTM" || op == "GRU") return EmitOnnxRnn(n);
    if (op == "Add" || op == "Sub" || op == "Mul")
      return EmitBinary(n, op == "Add" ? "ADD" : op == "Sub" ? "SUB" : "MUL");
    if (op == "Div") return EmitDiv(n);
    if (op == "Neg") return EmitNeg(n);
    if (op == "Sigmoid" || op == "Tanh" || op == "Relu") {
      int x, y;
      HUNCH_RETURN_IF_ERROR(Get(n.inputs[0], &x));
      HUNCH_RETURN_IF_ERROR(Output(n.outputs[0], &y));
      AddOp(op == "Sigmoid" ? "LOGISTIC" : op == "Tanh" ? "TANH" : "RELU", {x}, {y});
      return Status::OK();
    }
    if (op == "Softmax" || op == "LogSoftmax") {
      const Value& xv = g_->values[g_->Resolve(n.inputs[0])];
      int64_t axis;
      NormalizeAxis(AttrInt(n, "axis", g_->opset < 13 ? 1 : -1), static_cast<int64_t>(xv.shape.size()),
                    &axis);
      int x, y;
      HUNCH_RETURN_IF_ERROR(Get(n.inputs[0], &x));
      HUNCH_RETURN_IF_ERROR(Output(n.outputs[0], &y));
      AddOp(op == "Softmax" ? "SOFTMAX" : "LOG_SOFTMAX", {x}, {y}, OpOptions::Axis(static_cast<int>(axis)));
      return Status::OK();
    }
    if (op == "Gather") return EmitGather(n);
    if (op == "Gemm") return EmitGemm(n);
    if (op == "MatMul") return EmitMatMul(n);
    if (op == "Split") {
      const Value& xv = g_->values[g_->Resolve(n.inputs[0])];
      int64_t axis;
      NormalizeAxis(AttrInt(n, "axis", 0), static_cast<int64_t>(xv.shape.size()), &axis);
      int x;
      HUNCH_RETURN_IF_ERROR(Get(n.inputs[0], &x));
      std::vector<int> outs;
      for (int o : n.outputs) {
        int t;
        HUNCH_RETURN_IF_ERROR(Output(o, &t));
        outs.push_back(t);
      }
      AddOp("SPLIT", {x}, outs, OpOptions::Axis(static_cast<int>(axis)));
      return Status::OK();
    }
    if (op == "Concat") {
      const Value& yv = g_->values[n.outputs[0]];
      int64_t axis;
      NormalizeAxis(AttrInt(n, "axis", 0), static_cast<int64_t>(yv.shape.size()), &axis);
      std::vector<int> ins;
      for (int in : n.inputs) {
        int t;
        HUNCH_RETURN_IF_ERROR(Get(in, &t));
        ins.push_back(t);
      }
      int y;
      HUNCH_RETURN_IF_ERROR(Output(n.outputs[0], &y));
      AddOp("CONCAT", ins, {y}, OpOptions::Axis(static_cast<int>(axis)));
      return Status::OK();
    }
    if (op == "Slice") {
      const Value& xv = g_->values[g_->Resolve(n.inputs[0])];
      SliceSpec s;
      HUNCH_RETURN_IF_ERROR(SliceParams(*g_, n, xv.shape, &s));
      if (s.size == xv.shape) return MakeView(n.outputs[0], n.inputs[0]);
      int x, y;
      HUNCH_RETURN_IF_ERROR(Get(n.inputs[0], &x));
      HUNCH_RETURN_IF_ERROR(Output(n.outputs[0], &y));
      OpOptions o;
      o.kind = OpOptions::kSlice;
      o.begin.assign(s.begin.begin(), s.begin.end());
      AddOp("SLICE", {x}, {y}, o);
      return Status::OK();
    }
    if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze") {
      return MakeView(n.outputs[0], n.inputs[0]);
    }
    if (op == "Transpose") {
      const Value& xv = g_->values[g_->Resolve(n.inputs[0])];
      std::vector<int64_t> perm;
      const size_t rank = xv.shape.size();
      if (!AttrInts(n, "perm", &perm))
        for (size_t d = 0; d < rank; ++d) perm.push_back(static_cast<int64_t>(rank - 1 - d));
      std::vector<int64_t> order;
      for (size_t d = 0; d < rank; ++d)
        if (xv.shape[perm[d]] != 1) order.push_back(perm[d]);
      if (std::is_sorted(order.begin(), order.end())) return MakeView(n.outputs[0], n.inputs[0]);
      int x, y;
      HUNCH_RETURN_IF_ERROR(Get(n.inputs[0], &x));
      HUNCH_RETURN_IF_ERROR(Output(n.outputs[0], &y));
      AddOp("TRANSPOSE", {x}, {y});
      return Status::OK();
    }
    return Status::Unsupported("no hunch equivalent");
  }

  Status EmitBinary(const Node& n, const char* hop) {
    int a, b, y;
    HUNCH_RETURN_IF_ERROR(Get(n.inputs[0], &a));
    HUNCH_RETURN_IF_ERROR(Get(n.inputs[1], &b));
    HUNCH_RETURN_IF_ERROR(Output(n.outputs[0], &y));
    AddOp(hop, {a, b}, {y});
    return Status::OK();
  }

  Status EmitDiv(const Node& n) {
    // x / c == x * (1 / c) up to one rounding of the reciprocal.
    const Value& c = g_->values[g_->Resolve(n.inputs[1])];
    std::vector<float> inv(c.constant->f);
    for (float& v : inv) v = 1.f / v;
    const int r = FloatConst(c.name + ".reciprocal", c.shape, inv);
    int a, y;
    HUNCH_RETURN_IF_ERROR(Get(n.inputs[0], &a));
    HUNCH_RETURN_IF_ERROR(Output(n.outputs[0], &y));
    AddOp("MUL", {a, r}, {y});
    return Status::OK();
  }

  Status EmitNeg(const Node& n) {
    if (minus_one_ < 0) minus_one_ = FloatConst("minus_one", {1}, {-1.f});
    int a, y;
    HUNCH_RETURN_IF_ERROR(Get(n.inputs[0], &a));
    HUNCH_RETURN_IF_ERROR(Output(n.outputs[0], &y));
    AddOp("MUL", {a, minus_one_}, {y});
    return Status::OK();
  }

  Status EmitGather(const Node& n) {
    const Value& data = g_->values[g_->Resolve(n.inputs[0])];
    const Value& ind = g_->values[g_->Resolve(n.inputs[1])];
    if (data.constant) {
      int table, ids, y;
      HUNCH_RETURN_IF_ERROR(Get(n.inputs[0], &table));
      HUNCH_RETURN_IF_ERROR(Get(n.inputs[1], &ids));
      HUNCH_RETURN_IF_ERROR(Output(n.outputs[0], &y));
      AddOp("GATHER", {table, ids}, {y});
      return Status::OK();
    }
    // A contiguous run of constant indices: SLICE, then a view to the ONNX shape.
    int64_t axis;
    NormalizeAxis(AttrInt(n, "axis", 0), static_cast<int64_t>(data.shape.size()), &axis);
    const Tensor& t = *ind.constant;
    const int64_t first = t.i[0] < 0 ? t.i[0] + data.shape[axis] : t.i[0];
    std::vector<int64_t> sliced = data.shape;
    sliced[axis] = t.size();
    OpOptions o;
    o.kind = OpOptions::kSlice;
    o.begin.assign(data.shape.size(), 0);
    o.begin[axis] = static_cast<int32_t>(first);
    int x, y;
    HUNCH_RETURN_IF_ERROR(Get(n.inputs[0], &x));
    const Value& out = g_->values[n.outputs[0]];
    if (sliced == out.shape) {
      HUNCH_RETURN_IF_ERROR(Output(n.outputs[0], &y));
      AddOp("SLICE", {x}, {y}, o);
      return Status::OK();
    }
    const int tmp = Temp(out.name + ".slice", HunchType(data), sliced);
    AddOp("SLICE", {x}, {tmp}, o);
    views_[n.outputs[0]] = View{tmp, out.shape};
    return Status::OK();
  }

  Status EmitLinear(const Node& n) {
    int x, w, y, bias = -1;
    HUNCH_RETURN_IF_ERROR(Get(n.inputs[0], &x));
    HUNCH_RETURN_IF_ERROR(Get(n.inputs[1], &w));
    if (n.inputs[2] >= 0) HUNCH_RETURN_IF_ERROR(Get(n.inputs[2], &bias));
    HUNCH_RETURN_IF_ERROR(Output(n.outputs[0], &y));
    AddOp("FULLY_CONNECTED", {x, w, bias}, {y});
    return Status::OK();
  }

  // Gemm that CanonicalizeLinear left: a non-constant B, or a C that is not a bias vector.
  Status EmitGemm(const Node& n) {
    const Value& bv = g_->values[g_->Resolve(n.inputs[1])];
    const bool tb = AttrInt(n, "transB", 0) != 0;
    const float alpha = AttrFloat(n, "alpha", 1.f), beta = AttrFloat(n, "beta", 1.f);
    const Value& yv = g_->values[n.outputs[0]];
    const bool has_c = n.inputs.size() > 2 && n.inputs[2] >= 0 && beta != 0.f;
    int a, prod;
    HUNCH_RETURN_IF_ERROR(Get(n.inputs[0], &a));
    prod = has_c ? Temp(yv.name + ".ab", DType::kFloat32, yv.shape) : -1;
    if (!has_c) HUNCH_RETURN_IF_ERROR(Output(n.outputs[0], &prod));
    if (bv.constant) {
      int w = tb ? g_->Resolve(n.inputs[1]) : TransposedConstant(g_, n.inputs[1]);
      if (alpha != 1.f) {
        Tensor t = *g_->values[w].constant;
        for (float& v : t.f) v *= alpha;
        w = NewConstant(g_, g_->values[w].name + ".alpha", std::move(t));
      }
      int wt;
      HUNCH_RETURN_IF_ERROR(Get(w, &wt));
      AddOp("FULLY_CONNECTED", {a, wt, -1}, {prod});
    } else {
      int b;
      HUNCH_RETURN_IF_ERROR(Get(n.inputs[1], &b));
      if (tb) {
        const int bt = Temp(bv.name + ".T", DType::kFloat32, {bv.shape[1], bv.shape[0]});
        AddOp("TRANSPOSE", {b}, {bt});
        b = bt;
      }
      AddOp("MATMUL", {a, b}, {prod});
    }
    if (has_c) {
      const Value& cv = g_->values[g_->Resolve(n.inputs[2])];
      int c;
      if (cv.constant && beta != 1.f) {
        std::vector<float> scaled(cv.constant->f);
        for (float& v : scaled) v *= beta;
        c = FloatConst(cv.name + ".beta", cv.shape, scaled);
      } else {
        HUNCH_RETURN_IF_ERROR(Get(n.inputs[2], &c));
      }
      int y;
      HUNCH_RETURN_IF_ERROR(Output(n.outputs[0], &y));
      AddOp("ADD", {prod, c}, {y});
    }
    return Status::OK();
  }

  Status EmitMatMul(const Node& n) {
    const Value& bv = g_->values[g_->Resolve(n.inputs[1])];
    int a, b, y;
    HUNCH_RETURN_IF_ERROR(Get(n.inputs[0], &a));
    if (bv.constant) {
      HUNCH_RETURN_IF_ERROR(Get(TransposedConstant(g_, n.inputs[1]), &b));
      HUNCH_RETURN_IF_ERROR(Output(n.outputs[0], &y));
      AddOp("FULLY_CONNECTED", {a, b, -1}, {y});
      return Status::OK();
    }
    HUNCH_RETURN_IF_ERROR(Get(n.inputs[1], &b));
    HUNCH_RETURN_IF_ERROR(Output(n.outputs[0], &y));
    AddOp("MATMUL", {a, b}, {y});
    return Status::OK();
  }

  Status EmitCell(const Node& n) {
    const CellInfo& c = *n.cell;
    auto get = [&](int v, int* t) -> Status {
      *t = -1;
      return v < 0 ? Status::OK() : Get(v, t);
    };
    int x, h, w_x, w_h, bias;
    HUNCH_RETURN_IF_ERROR(get(c.x, &x));
    HUNCH_RETURN_IF_ERROR(get(c.h_prev, &h));
    HUNCH_RETURN_IF_ERROR(get(c.w_x, &w_x));
    HUNCH_RETURN_IF_ERROR(get(c.w_h, &w_h));
    HUNCH_RETURN_IF_ERROR(get(c.bias, &bias));
    if (c.kind == CellInfo::kGru) {
      int b_h, h_out;
      HUNCH_RETURN_IF_ERROR(get(c.b_h, &b_h));
      HUNCH_RETURN_IF_ERROR(Output(c.h_out, &h_out));
      OpOptions o;
      o.kind = OpOptions::kGru;
      o.linear_before_reset = c.linear_before_reset;
      AddOp("GRU", {x, h, w_x, w_h, bias, b_h}, {h_out}, o);
      return Status::OK();
    }
    int cs, pi, pf, po, wp, bp, h_out, c_out;
    HUNCH_RETURN_IF_ERROR(get(c.c_prev, &cs));
    HUNCH_RETURN_IF_ERROR(get(c.peep_i, &pi));
    HUNCH_RETURN_IF_ERROR(get(c.peep_f, &pf));
    HUNCH_RETURN_IF_ERROR(get(c.peep_o, &po));
    HUNCH_RETURN_IF_ERROR(get(c.w_proj, &wp));
    HUNCH_RETURN_IF_ERROR(get(c.b_proj, &bp));
    HUNCH_RETURN_IF_ERROR(Output(c.h_out, &h_out));
    HUNCH_RETURN_IF_ERROR(Output(c.c_out, &c_out));
    OpOptions o;
    o.kind = OpOptions::kLstm;
    o.cifg = c.cifg;
    AddOp("LSTM", {x, h, cs, w_x, w_h, bias, pi, pf, po, wp, bp, -1, -1, -1, -1}, {h_out, c_out}, o);
    return Status::OK();
  }

  // ONNX LSTM / GRU with one time step: hunch's cell on [B, I] rows; the
  // ONNX outputs Y [1, 1, B, H], Y_h and Y_c [1, B, H] are views of its h and c.
  Status EmitOnnxRnn(const Node& n) {
    RnnParams p;
    HUNCH_RETURN_IF_ERROR(ParseRnn(*g_, n, &p));
    const int64_t H = p.hidden, B = p.batch, I = p.input;
    const std::string base = n.name;
    int x;
    HUNCH_RETURN_IF_ERROR(ViewTo(n.inputs[0], {B, I}, base + ".x", &x));
    auto state_in = [&](size_t k, const char* what, int* t) -> Status {
      if (k < n.inputs.size() && n.inputs[k] >= 0) {
        HUNCH_RETURN_IF_ERROR(ViewTo(n.inputs[k], {B, H}, base + "." + what, t));
      } else {
        *t = FloatConst(base + "." + what + ".zeros", {B, H},
                        std::vector<float>(static_cast<size_t>(B * H), 0.f));
      }
      return Status::OK();
    };
    int h_prev, c_prev = -1;
    HUNCH_RETURN_IF_ERROR(state_in(5, "h0", &h_prev));
    if (!p.gru) HUNCH_RETURN_IF_ERROR(state_in(6, "c0", &c_prev));
    const int gates = p.gru ? 3 : 4;
    // ONNX gate order: LSTM i, o, f, c; GRU z, r, h. hunch: LSTM i, f, g, o; GRU r, z, n.
    const std::vector<int> order = p.gru ? std::vector<int>{1, 0, 2} : std::vector<int>{0, 2, 3, 1};
    const int w_x = FloatConst(base + ".W_x", {gates * H, I}, ReorderBlocks(p.w->f.data(), H, I, order));
    const int w_h = FloatConst(base + ".W_h", {gates * H, H}, ReorderBlocks(p.r->f.data(), H, H, order));
    int bias = -1, b_h = -1;
    const int h_t = Temp(base + ".h", DType::kFloat32, {B, H});
    std::vector<int> outs = {h_t};
    if (p.gru) {
      if (p.b) {
        bias = FloatConst(base + ".b_x", {3 * H}, ReorderBlocks(p.b->f.data(), H, 1, order));
        b_h = FloatConst(base + ".b_h", {3 * H}, ReorderBlocks(p.b->f.data() + 3 * H, H, 1, order));
      }
      OpOptions o;
      o.kind = OpOptions::kGru;
      o.linear_before_reset = p.linear_before_reset;
      AddOp("GRU", {x, h_prev, w_x, w_h, bias, b_h}, outs, o);
    } else {
      if (p.b) {
        std::vector<float> sum(static_cast<size_t>(4 * H));
        for (int64_t k = 0; k < 4 * H; ++k) sum[k] = p.b->f[k] + p.b->f[4 * H + k];
        bias = FloatConst(base + ".bias", {4 * H}, ReorderBlocks(sum.data(), H, 1, order));
      }
      int pi = -1, pf = -1, po = -1;
      if (p.p) {
        // ONNX peepholes i, o, f.
        const float* pp = p.p->f.data();
        pi = FloatConst(base + ".peephole_i", {H}, std::vector<float>(pp, pp + H));
        po = FloatConst(base + ".peephole_o", {H}, std::vector<float>(pp + H, pp + 2 * H));
        pf = FloatConst(base + ".peephole_f", {H}, std::vector<float>(pp + 2 * H, pp + 3 * H));
      }
      outs.push_back(Temp(base + ".c", DType::kFloat32, {B, H}));
      OpOptions o;
      o.kind = OpOptions::kLstm;
      AddOp("LSTM", {x, h_prev, c_prev, w_x, w_h, bias, pi, pf, po, -1, -1, -1, -1, -1, -1}, outs, o);
    }
    // Y, Y_h (views of h) and Y_c (a view of c).
    for (size_t k = 0; k < n.outputs.size() && k < 3; ++k) {
      if (n.outputs[k] < 0) continue;
      const int src = k == 2 ? outs[1] : outs[0];
      views_[n.outputs[k]] = View{src, g_->values[n.outputs[k]].shape};
    }
    return Status::OK();
  }

  Graph* g_;
  const Binding& b_;
  ModelBuilder mb_;
  std::map<int, int> tensor_;                  // value -> hunch tensor
  std::map<int, View> views_;                  // value -> a view of a hunch tensor
  std::map<int, std::vector<int64_t>> shape_;  // hunch tensor -> shape
  std::map<int, std::string> preferred_;
  std::set<int> failed_;
  std::vector<std::string> ops_;
  int minus_one_ = -1;
};

// Live nodes in an order where every node follows the producers of its
// inputs, otherwise in the ONNX order.
std::vector<int> EmissionOrder(const Graph& g) {
  std::vector<int> live;
  for (size_t k = 0; k < g.nodes.size(); ++k)
    if (g.Live(static_cast<int>(k)) && g.nodes[k].merged_into < 0) live.push_back(static_cast<int>(k));
  std::map<int, std::vector<int>> users;
  std::map<int, int> pending;
  for (int k : live) {
    std::set<int> deps;
    for (int in : g.nodes[k].inputs) {
      if (in < 0) continue;
      const int p = g.values[g.Resolve(in)].producer;
      if (p >= 0 && p != k && g.Live(p) && g.nodes[p].merged_into < 0) deps.insert(p);
    }
    pending[k] = static_cast<int>(deps.size());
    for (int d : deps) users[d].push_back(k);
  }
  using Item = std::pair<std::pair<int, int>, int>;  // ((order, index), node)
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> ready;
  for (int k : live)
    if (pending[k] == 0) ready.push({{g.nodes[k].order, k}, k});
  std::vector<int> out;
  while (!ready.empty()) {
    const int k = ready.top().second;
    ready.pop();
    out.push_back(k);
    for (int u : users[k])
      if (--pending[u] == 0) ready.push({{g.nodes[u].order, u}, u});
  }
  return out;
}

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
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::IOError("--vocab " + path + ": " + std::strerror(errno));
  std::stringstream ss;
  ss << f.rdbuf();
  std::string text = ss.str();
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
  struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
  };
  const size_t size = result->model.size();
  std::unique_ptr<void, FreeDeleter> aligned(std::aligned_alloc(kBufferAlignment, (size + 63) / 64 * 64));
  if (!aligned) return Status::ResourceExhausted("out of memory");
  std::memcpy(aligned.get(), result->model.data(), size);
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
  Status s = Model::FromBuffer(aligned.get(), size, mo, &model);
  std::unique_ptr<Interpreter> interp;
  if (s.ok()) s = Interpreter::Create(model, InterpreterOptions(), &interp);
  if (!s.ok()) {
    result->model.clear();
    return Status::Internal("the converted model does not load (a converter bug): " + s.ToString());
  }
  return Status::OK();
}

namespace {

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
