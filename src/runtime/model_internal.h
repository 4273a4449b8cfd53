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
  // Model::Open or Model::FromBufferCopy (path null) for the model rewriter:
  // a format-version-1 file (no checksum) is accepted, unchecked, so that
  // rewriting it upgrades it (ModelSource::accept_unchecked_v1).
  static Status OpenForRewrite(const char* path, const void* data, size_t size, const ModelOptions& options,
                               std::shared_ptr<const Model>* model) {
    ModelSource source;
    source.kind = path ? (options.load == LoadMode::kRead ? ModelSource::kRead : ModelSource::kMap) : ModelSource::kCopy;
    source.path = path;
    source.data = data;
    source.size = size;
    source.accept_unchecked_v1 = true;
    return Model::Load(source, options, model);
  }
};

}  // namespace internal
}  // namespace hunch

#endif  // HUNCH_RUNTIME_MODEL_INTERNAL_H_
