// GRU: one time step of a gated recurrent unit for a batch of B rows
// (PyTorch's gate order and semantics).
//   inputs (-1 = an omitted optional input):
//      0 x       float32 [B, I]
//      1 h_prev  float32 [B, U]
//      2 W_x     [3U, I] float32/float16/int8/int4, gate blocks r, z, n
//      3 W_h     [3U, U] same dtypes, gate blocks r, z, n
//      4 b_x     float32 [3U] (optional)
//      5 b_h     float32 [3U] (optional)
//   output: 0 h float32 [B, U]
//   options: GruOptions.linear_before_reset (default true; absent options
//            mean the default).
//
// Math per batch row, in this order of float operations (the contract);
// gx = MatVec(W_x, x), gh = MatVec(W_h, h_prev) (kernels/weights.h: x and
// h_prev are quantized separately for int8/int4 weights), and a bias term
// that is absent is omitted (not added as 0):
//   r = sigmoid((gx_r + bx_r) + (gh_r + bh_r))
//   z = sigmoid((gx_z + bx_z) + (gh_z + bh_z))
//   linear_before_reset:  n = tanh((gx_n + bx_n) + r * (gh_n + bh_n))
//   otherwise:            n = tanh((gx_n + bx_n) + (MatVec(W_h[n rows], r * h_prev) + bh_n))
//                         (r * h_prev is quantized on its own for int8/int4;
//                         only the r and z rows of W_h multiply h_prev)
//   h = (1 - z) * n + z * h_prev
// with sigmoid(v) = 1 / (1 + exp(-v)).
#include <cmath>

#include "kernels/dispatch.h"
#include "kernels/kernel_util.h"
#include "kernels/weights.h"

namespace hunch {
namespace internal {
namespace {

enum Input { kX = 0, kHPrev = 1, kWx = 2, kWh = 3, kBx = 4, kBh = 5, kNumInputs = 6 };

Status ReadLinearBeforeReset(const OpContext* ctx, bool* lbr) {
  *lbr = true;
  const fb::Operator* op = FbOp(ctx);
  if (op->options_type() == fb::Options_NONE) return Status::OK();
  const fb::GruOptions* o = op->options_as_GruOptions();
  if (!o) return Status::Corruption("options must be GruOptions");
  *lbr = o->linear_before_reset();
  return Status::OK();
}

size_t AlignUp(size_t n) { return (n + 63) / 64 * 64; }

// Scratch layout: gx [3U] | gh [3U] | rh [U] | quantized activations.
struct ScratchLayout {
  size_t gx = 0, gh = 0, rh = 0, q = 0, total = 0;
};

ScratchLayout Layout(int units, size_t quant_bytes) {
  ScratchLayout s;
  s.gh = AlignUp(s.gx + sizeof(float) * 3 * units);
  s.rh = AlignUp(s.gh + sizeof(float) * 3 * units);
  s.q = AlignUp(s.rh + sizeof(float) * units);
  s.total = s.q + quant_bytes;
  return s;
}

Status CheckVector(const TensorInfo* t, int n, const char* what) {
  HUNCH_RETURN_IF_ERROR(CheckDType(t, DType::kFloat32, what));
  if (t->shape.rank != 1 || t->shape.dims[0] != n)
    return Status::Corruption(Format("%s %s should be [%d]", what, ShapeString(t->shape).c_str(), n));
  return Status::OK();
}

Status CheckMatrix(const TensorInfo* t, int rows, int cols, const char* what) {
  HUNCH_RETURN_IF_ERROR(CheckDType(t, DType::kFloat32, what));
  if (t->shape.rank != 2 || t->shape.dims[0] != rows || t->shape.dims[1] != cols)
    return Status::Corruption(Format("%s %s should be [%d, %d]", what, ShapeString(t->shape).c_str(), rows, cols));
  return Status::OK();
}

// Rows [begin, begin + count) of `w` as a matrix of their own.
WeightMatrix RowSlice(const WeightMatrix& w, int begin, int count) {
  WeightMatrix s = w;
  s.rows = count;
  s.data = w.data + static_cast<size_t>(begin) * w.row_bytes;
  if (w.dtype == DType::kInt8) s.scales = w.scales + begin;
  if (w.dtype == DType::kInt4) s.scales = w.scales + static_cast<size_t>(begin) * w.blocks_per_row;
  return s;
}

Status Prepare(OpContext* ctx) {
  HUNCH_RETURN_IF_ERROR(CheckArity(ctx, 4, kNumInputs, 1));
  bool lbr = true;
  HUNCH_RETURN_IF_ERROR(ReadLinearBeforeReset(ctx, &lbr));
  OpContextAccess::SetOptions(ctx, lbr);
  const TensorInfo* x = ctx->input(kX);
  const TensorInfo* h_prev = ctx->input(kHPrev);
  const TensorInfo* wx = ctx->input(kWx);
  const TensorInfo* wh = ctx->input(kWh);
  HUNCH_RETURN_IF_ERROR(CheckDType(x, DType::kFloat32, "x"));
  HUNCH_RETURN_IF_ERROR(CheckDType(h_prev, DType::kFloat32, "h_prev"));
  if (!wx) return Status::Corruption("W_x is missing");
  if (!wh) return Status::Corruption("W_h is missing");
  HUNCH_RETURN_IF_ERROR(CheckWeightMatrix(*wx, "W_x"));
  HUNCH_RETURN_IF_ERROR(CheckWeightMatrix(*wh, "W_h"));
  if (x->shape.rank != 2) return Status::Corruption(Format("x %s must have rank 2 [B, I]", ShapeString(x->shape).c_str()));
  const int batch = x->shape.dims[0];
  const int in = x->shape.dims[1];
  const int gate_rows = wx->shape.dims[0];
  if (gate_rows % 3 != 0)
    return Status::Corruption(Format("W_x %s: %d rows are not 3 gate blocks (r, z, n)", ShapeString(wx->shape).c_str(),
                                     gate_rows));
  const int units = gate_rows / 3;
  if (wx->shape.dims[1] != in)
    return Status::Corruption(Format("W_x %s does not match x %s", ShapeString(wx->shape).c_str(),
                                     ShapeString(x->shape).c_str()));
  HUNCH_RETURN_IF_ERROR(CheckMatrix(h_prev, batch, units, "h_prev"));
  if (wh->shape.dims[0] != gate_rows || wh->shape.dims[1] != units)
    return Status::Corruption(Format("W_h %s should be [%d, %d]", ShapeString(wh->shape).c_str(), gate_rows, units));
  if (const TensorInfo* b = ctx->input(kBx)) HUNCH_RETURN_IF_ERROR(CheckVector(b, gate_rows, "b_x"));
  if (const TensorInfo* b = ctx->input(kBh)) HUNCH_RETURN_IF_ERROR(CheckVector(b, gate_rows, "b_h"));
  HUNCH_RETURN_IF_ERROR(CheckMatrix(ctx->output(0), batch, units, "output h"));
  const size_t qx = MatVecScratchBytes(wx->dtype, in), qh = MatVecScratchBytes(wh->dtype, units);
  ctx->RequestScratch(Layout(units, qx > qh ? qx : qh).total);
  return Status::OK();
}

Status Eval(OpContext* ctx) {
  const bool lbr = OpContextAccess::options<bool>(*ctx);  // GruOptions.linear_before_reset
  const WeightMatrix wx = MakeWeightMatrix(*ctx->input(kWx), ctx->input_data(kWx));
  const WeightMatrix wh = MakeWeightMatrix(*ctx->input(kWh), ctx->input_data(kWh));
  const int batch = ctx->input(kX)->shape.dims[0];
  const int in = wx.cols;
  const int units = wh.cols;
  const float* x = ctx->input_data<float>(kX);
  const float* h_prev = ctx->input_data<float>(kHPrev);
  const float* bx = ctx->input_data<float>(kBx);
  const float* bh = ctx->input_data<float>(kBh);
  float* h_out = ctx->output_data<float>(0);

  uint8_t* scratch = static_cast<uint8_t*>(ctx->scratch());
  const ScratchLayout lay = Layout(units, 0);
  float* gx = reinterpret_cast<float*>(scratch + lay.gx);
  float* gh = reinterpret_cast<float*>(scratch + lay.gh);
  float* rh = reinterpret_cast<float*>(scratch + lay.rh);
  void* qscratch = scratch + lay.q;
  // Without linear_before_reset only the r and z rows multiply h_prev.
  const WeightMatrix wh_rz = RowSlice(wh, 0, 2 * units);
  const WeightMatrix wh_n = RowSlice(wh, 2 * units, units);
  const int R = 0, Z = units, N = 2 * units;

  for (int b = 0; b < batch; ++b) {
    const float* xb = x + static_cast<size_t>(b) * in;
    const float* hb = h_prev + static_cast<size_t>(b) * units;
    float* hout = h_out + static_cast<size_t>(b) * units;
    MatVec(wx, xb, qscratch, gx);
    MatVec(lbr ? wh : wh_rz, hb, qscratch, gh);
    if (bx)
      for (int k = 0; k < 3 * units; ++k) gx[k] = gx[k] + bx[k];
    if (bh)
      for (int k = 0; k < (lbr ? 3 : 2) * units; ++k) gh[k] = gh[k] + bh[k];
    // r and z (adjacent blocks) in one pass of the kernel set's vectorized
    // sigmoid; r into rh (and r * h_prev when the reset is applied before W_h).
    const KernelSet& k = Kernels();
    for (int u = 0; u < 2 * units; ++u) gx[R + u] = gx[R + u] + gh[R + u];
    k.sigmoid(gx + R, 2 * units);
    for (int u = 0; u < units; ++u) rh[u] = lbr ? gx[R + u] : gx[R + u] * hb[u];
    if (!lbr) {
      MatVec(wh_n, rh, qscratch, gh + N);
      if (bh)
        for (int u = 0; u < units; ++u) gh[N + u] = gh[N + u] + bh[N + u];
    }
    float* n = gx + N;
    if (lbr)
      for (int u = 0; u < units; ++u) n[u] = n[u] + rh[u] * gh[N + u];
    else
      for (int u = 0; u < units; ++u) n[u] = n[u] + gh[N + u];
    k.tanh(n, units);
    for (int u = 0; u < units; ++u) {
      const float z = gx[Z + u];
      hout[u] = (1.f - z) * n[u] + z * hb[u];
    }
  }
  return Status::OK();
}

}  // namespace

OpRegistration Register_GRU() {
  OpRegistration r;
  r.name = "GRU";
  r.prepare = Prepare;
  r.eval = Eval;
  return r;
}

}  // namespace internal
}  // namespace hunch
