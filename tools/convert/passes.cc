#include "tools/convert/passes.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <set>

#include "onnx/onnx_pb.h"
#include "tools/convert/fold.h"

namespace hunch {
namespace convert {

namespace {

constexpr int kMaxRank = 6;  // hunch's limit (include/hunch/types.h)

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The ops the emitter converts when their inputs are not all constant.
const std::set<std::string>& ConvertibleOps() {
  static const std::set<std::string> kOps = {
      "Gather",  "Gemm",      "MatMul",    "Add",        "Sub",     "Mul",    "Div",   "Neg",     "Sigmoid",
      "Tanh",    "Relu",      "Softmax",   "LogSoftmax", "Split",   "Concat", "Slice", "Reshape", "Flatten",
      "Squeeze", "Unsqueeze", "Transpose", "Identity",   "Dropout", "Cast",   "LSTM",  "GRU"};
  return kOps;
}

struct Ctx {
  Graph* g;
  Node* n;
  const Value* In(size_t k) const {
    if (k >= n->inputs.size() || n->inputs[k] < 0) return nullptr;
    return &g->values[g->Resolve(n->inputs[k])];
  }
  bool HasOut(size_t k) const { return k < n->outputs.size() && n->outputs[k] >= 0; }
  void Out(size_t k, const std::vector<int64_t>& shape, int type) {
    if (!HasOut(k)) return;
    Value& v = g->values[n->outputs[k]];
    v.shape = shape;
    v.shape_known = true;
    v.onnx_type = type;
  }
};

Status Fail(const std::string& why) { return Status::Unsupported(why); }

Status RequireFloat(const Value* v, const std::string& what) {
  if (!v) return Fail(what + " is missing");
  if (!v->is_float())
    return Fail(what + " '" + v->name + "' is " + OnnxTypeName(v->onnx_type) +
                "; hunch computes this op in float32 only");
  return Status::OK();
}

int FloatType() { return onnx::TensorProto::FLOAT; }

// An elementwise op's output type: float32 for float inputs.
Status InferBinary(Ctx& c) {
  const Value* a = c.In(0);
  const Value* b = c.In(1);
  if (!a || !b) return Fail("needs two inputs");
  HUNCH_RETURN_IF_ERROR(RequireFloat(a, "input A"));
  HUNCH_RETURN_IF_ERROR(RequireFloat(b, "input B"));
  if (c.n->op_type == "Div" && !b->constant)
    return Fail(
        "division by a non-constant tensor (hunch has no DIV op; only division by a constant becomes MUL)");
  std::vector<int64_t> shape;
  if (!BroadcastShapes(a->shape, b->shape, &shape))
    return Fail("shapes " + ShapeStr(a->shape) + " and " + ShapeStr(b->shape) + " do not broadcast");
  c.Out(0, shape, FloatType());
  return Status::OK();
}

Status InferGather(Ctx& c) {
  const Value* data = c.In(0);
  const Value* ind = c.In(1);
  if (!data || !ind) return Fail("needs data and indices");
  int64_t axis;
  if (!NormalizeAxis(AttrInt(*c.n, "axis", 0), static_cast<int64_t>(data->shape.size()), &axis))
    return Fail("axis out of range");
  Elem e;
  if (!ElemOf(ind->onnx_type, &e) || e != Elem::kInt) {
    if (!(ind->constant && ind->constant->elem == Elem::kInt)) return Fail("indices must be integers");
  }
  std::vector<int64_t> shape(data->shape.begin(), data->shape.begin() + axis);
  shape.insert(shape.end(), ind->shape.begin(), ind->shape.end());
  shape.insert(shape.end(), data->shape.begin() + axis + 1, data->shape.end());
  if (data->constant && !ind->constant) {
    // An embedding lookup: GATHER(table [V, D], ids int32).
    if (data->shape.size() != 2 || axis != 0)
      return Fail("a lookup in a constant table of shape " + ShapeStr(data->shape) + " along axis " +
                  std::to_string(axis) + " (hunch's GATHER takes a [rows, columns] table along axis 0)");
    if (!data->is_float()) return Fail("the lookup table must be floating point");
  } else if (!data->constant && ind->constant) {
    // Picks from an activation: SLICE of a contiguous ascending run of indices.
    const Tensor& t = *ind->constant;
    const int64_t dim = data->shape[axis];
    for (int64_t k = 0; k < t.size(); ++k) {
      const int64_t first = t.i[0] < 0 ? t.i[0] + dim : t.i[0];
      const int64_t id = t.i[k] < 0 ? t.i[k] + dim : t.i[k];
      if (id < 0 || id >= dim) return Fail("index " + std::to_string(t.i[k]) + " out of range");
      if (id != first + k)
        return Fail("indices that are not one ascending run (hunch converts those to SLICE)");
    }
    if (t.size() == 0) return Fail("no indices");
  } else if (!data->constant && !ind->constant) {
    return Fail("gathering from a computed tensor with computed indices (no hunch equivalent)");
  }
  c.Out(0, shape, data->constant ? FloatType() : data->onnx_type);
  if (!data->constant && data->is_float()) c.g->values[c.n->outputs[0]].onnx_type = FloatType();
  return Status::OK();
}

Status InferGemm(Ctx& c) {
  const Value* a = c.In(0);
  const Value* b = c.In(1);
  const Value* bias = c.In(2);
  HUNCH_RETURN_IF_ERROR(RequireFloat(a, "A"));
  HUNCH_RETURN_IF_ERROR(RequireFloat(b, "B"));
  if (a->shape.size() != 2 || b->shape.size() != 2) return Fail("A and B must be matrices");
  if (AttrInt(*c.n, "transA", 0)) return Fail("transA = 1 (transpose A in the model instead)");
  const bool tb = AttrInt(*c.n, "transB", 0) != 0;
  const int64_t k = a->shape[1];
  const int64_t kb = tb ? b->shape[1] : b->shape[0];
  const int64_t n = tb ? b->shape[0] : b->shape[1];
  if (k != kb) return Fail("A " + ShapeStr(a->shape) + " and B " + ShapeStr(b->shape) + " do not multiply");
  const float alpha = AttrFloat(*c.n, "alpha", 1.f), beta = AttrFloat(*c.n, "beta", 1.f);
  if (!b->constant && alpha != 1.f) return Fail("alpha != 1 with a non-constant B");
  std::vector<int64_t> out = {a->shape[0], n};
  if (bias) {
    HUNCH_RETURN_IF_ERROR(RequireFloat(bias, "C"));
    std::vector<int64_t> s;
    if (!BroadcastShapes(out, bias->shape, &s) || s != out) return Fail("C does not broadcast to the output");
    if (!bias->constant && beta != 1.f) return Fail("beta != 1 with a non-constant C");
  }
  c.Out(0, out, FloatType());
  return Status::OK();
}

Status InferMatMul(Ctx& c) {
  const Value* a = c.In(0);
  const Value* b = c.In(1);
  HUNCH_RETURN_IF_ERROR(RequireFloat(a, "A"));
  HUNCH_RETURN_IF_ERROR(RequireFloat(b, "B"));
  if (b->shape.size() != 2)
    return Fail("B " + ShapeStr(b->shape) + " is not a matrix (hunch multiplies by a [K, N] matrix)");
  if (a->shape.empty()) return Fail("A is a scalar");
  if (a->shape.back() != b->shape[0])
    return Fail("A " + ShapeStr(a->shape) + " and B " + ShapeStr(b->shape) + " do not multiply");
  std::vector<int64_t> out(a->shape.begin(), a->shape.end() - 1);
  out.push_back(b->shape[1]);
  c.Out(0, out, FloatType());
  return Status::OK();
}

Status InferSoftmax(Ctx& c) {
  const Value* x = c.In(0);
  HUNCH_RETURN_IF_ERROR(RequireFloat(x, "input"));
  const int64_t rank = static_cast<int64_t>(x->shape.size());
  if (rank == 0) return Fail("scalar input");
  int64_t axis;
  if (!NormalizeAxis(AttrInt(*c.n, "axis", c.g->opset < 13 ? 1 : -1), rank, &axis))
    return Fail("axis out of range");
  if (c.g->opset < 13) {
    // Before opset 13 the input is flattened to 2-D at `axis`: the same as
    // along one axis only when everything after it has size 1, or it is the last.
    int64_t after = 1;
    for (int64_t d = axis + 1; d < rank; ++d) after *= x->shape[d];
    if (after != 1 && axis != rank - 1)
      return Fail("opset < 13 softmax over the flattened dimensions " + std::to_string(axis) +
                  ".. (hunch: one axis)");
  }
  c.Out(0, x->shape, FloatType());
  return Status::OK();
}

Status InferSplit(Ctx& c) {
  const Value* x = c.In(0);
  if (!x) return Fail("no input");
  int64_t axis;
  if (!NormalizeAxis(AttrInt(*c.n, "axis", 0), static_cast<int64_t>(x->shape.size()), &axis))
    return Fail("axis out of range");
  std::vector<int64_t> sizes;
  Status s = SplitSizes(*c.g, *c.n, x->shape[axis], &sizes);
  if (!s.ok()) return Fail(s.message());
  for (size_t p = 0; p < sizes.size(); ++p) {
    std::vector<int64_t> shape = x->shape;
    shape[axis] = sizes[p];
    c.Out(p, shape, x->is_float() ? FloatType() : x->onnx_type);
  }
  return Status::OK();
}

Status InferConcat(Ctx& c) {
  const Value* x = c.In(0);
  if (!x) return Fail("no inputs");
  const int64_t rank = static_cast<int64_t>(x->shape.size());
  int64_t axis;
  if (!NormalizeAxis(AttrInt(*c.n, "axis", 0), rank, &axis)) return Fail("axis out of range");
  std::vector<int64_t> shape = x->shape;
  shape[axis] = 0;
  for (size_t k = 0; k < c.n->inputs.size(); ++k) {
    const Value* v = c.In(k);
    if (!v) return Fail("an input is omitted");
    if (v->is_float() != x->is_float()) return Fail("inputs of different types");
    if (static_cast<int64_t>(v->shape.size()) != rank) return Fail("inputs of different ranks");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && v->shape[d] != x->shape[d]) return Fail("input shapes differ outside the axis");
    shape[axis] += v->shape[axis];
  }
  c.Out(0, shape, x->is_float() ? FloatType() : x->onnx_type);
  return Status::OK();
}

Status InferSlice(Ctx& c) {
  const Value* x = c.In(0);
  if (!x) return Fail("no input");
  SliceSpec s;
  Status st = SliceParams(*c.g, *c.n, x->shape, &s);
  if (!st.ok()) return Fail(st.message());
  for (size_t d = 0; d < s.step.size(); ++d)
    if (s.step[d] != 1 && s.size[d] > 1)
      return Fail("steps other than 1 (hunch's SLICE takes a contiguous box)");
  c.Out(0, s.size, x->is_float() ? FloatType() : x->onnx_type);
  return Status::OK();
}

Status InferView(Ctx& c) {
  // Reshape, Flatten, Squeeze, Unsqueeze: the same shape rules as folding.
  const Value* x = c.In(0);
  if (!x) return Fail("no input");
  std::vector<int64_t> shape;
  Status s = ViewShape(*c.g, *c.n, x->shape, &shape);
  if (!s.ok()) return Fail(s.message());
  c.Out(0, shape, x->is_float() ? FloatType() : x->onnx_type);
  return Status::OK();
}

Status InferTranspose(Ctx& c) {
  const Value* x = c.In(0);
  if (!x) return Fail("no input");
  const size_t rank = x->shape.size();
  std::vector<int64_t> perm;
  if (!AttrInts(*c.n, "perm", &perm))
    for (size_t d = 0; d < rank; ++d) perm.push_back(static_cast<int64_t>(rank - 1 - d));
  if (perm.size() != rank) return Fail("perm has the wrong length");
  std::vector<int64_t> shape(rank);
  std::set<int64_t> seen;
  for (size_t d = 0; d < rank; ++d) {
    if (perm[d] < 0 || perm[d] >= static_cast<int64_t>(rank) || !seen.insert(perm[d]).second)
      return Fail("perm is not a permutation");
    shape[d] = x->shape[perm[d]];
  }
  // Moving only dimensions of size 1 keeps the memory order: a RESHAPE view.
  std::vector<int64_t> order;
  for (size_t d = 0; d < rank; ++d)
    if (x->shape[perm[d]] != 1) order.push_back(perm[d]);
  const bool view = std::is_sorted(order.begin(), order.end());
  if (!view && !(rank == 2))
    return Fail("a transpose of " + ShapeStr(x->shape) + " by " + ShapeStr(perm) +
                " that moves data (hunch's TRANSPOSE is 2-D only)");
  c.Out(0, shape, x->is_float() ? FloatType() : x->onnx_type);
  return Status::OK();
}

Status InferAlias(Ctx& c) {
  const Value* x = c.In(0);
  if (!x) return Fail("no input");
  const std::string& op = c.n->op_type;
  if (op == "Dropout") {
    if (c.HasOut(1) && !LiveConsumers(*c.g, c.n->outputs[1]).empty())
      return Fail("the dropout mask output is used");
    if (const Value* mode = c.In(2)) {
      if (!mode->constant || mode->constant->size() != 1 || mode->constant->at(0) != 0)
        return Fail("training_mode is not a constant false");
    }
  }
  if (op == "Cast") {
    Elem to;
    const int type = static_cast<int>(AttrInt(*c.n, "to", 0));
    if (!ElemOf(type, &to)) return Fail(std::string("cast to ") + OnnxTypeName(type));
    if ((to == Elem::kFloat) != x->is_float())
      return Fail(std::string("a cast from ") + OnnxTypeName(x->onnx_type) + " to " + OnnxTypeName(type) +
                  " of a computed value (hunch has no CAST op; it keeps float32 and int32)");
    if (to == Elem::kInt && type == onnx::TensorProto::BOOL) return Fail("a cast to bool");
  }
  Value& out = c.g->values[c.n->outputs[0]];
  out.alias_of = c.g->Resolve(c.n->inputs[0]);
  out.shape = x->shape;
  out.shape_known = true;
  out.onnx_type = x->onnx_type;
  c.n->disposition = Disposition::kAlias;
  c.n->note = "no op: its output is its input";
  return Status::OK();
}

Status InferRnn(Ctx& c) {
  RnnParams p;
  HUNCH_RETURN_IF_ERROR(ParseRnn(*c.g, *c.n, &p));
  const int64_t h = p.hidden, b = p.batch;
  if (p.layout1) {
    c.Out(0, {b, 1, 1, h}, FloatType());
    c.Out(1, {b, 1, h}, FloatType());
    c.Out(2, {b, 1, h}, FloatType());
  } else {
    c.Out(0, {1, 1, b, h}, FloatType());
    c.Out(1, {1, b, h}, FloatType());
    c.Out(2, {1, b, h}, FloatType());
  }
  return Status::OK();
}

Status InferNode(Graph* g, Node* n) {
  Ctx c{g, n};
  const std::string& op = n->op_type;
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") return InferBinary(c);
  if (op == "Neg" || op == "Sigmoid" || op == "Tanh" || op == "Relu") {
    const Value* x = c.In(0);
    HUNCH_RETURN_IF_ERROR(RequireFloat(x, "input"));
    c.Out(0, x->shape, FloatType());
    return Status::OK();
  }
  if (op == "Softmax" || op == "LogSoftmax") return InferSoftmax(c);
  if (op == "Gather") return InferGather(c);
  if (op == "Gemm") return InferGemm(c);
  if (op == "MatMul") return InferMatMul(c);
  if (op == "Split") return InferSplit(c);
  if (op == "Concat") return InferConcat(c);
  if (op == "Slice") return InferSlice(c);
  if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze") return InferView(c);
  if (op == "Transpose") return InferTranspose(c);
  if (op == "Identity" || op == "Dropout" || op == "Cast") return InferAlias(c);
  if (op == "LSTM" || op == "GRU") return InferRnn(c);
  return Fail("no hunch equivalent");
}

bool FullyKnown(const std::vector<int64_t>& s) {
  for (int64_t d : s)
    if (d < 0) return false;
  return true;
}

}  // namespace

std::vector<int> LiveConsumers(const Graph& g, int v) {
  v = g.Resolve(v);
  std::vector<int> out;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    if (!g.Live(static_cast<int>(k)) && g.nodes[k].disposition != Disposition::kPending) continue;
    if (g.nodes[k].merged_into >= 0) continue;
    for (int in : g.nodes[k].inputs)
      if (in >= 0 && g.Resolve(in) == v) {
        out.push_back(static_cast<int>(k));
        break;
      }
  }
  return out;
}

bool IsRoot(const Binding& b, const Graph& g, int v) {
  v = g.Resolve(v);
  for (int o : b.outputs)
    if (g.Resolve(o) == v) return true;
  for (const auto& s : b.states)
    if (g.Resolve(s.second) == v) return true;
  return false;
}

int NewConstant(Graph* g, const std::string& name, Tensor t) {
  const int id = g->AddValue(name);
  Value& v = g->values[id];
  v.onnx_type = t.onnx_type;
  v.shape = t.shape;
  v.shape_known = true;
  v.constant = std::make_shared<Tensor>(std::move(t));
  return id;
}

int TransposedConstant(Graph* g, int v) {
  v = g->Resolve(v);
  const std::string key = "T:" + std::to_string(v);
  auto it = g->derived.find(key);
  if (it != g->derived.end()) return it->second;
  const Tensor& src = *g->values[v].constant;
  Tensor t;
  t.elem = src.elem;
  t.onnx_type = src.onnx_type;
  const int64_t rows = src.shape[0], cols = src.shape[1];
  t.shape = {cols, rows};
  if (src.elem == Elem::kFloat) {
    t.f.resize(src.f.size());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = 0; k < cols; ++k) t.f[k * rows + r] = src.f[r * cols + k];
  } else {
    t.i.resize(src.i.size());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = 0; k < cols; ++k) t.i[k * rows + r] = src.i[r * cols + k];
  }
  // "model.layers.0.W_h.T" (stored transposed for MatMul) becomes "model.layers.0.W_h" again.
  const std::string& name = g->values[v].name;
  std::string out = EndsWith(name, ".T") ? name.substr(0, name.size() - 2) : name + ".T";
  const int id = NewConstant(g, out, std::move(t));
  g->derived[key] = id;
  return id;
}

Status BindIo(Graph* g, const IoSpec& spec, Binding* b) {
  *b = Binding();
  auto find = [&](const std::string& name, const char* what, int* id) -> Status {
    *id = g->Find(name);
    if (*id < 0)
      return Status::InvalidArgument(std::string(what) + " '" + name + "' is not a value of the graph");
    return Status::OK();
  };
  auto is_onnx_input = [&](int id) {
    return std::find(g->onnx_inputs.begin(), g->onnx_inputs.end(), id) != g->onnx_inputs.end();
  };
  std::set<int> state_inputs, state_outputs;
  if (!spec.states.empty()) {
    for (const auto& s : spec.states) {
      int in, out;
      HUNCH_RETURN_IF_ERROR(find(s.first, "--state input", &in));
      HUNCH_RETURN_IF_ERROR(find(s.second, "--state output", &out));
      if (!is_onnx_input(in))
        return Status::InvalidArgument("--state: '" + s.first + "' is not a graph input");
      if (!state_inputs.insert(in).second)
        return Status::InvalidArgument("--state: '" + s.first + "' is given twice");
      state_outputs.insert(out);
      b->states.emplace_back(in, out);
    }
  } else {
    for (int in : g->onnx_inputs) {
      const std::string& name = g->values[in].name;
      if (!EndsWith(name, "_in")) continue;
      const std::string out_name = name.substr(0, name.size() - 3) + "_out";
      const int out = g->Find(out_name);
      if (out < 0 || std::find(g->onnx_outputs.begin(), g->onnx_outputs.end(), out) == g->onnx_outputs.end())
        continue;
      state_inputs.insert(in);
      state_outputs.insert(out);
      b->states.emplace_back(in, out);
    }
  }
  if (!spec.inputs.empty()) {
    for (size_t k = 0; k < spec.inputs.size(); ++k) {
      int in;
      HUNCH_RETURN_IF_ERROR(find(spec.inputs[k], "--inputs", &in));
      if (!is_onnx_input(in))
        return Status::InvalidArgument("--inputs: '" + spec.inputs[k] + "' is not a graph input");
      if (state_inputs.count(in))
        return Status::InvalidArgument("--inputs: '" + spec.inputs[k] + "' is a state");
      if (std::find(b->inputs.begin(), b->inputs.end(), in) != b->inputs.end())
        return Status::InvalidArgument("--inputs: '" + spec.inputs[k] + "' is given twice");
      b->inputs.push_back(in);
      if (k < spec.input_shapes.size() && !spec.input_shapes[k].empty()) {
        g->declared_shapes[spec.inputs[k]] = spec.input_shapes[k];
        b->shapes_overridden = true;
      }
    }
    for (int in : g->onnx_inputs)
      if (!state_inputs.count(in) && std::find(b->inputs.begin(), b->inputs.end(), in) == b->inputs.end())
        return Status::InvalidArgument("graph input '" + g->values[in].name +
                                       "' is neither in --inputs nor a state (--state IN=OUT)");
  } else {
    for (int in : g->onnx_inputs)
      if (!state_inputs.count(in)) b->inputs.push_back(in);
  }
  if (!spec.outputs.empty()) {
    for (const std::string& name : spec.outputs) {
      int out;
      HUNCH_RETURN_IF_ERROR(find(name, "--outputs", &out));
      if (std::find(b->outputs.begin(), b->outputs.end(), out) != b->outputs.end())
        return Status::InvalidArgument("--outputs: '" + name + "' is given twice");
      b->outputs.push_back(out);
    }
  } else {
    for (int out : g->onnx_outputs)
      if (!state_outputs.count(out)) b->outputs.push_back(out);
  }
  if (b->outputs.empty()) return Status::InvalidArgument("the model has no outputs besides its states");

  // Shapes of the inputs and states: declared, symbolic dimensions bound to 1
  // (batch 1, one time step).
  for (int in : g->onnx_inputs) {
    Value& v = g->values[in];
    auto it = g->declared_shapes.find(v.name);
    if (it == g->declared_shapes.end())
      return Status::InvalidArgument("graph input '" + v.name +
                                     "' has no declared shape (give one with --inputs " + v.name +
                                     ":DIMS, e.g. 1x96)");
    Elem e;
    if (!ElemOf(v.onnx_type, &e))
      return Status::Unsupported("graph input '" + v.name + "' has type " + OnnxTypeName(v.onnx_type) +
                                 " (float or integer tensors only)");
    v.shape = it->second;
    for (int64_t& d : v.shape)
      if (d < 0) d = 1;
    v.shape_known = true;
  }
  for (const auto& s : b->states) {
    const Value& in = g->values[s.first];
    if (!in.is_float() && in.onnx_type != onnx::TensorProto::INT64 &&
        in.onnx_type != onnx::TensorProto::INT32)
      return Status::Unsupported("state '" + in.name + "' has type " + OnnxTypeName(in.onnx_type));
  }
  return Status::OK();
}

namespace {

// A node kept as a hunch custom op (--custom-op): its outputs take the shapes
// and types the model declares (value_info or graph outputs; symbolic
// dimensions bound to 1), since the converter cannot compute them.
Status InferCustom(Graph* g, Node* n) {
  for (int out : n->outputs) {
    if (out < 0) continue;
    Value& v = g->values[out];
    auto it = g->declared_shapes.find(v.name);
    auto ty = g->declared_types.find(v.name);
    if (it == g->declared_shapes.end() || ty == g->declared_types.end())
      return Fail("custom op output '" + v.name +
                  "' has no declared type and shape (add value_info, e.g. with "
                  "onnx.shape_inference.infer_shapes)");
    Elem e;
    if (!ElemOf(ty->second, &e))
      return Fail("custom op output '" + v.name + "' has type " + OnnxTypeName(ty->second));
    v.shape = it->second;
    for (int64_t& d : v.shape)
      if (d < 0) d = 1;
    v.shape_known = true;
    v.onnx_type = ty->second;
  }
  for (const auto& a : n->proto->attribute())
    if (a.type() == onnx::AttributeProto::TENSOR || a.type() == onnx::AttributeProto::GRAPH ||
        a.type() == onnx::AttributeProto::TENSORS || a.type() == onnx::AttributeProto::GRAPHS ||
        a.type() == onnx::AttributeProto::SPARSE_TENSOR || a.type() == onnx::AttributeProto::SPARSE_TENSORS ||
        a.type() == onnx::AttributeProto::TYPE_PROTO || a.type() == onnx::AttributeProto::TYPE_PROTOS)
      return Fail("custom op attribute '" + a.name() +
                  "' is a tensor, graph or type (numbers and strings only)");
  n->note = "custom op " + n->op_type;
  n->custom = true;
  return Status::OK();
}

}  // namespace

void InferAndFold(Graph* g, const Binding& binding) {
  (void)binding;
  for (size_t k = 0; k < g->num_onnx_nodes; ++k) {
    Node& n = g->nodes[k];
    if (g->custom_ops.count(n.op_type)) {
      Status s = InferCustom(g, &n);
      if (!s.ok()) {
        n.disposition = Disposition::kUnsupported;
        n.note = s.message();
      }
      continue;
    }
    if (!n.domain.empty() && n.domain != "ai.onnx") {
      n.disposition = Disposition::kUnsupported;
      n.note = "op of the custom domain '" + n.domain + "'";
      continue;
    }
    // Inputs whose shapes are unknown come from unsupported nodes.
    std::string blocked;
    for (int in : n.inputs)
      if (in >= 0 && !g->values[g->Resolve(in)].shape_known) blocked = g->values[g->Resolve(in)].name;
    const bool known_op = ConvertibleOps().count(n.op_type) || IsFoldable(n.op_type);
    if (!blocked.empty()) {
      if (!known_op) {
        n.disposition = Disposition::kUnsupported;
        n.note = "no hunch equivalent";
      } else {
        n.blocked = true;
        n.note = "not checked: its input '" + blocked + "' comes from an unsupported node";
      }
      for (int out : n.outputs) {
        if (out < 0) continue;
        auto it = g->declared_shapes.find(g->values[out].name);
        if (it != g->declared_shapes.end() && FullyKnown(it->second)) {
          g->values[out].shape = it->second;
          g->values[out].shape_known = true;
        }
      }
      continue;
    }
    bool all_const = true;
    for (int in : n.inputs)
      if (in >= 0 && !g->values[g->Resolve(in)].constant) all_const = false;
    const bool fold = n.op_type == "Constant" || n.op_type == "Shape" || n.op_type == "Size" ||
                      (IsFoldable(n.op_type) && all_const);
    if (fold) {
      std::vector<Tensor> outs;
      Status s = FoldNode(*g, n, &outs);
      if (s.ok()) {
        for (size_t o = 0; o < n.outputs.size(); ++o) {
          if (n.outputs[o] < 0) continue;
          Value& v = g->values[n.outputs[o]];
          v.shape = outs[o].shape;
          v.shape_known = true;
          v.onnx_type = outs[o].onnx_type;
          v.constant = std::make_shared<Tensor>(std::move(outs[o]));
        }
        n.disposition = Disposition::kFolded;
        n.note = "computed at conversion time";
        continue;
      }
      if (s.code() != StatusCode::kUnsupported || !ConvertibleOps().count(n.op_type)) {
        n.disposition = Disposition::kUnsupported;
        n.note = s.message();
        continue;
      }
    }
    if (!ConvertibleOps().count(n.op_type)) {
      n.disposition = Disposition::kUnsupported;
      n.note = IsFoldable(n.op_type)
                   ? "only constant inputs can be folded; hunch has no " + n.op_type + " op for computed ones"
                   : "no hunch equivalent";
      continue;
    }
    Status s = InferNode(g, &n);
    if (!s.ok()) {
      n.disposition = Disposition::kUnsupported;
      n.note = s.message();
      continue;
    }
    for (int out : n.outputs) {
      if (out < 0 || !g->values[out].shape_known) continue;
      const Value& v = g->values[out];
      if (v.shape.size() > static_cast<size_t>(kMaxRank)) {
        n.disposition = Disposition::kUnsupported;
        n.note = "output '" + v.name + "' " + ShapeStr(v.shape) + " has rank above 6";
      }
      for (int64_t d : v.shape)
        if (d == 0) {
          n.disposition = Disposition::kUnsupported;
          n.note = "output '" + v.name + "' " + ShapeStr(v.shape) + " is empty";
        }
      for (int64_t d : v.shape)
        if (d > INT32_MAX) {
          n.disposition = Disposition::kUnsupported;
          n.note = "output '" + v.name + "' " + ShapeStr(v.shape) + " has a dimension above 2^31";
        }
    }
  }
}

void MarkDead(Graph* g, const Binding& b) {
  std::vector<bool> needed(g->nodes.size(), false);
  std::vector<int> stack;
  for (int o : b.outputs) stack.push_back(o);
  for (const auto& s : b.states) stack.push_back(s.second);
  std::vector<bool> seen(g->values.size(), false);
  while (!stack.empty()) {
    const int v = g->Resolve(stack.back());
    stack.pop_back();
    if (v < 0 || seen[v]) continue;
    seen[v] = true;
    const int p = g->values[v].producer;
    if (p < 0 || needed[p]) continue;
    needed[p] = true;
    if (g->nodes[p].disposition == Disposition::kFolded) continue;
    for (int in : g->nodes[p].inputs)
      if (in >= 0) stack.push_back(in);
  }
  for (size_t k = 0; k < g->num_onnx_nodes; ++k) {
    Node& n = g->nodes[k];
    if (needed[k]) continue;
    if (n.disposition == Disposition::kPending || n.disposition == Disposition::kUnsupported ||
        n.disposition == Disposition::kAlias) {
      if (n.disposition == Disposition::kUnsupported)
        n.note = "unused by the outputs and states (it would be unsupported: " + n.note + ")";
      else
        n.note = "unused by the outputs and states";
      n.disposition = Disposition::kDead;
    }
  }
}

namespace {

int AddConverterNode(Graph* g, const std::string& op_type, const std::string& name, std::vector<int> inputs,
                     std::vector<int> outputs, std::vector<int> members) {
  Node n;
  n.op_type = op_type;
  n.name = name;
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  n.members = std::move(members);
  for (int m : n.members) n.order = std::max(n.order, g->nodes[m].order);
  const int id = static_cast<int>(g->nodes.size());
  for (int m : n.members) {
    g->nodes[m].disposition = Disposition::kFused;
    g->nodes[m].merged_into = id;
  }
  for (int out : n.outputs)
    if (out >= 0) g->values[out].producer = id;
  g->nodes.push_back(std::move(n));
  return id;
}

// A constant's values as a [n] vector (for a bias), scaled.
int VectorConstant(Graph* g, int v, float scale) {
  v = g->Resolve(v);
  const Tensor& src = *g->values[v].constant;
  if (src.shape.size() == 1 && scale == 1.f) return v;
  Tensor t = src;
  t.shape = {src.size()};
  for (float& x : t.f) x *= scale;
  return NewConstant(g, g->values[v].name + (scale == 1.f ? ".flat" : ".scaled"), std::move(t));
}

bool BiasLike(const Value& c, int64_t n, size_t out_rank) {
  if (!c.constant || !c.is_float() || c.constant->size() != n || c.shape.size() > out_rank) return false;
  for (size_t d = 0; d + 1 < c.shape.size(); ++d)
    if (c.shape[d] != 1) return false;
  return c.shape.empty() ? n == 1 : c.shape.back() == n;
}

}  // namespace

void CanonicalizeLinear(Graph* g, const Binding& b) {
  const size_t count = g->nodes.size();
  for (size_t k = 0; k < count; ++k) {
    if (g->nodes[k].disposition != Disposition::kPending || g->nodes[k].blocked || g->nodes[k].custom)
      continue;
    const std::string op = g->nodes[k].op_type;
    if ((op != "MatMul" && op != "Gemm") || g->nodes[k].inputs.size() < 2 || g->nodes[k].inputs[0] < 0 ||
        g->nodes[k].inputs[1] < 0 || g->nodes[k].outputs.empty() || g->nodes[k].outputs[0] < 0)
      continue;
    const Node& n = g->nodes[k];
    const Value& a = g->values[g->Resolve(n.inputs[0])];
    const Value& w = g->values[g->Resolve(n.inputs[1])];
    if (!w.constant || w.shape.size() != 2 || a.constant) continue;
    int weight = -1, bias = -1;
    if (op == "MatMul") {
      weight = TransposedConstant(g, n.inputs[1]);
    } else {
      const Node& gm = g->nodes[k];
      const bool tb = AttrInt(gm, "transB", 0) != 0;
      const float alpha = AttrFloat(gm, "alpha", 1.f), beta = AttrFloat(gm, "beta", 1.f);
      const int64_t out_n = tb ? w.shape[0] : w.shape[1];
      int c = gm.inputs.size() > 2 ? gm.inputs[2] : -1;
      if (c >= 0 && !BiasLike(g->values[g->Resolve(c)], out_n, 2)) continue;  // the emitter adds it
      weight = tb ? g->Resolve(gm.inputs[1]) : TransposedConstant(g, gm.inputs[1]);
      if (alpha != 1.f) {
        Tensor t = *g->values[weight].constant;
        for (float& x : t.f) x *= alpha;
        weight = NewConstant(g, g->values[weight].name + ".alpha", std::move(t));
      }
      if (c >= 0 && beta != 0.f) bias = VectorConstant(g, c, beta);
    }
    const Node& n2 = g->nodes[k];
    AddConverterNode(g, "hunch.Linear", n2.name, {n2.inputs[0], weight, bias}, {n2.outputs[0]},
                     {static_cast<int>(k)});
    g->nodes[k].note = "FULLY_CONNECTED";
  }
  // A constant bias added right after: FULLY_CONNECTED's own bias.
  for (size_t k = count; k < g->nodes.size(); ++k) {
    Node& lin = g->nodes[k];
    if (lin.op_type != "hunch.Linear" || lin.inputs[2] >= 0) continue;
    const int out = lin.outputs[0];
    if (IsRoot(b, *g, out)) continue;
    const std::vector<int> users = LiveConsumers(*g, out);
    if (users.size() != 1) continue;
    const Value& ov = g->values[out];
    Node& add = g->nodes[users[0]];
    if (add.op_type != "Add" || add.disposition != Disposition::kPending || add.blocked || add.custom ||
        add.inputs.size() != 2 || add.inputs[0] < 0 || add.inputs[1] < 0 || ov.shape.empty())
      continue;
    const int other = g->Resolve(add.inputs[0]) == g->Resolve(out) ? add.inputs[1] : add.inputs[0];
    if (g->Resolve(add.inputs[0]) == g->Resolve(add.inputs[1])) continue;
    const Value& cv = g->values[g->Resolve(other)];
    if (!BiasLike(cv, ov.shape.back(), ov.shape.size())) continue;
    if (g->values[add.outputs[0]].shape != ov.shape) continue;
    const int bias = VectorConstant(g, other, 1.f);
    const int add_index = users[0];
    Node& l = g->nodes[k];
    l.inputs[2] = bias;
    l.outputs[0] = g->nodes[add_index].outputs[0];
    l.members.push_back(add_index);
    l.order = std::max(l.order, g->nodes[add_index].order);
    g->values[l.outputs[0]].producer = static_cast<int>(k);
    g->nodes[add_index].disposition = Disposition::kFused;
    g->nodes[add_index].merged_into = static_cast<int>(k);
    g->nodes[add_index].note = "bias of FULLY_CONNECTED '" + l.name + "'";
  }
}

Status ParseRnn(const Graph& g, const Node& n, RnnParams* p) {
  *p = RnnParams();
  p->gru = n.op_type == "GRU";
  const int gates = p->gru ? 3 : 4;
  auto in = [&](size_t k) -> const Value* {
    if (k >= n.inputs.size() || n.inputs[k] < 0) return nullptr;
    return &g.values[g.Resolve(n.inputs[k])];
  };
  const Value* x = in(0);
  if (!x || !x->shape_known || x->shape.size() != 3) return Fail("X must be [T, B, I]");
  HUNCH_RETURN_IF_ERROR(RequireFloat(x, "X"));
  p->layout1 = AttrInt(n, "layout", 0) != 0;
  const int64_t t = p->layout1 ? x->shape[1] : x->shape[0];
  p->batch = p->layout1 ? x->shape[0] : x->shape[1];
  p->input = x->shape[2];
  if (t != 1)
    return Fail(
        "the time axis has " + std::to_string(t) +
        " steps; hunch runs one step per Invoke (export with a dynamic time axis, which is bound to 1, or "
        "give the input shape with --inputs NAME:DIMS)");
  const std::string dir = AttrString(n, "direction", "forward");
  if (dir == "bidirectional") return Fail("a bidirectional " + n.op_type + " (hunch runs forward cells)");
  if (dir != "forward" && dir != "reverse") return Fail("direction '" + dir + "'");
  if (FindAttr(n, "clip"))
    return Fail("the clip attribute (ONNX clips gate inputs; hunch's LSTM clips the cell)");
  if (FindAttr(n, "activation_alpha") || FindAttr(n, "activation_beta")) return Fail("activation parameters");
  std::vector<std::string> acts;
  if (AttrStrings(n, "activations", &acts)) {
    const std::vector<std::string> def = p->gru ? std::vector<std::string>{"sigmoid", "tanh"}
                                                : std::vector<std::string>{"sigmoid", "tanh", "tanh"};
    bool same = acts.size() == def.size();
    for (size_t k = 0; same && k < acts.size(); ++k) same = Lower(acts[k]) == def[k];
    if (!same) return Fail("activations other than the defaults");
  }
  if (!p->gru && AttrInt(n, "input_forget", 0) != 0) return Fail("input_forget = 1");
  p->linear_before_reset = AttrInt(n, "linear_before_reset", 0) != 0;
  const Value* w = in(1);
  const Value* r = in(2);
  const Value* b = in(3);
  if (!w || !w->constant || !r || !r->constant) return Fail("W and R must be constant (initializers)");
  if (w->shape.size() != 3 || w->shape[0] != 1 || w->shape[1] % gates || w->shape[2] != p->input)
    return Fail("W " + ShapeStr(w->shape) + " should be [1, " + std::to_string(gates) + "*H, " +
                std::to_string(p->input) + "]");
  p->hidden = w->shape[1] / gates;
  const int64_t h = p->hidden;
  const int64_t hidden_attr = AttrInt(n, "hidden_size", h);
  if (hidden_attr != h) return Fail("hidden_size " + std::to_string(hidden_attr) + " does not match W");
  if (r->shape != std::vector<int64_t>{1, gates * h, h})
    return Fail("R " + ShapeStr(r->shape) + " should be " + ShapeStr({1, gates * h, h}));
  if (!w->is_float() || !r->is_float()) return Fail("W and R must be floating point");
  p->w = w->constant.get();
  p->r = r->constant.get();
  if (b) {
    if (!b->constant || !b->is_float() || b->shape != std::vector<int64_t>{1, 2 * gates * h})
      return Fail("B must be a constant [1, " + std::to_string(2 * gates * h) + "]");
    p->b = b->constant.get();
  }
  if (const Value* lens = in(4)) {
    if (!lens->constant) return Fail("sequence_lens is computed (only constant lengths of 1 are supported)");
    for (int64_t k = 0; k < lens->constant->size(); ++k)
      if (lens->constant->at(k) != 1) return Fail("sequence_lens other than 1");
  }
  const std::vector<int64_t> state_shape =
      p->layout1 ? std::vector<int64_t>{p->batch, 1, h} : std::vector<int64_t>{1, p->batch, h};
  for (size_t k : {size_t{5}, size_t{6}}) {
    if (p->gru && k == 6) break;
    if (const Value* s = in(k)) {
      HUNCH_RETURN_IF_ERROR(RequireFloat(s, k == 5 ? "initial_h" : "initial_c"));
      if (s->shape != state_shape)
        return Fail(std::string(k == 5 ? "initial_h " : "initial_c ") + ShapeStr(s->shape) + " should be " +
                    ShapeStr(state_shape));
    }
  }
  if (!p->gru) {
    if (const Value* peep = in(7)) {
      if (!peep->constant || !peep->is_float() || peep->shape != std::vector<int64_t>{1, 3 * h})
        return Fail("P (peepholes) must be a constant [1, " + std::to_string(3 * h) + "]");
      p->p = peep->constant.get();
    }
  }
  if (p->gru && n.inputs.size() > 6) return Fail("too many inputs");
  return Status::OK();
}

}  // namespace convert
}  // namespace hunch
