// The interface of a single-step language model, found once for every user
// (the engine, the quantizer's evaluation, the parity checker, the converter
// tests): which input takes the token id and which output holds the
// log-probabilities over the vocabulary.
//
// Header-only on purpose, and written against the public Interpreter API
// alone: libhunch_engine links libhunch, whose internal symbols are hidden,
// so a non-inline helper in libhunch would not be visible to it.
#ifndef HUNCH_RUNTIME_LM_SIGNATURE_H_
#define HUNCH_RUNTIME_LM_SIGNATURE_H_

#include <cstdint>

#include "hunch/interpreter.h"
#include "hunch/status.h"
#include "hunch/types.h"
#include "util/strings.h"

namespace hunch {

struct LmSignature {
  int token_input = -1;       // index for Interpreter::input_data
  int log_probs_output = -1;  // index for Interpreter::output_data
  int vocab_size = 0;         // elements of that output
};

// The smallest vocabulary FindLmSignature accepts: <unk>, <s>, </s> and a word.
constexpr int kMinLmVocabSize = 4;

// The token input is the input named "token" (or "tokens"), else the only
// input; it must be int32 with one element. The log-probability output is the
// output named "log_probs", else the only output; it must be float32 with at
// least kMinLmVocabSize elements, which give vocab_size. Any other model is
// kInvalidArgument with a message that says what is missing or wrong.
inline Status FindLmSignature(const Interpreter& lm, LmSignature* sig) {
  using internal::Format;
  int in = lm.FindInput("token");
  if (in < 0) in = lm.FindInput("tokens");
  if (in < 0 && lm.num_inputs() == 1) in = 0;
  int out = lm.FindOutput("log_probs");
  if (out < 0 && lm.num_outputs() == 1) out = 0;
  if (in < 0 || out < 0)
    return Status::InvalidArgument(
        Format("the model needs an input 'token' and an output 'log_probs' (or a single input and a single "
               "output); it has %d inputs and %d outputs and %s",
               lm.num_inputs(), lm.num_outputs(),
               in < 0 ? "no input is named 'token'" : "no output is named 'log_probs'"));
  const TensorInfo& ii = lm.input_info(in);
  if (ii.dtype != DType::kInt32 || ii.shape.NumElements() != 1)
    return Status::InvalidArgument(Format("input 'token' must be one int32; input '%s' is %s with %lld elements",
                                          ii.name, DTypeName(ii.dtype),
                                          static_cast<long long>(ii.shape.NumElements())));
  const TensorInfo& oi = lm.output_info(out);
  const int64_t n = oi.shape.NumElements();
  if (oi.dtype != DType::kFloat32 || n < kMinLmVocabSize || n > INT32_MAX)
    return Status::InvalidArgument(
        Format("output 'log_probs' must be float32 over the vocabulary (at least %d entries); output '%s' is %s with "
               "%lld elements",
               kMinLmVocabSize, oi.name, DTypeName(oi.dtype), static_cast<long long>(n)));
  sig->token_input = in;
  sig->log_probs_output = out;
  sig->vocab_size = static_cast<int>(n);
  return Status::OK();
}

}  // namespace hunch

#endif  // HUNCH_RUNTIME_LM_SIGNATURE_H_
