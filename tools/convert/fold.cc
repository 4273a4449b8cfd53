#include "tools/convert/fold.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <functional>
#include <set>

#include "onnx/onnx_pb.h"

namespace hunch {
namespace convert {

namespace {

// Folded tensors are meant for shape arithmetic and small constant
// subgraphs; anything larger than this is left to the runtime.
constexpr int64_t kMaxFoldElements = int64_t{1} << 24;

Status Bad(const Node& n, const std::string& why) {
  return Status::InvalidArgument(n.op_type + " node '" + n.name + "': " + why);
}

Tensor MakeLike(Elem elem, int onnx_type, const std::vector<int64_t>& shape) {
  Tensor t;
  t.elem = elem;
  t.onnx_type = onnx_type;
  t.shape = shape;
  const int64_t n = NumElements(shape);
  if (elem == Elem::kFloat)
    t.f.assign(static_cast<size_t>(n), 0.f);
  else
    t.i.assign(static_cast<size_t>(n), 0);
  return t;
}

std::vector<int64_t> Strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (int k = static_cast<int>(shape.size()) - 2; k >= 0; --k) s[k] = s[k + 1] * shape[k + 1];
  return s;
}

// Flat index into a tensor of shape `in` (right-aligned to `out`'s rank,
// broadcast along dimensions of size 1) for the multi-index `idx` of `out`.
int64_t BroadcastIndex(const std::vector<int64_t>& idx, const std::vector<int64_t>& in) {
  const size_t off = idx.size() - in.size();
  int64_t flat = 0;
  for (size_t d = 0; d < in.size(); ++d) flat = flat * in[d] + (in[d] == 1 ? 0 : idx[off + d]);
  return flat;
}

bool Next(std::vector<int64_t>* idx, const std::vector<int64_t>& shape) {
  for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
    if (++(*idx)[d] < shape[d]) return true;
    (*idx)[d] = 0;
  }
  return false;
}

// A constant's values as int64 (shape arguments); false for float tensors.
bool Ints(const Tensor* t, std::vector<int64_t>* out) {
  if (!t || t->elem != Elem::kInt) return false;
  *out = t->i;
  return true;
}

Tensor Scalar(Elem e, int type, double v) {
  Tensor t = MakeLike(e, type, {});
  if (e == Elem::kFloat)
    t.f[0] = static_cast<float>(v);
  else
    t.i[0] = static_cast<int64_t>(v);
  return t;
}

Status TensorFromAttr(const Node& n, Tensor* out) {
  const onnx::AttributeProto* a;
  if ((a = FindAttr(n, "value")) && a->has_t()) return DecodeTensor(a->t(), "", out);
  if ((a = FindAttr(n, "value_float"))) {
    *out = Scalar(Elem::kFloat, onnx::TensorProto::FLOAT, a->f());
    return Status::OK();
  }
  if ((a = FindAttr(n, "value_int"))) {
    *out = Scalar(Elem::kInt, onnx::TensorProto::INT64, static_cast<double>(a->i()));
    out->i[0] = a->i();
    return Status::OK();
  }
  if ((a = FindAttr(n, "value_floats"))) {
    *out = MakeLike(Elem::kFloat, onnx::TensorProto::FLOAT, {a->floats_size()});
    for (int k = 0; k < a->floats_size(); ++k) out->f[k] = a->floats(k);
    return Status::OK();
  }
  if ((a = FindAttr(n, "value_ints"))) {
    *out = MakeLike(Elem::kInt, onnx::TensorProto::INT64, {a->ints_size()});
    for (int k = 0; k < a->ints_size(); ++k) out->i[k] = a->ints(k);
    return Status::OK();
  }
  return Bad(n, "no value attribute this converter reads (value, value_float(s), value_int(s))");
}

double ApplyBinary(const std::string& op, double a, double b, bool is_int, bool* ok) {
  *ok = true;
  if (op == "Add") return a + b;
  if (op == "Sub") return a - b;
  if (op == "Mul") return a * b;
  if (op == "Div") {
    if (is_int) {
      if (b == 0) {
        *ok = false;
        return 0;
      }
      return static_cast<double>(static_cast<int64_t>(a) / static_cast<int64_t>(b));
    }
    return a / b;
  }
  if (op == "Pow") return std::pow(a, b);
  if (op == "Min") return std::min(a, b);
  if (op == "Max") return std::max(a, b);
  if (op == "Equal") return a == b;
  if (op == "Less") return a < b;
  if (op == "Greater") return a > b;
  if (op == "And") return (a != 0) && (b != 0);
  if (op == "Or") return (a != 0) || (b != 0);
  if (op == "Mod") {
    if (b == 0) {
      *ok = false;
      return 0;
    }
    return is_int ? static_cast<double>(static_cast<int64_t>(a) % static_cast<int64_t>(b)) : std::fmod(a, b);
  }
  *ok = false;
  return 0;
}

bool IsComparison(const std::string& op) {
  return op == "Equal" || op == "Less" || op == "Greater" || op == "And" || op == "Or";
}

Status FoldBinary(const Node& n, const Tensor& a, const Tensor& b, Tensor* out) {
  std::vector<int64_t> shape;
  if (!BroadcastShapes(a.shape, b.shape, &shape))
    return Bad(n, "shapes " + ShapeStr(a.shape) + " and " + ShapeStr(b.shape) + " do not broadcast");
  if (NumElements(shape) > kMaxFoldElements) return Status::Unsupported("too large to fold");
  const bool is_int = a.elem == Elem::kInt && b.elem == Elem::kInt;
  if (a.elem != b.elem && !IsComparison(n.op_type) && n.op_type != "Pow")
    return Bad(n, "inputs of different types (" + std::string(OnnxTypeName(a.onnx_type)) + ", " +
                      OnnxTypeName(b.onnx_type) + ")");
  const bool cmp = IsComparison(n.op_type);
  *out = cmp ? MakeLike(Elem::kInt, onnx::TensorProto::BOOL, shape) : MakeLike(a.elem, a.onnx_type, shape);
  std::vector<int64_t> idx(shape.size(), 0);
  if (NumElements(shape) == 0) return Status::OK();
  int64_t k = 0;
  do {
    bool ok;
    const double v = ApplyBinary(n.op_type, a.at(BroadcastIndex(idx, a.shape)),
                                 b.at(BroadcastIndex(idx, b.shape)), is_int, &ok);
    if (!ok) return Bad(n, "integer division by zero");
    if (out->elem == Elem::kFloat)
      out->f[k] = static_cast<float>(v);
    else
      out->i[k] = static_cast<int64_t>(v);
    ++k;
  } while (Next(&idx, shape));
  return Status::OK();
}

Status FoldUnary(const Node& n, const Tensor& x, Tensor* out) {
  const std::string& op = n.op_type;
  *out = x;
  if (op == "Not") {
    if (x.elem != Elem::kInt) return Bad(n, "Not of a float tensor");
    for (int64_t& v : out->i) v = v == 0;
    return Status::OK();
  }
  if (x.elem == Elem::kInt) {
    if (op == "Neg") {
      for (int64_t& v : out->i) v = -v;
    } else if (op == "Abs") {
      for (int64_t& v : out->i) v = v < 0 ? -v : v;
    } else if (op == "Relu") {
      for (int64_t& v : out->i) v = v < 0 ? 0 : v;
    } else if (op == "Floor" || op == "Ceil") {
    } else {
      return Bad(n, "folding " + op + " of an integer tensor is not supported");
    }
    return Status::OK();
  }
  std::function<float(float)> fn;
  if (op == "Neg")
    fn = [](float v) { return -v; };
  else if (op == "Abs")
    fn = [](float v) { return std::fabs(v); };
  else if (op == "Sqrt")
    fn = [](float v) { return std::sqrt(v); };
  else if (op == "Exp")
    fn = [](float v) { return std::exp(v); };
  else if (op == "Log")
    fn = [](float v) { return std::log(v); };
  else if (op == "Reciprocal")
    fn = [](float v) { return 1.f / v; };
  else if (op == "Floor")
    fn = [](float v) { return std::floor(v); };
  else if (op == "Ceil")
    fn = [](float v) { return std::ceil(v); };
  else if (op == "Relu")
    fn = [](float v) { return v > 0.f ? v : 0.f; };
  else if (op == "Sigmoid")
    fn = [](float v) { return 1.f / (1.f + std::exp(-v)); };
  else if (op == "Tanh")
    fn = [](float v) { return std::tanh(v); };
  else
    return Status::Unsupported("no evaluator for " + op);
  for (float& v : out->f) v = fn(v);
  return Status::OK();
}

Status FoldCast(const Node& n, const Tensor& x, Tensor* out) {
  const int to = static_cast<int>(AttrInt(n, "to", 0));
  Elem e;
  if (!ElemOf(to, &e)) return Bad(n, std::string("cast to ") + OnnxTypeName(to) + " is not supported");
  *out = MakeLike(e, to, x.shape);
  for (int64_t k = 0; k < x.size(); ++k) {
    if (e == Elem::kFloat) {
      out->f[k] = static_cast<float>(x.at(k));
    } else if (to == onnx::TensorProto::BOOL) {
      out->i[k] = x.at(k) != 0;
    } else {
      const double v = x.at(k);
      if (!std::isfinite(v) || std::fabs(v) > 9.2e18)
        return Bad(n, "cast of a non-finite or huge value to an integer");
      out->i[k] = static_cast<int64_t>(v);  // truncation toward zero, as C and ONNX Runtime
    }
  }
  return Status::OK();
}

Status FoldGather(const Node& n, const Tensor& data, const Tensor& ind, Tensor* out) {
  int64_t axis;
  const int64_t rank = static_cast<int64_t>(data.shape.size());
  if (!NormalizeAxis(AttrInt(n, "axis", 0), rank, &axis)) return Bad(n, "axis out of range");
  if (ind.elem != Elem::kInt) return Bad(n, "indices must be integers");
  std::vector<int64_t> shape(data.shape.begin(), data.shape.begin() + axis);
  shape.insert(shape.end(), ind.shape.begin(), ind.shape.end());
  shape.insert(shape.end(), data.shape.begin() + axis + 1, data.shape.end());
  if (NumElements(shape) > kMaxFoldElements) return Status::Unsupported("too large to fold");
  *out = MakeLike(data.elem, data.onnx_type, shape);
  const int64_t dim = data.shape[axis];
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= data.shape[d];
  for (int64_t d = axis + 1; d < rank; ++d) inner *= data.shape[d];
  const int64_t ni = ind.size();
  for (int64_t j = 0; j < ni; ++j) {
    int64_t id = ind.i[j];
    if (id < 0) id += dim;
    if (id < 0 || id >= dim)
      return Bad(n, "index " + std::to_string(ind.i[j]) + " is out of range for a dimension of " +
                        std::to_string(dim));
  }
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < ni; ++j) {
      int64_t id = ind.i[j] < 0 ? ind.i[j] + dim : ind.i[j];
      for (int64_t k = 0; k < inner; ++k) {
        const int64_t src = (o * dim + id) * inner + k, dst = (o * ni + j) * inner + k;
        if (data.elem == Elem::kFloat)
          out->f[dst] = data.f[src];
        else
          out->i[dst] = data.i[src];
      }
    }
  return Status::OK();
}

Status FoldConcat(const Graph& g, const Node& n, Tensor* out) {
  std::vector<const Tensor*> ins;
  for (size_t k = 0; k < n.inputs.size(); ++k) ins.push_back(ConstInput(g, n, k));
  if (ins.empty() || !ins[0]) return Bad(n, "no inputs");
  const int64_t rank = static_cast<int64_t>(ins[0]->shape.size());
  int64_t axis;
  if (!NormalizeAxis(AttrInt(n, "axis", 0), rank, &axis)) return Bad(n, "axis out of range");
  std::vector<int64_t> shape = ins[0]->shape;
  shape[axis] = 0;
  for (const Tensor* t : ins) {
    if (t->shape.size() != static_cast<size_t>(rank) || t->elem != ins[0]->elem)
      return Bad(n, "inputs differ in rank or type");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && t->shape[d] != ins[0]->shape[d]) return Bad(n, "input shapes differ outside the axis");
    shape[axis] += t->shape[axis];
  }
  *out = MakeLike(ins[0]->elem, ins[0]->onnx_type, shape);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
  for (int64_t d = axis + 1; d < rank; ++d) inner *= shape[d];
  int64_t dst = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor* t : ins) {
      const int64_t chunk = t->shape[axis] * inner;
      for (int64_t k = 0; k < chunk; ++k, ++dst) {
        if (out->elem == Elem::kFloat)
          out->f[dst] = t->f[o * chunk + k];
        else
          out->i[dst] = t->i[o * chunk + k];
      }
    }
  return Status::OK();
}

Status FoldTranspose(const Node& n, const Tensor& x, Tensor* out) {
  const size_t rank = x.shape.size();
  std::vector<int64_t> perm;
  if (!AttrInts(n, "perm", &perm)) {
    for (size_t d = 0; d < rank; ++d) perm.push_back(static_cast<int64_t>(rank - 1 - d));
  }
  if (perm.size() != rank) return Bad(n, "perm has the wrong length");
  std::vector<int64_t> shape(rank);
  std::set<int64_t> seen;
  for (size_t d = 0; d < rank; ++d) {
    if (perm[d] < 0 || perm[d] >= static_cast<int64_t>(rank) || !seen.insert(perm[d]).second)
      return Bad(n, "perm is not a permutation");
    shape[d] = x.shape[perm[d]];
  }
  *out = MakeLike(x.elem, x.onnx_type, shape);
  if (NumElements(shape) == 0) return Status::OK();
  const std::vector<int64_t> in_strides = Strides(x.shape);
  std::vector<int64_t> idx(rank, 0);
  int64_t k = 0;
  do {
    int64_t src = 0;
    for (size_t d = 0; d < rank; ++d) src += idx[d] * in_strides[perm[d]];
    if (x.elem == Elem::kFloat)
      out->f[k] = x.f[src];
    else
      out->i[k] = x.i[src];
    ++k;
  } while (rank > 0 && Next(&idx, shape));
  return Status::OK();
}

Status FoldSlice(const Graph& g, const Node& n, const Tensor& x, Tensor* out) {
  SliceSpec s;
  HUNCH_RETURN_IF_ERROR(SliceParams(g, n, x.shape, &s));
  *out = MakeLike(x.elem, x.onnx_type, s.size);
  if (NumElements(s.size) == 0) return Status::OK();
  const std::vector<int64_t> strides = Strides(x.shape);
  std::vector<int64_t> idx(s.size.size(), 0);
  int64_t k = 0;
  do {
    int64_t src = 0;
    for (size_t d = 0; d < idx.size(); ++d) src += (s.begin[d] + idx[d] * s.step[d]) * strides[d];
    if (x.elem == Elem::kFloat)
      out->f[k] = x.f[src];
    else
      out->i[k] = x.i[src];
    ++k;
  } while (!idx.empty() && Next(&idx, s.size));
  return Status::OK();
}

Status FoldExpand(const Node& n, const Tensor& x, const Tensor& shape_t, Tensor* out) {
  std::vector<int64_t> target, shape;
  if (!Ints(&shape_t, &target)) return Bad(n, "shape must be integers");
  if (!BroadcastShapes(x.shape, target, &shape)) return Bad(n, "shapes do not broadcast");
  if (NumElements(shape) > kMaxFoldElements) return Status::Unsupported("too large to fold");
  *out = MakeLike(x.elem, x.onnx_type, shape);
  if (NumElements(shape) == 0) return Status::OK();
  std::vector<int64_t> idx(shape.size(), 0);
  int64_t k = 0;
  do {
    const int64_t src = BroadcastIndex(idx, x.shape);
    if (x.elem == Elem::kFloat)
      out->f[k] = x.f[src];
    else
      out->i[k] = x.i[src];
    ++k;
  } while (!idx.empty() && Next(&idx, shape));
  return Status::OK();
}

Status FoldWhere(const Node& n, const Tensor& c, const Tensor& a, const Tensor& b, Tensor* out) {
  std::vector<int64_t> s1, shape;
  if (!BroadcastShapes(c.shape, a.shape, &s1) || !BroadcastShapes(s1, b.shape, &shape))
    return Bad(n, "shapes do not broadcast");
  if (a.elem != b.elem) return Bad(n, "x and y differ in type");
  if (NumElements(shape) > kMaxFoldElements) return Status::Unsupported("too large to fold");
  *out = MakeLike(a.elem, a.onnx_type, shape);
  if (NumElements(shape) == 0) return Status::OK();
  std::vector<int64_t> idx(shape.size(), 0);
  int64_t k = 0;
  do {
    const bool take_a = c.at(BroadcastIndex(idx, c.shape)) != 0;
    const Tensor& src = take_a ? a : b;
    const int64_t j = BroadcastIndex(idx, src.shape);
    if (out->elem == Elem::kFloat)
      out->f[k] = src.f[j];
    else
      out->i[k] = src.i[j];
    ++k;
  } while (!idx.empty() && Next(&idx, shape));
  return Status::OK();
}

Status FoldSplit(const Graph& g, const Node& n, const Tensor& x, std::vector<Tensor>* outs) {
  int64_t axis;
  if (!NormalizeAxis(AttrInt(n, "axis", 0), static_cast<int64_t>(x.shape.size()), &axis))
    return Bad(n, "axis out of range");
  std::vector<int64_t> sizes;
  HUNCH_RETURN_IF_ERROR(SplitSizes(g, n, x.shape[axis], &sizes));
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape[d];
  for (size_t d = axis + 1; d < x.shape.size(); ++d) inner *= x.shape[d];
  int64_t offset = 0;
  for (size_t p = 0; p < sizes.size(); ++p) {
    std::vector<int64_t> shape = x.shape;
    shape[axis] = sizes[p];
    Tensor t = MakeLike(x.elem, x.onnx_type, shape);
    int64_t dst = 0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < sizes[p] * inner; ++k, ++dst) {
        const int64_t src = (o * x.shape[axis] + offset) * inner + k;
        if (x.elem == Elem::kFloat)
          t.f[dst] = x.f[src];
        else
          t.i[dst] = x.i[src];
      }
    offset += sizes[p];
    (*outs)[p] = std::move(t);
  }
  return Status::OK();
}

}  // namespace

bool IsFoldable(const std::string& op) {
  static const std::set<std::string> kOps = {"Constant",  "Identity", "Cast",
                                             "Shape",     "Size",     "Gather",
                                             "Unsqueeze", "Squeeze",  "Concat",
                                             "Reshape",   "Flatten",  "Slice",
                                             "Transpose", "Add",      "Sub",
                                             "Mul",       "Div",      "Pow",
                                             "Min",       "Max",      "Equal",
                                             "Less",      "Greater",  "And",
                                             "Or",        "Mod",      "Not",
                                             "Neg",       "Abs",      "Sqrt",
                                             "Exp",       "Log",      "Reciprocal",
                                             "Floor",     "Ceil",     "Relu",
                                             "Sigmoid",   "Tanh",     "ConstantOfShape",
                                             "Range",     "Expand",   "Where",
                                             "Split",     "Dropout"};
  return kOps.count(op) > 0;
}

bool BroadcastShapes(const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                     std::vector<int64_t>* out) {
  const size_t rank = std::max(a.size(), b.size());
  out->assign(rank, 1);
  for (size_t k = 0; k < rank; ++k) {
    const int64_t da = k < rank - a.size() ? 1 : a[k - (rank - a.size())];
    const int64_t db = k < rank - b.size() ? 1 : b[k - (rank - b.size())];
    if (da != db && da != 1 && db != 1) return false;
    (*out)[k] = da == 1 ? db : da;
  }
  return true;
}

bool NormalizeAxis(int64_t axis, int64_t rank, int64_t* out) {
  if (axis < -rank || axis >= rank) return false;
  *out = axis < 0 ? axis + rank : axis;
  return true;
}

Status ReshapeShape(const std::vector<int64_t>& in, const std::vector<int64_t>& target, bool allowzero,
                    std::vector<int64_t>* out) {
  *out = target;
  int infer = -1;
  int64_t known = 1;
  for (size_t k = 0; k < target.size(); ++k) {
    int64_t d = target[k];
    if (d == 0 && !allowzero) {
      if (k >= in.size()) return Status::InvalidArgument("shape entry 0 beyond the input's rank");
      d = in[k];
      (*out)[k] = d;
    }
    if (d == -1) {
      if (infer >= 0) return Status::InvalidArgument("more than one -1 in the shape");
      infer = static_cast<int>(k);
      continue;
    }
    if (d < 0) return Status::InvalidArgument("negative dimension in the shape");
    known *= d;
  }
  const int64_t total = NumElements(in);
  if (infer >= 0) {
    if (known == 0 || total % known) return Status::InvalidArgument("cannot infer the -1 dimension");
    (*out)[infer] = total / known;
  } else if (known != total) {
    return Status::InvalidArgument("cannot reshape " + ShapeStr(in) + " to " + ShapeStr(target));
  }
  return Status::OK();
}

const Tensor* ConstInput(const Graph& g, const Node& node, size_t k) {
  if (k >= node.inputs.size() || node.inputs[k] < 0) return nullptr;
  const Value& v = g.values[g.Resolve(node.inputs[k])];
  return v.constant.get();
}

Status SliceParams(const Graph& g, const Node& n, const std::vector<int64_t>& in, SliceSpec* s) {
  const int64_t rank = static_cast<int64_t>(in.size());
  std::vector<int64_t> starts, ends, axes, steps;
  if (g.opset < 10) {
    if (!AttrInts(n, "starts", &starts) || !AttrInts(n, "ends", &ends))
      return Bad(n, "starts and ends are required");
    AttrInts(n, "axes", &axes);
  } else {
    if (!Ints(ConstInput(g, n, 1), &starts) || !Ints(ConstInput(g, n, 2), &ends))
      return Bad(n, "starts and ends must be constant integers");
    if (n.inputs.size() > 3 && n.inputs[3] >= 0 && !Ints(ConstInput(g, n, 3), &axes))
      return Bad(n, "axes must be constant integers");
    if (n.inputs.size() > 4 && n.inputs[4] >= 0 && !Ints(ConstInput(g, n, 4), &steps))
      return Bad(n, "steps must be constant integers");
  }
  if (axes.empty())
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return Bad(n, "starts, ends, axes and steps differ in length");
  s->begin.assign(rank, 0);
  s->size = in;
  s->step.assign(rank, 1);
  std::set<int64_t> seen;
  for (size_t k = 0; k < starts.size(); ++k) {
    int64_t axis;
    if (!NormalizeAxis(axes[k], rank, &axis) || !seen.insert(axis).second)
      return Bad(n, "bad or repeated axis");
    const int64_t dim = in[axis], step = steps[k];
    if (step == 0) return Bad(n, "step 0");
    int64_t b = starts[k], e = ends[k];
    if (b < 0) b += dim;
    if (e < 0 && e > INT64_MIN / 2) e += dim;
    if (step > 0) {
      b = std::min(std::max<int64_t>(b, 0), dim);
      e = std::min(std::max<int64_t>(e, 0), dim);
      s->size[axis] = e > b ? (e - b + step - 1) / step : 0;
    } else {
      b = std::min(std::max<int64_t>(b, -1), dim - 1);
      e = std::min(std::max<int64_t>(e, -1), dim - 1);
      s->size[axis] = b > e ? (b - e - step - 1) / (-step) : 0;
    }
    s->begin[axis] = b;
    s->step[axis] = step;
  }
  return Status::OK();
}

Status SplitSizes(const Graph& g, const Node& n, int64_t dim, std::vector<int64_t>* sizes) {
  const size_t parts = n.outputs.size();
  sizes->clear();
  if (g.opset >= 13 && n.inputs.size() > 1 && n.inputs[1] >= 0) {
    if (!Ints(ConstInput(g, n, 1), sizes)) return Bad(n, "split sizes must be constant integers");
  } else if (!AttrInts(n, "split", sizes)) {
    if (parts == 0) return Bad(n, "no outputs");
    // Equal pieces; since opset 18 the last one may be smaller.
    const int64_t piece = (dim + static_cast<int64_t>(parts) - 1) / static_cast<int64_t>(parts);
    int64_t left = dim;
    for (size_t p = 0; p < parts; ++p) {
      sizes->push_back(std::min(piece, left));
      left -= sizes->back();
    }
  }
  if (sizes->size() != parts)
    return Bad(n, std::to_string(sizes->size()) + " split sizes for " + std::to_string(parts) + " outputs");
  int64_t sum = 0;
  for (int64_t s : *sizes) {
    if (s < 0) return Bad(n, "negative split size");
    sum += s;
  }
  if (sum != dim)
    return Bad(n, "split sizes add up to " + std::to_string(sum) + ", the axis has " + std::to_string(dim));
  return Status::OK();
}

Status SqueezeAxes(const Graph& g, const Node& n, std::vector<int64_t>* axes, bool* present) {
  axes->clear();
  *present = false;
  if (g.opset >= 13) {
    if (n.inputs.size() > 1 && n.inputs[1] >= 0) {
      if (!Ints(ConstInput(g, n, 1), axes)) return Bad(n, "axes must be constant integers");
      *present = true;
    }
  } else {
    *present = AttrInts(n, "axes", axes);
  }
  return Status::OK();
}

Status ViewShape(const Graph& g, const Node& n, const std::vector<int64_t>& in, std::vector<int64_t>* out) {
  const std::string& op = n.op_type;
  std::vector<int64_t> shape;
  if (op == "Reshape") {
    std::vector<int64_t> target;
    if (g.opset < 5) {
      if (!AttrInts(n, "shape", &target)) return Bad(n, "no shape");
    } else if (!Ints(ConstInput(g, n, 1), &target)) {
      return Bad(n, "shape must be constant integers");
    }
    Status s = ReshapeShape(in, target, AttrInt(n, "allowzero", 0) != 0, &shape);
    if (!s.ok()) return Bad(n, s.message());
  } else if (op == "Flatten") {
    int64_t axis = AttrInt(n, "axis", 1);
    const int64_t rank = static_cast<int64_t>(in.size());
    if (axis < 0) axis += rank;
    if (axis < 0 || axis > rank) return Bad(n, "axis out of range");
    int64_t a = 1, b = 1;
    for (int64_t d = 0; d < rank; ++d) (d < axis ? a : b) *= in[d];
    shape = {a, b};
  } else {
    std::vector<int64_t> axes;
    bool present;
    HUNCH_RETURN_IF_ERROR(SqueezeAxes(g, n, &axes, &present));
    if (op == "Squeeze") {
      const int64_t rank = static_cast<int64_t>(in.size());
      std::set<int64_t> drop;
      for (int64_t a : axes) {
        int64_t k;
        if (!NormalizeAxis(a, rank, &k) || in[k] != 1) return Bad(n, "axis is out of range or not of size 1");
        drop.insert(k);
      }
      for (int64_t d = 0; d < rank; ++d)
        if (present ? !drop.count(d) : in[d] != 1) shape.push_back(in[d]);
    } else {
      if (!present) return Bad(n, "axes are required");
      const int64_t rank = static_cast<int64_t>(in.size() + axes.size());
      std::set<int64_t> add;
      for (int64_t a : axes) {
        int64_t k;
        if (!NormalizeAxis(a, rank, &k) || !add.insert(k).second) return Bad(n, "bad or repeated axis");
      }
      size_t src = 0;
      for (int64_t d = 0; d < rank; ++d) shape.push_back(add.count(d) ? 1 : in[src++]);
    }
  }
  *out = shape;
  return Status::OK();
}

Status FoldNode(const Graph& g, const Node& n, std::vector<Tensor>* outs) {
  outs->assign(n.outputs.size(), Tensor());
  const std::string& op = n.op_type;
  const Tensor* x = ConstInput(g, n, 0);
  auto need = [&](size_t k) -> Status {
    if (!ConstInput(g, n, k)) return Bad(n, "input " + std::to_string(k) + " is missing or not constant");
    return Status::OK();
  };
  if (op == "Constant") return TensorFromAttr(n, &(*outs)[0]);
  if (op == "Shape" || op == "Size") {
    if (n.inputs.empty() || n.inputs[0] < 0) return Bad(n, "no input");
    const Value& in = g.values[g.Resolve(n.inputs[0])];
    if (!in.shape_known) return Bad(n, "the input's shape is unknown");
    if (op == "Size") {
      (*outs)[0] = Scalar(Elem::kInt, onnx::TensorProto::INT64, 0);
      (*outs)[0].i[0] = NumElements(in.shape);
      return Status::OK();
    }
    const int64_t rank = static_cast<int64_t>(in.shape.size());
    int64_t start = AttrInt(n, "start", 0), end = AttrInt(n, "end", rank);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
    start = std::min(std::max<int64_t>(start, 0), rank);
    end = std::min(std::max<int64_t>(end, start), rank);
    Tensor t = MakeLike(Elem::kInt, onnx::TensorProto::INT64, {end - start});
    for (int64_t k = start; k < end; ++k) t.i[k - start] = in.shape[k];
    (*outs)[0] = t;
    return Status::OK();
  }
  for (size_t k = 0; k < n.inputs.size(); ++k)
    if (n.inputs[k] >= 0 && !ConstInput(g, n, k))
      return Bad(n, "input " + std::to_string(k) + " is not constant");
  if (op == "ConstantOfShape") {
    std::vector<int64_t> shape;
    if (!Ints(x, &shape)) return Bad(n, "shape must be integers");
    if (NumElements(shape) < 0 || NumElements(shape) > kMaxFoldElements)
      return Status::Unsupported("too large to fold");
    Tensor value = Scalar(Elem::kFloat, onnx::TensorProto::FLOAT, 0);
    if (const onnx::AttributeProto* a = FindAttr(n, "value"))
      HUNCH_RETURN_IF_ERROR(DecodeTensor(a->t(), "", &value));
    if (value.size() != 1) return Bad(n, "value must hold one element");
    Tensor t = MakeLike(value.elem, value.onnx_type, shape);
    for (float& v : t.f) v = value.f[0];
    for (int64_t& v : t.i) v = value.i[0];
    (*outs)[0] = t;
    return Status::OK();
  }
  if (!x) return Bad(n, "input 0 is missing");
  if (op == "Identity" || op == "Dropout") {
    (*outs)[0] = *x;
    if (outs->size() > 1 && n.outputs[1] >= 0) {
      (*outs)[1] = MakeLike(Elem::kInt, onnx::TensorProto::BOOL, x->shape);
      for (int64_t& v : (*outs)[1].i) v = 1;
    }
    return Status::OK();
  }
  if (op == "Cast") return FoldCast(n, *x, &(*outs)[0]);
  if (op == "Gather") {
    HUNCH_RETURN_IF_ERROR(need(1));
    return FoldGather(n, *x, *ConstInput(g, n, 1), &(*outs)[0]);
  }
  if (op == "Unsqueeze" || op == "Squeeze" || op == "Reshape" || op == "Flatten") {
    std::vector<int64_t> shape;
    HUNCH_RETURN_IF_ERROR(ViewShape(g, n, x->shape, &shape));
    (*outs)[0] = *x;
    (*outs)[0].shape = shape;
    return Status::OK();
  }
  if (op == "Concat") return FoldConcat(g, n, &(*outs)[0]);
  if (op == "Slice") return FoldSlice(g, n, *x, &(*outs)[0]);
  if (op == "Transpose") return FoldTranspose(n, *x, &(*outs)[0]);
  if (op == "Split") return FoldSplit(g, n, *x, outs);
  if (op == "Expand") {
    HUNCH_RETURN_IF_ERROR(need(1));
    return FoldExpand(n, *x, *ConstInput(g, n, 1), &(*outs)[0]);
  }
  if (op == "Where") {
    HUNCH_RETURN_IF_ERROR(need(1));
    HUNCH_RETURN_IF_ERROR(need(2));
    return FoldWhere(n, *x, *ConstInput(g, n, 1), *ConstInput(g, n, 2), &(*outs)[0]);
  }
  if (op == "Range") {
    HUNCH_RETURN_IF_ERROR(need(1));
    HUNCH_RETURN_IF_ERROR(need(2));
    const Tensor* lim = ConstInput(g, n, 1);
    const Tensor* delta = ConstInput(g, n, 2);
    if (x->size() != 1 || lim->size() != 1 || delta->size() != 1)
      return Bad(n, "start, limit and delta must be scalars");
    const double s = x->at(0), l = lim->at(0), d = delta->at(0);
    if (d == 0) return Bad(n, "delta 0");
    const double count = std::max(0.0, std::ceil((l - s) / d));
    if (count > static_cast<double>(kMaxFoldElements)) return Status::Unsupported("too large to fold");
    Tensor t = MakeLike(x->elem, x->onnx_type, {static_cast<int64_t>(count)});
    for (int64_t k = 0; k < static_cast<int64_t>(count); ++k) {
      if (t.elem == Elem::kFloat)
        t.f[k] = static_cast<float>(s + k * d);
      else
        t.i[k] = static_cast<int64_t>(s) + k * static_cast<int64_t>(d);
    }
    (*outs)[0] = t;
    return Status::OK();
  }
  if (n.inputs.size() == 2 && (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow" ||
                               op == "Min" || op == "Max" || IsComparison(op) || op == "Mod")) {
    HUNCH_RETURN_IF_ERROR(need(1));
    return FoldBinary(n, *x, *ConstInput(g, n, 1), &(*outs)[0]);
  }
  if (n.inputs.size() == 1) return FoldUnary(n, *x, &(*outs)[0]);
  return Status::Unsupported("no evaluator for " + op);
}

}  // namespace convert
}  // namespace hunch
