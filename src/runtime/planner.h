// The runtime's plan of a verified model file: op registrations found by
// name, each node's prepare run (its options parsed, its scratch requested),
// views resolved, the state block laid out and the activation arena planned.
#ifndef HUNCH_RUNTIME_PLANNER_H_
#define HUNCH_RUNTIME_PLANNER_H_

#include <vector>

#include "format/model_file.h"
#include "hunch/op.h"
#include "hunch/status.h"
#include "runtime/plan.h"

namespace hunch {
namespace internal {

// Plans every subgraph of `file` (on which Verify has succeeded). Fails with
// kUnsupported, naming every op `resolver` lacks, or with the first op whose
// prepare refuses its node, or when a plan is too large.
Status PlanModel(const ModelFile& file, const OpResolver& resolver, std::vector<SubgraphPlan>* plans);

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_RUNTIME_PLANNER_H_
