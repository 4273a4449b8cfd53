// The converter's in-memory form of an ONNX graph: values (tensors) and nodes
// with their shapes and, for constants, their data. Loaded from an ONNX
// ModelProto, rewritten by the passes (folding, fusion) and written as a
// .hunch model by the emitter. Tools only: never linked into the runtime.
#ifndef HUNCH_TOOLS_CONVERT_ONNX_IR_H_
#define HUNCH_TOOLS_CONVERT_ONNX_IR_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "hunch/status.h"

namespace onnx {
class ModelProto;
class NodeProto;
class AttributeProto;
class TensorProto;
}  // namespace onnx

namespace hunch {
namespace convert {

// Element kinds the converter computes with. Every ONNX floating type
// (float, double, float16, bfloat16) is held as float32 and every integer or
// boolean type as int64; `onnx_type` keeps the declared type.
enum class Elem { kFloat, kInt };

// A constant tensor (row-major). Exactly one of f / i holds the values.
struct Tensor {
  Elem elem = Elem::kFloat;
  int onnx_type = 1;  // onnx::TensorProto::DataType
  std::vector<int64_t> shape;
  std::vector<float> f;
  std::vector<int64_t> i;

  int64_t size() const {
    return elem == Elem::kFloat ? static_cast<int64_t>(f.size()) : static_cast<int64_t>(i.size());
  }
  double at(int64_t k) const { return elem == Elem::kFloat ? f[k] : static_cast<double>(i[k]); }
};
using TensorPtr = std::shared_ptr<const Tensor>;

// Number of elements of a shape; -1 when a dimension is unknown (< 0) or the
// product overflows 2^62.
int64_t NumElements(const std::vector<int64_t>& shape);
// "[1, 96]"
std::string ShapeStr(const std::vector<int64_t>& shape);
// Elem of an ONNX data type; false for types the converter cannot hold
// (strings, complex numbers).
bool ElemOf(int onnx_type, Elem* elem);
const char* OnnxTypeName(int onnx_type);

struct Value {
  std::string name;
  int onnx_type = 0;  // 0 = unknown
  bool shape_known = false;
  std::vector<int64_t> shape;  // valid when shape_known
  TensorPtr constant;          // set for initializers and folded values
  int producer = -1;           // node index, -1 for graph inputs and initializers
  std::vector<int> consumers;  // node indices (a node appears once per input slot)
  bool graph_input = false;    // an ONNX graph input that is not an initializer
  bool initializer = false;
  int alias_of = -1;  // Identity-like: this value is the same as another

  bool is_float() const;
};

// How a node ends up in the converted model (for `hunch check` and errors).
enum class Disposition {
  kPending,      // not yet decided
  kConverted,    // emitted as hunch op(s)
  kFolded,       // computed at conversion time (constant subgraph, shape arithmetic)
  kAlias,        // Identity, Dropout, same-type Cast: no op, its output is its input
  kFused,        // part of a fused LSTM / GRU cell
  kDead,         // its outputs are not needed by any graph output or state
  kUnsupported,  // cannot be converted (see note)
};
const char* DispositionName(Disposition d);

// Parameters of a fused recurrent cell (see passes.h, emit.cc). Values are
// indices into Graph::values (weights are constant values, -1 = absent).
struct CellInfo {
  enum Kind { kLstm, kGru } kind = kLstm;
  bool cifg = false;
  bool linear_before_reset = true;  // GRU
  int x = -1, h_prev = -1, c_prev = -1;
  int w_x = -1, w_h = -1, bias = -1, b_h = -1;  // GRU: bias = b_x
  int peep_i = -1, peep_f = -1, peep_o = -1;
  int w_proj = -1, b_proj = -1;
  // Outputs of the hunch op: h [B, P] and (LSTM) c [B, U] as new values; then
  // the ONNX values that are views (reshapes) of them.
  int h_out = -1, c_out = -1;
  std::vector<std::pair<int, int>> views;  // (onnx value, source: h_out or c_out)
  std::string description;                 // "CIFG-LSTM, projection 96"
};

struct Node {
  std::string name;     // never empty: ONNX's, or "<op_type>_<index>" when unnamed
  std::string op_type;  // ONNX op type, or a converter op ("hunch.Linear", "hunch.LSTM", "hunch.GRU")
  std::string domain;
  std::vector<int> inputs;                 // value indices; -1 = omitted optional input
  std::vector<int> outputs;                // value indices; -1 = omitted optional output
  const onnx::NodeProto* proto = nullptr;  // attributes (nullptr for converter ops)
  Disposition disposition = Disposition::kPending;
  std::string note;                // unsupported: why; fused: into what; converted: the hunch ops
  int order = 0;                   // position for emission (converter nodes take their last member's)
  bool blocked = false;            // an input comes from an unsupported node: shapes unknown
  bool custom = false;             // kept as a hunch custom op (--custom-op)
  int merged_into = -1;            // kFused: the converter node that replaced this node
  std::vector<int> members;        // converter nodes: the ONNX nodes they replace
  std::shared_ptr<CellInfo> cell;  // hunch.LSTM / hunch.GRU
};

struct Graph {
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::map<std::string, int> by_name;
  std::vector<int> onnx_inputs;                 // declared graph inputs (initializers excluded), in order
  std::vector<int> onnx_outputs;                // declared graph outputs, in order
  int64_t opset = 0;                            // default-domain opset
  std::string producer;                         // producer_name + " " + producer_version
  std::map<std::string, std::string> metadata;  // metadata_props
  std::map<std::string, std::vector<int64_t>> declared_shapes;  // value_info / io shapes (-1 = symbolic)
  std::map<std::string, int> declared_types;                    // value_info / io element types
  std::set<std::string> custom_ops;    // op types kept as hunch custom ops (--custom-op)
  std::map<std::string, int> derived;  // cache of derived constants ("T:<value>" = its transpose, ...)
  size_t num_onnx_nodes = 0;  // nodes [0, num_onnx_nodes) are the ONNX graph's, the rest converter nodes

  // A live node is converted into the model: not folded, aliased, fused or dead.
  bool Live(int node) const;

  int AddValue(const std::string& name);  // new value (name made unique)
  int Find(const std::string& name) const;
  // Follows alias_of links.
  int Resolve(int v) const;
};

// Reads an ONNX file into `model` (size limits, truncation and parse errors
// reported as Status).
Status ReadOnnxFile(const std::string& path, onnx::ModelProto* model);

// Builds the graph from a parsed model: values for initializers, inputs and
// node outputs; checks that every node input is defined before use
// (topological order), that names are unique and that initializers decode.
// `base_dir` resolves external tensor data.
Status BuildGraph(const onnx::ModelProto& model, const std::string& base_dir, Graph* graph);

// Decodes a TensorProto (raw_data or typed fields, or external data under
// base_dir).
Status DecodeTensor(const onnx::TensorProto& t, const std::string& base_dir, Tensor* out);

// Attribute access on a node (ONNX node attributes).
const onnx::AttributeProto* FindAttr(const Node& n, const std::string& name);
int64_t AttrInt(const Node& n, const std::string& name, int64_t def);
float AttrFloat(const Node& n, const std::string& name, float def);
std::string AttrString(const Node& n, const std::string& name, const std::string& def);
bool AttrInts(const Node& n, const std::string& name, std::vector<int64_t>* out);
bool AttrFloats(const Node& n, const std::string& name, std::vector<float>* out);
bool AttrStrings(const Node& n, const std::string& name, std::vector<std::string>* out);

}  // namespace convert
}  // namespace hunch

#endif  // HUNCH_TOOLS_CONVERT_ONNX_IR_H_
