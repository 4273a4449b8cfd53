#include "tools/convert/emit.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <queue>
#include <set>

#include "onnx/onnx_pb.h"
#include "tools/convert/fold.h"
#include "tools/json_writer.h"

namespace hunch {
namespace convert {

namespace {

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

}  // namespace

class Emitter::Impl {
 public:
  Impl(Graph* g, const Binding& b) : g_(g), b_(b) {}

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

Emitter::Emitter(Graph* g, const Binding& b) : impl_(new Impl(g, b)) {}
Emitter::~Emitter() = default;
Status Emitter::Begin() { return impl_->Begin(); }
void Emitter::EmitNode(int k) { impl_->EmitNode(k); }
Status Emitter::Finish() { return impl_->Finish(); }
ModelBuilder& Emitter::builder() { return impl_->builder(); }
const std::vector<std::string>& Emitter::ops() const { return impl_->ops(); }

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

}  // namespace convert
}  // namespace hunch
