// GATHER (embedding lookup): y[i..., :] = table[ids[i...], :]
//   inputs: table [V, D] float32/float16/int8/int4; ids int32 (any shape)
//   output: y float32 [ids..., D]
// An id outside [0, V) fails the Invoke with kInvalidArgument.
#include "kernels/kernel_util.h"
#include "kernels/weights.h"

namespace hunch {
namespace internal {
namespace {

Status Prepare(OpContext* ctx) {
  HUNCH_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const TensorInfo* table = ctx->input(0);
  const TensorInfo* ids = ctx->input(1);
  const TensorInfo* y = ctx->output(0);
  if (!table) return Status::Corruption("table is missing");
  HUNCH_RETURN_IF_ERROR(CheckWeightMatrix(*table, "table"));
  HUNCH_RETURN_IF_ERROR(CheckDType(ids, DType::kInt32, "ids"));
  HUNCH_RETURN_IF_ERROR(CheckDType(y, DType::kFloat32, "output"));
  if (ids->shape.rank + 1 > kMaxRank) return Status::Unsupported("ids have too high a rank");
  Shape expected = ids->shape;
  expected.dims[expected.rank++] = table->shape.dims[1];
  if (y->shape != expected)
    return Status::Corruption(Format("output %s should be %s", ShapeString(y->shape).c_str(),
                                     ShapeString(expected).c_str()));
  return Status::OK();
}

Status Eval(OpContext* ctx) {
  const WeightMatrix table = MakeWeightMatrix(*ctx->input(0), ctx->input_data(0));
  const int32_t* ids = ctx->input_data<int32_t>(1);
  const int64_t n = ctx->input(1)->shape.NumElements();
  float* y = ctx->output_data<float>(0);
  for (int64_t i = 0; i < n; ++i) {
    if (ids[i] < 0 || ids[i] >= table.rows)
      return Status::InvalidArgument(Format("id %d is out of range [0, %d)", ids[i], table.rows));
  }
  for (int64_t i = 0; i < n; ++i) DequantizeRow(table, ids[i], y + i * table.cols);
  return Status::OK();
}

}  // namespace

OpRegistration Register_GATHER() {
  OpRegistration r;
  r.name = "GATHER";
  r.prepare = Prepare;
  r.eval = Eval;
  return r;
}

}  // namespace internal
}  // namespace hunch
