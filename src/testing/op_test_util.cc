#include "testing/op_test_util.h"

#include <cstdlib>
#include <cstring>

namespace hunch {
namespace testing {

std::shared_ptr<uint8_t> AlignedCopy(const std::vector<uint8_t>& bytes) {
  const size_t n = (bytes.size() + 63) / 64 * 64 + 64;
  uint8_t* p = static_cast<uint8_t*>(std::aligned_alloc(64, n));
  std::memset(p, 0, n);
  if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
  return std::shared_ptr<uint8_t>(p, [](uint8_t* q) { std::free(q); });
}

Status OpenModelBytes(const std::vector<uint8_t>& bytes, std::shared_ptr<const Model>* model,
                      const ModelOptions& options) {
  return Model::FromBufferCopy(bytes.data(), bytes.size(), options, model);
}

int SingleOpModel::Input(DType dtype, const std::vector<int32_t>& shape) {
  const int t = builder_.AddTensor("in" + std::to_string(inputs_.size()), dtype, shape);
  inputs_.push_back(t);
  return t;
}

int SingleOpModel::Const(const std::vector<int32_t>& shape, const std::vector<float>& values) {
  return builder_.AddFloat("const", shape, values);
}

int SingleOpModel::ConstInt32(const std::vector<int32_t>& shape, const std::vector<int32_t>& values) {
  return builder_.AddInt32("const", shape, values);
}

int SingleOpModel::Weights(const std::vector<int32_t>& shape, const std::vector<float>& values, DType dtype,
                           int block) {
  return builder_.AddWeights("weights", shape, values, dtype, block);
}

int SingleOpModel::Output(DType dtype, const std::vector<int32_t>& shape) {
  const int t = builder_.AddTensor("out" + std::to_string(outputs_.size()), dtype, shape);
  outputs_.push_back(t);
  return t;
}

Status SingleOpModel::Build(const std::string& op, const std::vector<int>& inputs, const std::vector<int>& outputs,
                            const OpOptions& options, const OpResolver* resolver) {
  builder_.AddOp(op, inputs, outputs, options);
  builder_.SetInputs(inputs_);
  builder_.SetOutputs(outputs_);
  file_ = builder_.Finish();
  ModelOptions mo;
  mo.resolver = resolver;
  HUNCH_RETURN_IF_ERROR(OpenModelBytes(file_, &model_, mo));
  return Interpreter::Create(model_, InterpreterOptions(), &interpreter_);
}

int SingleOpModel::InputIndex(int tensor) const {
  for (size_t i = 0; i < inputs_.size(); ++i)
    if (inputs_[i] == tensor) return static_cast<int>(i);
  std::abort();
}

int SingleOpModel::OutputIndex(int tensor) const {
  for (size_t i = 0; i < outputs_.size(); ++i)
    if (outputs_[i] == tensor) return static_cast<int>(i);
  std::abort();
}

void SingleOpModel::SetInput(int tensor, const std::vector<float>& values) {
  const int i = InputIndex(tensor);
  if (values.size() * 4 != interpreter_->input_info(i).bytes) std::abort();
  std::memcpy(interpreter_->input_data(i), values.data(), values.size() * 4);
}

void SingleOpModel::SetInputInt32(int tensor, const std::vector<int32_t>& values) {
  const int i = InputIndex(tensor);
  if (values.size() * 4 != interpreter_->input_info(i).bytes) std::abort();
  std::memcpy(interpreter_->input_data(i), values.data(), values.size() * 4);
}

Status SingleOpModel::Invoke() { return interpreter_->Invoke(); }

std::vector<float> SingleOpModel::Output(int tensor) const {
  const int i = OutputIndex(tensor);
  const float* p = interpreter_->output_data<float>(i);
  return std::vector<float>(p, p + interpreter_->output_info(i).shape.NumElements());
}

std::vector<int32_t> SingleOpModel::OutputInt32(int tensor) const {
  const int i = OutputIndex(tensor);
  const int32_t* p = interpreter_->output_data<int32_t>(i);
  return std::vector<int32_t>(p, p + interpreter_->output_info(i).shape.NumElements());
}

}  // namespace testing
}  // namespace hunch
