// RESHAPE: y is x under another shape (a view: no copy, no eval)
//   input:  x (any dtype and shape)
//   output: y of x's dtype and element count; its shape is the new shape
#include "kernels/view_op.h"

namespace hunch {
namespace internal {

OpRegistration Register_RESHAPE() { return ViewRegistration("RESHAPE", PrepareView); }

}  // namespace internal
}  // namespace hunch
