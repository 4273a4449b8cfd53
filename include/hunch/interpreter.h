// Interpreter: runs one subgraph of a Model step by step.
//
// Creation allocates the planned activation arena and the state block once;
// Invoke allocates nothing. Persistent state tensors (recurrent h and c)
// keep their values between Invokes until ResetState or RestoreState.
//
//   std::shared_ptr<const hunch::Model> model;
//   HUNCH_RETURN_IF_ERROR(hunch::Model::Open("lm.hunch", {}, &model));
//   std::unique_ptr<hunch::Interpreter> lm;
//   HUNCH_RETURN_IF_ERROR(hunch::Interpreter::Create(model, {}, &lm));
//   *lm->input_data<int32_t>(0) = token_id;
//   HUNCH_RETURN_IF_ERROR(lm->Invoke());
//   const float* log_probs = lm->output_data<float>(0);
//
// Branching (beam search): SaveState into a caller buffer of state_bytes(),
// try a continuation, RestoreState to come back, without re-running the
// context.
//
// Ownership: the interpreter keeps the Model alive (shared_ptr). Input and
// output pointers stay valid for the interpreter's lifetime; output values are
// those of the last Invoke. Inputs never share memory with other tensors; an
// output shares memory only when it is itself a graph input, a state, a
// constant or a view of one.
//
// Thread safety: one Interpreter per thread. Different interpreters over the
// same Model may run concurrently.
#ifndef HUNCH_INTERPRETER_H_
#define HUNCH_INTERPRETER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "hunch/export.h"
#include "hunch/model.h"
#include "hunch/status.h"
#include "hunch/types.h"

namespace hunch {

struct InterpreterOptions {
  int subgraph = 0;  // which subgraph to run
};

class HUNCH_EXPORT Interpreter {
 public:
  static Status Create(std::shared_ptr<const Model> model, const InterpreterOptions& options,
                       std::unique_ptr<Interpreter>* interpreter);
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  const Model& model() const { return *model_; }

  int num_inputs() const;
  int num_outputs() const;
  int FindInput(const char* name) const;   // -1 when absent
  int FindOutput(const char* name) const;  // -1 when absent
  // `i` must be in range.
  const TensorInfo& input_info(int i) const;
  const TensorInfo& output_info(int i) const;
  // Writable input memory (input_info(i).bytes bytes); nullptr when out of range.
  void* input_data(int i);
  // Output memory of the last Invoke; nullptr when out of range.
  const void* output_data(int i) const;
  template <typename T>
  T* input_data(int i) {
    return static_cast<T*>(input_data(i));
  }
  template <typename T>
  const T* output_data(int i) const {
    return static_cast<const T*>(output_data(i));
  }

  // Runs every op of the subgraph in order, then advances the state.
  // On error (e.g. a token id out of range) the state is left unchanged.
  Status Invoke();

  // Sets every state tensor to its initial value (zeros unless the model
  // gives one).
  void ResetState();
  // Bytes SaveState writes: the state tensors packed back to back.
  size_t state_bytes() const;
  // Copies the state into `dst` (at least state_bytes() bytes).
  Status SaveState(void* dst, size_t size) const;
  // Replaces the state with what SaveState wrote (`size` >= state_bytes()).
  Status RestoreState(const void* src, size_t size);

  size_t arena_bytes() const;

 private:
  Interpreter() = default;
  std::shared_ptr<const Model> model_;
  const void* plan_ = nullptr;  // internal::SubgraphPlan
  uint8_t* arena_ = nullptr;    // 64-byte aligned, arena_bytes
  uint8_t* state_ = nullptr;    // 64-byte aligned
  std::vector<uint8_t*> data_;  // per tensor
};

}  // namespace hunch

#endif  // HUNCH_INTERPRETER_H_
