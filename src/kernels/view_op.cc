#include "kernels/view_op.h"

#include "kernels/kernel_util.h"

namespace hunch {
namespace internal {

Status PrepareView(OpContext* ctx) {
  HUNCH_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const TensorInfo* x = ctx->input(0);
  const TensorInfo* y = ctx->output(0);
  if (!x) return Status::Corruption("input is missing");
  if (y->dtype != x->dtype)
    return Status::Corruption(Format("output is %s but input is %s", DTypeName(y->dtype), DTypeName(x->dtype)));
  if (y->shape.NumElements() != x->shape.NumElements() || y->bytes != x->bytes)
    return Status::Corruption(Format("output %s and input %s have different element counts",
                                     ShapeString(y->shape).c_str(), ShapeString(x->shape).c_str()));
  return Status::OK();
}

bool RemovesOnlyOnes(const Shape& big, const Shape& small) {
  int j = 0;  // the next dimension of `small` to match
  for (int i = 0; i < big.rank; ++i) {
    if (j < small.rank && big.dims[i] == small.dims[j])
      ++j;
    else if (big.dims[i] != 1)
      return false;
  }
  return j == small.rank;
}

OpRegistration ViewRegistration(const char* name, OpFunction prepare) {
  OpRegistration r;
  r.name = name;
  r.prepare = prepare;
  r.eval = nullptr;  // never called: the output aliases the input
  r.flags = kOpFlagAliasInput0;
  return r;
}

}  // namespace internal
}  // namespace hunch
