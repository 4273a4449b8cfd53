// Builds single-step recurrent language models with random weights: the
// shape of the model the keyboard engine runs (token in, log-probabilities
// and new state out), for benchmarks, fuzz seeds and tests.
#ifndef HUNCH_BUILDER_LM_BUILDER_H_
#define HUNCH_BUILDER_LM_BUILDER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hunch/types.h"

namespace hunch {

struct LmConfig {
  enum Cell { kCifgLstm, kLstm, kGru } cell = kCifgLstm;
  int vocab = 10000;
  int embed = 96;
  int units = 670;
  int proj = 96;  // LSTM projection size; 0 = none (then units must equal embed to tie)
  DType weights = DType::kFloat32;
  int int4_block = 32;
  uint32_t seed = 1;
  // Added to the random output bias (size vocab, or empty): lets tests make
  // chosen tokens likely whatever the context.
  std::vector<float> output_bias;
  // Metadata entries (name, bytes) written into the file.
  std::vector<std::pair<std::string, std::string>> metadata;

  // The Gboard-size configuration (about 1.4M parameters).
  static LmConfig Gboard(DType weights) {
    LmConfig c;
    c.weights = weights;
    return c;
  }
  int64_t NumParameters() const;
};

// Graph: tokens int32 [1] -> GATHER(embedding [V, E]) -> cell -> FULLY_CONNECTED
// (tied to the embedding, + bias [V]) -> LOG_SOFTMAX -> "log_probs" [1, V];
// states "h" (and "c") carried between steps.
std::vector<uint8_t> BuildRandomLm(const LmConfig& config);

// "cifg-lstm", "lstm", "gru"; returns false for anything else.
bool ParseCell(const std::string& name, LmConfig::Cell* cell);
bool ParseDType(const std::string& name, DType* dtype);

}  // namespace hunch

#endif  // HUNCH_BUILDER_LM_BUILDER_H_
