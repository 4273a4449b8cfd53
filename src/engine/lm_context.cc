#include "engine/lm_context.h"

#include <algorithm>
#include <utility>

namespace hunch {
namespace engine {

Status LmContext::Init(std::shared_ptr<const Model> model, const LmSignature& sig) {
  sig_ = sig;
  Status st = Interpreter::Create(std::move(model), {}, &lm_);
  if (!st.ok()) return st;
  log_probs_.assign(static_cast<size_t>(sig.vocab_size), 0.0f);
  return Status::OK();
}

void LmContext::Reset() {
  fed_.clear();
  states_.clear();
  if (lm_) lm_->ResetState();
}

Status LmContext::StepAndSave(int32_t id) {
  *lm_->input_data<int32_t>(sig_.token_input) = id;
  Status st = lm_->Invoke();
  if (!st.ok()) return st;
  fed_.push_back(id);
  states_.emplace_back(lm_->state_bytes());
  return lm_->SaveState(states_.back().data(), states_.back().size());
}

Status LmContext::Sync(const std::vector<int32_t>& ids) {
  if (ids.empty()) return Status::InvalidArgument("lm: empty token sequence");
  if (ids == fed_) return Status::OK();
  size_t common = 0;
  while (common < fed_.size() && common < ids.size() && fed_[common] == ids[common]) ++common;
  // Restart from the state after ids[0..start), then step the rest (at least
  // the last token, whose output is needed).
  const size_t start = std::min(common, ids.size() - 1);
  fed_.resize(start);
  states_.resize(start);
  if (start == 0) {
    lm_->ResetState();
  } else {
    Status st = lm_->RestoreState(states_.back().data(), states_.back().size());
    if (!st.ok()) {
      Reset();
      return st;
    }
  }
  for (size_t k = start; k < ids.size(); ++k) {
    Status st = StepAndSave(ids[k]);
    if (!st.ok()) {
      Reset();
      return st;
    }
  }
  const float* out = lm_->output_data<float>(sig_.log_probs_output);
  log_probs_.assign(out, out + sig_.vocab_size);
  return Status::OK();
}

Status LmContext::Branch::Step(int32_t id, const float** log_probs) {
  stepped_ = true;
  *lm_->lm_->input_data<int32_t>(lm_->sig_.token_input) = id;
  Status st = lm_->lm_->Invoke();
  if (!st.ok()) return st;
  *log_probs = lm_->lm_->output_data<float>(lm_->sig_.log_probs_output);
  return Status::OK();
}

Status LmContext::Branch::Close() {
  if (!stepped_) return Status::OK();
  stepped_ = false;
  if (lm_->states_.empty()) {
    lm_->Reset();
    return Status::OK();
  }
  Status st = lm_->lm_->RestoreState(lm_->states_.back().data(), lm_->states_.back().size());
  if (!st.ok()) lm_->Reset();
  return st;
}

}  // namespace engine
}  // namespace hunch
