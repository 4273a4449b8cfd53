// Tests of the ONNX converter (tools/convert): the small models of
// testdata/ (written by testdata/make_testdata.py with PyTorch's outputs for
// every step) are converted, run step by step with the state carried, and
// compared with PyTorch; graphs built here test folding, fallbacks and errors;
// the hunch CLI is run for the exit codes and the no-partial-output rule.
#include "tools/convert/converter.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hunch/interpreter.h"
#include "hunch/model.h"
#include "hunch/op.h"
#include "onnx/onnx_pb.h"
#include "runtime/lm_signature.h"

namespace hunch {
namespace convert {
namespace {

const std::string kData = HUNCH_CONVERT_TESTDATA;
constexpr double kTolerance = 1e-4;

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/hunch_convert_test_XXXXXX";
    path_ = ::mkdtemp(tmpl) ? tmpl : "/tmp";
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A loaded model from converted bytes (the Model keeps its own aligned copy).
struct Loaded {
  std::shared_ptr<const Model> model;
  std::unique_ptr<Interpreter> interp;
};

Status Load(const std::vector<uint8_t>& file, Loaded* out) {
  HUNCH_RETURN_IF_ERROR(Model::FromBufferCopy(file.data(), file.size(), {}, &out->model));
  return Interpreter::Create(out->model, {}, &out->interp);
}

std::string Metadata(const Model& m, const char* name) {
  const uint8_t* data = nullptr;
  size_t size = 0;
  if (!m.GetMetadata(name, &data, &size).ok()) return "<absent>";
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Runs the converted model on the expected file's tokens; returns the largest
// |difference| of log_probs and of the packed state over all steps.
void RunAndCompare(const std::vector<uint8_t>& file, const nlohmann::json& expected, double* max_lp,
                   double* max_state) {
  Loaded m;
  Status s = Load(file, &m);
  ASSERT_TRUE(s.ok()) << s.ToString();
  Interpreter& lm = *m.interp;
  LmSignature sig;
  s = FindLmSignature(lm, &sig);  // an int32 token (int64 in ONNX), float log-probabilities
  ASSERT_TRUE(s.ok()) << s.ToString();
  const int in = sig.token_input, out = sig.log_probs_output;
  EXPECT_STREQ(lm.input_info(in).name, "token");
  EXPECT_STREQ(lm.output_info(out).name, "log_probs");
  const size_t vocab = expected["log_probs"][0].size();
  ASSERT_EQ(static_cast<size_t>(sig.vocab_size), vocab);
  ASSERT_EQ(lm.state_bytes(), expected["state"][0].size() * sizeof(float));
  std::vector<float> state(lm.state_bytes() / sizeof(float));
  *max_lp = *max_state = 0;
  for (size_t t = 0; t < expected["tokens"].size(); ++t) {
    *lm.input_data<int32_t>(in) = expected["tokens"][t].get<int32_t>();
    s = lm.Invoke();
    ASSERT_TRUE(s.ok()) << s.ToString();
    const float* lp = lm.output_data<float>(out);
    for (size_t k = 0; k < vocab; ++k)
      *max_lp = std::fmax(*max_lp, std::fabs(lp[k] - expected["log_probs"][t][k].get<double>()));
    ASSERT_TRUE(lm.SaveState(state.data(), lm.state_bytes()).ok());
    for (size_t k = 0; k < state.size(); ++k)
      *max_state = std::fmax(*max_state, std::fabs(state[k] - expected["state"][t][k].get<double>()));
  }
}

nlohmann::json Expected(const std::string& name) {
  return nlohmann::json::parse(ReadAll(kData + "/" + name + ".expected.json"));
}

struct ModelCase {
  const char* name;
  std::vector<std::string> ops;  // the converted graph's ops, in order
  bool views = false;            // RESHAPE views left out of `ops`
};

class ConvertModelTest : public ::testing::TestWithParam<ModelCase> {};

TEST_P(ConvertModelTest, MatchesPyTorchStepByStep) {
  const ModelCase& c = GetParam();
  ConvertOptions o;
  o.input_path = kData + "/" + c.name + ".onnx";
  ConvertResult r;
  Status s = Convert(o, &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  // RESHAPEs are views (no copy, no eval); only the torch.nn models need them,
  // to keep the ONNX shapes of their [1, 1, H] states and [1, 1, V] output.
  std::vector<std::string> ops;
  for (const std::string& op : r.hunch_ops)
    if (op != "RESHAPE" || !c.views) ops.push_back(op);
  EXPECT_EQ(ops, c.ops);
  const nlohmann::json expected = Expected(c.name);
  double lp = 0, st = 0;
  RunAndCompare(r.model, expected, &lp, &st);
  EXPECT_LE(lp, kTolerance) << c.name;
  EXPECT_LE(st, kTolerance) << c.name;
  std::printf("  %s: %zu steps, max |log_prob diff| %.2g, max |state diff| %.2g\n", c.name,
              expected["tokens"].size(), lp, st);
  // Inputs, states (the automatic _in/_out rule) and the vocabulary.
  ASSERT_EQ(r.inputs.size(), 1u);
  EXPECT_EQ(r.inputs[0].name, "token");
  EXPECT_EQ(r.inputs[0].onnx_type, "int64");
  EXPECT_EQ(r.inputs[0].hunch_type, "int32");
  std::vector<std::string> states;
  for (const IoReport& x : r.states) states.push_back(x.name);
  EXPECT_EQ(states, expected["state_names"].get<std::vector<std::string>>());
  Loaded m;
  ASSERT_TRUE(Load(r.model, &m).ok());
  EXPECT_EQ(Metadata(*m.model, "vocab"), "<unk>\n<s>\n</s>\nthe\ncat\nsat\non\nmat\n.\ndog\na\nlog");
  for (const NodeReport& n : r.nodes) EXPECT_NE(n.status, "unsupported") << n.name << ": " << n.detail;
}

const std::vector<std::string> kLstmOps = {"GATHER", "LSTM", "FULLY_CONNECTED", "LOG_SOFTMAX"};

INSTANTIATE_TEST_SUITE_P(
    Models, ConvertModelTest,
    ::testing::Values(ModelCase{"cifg", kLstmOps}, ModelCase{"lstm", kLstmOps},
                      ModelCase{"gru", {"GATHER", "GRU", "FULLY_CONNECTED", "LOG_SOFTMAX"}},
                      ModelCase{"cifg2", {"GATHER", "LSTM", "LSTM", "FULLY_CONNECTED", "LOG_SOFTMAX"}},
                      // nn.LSTM / nn.GRU with a time axis: one step per Invoke; the
                      // transposes and squeezes around the cell are views.
                      ModelCase{"torch_lstm", {"GATHER", "LSTM", "FULLY_CONNECTED", "LOG_SOFTMAX"}, true},
                      ModelCase{"torch_gru", {"GATHER", "GRU", "FULLY_CONNECTED", "LOG_SOFTMAX"}, true}),
    [](const ::testing::TestParamInfo<ModelCase>& info) { return std::string(info.param.name); });

TEST(ConvertTest, TrainModelKeepsMetadataAndTiesTheEmbedding) {
  ConvertOptions o;
  o.input_path = kData + "/cifg.onnx";
  ConvertResult r;
  ASSERT_TRUE(Convert(o, &r).ok());
  Loaded m;
  ASSERT_TRUE(Load(r.model, &m).ok());
  EXPECT_NE(Metadata(*m.model, "tokenizer"), "<absent>");
  EXPECT_NE(Metadata(*m.model, "architecture").find("\"cell\": \"cifg\""), std::string::npos);
  // The embedding is stored once: GATHER's table and the output layer's weights.
  int embeddings = 0;
  for (int t = 0; t < m.model->num_tensors(0); ++t)
    embeddings += std::string(m.model->tensor(0, t).name) == "model.embedding";
  EXPECT_EQ(embeddings, 1);
  // Every node of the gate math is reported as fused into the LSTM.
  int fused = 0;
  for (const NodeReport& n : r.nodes) {
    if (n.status == "fused") {
      ++fused;
      EXPECT_NE(n.detail.find("LSTM"), std::string::npos) << n.detail;
    }
  }
  EXPECT_GE(fused, 12);
}

// An intermediate gate value that is also a graph output stops the fusion
// (it would disappear inside the LSTM op): the cell is converted op by op and
// still matches PyTorch.
TEST(ConvertTest, PartialPatternFallsBackToOpByOp) {
  onnx::ModelProto proto;
  {
    std::ifstream f(kData + "/cifg.onnx", std::ios::binary);
    ASSERT_TRUE(proto.ParseFromIstream(&f));
  }
  std::string gate;
  for (const auto& n : proto.graph().node())
    if (n.op_type() == "Sigmoid") {
      gate = n.output(0);
      break;
    }
  ASSERT_FALSE(gate.empty());
  ConvertOptions o;
  o.input_path = kData + "/cifg.onnx";
  o.outputs = {"log_probs", gate};
  ConvertResult r;
  Status s = Convert(o, &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(std::count(r.hunch_ops.begin(), r.hunch_ops.end(), "LSTM"), 0);
  EXPECT_EQ(std::count(r.hunch_ops.begin(), r.hunch_ops.end(), "SPLIT"), 1);
  double lp = 0, st = 0;
  RunAndCompare(r.model, Expected("cifg"), &lp, &st);
  EXPECT_LE(lp, kTolerance);
  EXPECT_LE(st, kTolerance);
}

TEST(ConvertTest, ExplicitStatePairsAndVocabFile) {
  TempDir tmp;
  const std::string vocab = tmp.File("vocab.txt");
  {
    std::ofstream f(vocab);
    for (int k = 0; k < 12; ++k) f << "w" << k << "\r\n";
  }
  ConvertOptions o;
  o.input_path = kData + "/cifg.onnx";
  o.vocab_path = vocab;
  o.states = {{"c_in", "c_out"}, {"h_in", "h_out"}};
  o.inputs = {"token:1"};
  ConvertResult r;
  Status s = Convert(o, &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(r.states.size(), 2u);
  EXPECT_EQ(r.states[0].name, "c_in");
  Loaded m;
  ASSERT_TRUE(Load(r.model, &m).ok());
  EXPECT_EQ(Metadata(*m.model, "vocab").substr(0, 6), "w0\nw1\n");

  // A vocabulary whose size differs from the output's.
  {
    std::ofstream f(vocab);
    for (int k = 0; k < 11; ++k) f << "w" << k << "\n";
  }
  s = Convert(o, &r);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("has 11 tokens"), std::string::npos) << s.message();
  // A state that is not an input.
  o.vocab_path.clear();
  o.states = {{"h_out", "h_in"}};
  s = Convert(o, &r);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("is not a graph input"), std::string::npos) << s.message();
}

TEST(ConvertTest, UnsupportedOpsAreAllListed) {
  ConvertOptions o;
  o.input_path = kData + "/unsupported.onnx";
  ConvertResult r;
  Status s = Convert(o, &r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("node 'erf_1' (Erf)"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("node 'cos_1' (Cos)"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("hint:"), std::string::npos);
  EXPECT_TRUE(r.model.empty());
  ASSERT_EQ(r.nodes.size(), 5u);
  EXPECT_EQ(r.nodes[0].status, "converted");    // Sigmoid
  EXPECT_EQ(r.nodes[1].status, "unsupported");  // Erf
  EXPECT_EQ(r.nodes[2].status, "unchecked");    // Tanh after it
  EXPECT_EQ(r.nodes[3].status, "unsupported");  // Cos
}

// The same model with Erf and Cos kept as custom ops, run with the app's
// registrations of them.
Status UnaryPrepare(OpContext* ctx) {
  if (ctx->num_inputs() != 1 || ctx->num_outputs() != 1 || ctx->input(0)->dtype != DType::kFloat32 ||
      ctx->output(0)->shape != ctx->input(0)->shape)
    return Status::Corruption("one float32 input and an output of its shape");
  if (ctx->custom_options_size() != 2) return Status::Corruption("expected the options {}");
  return Status::OK();
}
template <double (*F)(double)>
Status UnaryEval(OpContext* ctx) {
  const float* x = ctx->input_data<float>(0);
  float* y = ctx->output_data<float>(0);
  for (int64_t k = 0; k < ctx->input(0)->shape.NumElements(); ++k) y[k] = static_cast<float>(F(x[k]));
  return Status::OK();
}
double Erf(double v) { return std::erf(v); }
double Cos(double v) { return std::cos(v); }

TEST(ConvertTest, CustomOps) {
  ConvertOptions o;
  o.input_path = kData + "/unsupported.onnx";
  o.custom_ops = {"Erf", "Cos"};
  ConvertResult r;
  Status s = Convert(o, &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.hunch_ops, (std::vector<std::string>{"LOGISTIC", "Erf", "TANH", "Cos", "ADD"}));
  EXPECT_EQ(r.nodes[1].detail, "custom op Erf");
  OpResolver resolver;
  ASSERT_TRUE(resolver.AddCustom({"Erf", UnaryPrepare, UnaryEval<Erf>}).ok());
  ASSERT_TRUE(resolver.AddCustom({"Cos", UnaryPrepare, UnaryEval<Cos>}).ok());
  ModelOptions mo;
  mo.resolver = &resolver;
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(Model::FromBufferCopy(r.model.data(), r.model.size(), mo, &model).ok());
  std::unique_ptr<Interpreter> interp;
  ASSERT_TRUE(Interpreter::Create(model, {}, &interp).ok());
  const float x[4] = {-1.5f, -0.25f, 0.5f, 2.f};
  std::memcpy(interp->input_data(0), x, sizeof(x));
  ASSERT_TRUE(interp->Invoke().ok());
  for (int k = 0; k < 4; ++k)
    EXPECT_NEAR(interp->output_data<float>(0)[k],
                std::cos(std::tanh(std::erf(1 / (1 + std::exp(-x[k]))))) + x[k], 1e-6);
  // Without the registrations the model does not load, naming the ops.
  s = Model::FromBufferCopy(r.model.data(), r.model.size(), {}, &model);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("Erf"), std::string::npos) << s.message();
  // A builtin op's name cannot be a custom op.
  o.custom_ops = {"LSTM"};
  EXPECT_EQ(Convert(o, &r).code(), StatusCode::kInvalidArgument);
}

TEST(ConvertTest, TruncatedAndMalformedFilesFailCleanly) {
  TempDir tmp;
  const std::string bytes = ReadAll(kData + "/cifg.onnx");
  ASSERT_GT(bytes.size(), 1000u);
  for (size_t cut : {size_t{0}, size_t{1}, size_t{7}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 1}) {
    const std::string path = tmp.File("cut.onnx");
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(cut));
    ConvertOptions o;
    o.input_path = path;
    ConvertResult r;
    Status s = Convert(o, &r);
    EXPECT_FALSE(s.ok()) << "cut at " << cut;
    EXPECT_TRUE(r.model.empty());
  }
  ConvertOptions o;
  o.input_path = tmp.File("absent.onnx");
  ConvertResult r;
  EXPECT_EQ(Convert(o, &r).code(), StatusCode::kNotFound);  // as Model::Open's (util/file.h)
  const std::string garbage = tmp.File("garbage.onnx");
  std::ofstream(garbage) << "this is not a protobuf at all, just text\n";
  o.input_path = garbage;
  Status s = Convert(o, &r);
  EXPECT_FALSE(s.ok());
}

// Small graphs written here.
class GraphBuilder {
 public:
  GraphBuilder() {
    proto_.set_ir_version(7);
    auto* op = proto_.add_opset_import();
    op->set_domain("");
    op->set_version(13);
  }
  onnx::GraphProto* g() { return proto_.mutable_graph(); }
  void Input(const std::string& name, int type, const std::vector<int64_t>& dims, bool output = false) {
    auto* vi = output ? g()->add_output() : g()->add_input();
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(type);
    for (int64_t d : dims) {
      auto* dim = tt->mutable_shape()->add_dim();
      if (d < 0)
        dim->set_dim_param("N");
      else
        dim->set_dim_value(d);
    }
  }
  void Output(const std::string& name, int type, const std::vector<int64_t>& dims) {
    Input(name, type, dims, true);
  }
  void FloatInit(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
    auto* t = g()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float x : v) t->add_float_data(x);
  }
  void IntInit(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& v) {
    auto* t = g()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    for (int64_t d : dims) t->add_dims(d);
    for (int64_t x : v) t->add_int64_data(x);
  }
  onnx::NodeProto* Node(const std::string& op, const std::vector<std::string>& in,
                        const std::vector<std::string>& out, const std::string& name) {
    auto* n = g()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& s : in) n->add_input(s);
    for (const auto& s : out) n->add_output(s);
    return n;
  }
  std::string Save(const TempDir& tmp, const std::string& name) {
    const std::string path = tmp.File(name);
    std::ofstream f(path, std::ios::binary);
    proto_.SerializeToOstream(&f);
    return path;
  }

 private:
  onnx::ModelProto proto_;
};

// Shape arithmetic on a symbolic batch dimension (bound to 1) folds away:
// Shape -> Gather -> Unsqueeze -> Concat -> Reshape is a view, and only the
// Sigmoid and the MatMul + Add (FULLY_CONNECTED with bias) remain.
TEST(ConvertTest, FoldsShapeArithmetic) {
  TempDir tmp;
  GraphBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {-1, 2, 2});
  b.Output("y", onnx::TensorProto::FLOAT, {-1, 3});
  b.IntInit("zero", {}, {0});
  b.IntInit("minus_one", {1}, {-1});
  b.FloatInit("w", {4, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  b.FloatInit("bias", {3}, {0.5f, -0.5f, 0.25f});
  b.Node("Shape", {"x"}, {"shape"}, "shape");
  auto* gather = b.Node("Gather", {"shape", "zero"}, {"batch"}, "gather");
  auto* axis = gather->add_attribute();
  axis->set_name("axis");
  axis->set_type(onnx::AttributeProto::INT);
  axis->set_i(0);
  auto* unsq_axes = b.Node("Constant", {}, {"axes"}, "axes");
  auto* value = unsq_axes->add_attribute();
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  value->mutable_t()->set_data_type(onnx::TensorProto::INT64);
  value->mutable_t()->add_dims(1);
  value->mutable_t()->add_int64_data(0);
  b.Node("Unsqueeze", {"batch", "axes"}, {"batch1"}, "unsqueeze");
  auto* concat = b.Node("Concat", {"batch1", "minus_one"}, {"target"}, "concat");
  auto* cax = concat->add_attribute();
  cax->set_name("axis");
  cax->set_type(onnx::AttributeProto::INT);
  cax->set_i(0);
  b.Node("Reshape", {"x", "target"}, {"flat"}, "reshape");
  b.Node("Sigmoid", {"flat"}, {"s"}, "sigmoid");
  b.Node("MatMul", {"s", "w"}, {"mm"}, "matmul");
  b.Node("Add", {"mm", "bias"}, {"y"}, "add");
  b.Node("Tanh", {"x"}, {"unused"}, "dead_tanh");
  ConvertOptions o;
  o.input_path = b.Save(tmp, "fold.onnx");
  ConvertResult r;
  Status s = Convert(o, &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.hunch_ops, (std::vector<std::string>{"RESHAPE", "LOGISTIC", "FULLY_CONNECTED"}));
  std::map<std::string, std::string> status;
  for (const NodeReport& n : r.nodes) status[n.name] = n.status;
  EXPECT_EQ(status["shape"], "folded");
  EXPECT_EQ(status["gather"], "folded");
  EXPECT_EQ(status["unsqueeze"], "folded");
  EXPECT_EQ(status["concat"], "folded");
  EXPECT_EQ(status["reshape"], "converted");
  EXPECT_EQ(status["add"], "fused");  // the bias of FULLY_CONNECTED
  EXPECT_EQ(status["dead_tanh"], "dead");
  Loaded m;
  ASSERT_TRUE(Load(r.model, &m).ok());
  const float x[4] = {0.5f, -1.f, 2.f, 0.f};
  std::memcpy(m.interp->input_data(0), x, sizeof(x));
  ASSERT_TRUE(m.interp->Invoke().ok());
  const float* y = m.interp->output_data<float>(0);
  const float w[4][3] = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {10, 11, 12}};
  const float bias[3] = {0.5f, -0.5f, 0.25f};
  for (int j = 0; j < 3; ++j) {
    double want = bias[j];
    for (int k = 0; k < 4; ++k) want += w[k][j] / (1.0 + std::exp(-x[k]));
    EXPECT_NEAR(y[j], want, 1e-5);
  }
}

TEST(ConvertTest, MissingInitializerAndWrongShapes) {
  TempDir tmp;
  {
    GraphBuilder b;
    b.Input("x", onnx::TensorProto::FLOAT, {1, 4});
    b.Output("y", onnx::TensorProto::FLOAT, {1, 3});
    b.Node("MatMul", {"x", "w_missing"}, {"y"}, "matmul");
    ConvertOptions o;
    o.input_path = b.Save(tmp, "missing.onnx");
    ConvertResult r;
    Status s = Convert(o, &r);
    EXPECT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_NE(s.message().find("'w_missing'"), std::string::npos) << s.message();
  }
  {
    GraphBuilder b;
    b.Input("x", onnx::TensorProto::FLOAT, {1, 4});
    b.Output("y", onnx::TensorProto::FLOAT, {1, 3});
    b.FloatInit("w", {5, 3}, std::vector<float>(15, 1.f));
    b.Node("MatMul", {"x", "w"}, {"y"}, "matmul");
    ConvertOptions o;
    o.input_path = b.Save(tmp, "shapes.onnx");
    ConvertResult r;
    Status s = Convert(o, &r);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("node 'matmul' (MatMul)"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("do not multiply"), std::string::npos) << s.message();
  }
  {
    // An initializer whose data does not fill its shape.
    GraphBuilder b;
    b.Input("x", onnx::TensorProto::FLOAT, {1, 4});
    b.Output("y", onnx::TensorProto::FLOAT, {1, 3});
    b.FloatInit("w", {4, 3}, std::vector<float>(7, 1.f));
    b.Node("MatMul", {"x", "w"}, {"y"}, "matmul");
    ConvertOptions o;
    o.input_path = b.Save(tmp, "short.onnx");
    ConvertResult r;
    Status s = Convert(o, &r);
    EXPECT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_NE(s.message().find("needs 12 values, has 7"), std::string::npos) << s.message();
  }
}

// ONNX LSTM / GRU ops built here, against the ONNX operator definitions
// computed directly: LSTM with peepholes, both biases, batch 2 and
// direction "reverse" (the same as forward for one step); GRU with
// linear_before_reset = 0 and layout = 1 (batch-major).
struct RnnGraph {
  bool gru;
  int64_t batch = 2, input = 3, hidden = 4;
  std::vector<float> w, r, b, p;  // ONNX layouts: W [1, G*H, I], R [1, G*H, H], B [1, 2*G*H], P [1, 3H]
};

float Sigm(float v) { return 1.f / (1.f + std::exp(-v)); }

// One ONNX step for batch row `row`: x [I], h [H], c [H] (LSTM) -> h, c.
void OnnxStep(const RnnGraph& m, const float* x, float* h, float* c) {
  const int64_t H = m.hidden, I = m.input;
  const int gates = m.gru ? 3 : 4;
  std::vector<double> gx(gates * H), gh(gates * H);
  for (int64_t k = 0; k < gates * H; ++k) {
    double sx = m.b[k], sh = m.b[gates * H + k];
    for (int64_t i = 0; i < I; ++i) sx += m.w[k * I + i] * x[i];
    for (int64_t j = 0; j < H; ++j) sh += m.r[k * H + j] * h[j];
    gx[k] = sx;
    gh[k] = sh;
  }
  std::vector<float> hn(H), cn(H);
  for (int64_t u = 0; u < H; ++u) {
    if (m.gru) {  // z, r, h blocks; linear_before_reset = 0
      const double z = Sigm(static_cast<float>(gx[u] + gh[u]));
      const double rr = Sigm(static_cast<float>(gx[H + u] + gh[H + u]));
      double rh = m.b[5 * H + u];  // Rb_h + R_h (r * h), every r_j from its own row
      for (int64_t j = 0; j < H; ++j) {
        const double r_j = Sigm(static_cast<float>(gx[H + j] + gh[H + j]));
        rh += m.r[(2 * H + u) * H + j] * (r_j * h[j]);
      }
      (void)rr;
      const double n = std::tanh(gx[2 * H + u] + rh);
      hn[u] = static_cast<float>((1 - z) * n + z * h[u]);
    } else {  // i, o, f, c blocks with peepholes i, o, f
      const double i = Sigm(static_cast<float>(gx[u] + gh[u] + m.p[u] * c[u]));
      const double f = Sigm(static_cast<float>(gx[2 * H + u] + gh[2 * H + u] + m.p[2 * H + u] * c[u]));
      const double g = std::tanh(gx[3 * H + u] + gh[3 * H + u]);
      cn[u] = static_cast<float>(f * c[u] + i * g);
      const double o = Sigm(static_cast<float>(gx[H + u] + gh[H + u] + m.p[H + u] * cn[u]));
      hn[u] = static_cast<float>(o * std::tanh(cn[u]));
    }
  }
  std::copy(hn.begin(), hn.end(), h);
  if (!m.gru) std::copy(cn.begin(), cn.end(), c);
}

std::string SaveRnnGraph(const TempDir& tmp, const RnnGraph& m, int64_t time_steps, const std::string& file) {
  GraphBuilder b;
  const int64_t B = m.batch, I = m.input, H = m.hidden;
  const int gates = m.gru ? 3 : 4;
  const bool layout1 = m.gru;
  b.Input("x", onnx::TensorProto::FLOAT,
          layout1 ? std::vector<int64_t>{B, time_steps, I} : std::vector<int64_t>{time_steps, B, I});
  const std::vector<int64_t> state = layout1 ? std::vector<int64_t>{B, 1, H} : std::vector<int64_t>{1, B, H};
  b.Input("h_in", onnx::TensorProto::FLOAT, state);
  if (!m.gru) b.Input("c_in", onnx::TensorProto::FLOAT, state);
  b.Output("y", onnx::TensorProto::FLOAT,
           layout1 ? std::vector<int64_t>{B, time_steps, 1, H} : std::vector<int64_t>{time_steps, 1, B, H});
  b.Output("h_out", onnx::TensorProto::FLOAT, state);
  if (!m.gru) b.Output("c_out", onnx::TensorProto::FLOAT, state);
  b.FloatInit("W", {1, gates * H, I}, m.w);
  b.FloatInit("R", {1, gates * H, H}, m.r);
  b.FloatInit("B", {1, 2 * gates * H}, m.b);
  onnx::NodeProto* n;
  if (m.gru) {
    n = b.Node("GRU", {"x", "W", "R", "B", "", "h_in"}, {"y", "h_out"}, "gru");
  } else {
    b.FloatInit("P", {1, 3 * H}, m.p);
    n = b.Node("LSTM", {"x", "W", "R", "B", "", "h_in", "c_in", "P"}, {"y", "h_out", "c_out"}, "lstm");
    auto* dir = n->add_attribute();
    dir->set_name("direction");
    dir->set_type(onnx::AttributeProto::STRING);
    dir->set_s("reverse");
  }
  auto* hs = n->add_attribute();
  hs->set_name("hidden_size");
  hs->set_type(onnx::AttributeProto::INT);
  hs->set_i(H);
  if (layout1) {
    auto* l = n->add_attribute();
    l->set_name("layout");
    l->set_type(onnx::AttributeProto::INT);
    l->set_i(1);
  }
  return b.Save(tmp, file);
}

class OnnxRnnTest : public ::testing::TestWithParam<bool> {};

TEST_P(OnnxRnnTest, MatchesTheOnnxDefinition) {
  RnnGraph m;
  m.gru = GetParam();
  const int gates = m.gru ? 3 : 4;
  const int64_t B = m.batch, I = m.input, H = m.hidden;
  std::mt19937 rng(m.gru ? 5 : 6);
  std::uniform_real_distribution<float> dist(-0.8f, 0.8f);
  auto fill = [&](size_t n) {
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    return v;
  };
  m.w = fill(gates * H * I);
  m.r = fill(gates * H * H);
  m.b = fill(2 * gates * H);
  m.p = fill(3 * H);
  TempDir tmp;
  ConvertOptions o;
  o.input_path = SaveRnnGraph(tmp, m, 1, "rnn.onnx");
  ConvertResult r;
  Status s = Convert(o, &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(std::count(r.hunch_ops.begin(), r.hunch_ops.end(), m.gru ? "GRU" : "LSTM"), 1);
  Loaded lm;
  ASSERT_TRUE(Load(r.model, &lm).ok());
  ASSERT_EQ(lm.interp->state_bytes(), (m.gru ? 1u : 2u) * B * H * sizeof(float));
  std::vector<float> h(B * H, 0.f), c(B * H, 0.f), state(lm.interp->state_bytes() / sizeof(float));
  double max_diff = 0;
  for (int step = 0; step < 5; ++step) {
    const std::vector<float> x = fill(B * I);
    std::memcpy(lm.interp->input_data(0), x.data(), x.size() * sizeof(float));
    ASSERT_TRUE(lm.interp->Invoke().ok());
    for (int64_t row = 0; row < B; ++row) OnnxStep(m, &x[row * I], &h[row * H], &c[row * H]);
    const float* y = lm.interp->output_data<float>(0);  // [1, 1, B, H] or [B, 1, 1, H]: h, row-major
    ASSERT_TRUE(lm.interp->SaveState(state.data(), lm.interp->state_bytes()).ok());
    for (int64_t k = 0; k < B * H; ++k) {
      max_diff = std::fmax(max_diff, std::fabs(y[k] - h[k]));
      max_diff = std::fmax(max_diff, std::fabs(state[k] - h[k]));
      if (!m.gru) max_diff = std::fmax(max_diff, std::fabs(state[B * H + k] - c[k]));
    }
  }
  EXPECT_LE(max_diff, 1e-5);

  // A fixed time axis of 3: one step per Invoke needs the input shape given.
  o.input_path = SaveRnnGraph(tmp, m, 3, "rnn3.onnx");
  s = Convert(o, &r);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("the time axis has 3 steps"), std::string::npos) << s.message();
  o.inputs = {m.gru ? "x:2x1x3" : "x:1x2x3"};
  s = Convert(o, &r);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

INSTANTIATE_TEST_SUITE_P(Cells, OnnxRnnTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return std::string(info.param ? "gru_layout1" : "lstm_peepholes");
                         });

TEST(ConvertTest, ParseInputSpec) {
  std::string name;
  std::vector<int64_t> shape;
  ASSERT_TRUE(ParseInputSpec("token:1x1", &name, &shape).ok());
  EXPECT_EQ(name, "token");
  EXPECT_EQ(shape, (std::vector<int64_t>{1, 1}));
  ASSERT_TRUE(ParseInputSpec("onnx::Gather_0", &name, &shape).ok());
  EXPECT_EQ(name, "onnx::Gather_0");
  EXPECT_TRUE(shape.empty());
  EXPECT_FALSE(ParseInputSpec("x:0x4", &name, &shape).ok());
  EXPECT_FALSE(ParseInputSpec(":1", &name, &shape).ok());
}

// The CLI: exit codes, the report, and no output file after a failure.
// Runs a shell command with its output discarded (stdout kept when it redirects it).
int RunCli(const std::string& cmd) {
  const bool redirects = cmd.find('>') != std::string::npos;
  const int rc = std::system((cmd + (redirects ? " 2>/dev/null" : " >/dev/null 2>&1")).c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(ConvertCliTest, ExitCodesAndNoPartialOutput) {
  TempDir tmp;
  const std::string hunch = HUNCH_CLI_PATH;
  const std::string out = tmp.File("out.hunch");
  EXPECT_EQ(RunCli(hunch + " convert " + kData + "/unsupported.onnx -o " + out), 1);
  EXPECT_FALSE(Exists(out));
  // An existing file is left as it was.
  std::ofstream(out) << "previous";
  EXPECT_EQ(RunCli(hunch + " convert " + kData + "/unsupported.onnx -o " + out), 1);
  EXPECT_EQ(ReadAll(out), "previous");
  const std::string cut = tmp.File("cut.onnx");
  const std::string bytes = ReadAll(kData + "/cifg.onnx");
  std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  EXPECT_EQ(RunCli(hunch + " convert " + cut + " -o " + out), 1);
  EXPECT_EQ(ReadAll(out), "previous");
  // Success replaces it; no temporary files are left behind.
  EXPECT_EQ(RunCli(hunch + " convert " + kData + "/cifg.onnx -o " + out), 0);
  std::shared_ptr<const Model> model;
  EXPECT_TRUE(Model::Open(out, {}, &model).ok());
  EXPECT_EQ(RunCli("ls " + tmp.File("") + " | grep -q tmp"), 1);
  EXPECT_EQ(RunCli(hunch + " convert " + kData + "/cifg.onnx"), 2);  // no -o
  EXPECT_EQ(RunCli(hunch + " check " + kData + "/cifg.onnx"), 0);
  EXPECT_EQ(RunCli(hunch + " check " + kData + "/unsupported.onnx"), 1);
  EXPECT_EQ(RunCli(hunch + " check " + cut), 1);
  const std::string json = tmp.File("report.json");
  EXPECT_EQ(RunCli(hunch + " check --json " + kData + "/unsupported.onnx > " + json), 1);
  nlohmann::json report = nlohmann::json::parse(ReadAll(json), nullptr, false);
  ASSERT_FALSE(report.is_discarded());
  EXPECT_FALSE(report["convertible"].get<bool>());
  EXPECT_EQ(report["counts"]["unsupported"].get<int>(), 2);
  EXPECT_EQ(report["nodes"][1]["name"], "erf_1");
}

}  // namespace
}  // namespace convert
}  // namespace hunch
