// Model::Impl and internal::ModelAccess: how the library's own code (the
// interpreter, the model rewriter) reaches a Model's file and plans. The
// public API has no such accessor; this header is not installed.
#ifndef HUNCH_RUNTIME_MODEL_INTERNAL_H_
#define HUNCH_RUNTIME_MODEL_INTERNAL_H_

#include <vector>

#include "format/model_file.h"
#include "hunch/model.h"
#include "runtime/plan.h"

namespace hunch {

struct Model::Impl {
  internal::ModelFile file;                   // the verified bytes (src/format/)
  std::vector<internal::SubgraphPlan> plans;  // one per subgraph (src/runtime/planner.h)
};

namespace internal {

struct ModelAccess {
  static const ModelFile& file(const Model& m) { return m.impl_->file; }
  // `subgraph` must be in [0, num_subgraphs()).
  static const SubgraphPlan& plan(const Model& m, int subgraph) { return m.impl_->plans[subgraph]; }
};

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_RUNTIME_MODEL_INTERNAL_H_
