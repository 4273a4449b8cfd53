#include "tools/convert/onnx_ir.h"

#include <google/protobuf/io/coded_stream.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <set>

#include "onnx/onnx_pb.h"
#include "util/file.h"
#include "util/fp16.h"

namespace hunch {
namespace convert {

namespace {

// Largest tensor the converter decodes (elements); far above any keyboard model.
constexpr int64_t kMaxElements = int64_t{1} << 31;

float Bf16ToFloat(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Bytes per element in raw_data; 0 for types without a fixed size.
int RawElementSize(int type) {
  switch (type) {
    case onnx::TensorProto::FLOAT: return 4;
    case onnx::TensorProto::UINT8: return 1;
    case onnx::TensorProto::INT8: return 1;
    case onnx::TensorProto::UINT16: return 2;
    case onnx::TensorProto::INT16: return 2;
    case onnx::TensorProto::INT32: return 4;
    case onnx::TensorProto::INT64: return 8;
    case onnx::TensorProto::BOOL: return 1;
    case onnx::TensorProto::FLOAT16: return 2;
    case onnx::TensorProto::DOUBLE: return 8;
    case onnx::TensorProto::UINT32: return 4;
    case onnx::TensorProto::UINT64: return 8;
    case onnx::TensorProto::BFLOAT16: return 2;
    default: return 0;
  }
}

// One element of little-endian raw bytes.
template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

void StoreRaw(int type, const uint8_t* p, int64_t k, Tensor* t) {
  switch (type) {
    case onnx::TensorProto::FLOAT: t->f[k] = Load<float>(p); break;
    case onnx::TensorProto::DOUBLE: t->f[k] = static_cast<float>(Load<double>(p)); break;
    case onnx::TensorProto::FLOAT16: t->f[k] = internal::HalfToFloat(Load<uint16_t>(p)); break;
    case onnx::TensorProto::BFLOAT16: t->f[k] = Bf16ToFloat(Load<uint16_t>(p)); break;
    case onnx::TensorProto::UINT8: t->i[k] = Load<uint8_t>(p); break;
    case onnx::TensorProto::INT8: t->i[k] = Load<int8_t>(p); break;
    case onnx::TensorProto::BOOL: t->i[k] = Load<uint8_t>(p) != 0; break;
    case onnx::TensorProto::UINT16: t->i[k] = Load<uint16_t>(p); break;
    case onnx::TensorProto::INT16: t->i[k] = Load<int16_t>(p); break;
    case onnx::TensorProto::INT32: t->i[k] = Load<int32_t>(p); break;
    case onnx::TensorProto::UINT32: t->i[k] = Load<uint32_t>(p); break;
    case onnx::TensorProto::INT64: t->i[k] = Load<int64_t>(p); break;
    case onnx::TensorProto::UINT64: t->i[k] = static_cast<int64_t>(Load<uint64_t>(p)); break;
    default: break;
  }
}

Status ReadExternal(const onnx::TensorProto& t, const std::string& base_dir, std::string* bytes) {
  std::string location;
  long long offset = 0, length = -1;
  for (const auto& kv : t.external_data()) {
    char* end = nullptr;
    if (kv.key() == "location") {
      location = kv.value();
    } else if (kv.key() == "offset" || kv.key() == "length") {
      errno = 0;
      const long long v = std::strtoll(kv.value().c_str(), &end, 10);
      if (errno || end == kv.value().c_str() || *end || v < 0)
        return Status::Corruption("external data " + kv.key() + " '" + kv.value() + "' is not a byte count");
      (kv.key() == "offset" ? offset : length) = v;
    }
  }
  if (location.empty()) return Status::Corruption("external data without a location");
  if (location[0] == '/' || location.find("..") != std::string::npos)
    return Status::Unsupported("external data location '" + location +
                               "' must be a relative path inside the model's folder");
  const std::string path = base_dir.empty() ? location : base_dir + "/" + location;
  int fd;
  uint64_t file_size;
  Status s = internal::OpenRegularFile(path, O_RDONLY, &fd, &file_size);
  if (!s.ok()) return Status(s.code(), "external data " + s.message());
  const long long size = static_cast<long long>(file_size);
  if (length < 0) length = size - offset;
  if (offset > size || length > size - offset) {
    ::close(fd);
    return Status::Corruption("external data " + path + ": bytes [" + std::to_string(offset) + ", +" +
                              std::to_string(length) + ") lie outside the file (" + std::to_string(size) +
                              " bytes)");
  }
  bytes->resize(static_cast<size_t>(length));
  s = internal::ReadFileAt(fd, path, static_cast<uint64_t>(offset), length > 0 ? &(*bytes)[0] : nullptr,
                           static_cast<size_t>(length));
  ::close(fd);
  if (!s.ok()) return Status(s.code(), "external data " + s.message());
  return Status::OK();
}

}  // namespace

int64_t NumElements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return -1;
    if (d != 0 && n > (int64_t{1} << 62) / d) return -1;
    n *= d;
  }
  return n;
}

std::string ShapeStr(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t k = 0; k < shape.size(); ++k) {
    if (k) s += ", ";
    s += shape[k] < 0 ? "?" : std::to_string(shape[k]);
  }
  return s + "]";
}

bool ElemOf(int type, Elem* elem) {
  switch (type) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::DOUBLE:
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16: *elem = Elem::kFloat; return true;
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64:
    case onnx::TensorProto::BOOL: *elem = Elem::kInt; return true;
    default: return false;
  }
}

const char* OnnxTypeName(int type) {
  switch (type) {
    case onnx::TensorProto::FLOAT: return "float32";
    case onnx::TensorProto::UINT8: return "uint8";
    case onnx::TensorProto::INT8: return "int8";
    case onnx::TensorProto::UINT16: return "uint16";
    case onnx::TensorProto::INT16: return "int16";
    case onnx::TensorProto::INT32: return "int32";
    case onnx::TensorProto::INT64: return "int64";
    case onnx::TensorProto::STRING: return "string";
    case onnx::TensorProto::BOOL: return "bool";
    case onnx::TensorProto::FLOAT16: return "float16";
    case onnx::TensorProto::DOUBLE: return "float64";
    case onnx::TensorProto::UINT32: return "uint32";
    case onnx::TensorProto::UINT64: return "uint64";
    case onnx::TensorProto::COMPLEX64: return "complex64";
    case onnx::TensorProto::COMPLEX128: return "complex128";
    case onnx::TensorProto::BFLOAT16: return "bfloat16";
    default: return "unknown";
  }
}

bool Value::is_float() const {
  Elem e;
  if (constant) return constant->elem == Elem::kFloat;
  return ElemOf(onnx_type, &e) && e == Elem::kFloat;
}

const char* DispositionName(Disposition d) {
  switch (d) {
    case Disposition::kPending: return "pending";
    case Disposition::kConverted: return "converted";
    case Disposition::kFolded: return "folded";
    case Disposition::kAlias: return "alias";
    case Disposition::kFused: return "fused";
    case Disposition::kDead: return "dead";
    case Disposition::kUnsupported: return "unsupported";
  }
  return "?";
}

int Graph::AddValue(const std::string& name) {
  std::string unique = name;
  for (int k = 1; by_name.count(unique); ++k) unique = name + "_" + std::to_string(k);
  Value v;
  v.name = unique;
  values.push_back(v);
  const int id = static_cast<int>(values.size() - 1);
  by_name[unique] = id;
  return id;
}

bool Graph::Live(int node) const {
  const Disposition d = nodes[node].disposition;
  return d == Disposition::kPending || d == Disposition::kConverted || d == Disposition::kUnsupported;
}

int Graph::Find(const std::string& name) const {
  auto it = by_name.find(name);
  return it == by_name.end() ? -1 : it->second;
}

int Graph::Resolve(int v) const {
  // Alias chains are acyclic (each alias points to an earlier value); the
  // bound guards against a bug turning this into a hang.
  for (size_t k = 0; v >= 0 && values[v].alias_of >= 0 && k < values.size(); ++k) v = values[v].alias_of;
  return v;
}

Status ReadOnnxFile(const std::string& path, onnx::ModelProto* model) {
  // A FIFO, directory or device is refused, never waited on (util/file.h).
  int fd;
  uint64_t file_size;
  HUNCH_RETURN_IF_ERROR(internal::OpenRegularFile(path, O_RDONLY, &fd, &file_size));
  if (file_size == 0 || file_size >= INT_MAX) ::close(fd);
  if (file_size == 0) return Status::Corruption(path + ": the file is empty");
  if (file_size >= INT_MAX) return Status::Unsupported(path + ": larger than 2 GiB (protobuf's limit)");
  const int size = static_cast<int>(file_size);
  std::string bytes(file_size, '\0');
  const Status read = internal::ReadFileAt(fd, path, 0, &bytes[0], bytes.size());
  ::close(fd);
  HUNCH_RETURN_IF_ERROR(read);
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(size));
  in.SetTotalBytesLimit(INT_MAX);
  if (!model->ParseFromCodedStream(&in) || !in.ConsumedEntireMessage())
    return Status::Corruption(
        path + ": not a valid ONNX model (the protobuf does not parse: truncated or not ONNX)");
  if (!model->has_graph() || model->graph().node_size() == 0)
    return Status::Corruption(path + ": not an ONNX model with a graph (no nodes)");
  return Status::OK();
}

Status DecodeTensor(const onnx::TensorProto& t, const std::string& base_dir, Tensor* out) {
  const std::string what = "tensor '" + t.name() + "'";
  Tensor r;
  r.onnx_type = t.data_type();
  if (!ElemOf(r.onnx_type, &r.elem))
    return Status::Unsupported(what + " has data type " + OnnxTypeName(r.onnx_type) + " (" +
                               std::to_string(r.onnx_type) + ")");
  for (int64_t d : t.dims()) {
    if (d < 0) return Status::Corruption(what + " has a negative dimension");
    r.shape.push_back(d);
  }
  const int64_t n = NumElements(r.shape);
  if (n < 0 || n > kMaxElements) return Status::Unsupported(what + " is too large " + ShapeStr(r.shape));
  const int type = r.onnx_type;

  std::string external;
  const std::string* raw = nullptr;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    Status s = ReadExternal(t, base_dir, &external);
    if (!s.ok()) return Status(s.code(), what + ": " + s.message());
    raw = &external;
  } else if (t.has_raw_data()) {
    raw = &t.raw_data();
  }
  auto count_error = [&](int64_t got) {
    return Status::Corruption(what + " " + ShapeStr(r.shape) + " needs " + std::to_string(n) +
                              " values, has " + std::to_string(got));
  };
  // The values present are counted before anything is allocated, so a
  // small file cannot claim a huge tensor.
  int64_t present = 0;
  if (raw) {
    present = static_cast<int64_t>(raw->size()) / RawElementSize(type);
    if (static_cast<int64_t>(raw->size()) % RawElementSize(type)) present = -1;
  } else {
    switch (type) {
      case onnx::TensorProto::FLOAT: present = t.float_data_size(); break;
      case onnx::TensorProto::DOUBLE: present = t.double_data_size(); break;
      case onnx::TensorProto::INT64: present = t.int64_data_size(); break;
      case onnx::TensorProto::UINT32:
      case onnx::TensorProto::UINT64: present = t.uint64_data_size(); break;
      default: present = t.int32_data_size(); break;
    }
  }
  if (present != n) return count_error(present);
  if (r.elem == Elem::kFloat)
    r.f.assign(static_cast<size_t>(n), 0.f);
  else
    r.i.assign(static_cast<size_t>(n), 0);
  if (raw) {
    const int es = RawElementSize(type);
    const uint8_t* p = reinterpret_cast<const uint8_t*>(raw->data());
    for (int64_t k = 0; k < n; ++k) StoreRaw(type, p + k * es, k, &r);
  } else {
    switch (type) {
      case onnx::TensorProto::FLOAT:
        if (t.float_data_size() != n) return count_error(t.float_data_size());
        for (int64_t k = 0; k < n; ++k) r.f[k] = t.float_data(static_cast<int>(k));
        break;
      case onnx::TensorProto::DOUBLE:
        if (t.double_data_size() != n) return count_error(t.double_data_size());
        for (int64_t k = 0; k < n; ++k) r.f[k] = static_cast<float>(t.double_data(static_cast<int>(k)));
        break;
      case onnx::TensorProto::FLOAT16:
      case onnx::TensorProto::BFLOAT16:
        if (t.int32_data_size() != n) return count_error(t.int32_data_size());
        for (int64_t k = 0; k < n; ++k) {
          const uint16_t bits = static_cast<uint16_t>(t.int32_data(static_cast<int>(k)));
          r.f[k] = type == onnx::TensorProto::FLOAT16 ? internal::HalfToFloat(bits) : Bf16ToFloat(bits);
        }
        break;
      case onnx::TensorProto::INT64:
        if (t.int64_data_size() != n) return count_error(t.int64_data_size());
        for (int64_t k = 0; k < n; ++k) r.i[k] = t.int64_data(static_cast<int>(k));
        break;
      case onnx::TensorProto::UINT32:
      case onnx::TensorProto::UINT64:
        if (t.uint64_data_size() != n) return count_error(t.uint64_data_size());
        for (int64_t k = 0; k < n; ++k) r.i[k] = static_cast<int64_t>(t.uint64_data(static_cast<int>(k)));
        break;
      default:  // int32, int16, int8, uint16, uint8, bool
        if (t.int32_data_size() != n) return count_error(t.int32_data_size());
        for (int64_t k = 0; k < n; ++k) r.i[k] = t.int32_data(static_cast<int>(k));
        if (type == onnx::TensorProto::BOOL)
          for (int64_t& v : r.i) v = v != 0;
        break;
    }
  }
  *out = std::move(r);
  return Status::OK();
}

namespace {

void ReadDeclaredShape(const onnx::ValueInfoProto& vi, Graph* g) {
  if (!vi.has_type() || !vi.type().has_tensor_type()) return;
  if (vi.type().tensor_type().elem_type()) g->declared_types[vi.name()] = vi.type().tensor_type().elem_type();
  if (!vi.type().tensor_type().has_shape()) return;
  std::vector<int64_t> shape;
  for (const auto& d : vi.type().tensor_type().shape().dim())
    shape.push_back(d.has_dim_value() && d.dim_value() >= 0 ? d.dim_value() : -1);
  g->declared_shapes[vi.name()] = shape;
}

}  // namespace

Status BuildGraph(const onnx::ModelProto& model, const std::string& base_dir, Graph* g) {
  const onnx::GraphProto& gp = model.graph();
  for (const auto& op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") g->opset = op.version();
  if (g->opset == 0) g->opset = 1;
  g->producer = model.producer_name();
  if (!model.producer_version().empty()) g->producer += " " + model.producer_version();
  for (const auto& kv : model.metadata_props()) g->metadata[kv.key()] = kv.value();
  for (const auto& vi : gp.value_info()) ReadDeclaredShape(vi, g);
  for (const auto& vi : gp.input()) ReadDeclaredShape(vi, g);
  for (const auto& vi : gp.output()) ReadDeclaredShape(vi, g);

  auto define = [&](const std::string& name, const std::string& what, int* id) -> Status {
    if (name.empty()) return Status::Corruption(what + " has an empty name");
    if (g->by_name.count(name)) return Status::Corruption("'" + name + "' is defined twice (" + what + ")");
    *id = g->AddValue(name);
    return Status::OK();
  };

  for (const auto& init : gp.initializer()) {
    int id;
    HUNCH_RETURN_IF_ERROR(define(init.name(), "initializer", &id));
    auto t = std::make_shared<Tensor>();
    HUNCH_RETURN_IF_ERROR(DecodeTensor(init, base_dir, t.get()));
    Value& v = g->values[id];
    v.initializer = true;
    v.onnx_type = t->onnx_type;
    v.shape = t->shape;
    v.shape_known = true;
    v.constant = t;
  }
  for (const auto& in : gp.input()) {
    const int existing = g->Find(in.name());
    if (existing >= 0 && g->values[existing].initializer) continue;  // IR < 4 lists initializers as inputs
    int id;
    HUNCH_RETURN_IF_ERROR(define(in.name(), "graph input", &id));
    Value& v = g->values[id];
    v.graph_input = true;
    if (in.type().has_tensor_type()) v.onnx_type = in.type().tensor_type().elem_type();
    g->onnx_inputs.push_back(id);
  }
  for (int k = 0; k < gp.node_size(); ++k) {
    const onnx::NodeProto& np = gp.node(k);
    Node n;
    n.proto = &np;
    n.op_type = np.op_type();
    n.domain = np.domain();
    n.order = k;
    n.name = np.name().empty() ? n.op_type + "_" + std::to_string(k) : np.name();
    const int index = static_cast<int>(g->nodes.size());
    for (const std::string& in : np.input()) {
      if (in.empty()) {
        n.inputs.push_back(-1);
        continue;
      }
      const int id = g->Find(in);
      if (id < 0)
        return Status::Corruption(
            "node '" + n.name + "' (" + n.op_type + ") reads '" + in +
            "', which is not an initializer, a graph input or the output of an earlier node "
            "(missing initializer, or nodes out of order)");
      n.inputs.push_back(id);
      g->values[id].consumers.push_back(index);
    }
    for (const std::string& out : np.output()) {
      if (out.empty()) {
        n.outputs.push_back(-1);
        continue;
      }
      int id;
      HUNCH_RETURN_IF_ERROR(define(out, "output of node '" + n.name + "'", &id));
      g->values[id].producer = index;
      n.outputs.push_back(id);
    }
    if (n.domain != "" && n.domain != "ai.onnx") {
      // Kept: reported as unsupported by the passes.
    }
    g->nodes.push_back(std::move(n));
  }
  g->num_onnx_nodes = g->nodes.size();
  std::set<std::string> seen;
  for (const auto& out : gp.output()) {
    const int id = g->Find(out.name());
    if (id < 0) return Status::Corruption("graph output '" + out.name() + "' is not produced by any node");
    if (!seen.insert(out.name()).second)
      return Status::Corruption("graph output '" + out.name() + "' is listed twice");
    if (out.type().has_tensor_type() && g->values[id].onnx_type == 0)
      g->values[id].onnx_type = out.type().tensor_type().elem_type();
    g->onnx_outputs.push_back(id);
  }
  if (g->onnx_outputs.empty()) return Status::Corruption("the graph has no outputs");
  return Status::OK();
}

const onnx::AttributeProto* FindAttr(const Node& n, const std::string& name) {
  if (!n.proto) return nullptr;
  for (const auto& a : n.proto->attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

int64_t AttrInt(const Node& n, const std::string& name, int64_t def) {
  const onnx::AttributeProto* a = FindAttr(n, name);
  return a && a->has_i() ? a->i() : def;
}

float AttrFloat(const Node& n, const std::string& name, float def) {
  const onnx::AttributeProto* a = FindAttr(n, name);
  return a && a->has_f() ? a->f() : def;
}

std::string AttrString(const Node& n, const std::string& name, const std::string& def) {
  const onnx::AttributeProto* a = FindAttr(n, name);
  return a && a->has_s() ? a->s() : def;
}

bool AttrInts(const Node& n, const std::string& name, std::vector<int64_t>* out) {
  const onnx::AttributeProto* a = FindAttr(n, name);
  if (!a) return false;
  out->assign(a->ints().begin(), a->ints().end());
  return true;
}

bool AttrFloats(const Node& n, const std::string& name, std::vector<float>* out) {
  const onnx::AttributeProto* a = FindAttr(n, name);
  if (!a) return false;
  out->assign(a->floats().begin(), a->floats().end());
  return true;
}

bool AttrStrings(const Node& n, const std::string& name, std::vector<std::string>* out) {
  const onnx::AttributeProto* a = FindAttr(n, name);
  if (!a) return false;
  out->assign(a->strings().begin(), a->strings().end());
  return true;
}

}  // namespace convert
}  // namespace hunch
