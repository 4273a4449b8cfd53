// A kernel runner for tests: builds a model holding a single op with the
// ModelBuilder, loads it through the real loader and runs it through the
// Interpreter, so each op's golden test exercises the whole path.
#ifndef HUNCH_TESTING_OP_TEST_UTIL_H_
#define HUNCH_TESTING_OP_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "builder/model_builder.h"
#include "hunch/interpreter.h"
#include "hunch/model.h"

namespace hunch {
namespace testing {

class SingleOpModel {
 public:
  // A graph input of `dtype` (float32 or int32).
  int Input(DType dtype, const std::vector<int32_t>& shape);
  // Constants.
  int Const(const std::vector<int32_t>& shape, const std::vector<float>& values);
  int ConstInt32(const std::vector<int32_t>& shape, const std::vector<int32_t>& values);
  // A rank-2 weight stored as `dtype`.
  int Weights(const std::vector<int32_t>& shape, const std::vector<float>& values, DType dtype, int block = 32);
  // A graph output.
  int Output(DType dtype, const std::vector<int32_t>& shape);

  // Builds the model and opens it; returns the loader's status.
  Status Build(const std::string& op, const std::vector<int>& inputs, const std::vector<int>& outputs,
               const OpOptions& options = OpOptions(), const OpResolver* resolver = nullptr);

  // Values for the graph input created as tensor `tensor`.
  void SetInput(int tensor, const std::vector<float>& values);
  void SetInputInt32(int tensor, const std::vector<int32_t>& values);
  Status Invoke();
  std::vector<float> Output(int tensor) const;
  std::vector<int32_t> OutputInt32(int tensor) const;

  ModelBuilder& builder() { return builder_; }
  Interpreter* interpreter() { return interpreter_.get(); }
  const std::vector<uint8_t>& file() const { return file_; }

 private:
  int InputIndex(int tensor) const;
  int OutputIndex(int tensor) const;
  ModelBuilder builder_;
  std::vector<int> inputs_, outputs_;
  std::vector<uint8_t> file_;
  std::shared_ptr<const Model> model_;
  std::unique_ptr<Interpreter> interpreter_;
};

// A copy of `bytes` in 64-byte aligned memory, freed with the returned handle
// (for tests of Model::FromBuffer, which borrows the caller's bytes).
std::shared_ptr<uint8_t> AlignedCopy(const std::vector<uint8_t>& bytes);

// Opens a model from bytes: Model::FromBufferCopy (the Model owns its copy).
Status OpenModelBytes(const std::vector<uint8_t>& bytes, std::shared_ptr<const Model>* model,
                      const ModelOptions& options = ModelOptions());

}  // namespace testing
}  // namespace hunch

#endif  // HUNCH_TESTING_OP_TEST_UTIL_H_
