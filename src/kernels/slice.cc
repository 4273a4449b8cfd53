// SLICE: a contiguous box of a tensor
//   input:  x float32 or int32
//   output: y of x's dtype and rank; y[i...] = x[begin + i...]
//   options: SliceOptions.begin (required, one entry per dimension); the
//            size of the box along each dimension is y's dimension there.
//            0 <= begin[d] and begin[d] + y.dims[d] <= x.dims[d].
#include <cstring>

#include "kernels/data_movement.h"
#include "kernels/kernel_util.h"

namespace hunch {
namespace internal {
namespace {

// SliceOptions.begin, parsed by prepare.
struct Begin {
  int32_t begin[kMaxRank];
};

Status Prepare(OpContext* ctx) {
  HUNCH_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const TensorInfo* x = ctx->input(0);
  const TensorInfo* y = ctx->output(0);
  HUNCH_RETURN_IF_ERROR(CheckFloatOrInt32(x, "input"));
  HUNCH_RETURN_IF_ERROR(CheckSameDType(y, x, "output", "input"));
  if (y->shape.rank != x->shape.rank)
    return Status::Corruption(Format("output %s and input %s have different ranks", ShapeString(y->shape).c_str(),
                                     ShapeString(x->shape).c_str()));
  const fb::SliceOptions* o = FbOp(ctx)->options_as_SliceOptions();
  const flatbuffers::Vector<int32_t>* begin = o ? o->begin() : nullptr;
  if (!begin) return Status::Corruption("needs SliceOptions with begin");
  if (static_cast<int>(begin->size()) != x->shape.rank)
    return Status::Corruption(Format("begin has %u entries for an input of rank %d", begin->size(), x->shape.rank));
  Begin parsed = {};
  for (int d = 0; d < x->shape.rank; ++d) {
    const int64_t b = begin->Get(d), size = y->shape.dims[d];
    if (b < 0 || b + size > x->shape.dims[d])
      return Status::Corruption(Format("dimension %d: begin %lld and size %lld do not fit in %d", d,
                                       static_cast<long long>(b), static_cast<long long>(size), x->shape.dims[d]));
    parsed.begin[d] = begin->Get(d);
  }
  OpContextAccess::SetOptions(ctx, parsed);
  return Status::OK();
}

Status Eval(OpContext* ctx) {
  const Shape& in = ctx->input(0)->shape;
  const Shape& out = ctx->output(0)->shape;
  const int32_t* begin = OpContextAccess::options<Begin>(*ctx).begin;
  const uint8_t* x = static_cast<const uint8_t*>(ctx->input_data(0));
  uint8_t* y = static_cast<uint8_t*>(ctx->output_data(0));
  const int rank = in.rank;
  if (rank == 0) {
    std::memcpy(y, x, kElementBytes);
    return Status::OK();
  }
  int64_t in_stride[kMaxRank];  // in elements
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    in_stride[d] = stride;
    stride *= in.dims[d];
  }
  // Copy one row (the last dimension) at a time, walking an index over the
  // output's other dimensions.
  const size_t row_bytes = static_cast<size_t>(out.dims[rank - 1]) * kElementBytes;
  const int64_t rows = out.NumElements() / out.dims[rank - 1];
  int64_t index[kMaxRank] = {0};
  for (int64_t r = 0; r < rows; ++r) {
    int64_t offset = begin[rank - 1];
    for (int d = 0; d < rank - 1; ++d) offset += (begin[d] + index[d]) * in_stride[d];
    std::memcpy(y + r * row_bytes, x + offset * kElementBytes, row_bytes);
    for (int d = rank - 2; d >= 0; --d) {
      if (++index[d] < out.dims[d]) break;
      index[d] = 0;
    }
  }
  return Status::OK();
}

}  // namespace

OpRegistration Register_SLICE() {
  OpRegistration r;
  r.name = "SLICE";
  r.prepare = Prepare;
  r.eval = Eval;
  return r;
}

}  // namespace internal
}  // namespace hunch
