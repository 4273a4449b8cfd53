// The language model run over a context: one interpreter, the state after
// every token fed so far (so a backspace or a cursor move back costs no LM
// step, and appending a word costs one), and the LM's output after the last.
//
// Sync(ids) moves to a token sequence from the longest common prefix with
// the tokens already fed. A Branch steps the LM past the synced context (a
// phrase look-ahead) and puts the context's state back when it closes, so
// the cache and the output stay those of the synced sequence.
//
// Thread safety: one LmContext per session, used by one thread at a time.
#ifndef HUNCH_ENGINE_LM_CONTEXT_H_
#define HUNCH_ENGINE_LM_CONTEXT_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "hunch/interpreter.h"
#include "hunch/model.h"
#include "hunch/status.h"
#include "runtime/lm_signature.h"

namespace hunch {
namespace engine {

class LmContext {
 public:
  Status Init(std::shared_ptr<const Model> model, const LmSignature& sig);

  // Feeds `ids` (non-empty; <s> first), reusing the cached states of the
  // longest common prefix with what was fed before; at least the last token
  // is stepped again when the whole sequence is cached but the output is
  // not the last token's. On error the cache is emptied.
  Status Sync(const std::vector<int32_t>& ids);
  // The tokens whose states are cached, and the log-probabilities over the
  // vocabulary after the last of them (valid after a successful Sync).
  const std::vector<int32_t>& fed() const { return fed_; }
  const float* log_probs() const { return log_probs_.data(); }
  int vocab_size() const { return sig_.vocab_size; }
  void Reset();

  // Steps past the synced context; the context's state is restored by
  // Close() or the destructor. At most one branch per LmContext at a time,
  // and no Sync while it is open.
  class Branch {
   public:
    explicit Branch(LmContext* lm) : lm_(lm) {}
    ~Branch() { Close(); }
    Branch(const Branch&) = delete;
    Branch& operator=(const Branch&) = delete;
    // Steps token `id`; *log_probs points at the LM's output over the
    // vocabulary until the next Step or Close.
    Status Step(int32_t id, const float** log_probs);
    Status Close();

   private:
    LmContext* lm_;
    bool stepped_ = false;
  };

 private:
  Status StepAndSave(int32_t id);

  std::unique_ptr<Interpreter> lm_;
  LmSignature sig_;
  std::vector<int32_t> fed_;                // <s> + ids whose state the LM holds
  std::vector<std::vector<uint8_t>> states_;  // states_[k]: the state after fed_[0..k]
  std::vector<float> log_probs_;
};

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_LM_CONTEXT_H_
