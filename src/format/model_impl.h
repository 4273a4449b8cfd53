// Model::Impl: the bytes of a .hunch file and the plans built from them.
#ifndef HUNCH_FORMAT_MODEL_IMPL_H_
#define HUNCH_FORMAT_MODEL_IMPL_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "hunch/model.h"
#include "runtime/plan.h"

namespace hunch {
namespace fb {
struct Model;
}

struct Model::Impl {
  ~Impl();
  void* map_addr = nullptr;  // owned mmap (Open), else null
  size_t map_size = 0;
  const uint8_t* data = nullptr;
  size_t size = 0;
  const fb::Model* fb = nullptr;
  std::vector<internal::SubgraphPlan> subgraphs;
  size_t weight_bytes = 0;
};

namespace internal {
// Verifies impl->data/size and fills fb, subgraphs and weight_bytes.
Status LoadModel(Model::Impl* impl, const OpResolver& resolver);
}  // namespace internal

}  // namespace hunch

#endif  // HUNCH_FORMAT_MODEL_IMPL_H_
