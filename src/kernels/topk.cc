// TOPK: the k largest values of each row (the last dimension) and where they are
//   input:   x float32 [..., N] (rank >= 1)
//   outputs: values float32 [..., k]; indices int32 [..., k], 1 <= k <= N
//            (k is the outputs' last dimension)
// Each row's results are sorted by value, largest first; equal values are
// ordered by index, lowest first. NaN counts as smaller than every number
// (including -inf), so NaNs are only returned when a row has fewer than k
// numbers, after them, by index. -0 and +0 are equal.
#include <algorithm>
#include <cmath>

#include "kernels/kernel_util.h"

namespace hunch {
namespace internal {
namespace {

// Orders the indices of one row: larger value first, then lower index; NaN last.
struct Before {
  const float* row;
  bool operator()(int32_t i, int32_t j) const {
    const float a = row[i], b = row[j];
    const bool a_nan = std::isnan(a), b_nan = std::isnan(b);
    if (a_nan != b_nan) return b_nan;
    if (!a_nan && a != b) return a > b;
    return i < j;
  }
};

// Up to this k, one pass keeps the best k seen so far in order (insertion
// into a sorted buffer); beyond it, a partial sort of all the indices.
constexpr int32_t kMaxInsertionK = 64;

// Whether any of row[0..8) is greater than t: eight comparisons without a
// branch each, then one.
inline bool AnyGreater8(const float* row, float t) {
  int any = 0;
  for (int j = 0; j < 8; ++j) any |= row[j] > t;
  return any != 0;
}

// Scanning in index order, an element enters only when it comes before the
// current k-th: with a numeric k-th that is exactly value > k-th (a tie or a
// NaN has a higher index and stays out), so whole blocks of eight are
// skipped with one branch; with a NaN k-th, any number enters.
void TopKByInsertion(const float* row, int32_t n, int32_t k, int32_t* best) {
  const Before before{row};
  int32_t size = 0;
  float kth = 0.f;
  bool kth_is_number = false;  // meaningful once size == k
  for (int32_t i = 0; i < n; ++i) {
    if (size == k && kth_is_number) {
      while (i + 8 <= n && !AnyGreater8(row + i, kth)) i += 8;
      if (i == n) break;
    }
    const float v = row[i];
    if (size == k) {
      if (kth_is_number ? !(v > kth) : std::isnan(v)) continue;
      size = k - 1;  // the k-th drops out
    }
    int32_t p = size;
    for (; p > 0 && before(i, best[p - 1]); --p) best[p] = best[p - 1];
    best[p] = i;
    if (++size == k) {
      kth = row[best[k - 1]];
      kth_is_number = !std::isnan(kth);
    }
  }
}

Status Prepare(OpContext* ctx) {
  HUNCH_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 2));
  const TensorInfo* x = ctx->input(0);
  const TensorInfo* values = ctx->output(0);
  const TensorInfo* indices = ctx->output(1);
  HUNCH_RETURN_IF_ERROR(CheckDType(x, DType::kFloat32, "input"));
  HUNCH_RETURN_IF_ERROR(CheckDType(values, DType::kFloat32, "values"));
  HUNCH_RETURN_IF_ERROR(CheckDType(indices, DType::kInt32, "indices"));
  HUNCH_RETURN_IF_ERROR(CheckSameShape(values, indices, "values", "indices"));
  if (x->shape.rank < 1) return Status::Corruption("input must have rank >= 1");
  const int32_t n = x->shape.Last(), k = values->shape.Last();
  Shape expected = x->shape;
  expected.dims[expected.rank - 1] = k;
  if (values->shape != expected)
    return Status::Corruption(Format("values %s should be %s (the input %s with the last dimension k)",
                                     ShapeString(values->shape).c_str(), ShapeString(expected).c_str(),
                                     ShapeString(x->shape).c_str()));
  if (k < 1 || k > n) return Status::Corruption(Format("k = %d must be in [1, %d]", k, n));
  ctx->RequestScratch(static_cast<size_t>(n) * sizeof(int32_t));
  return Status::OK();
}

Status Eval(OpContext* ctx) {
  const Shape& in = ctx->input(0)->shape;
  const int32_t n = in.Last(), k = ctx->output(0)->shape.Last();
  const int64_t rows = in.NumElements() / n;
  const float* x = ctx->input_data<float>(0);
  float* values = ctx->output_data<float>(0);
  int32_t* indices = ctx->output_data<int32_t>(1);
  int32_t* order = static_cast<int32_t*>(ctx->scratch());  // n entries
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * n;
    if (k <= kMaxInsertionK) {
      TopKByInsertion(row, n, k, order);
    } else {
      for (int32_t i = 0; i < n; ++i) order[i] = i;
      std::partial_sort(order, order + k, order + n, Before{row});
    }
    for (int32_t j = 0; j < k; ++j) {
      values[r * k + j] = row[order[j]];
      indices[r * k + j] = order[j];
    }
  }
  return Status::OK();
}

}  // namespace

OpRegistration Register_TOPK() {
  OpRegistration r;
  r.name = "TOPK";
  r.prepare = Prepare;
  r.eval = Eval;
  return r;
}

}  // namespace internal
}  // namespace hunch
