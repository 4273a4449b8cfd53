#include "hunch/op.h"
#include "hunch_generated.h"
#include "runtime/plan.h"

namespace hunch {

using internal::NodeRec;

const char* OpContext::op_name() const { return plan_->nodes[node_].reg.name; }
int OpContext::node_index() const { return node_; }
void* OpContext::user_data() const { return plan_->nodes[node_].reg.user_data; }

int OpContext::num_inputs() const { return static_cast<int>(plan_->nodes[node_].inputs.size()); }
int OpContext::num_outputs() const { return static_cast<int>(plan_->nodes[node_].outputs.size()); }

const TensorInfo* OpContext::input(int i) const {
  const NodeRec& n = plan_->nodes[node_];
  if (i < 0 || i >= static_cast<int>(n.inputs.size()) || n.inputs[i] < 0) return nullptr;
  return &plan_->tensors[n.inputs[i]].info;
}

const TensorInfo* OpContext::output(int i) const {
  const NodeRec& n = plan_->nodes[node_];
  if (i < 0 || i >= static_cast<int>(n.outputs.size())) return nullptr;
  return &plan_->tensors[n.outputs[i]].info;
}

const uint8_t* OpContext::custom_options() const {
  const auto* v = plan_->nodes[node_].op->custom_options();
  return v && v->size() ? v->data() : nullptr;
}

size_t OpContext::custom_options_size() const {
  const auto* v = plan_->nodes[node_].op->custom_options();
  return v ? v->size() : 0;
}

void OpContext::RequestScratch(size_t bytes) {
  if (bytes > scratch_request_) scratch_request_ = bytes;
}

const void* OpContext::input_data(int i) const {
  const NodeRec& n = plan_->nodes[node_];
  if (!data_ || i < 0 || i >= static_cast<int>(n.inputs.size()) || n.inputs[i] < 0) return nullptr;
  return data_[n.inputs[i]];
}

void* OpContext::output_data(int i) const {
  const NodeRec& n = plan_->nodes[node_];
  if (!data_ || i < 0 || i >= static_cast<int>(n.outputs.size())) return nullptr;
  return data_[n.outputs[i]];
}

void* OpContext::scratch() const { return scratch_; }

}  // namespace hunch
