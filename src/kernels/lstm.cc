// LSTM: one time step of a long short-term memory cell for a batch of B rows,
// with optional CIFG, peepholes, layer normalization, projection and clipping.
//   inputs (-1 = an omitted optional input):
//      0 x        float32 [B, I]
//      1 h_prev   float32 [B, P]   (P = projection size with W_proj, else U)
//      2 c_prev   float32 [B, U]
//      3 W_x      [G*U, I] float32/float16/int8/int4
//      4 W_h      [G*U, P] same dtypes
//      5 bias     float32 [G*U]                  (optional)
//      6 peephole_i, 7 peephole_f, 8 peephole_o  float32 [U] (optional; all or
//                 none; with CIFG peephole_i must be absent)
//      9 W_proj   [P, U] weights                 (optional)
//     10 b_proj   float32 [P]                    (optional, only with W_proj)
//     11..14 layer-norm weights of gates i, f, g, o, float32 [U] (optional;
//                 all or none; with CIFG the i weights must be absent)
//   outputs: 0 h float32 [B, P], 1 c float32 [B, U]
//   options: LstmOptions (cifg, cell_clip, proj_clip, layer_norm_epsilon);
//            absent options mean the defaults. Clips must be >= 0 (0 = none);
//            proj_clip is ignored without W_proj; eps must be > 0 with layer norm.
// Gate blocks of U rows are stacked in W_x, W_h, bias in the order i, f, g, o;
// with CIFG the i gate is absent (G = 3, order f, g, o), else G = 4.
//
// Math per batch row, in this order of float operations (the contract):
//   gx = MatVec(W_x, x); gh = MatVec(W_h, h_prev)   (kernels/weights.h: x and
//        h_prev are quantized separately for int8/int4 weights)
//   pre[r] = gx[r] + gh[r]
//   layer norm, per gate block of U values p[0..U):
//        mean = (sum_u p[u], ascending) / U
//        var  = (sum_u (p[u] - mean)^2, ascending) / U
//        p[u] = (p[u] - mean) / sqrt(var + eps) * ln_w[gate][u]
//   pre[r] = pre[r] + bias[r]                         (after layer norm)
//   f = sigmoid(pre_f + pf * c_prev)
//   i = CIFG ? 1 - f : sigmoid(pre_i + pi * c_prev)
//   g = tanh(pre_g)
//   c = f * c_prev + i * g;   if cell_clip > 0: c = clamp(c, -cell_clip, cell_clip)
//   o = sigmoid(pre_o + po * c)                       (the new c)
//   m = o * tanh(c)
//   h = W_proj ? MatVec(W_proj, m) + b_proj (then clamp to +-proj_clip when
//       proj_clip > 0) : m
// with sigmoid(v) = 1 / (1 + exp(-v)), every peephole term omitted (not
// added as 0) when peepholes are absent.
#include <cmath>

#include "kernels/dispatch.h"
#include "kernels/kernel_util.h"
#include "kernels/weights.h"

namespace hunch {
namespace internal {
namespace {

enum Input {
  kX = 0,
  kHPrev = 1,
  kCPrev = 2,
  kWx = 3,
  kWh = 4,
  kBias = 5,
  kPeepI = 6,
  kPeepF = 7,
  kPeepO = 8,
  kWProj = 9,
  kBProj = 10,
  kLnI = 11,
  kLnF = 12,
  kLnG = 13,
  kLnO = 14,
  kNumInputs = 15,
};

// LstmOptions, parsed by prepare and kept for eval.
struct Params {
  bool cifg = false;
  float cell_clip = 0.f;
  float proj_clip = 0.f;
  float eps = 1e-5f;
};

Status ReadParams(const OpContext* ctx, Params* p) {
  const fb::Operator* op = FbOp(ctx);
  if (op->options_type() == fb::Options_NONE) return Status::OK();
  const fb::LstmOptions* o = op->options_as_LstmOptions();
  if (!o) return Status::Corruption("options must be LstmOptions");
  p->cifg = o->cifg();
  p->cell_clip = o->cell_clip();
  p->proj_clip = o->proj_clip();
  p->eps = o->layer_norm_epsilon();
  return Status::OK();
}

size_t AlignUp(size_t n) { return (n + 63) / 64 * 64; }

// Scratch layout: pre [G*U] | gh [G*U] | m [U] | quantized activations.
struct ScratchLayout {
  size_t pre = 0, gh = 0, m = 0, q = 0, total = 0;
};

ScratchLayout Layout(int gate_rows, int units, size_t quant_bytes) {
  ScratchLayout s;
  s.pre = 0;
  s.gh = AlignUp(s.pre + sizeof(float) * gate_rows);
  s.m = AlignUp(s.gh + sizeof(float) * gate_rows);
  s.q = AlignUp(s.m + sizeof(float) * units);
  s.total = s.q + quant_bytes;
  return s;
}

size_t Max3(size_t a, size_t b, size_t c) {
  const size_t ab = a > b ? a : b;
  return ab > c ? ab : c;
}

// A present float32 vector of `n` elements, rank 1.
Status CheckVector(const TensorInfo* t, int n, const char* what) {
  HUNCH_RETURN_IF_ERROR(CheckDType(t, DType::kFloat32, what));
  if (t->shape.rank != 1 || t->shape.dims[0] != n)
    return Status::Corruption(Format("%s %s should be [%d]", what, ShapeString(t->shape).c_str(), n));
  return Status::OK();
}

// A present float32 matrix [rows, cols].
Status CheckMatrix(const TensorInfo* t, int rows, int cols, const char* what) {
  HUNCH_RETURN_IF_ERROR(CheckDType(t, DType::kFloat32, what));
  if (t->shape.rank != 2 || t->shape.dims[0] != rows || t->shape.dims[1] != cols)
    return Status::Corruption(Format("%s %s should be [%d, %d]", what, ShapeString(t->shape).c_str(), rows, cols));
  return Status::OK();
}

// Optional inputs [first, first + count) must be all present or all absent.
// Sets *present.
Status AllOrNone(const OpContext* ctx, int first, int count, const char* what, bool* present) {
  int n = 0;
  for (int k = first; k < first + count; ++k) n += ctx->input(k) != nullptr;
  if (n != 0 && n != count)
    return Status::Corruption(Format("%s: %d of %d given (all or none)", what, n, count));
  *present = n == count;
  return Status::OK();
}

Status Prepare(OpContext* ctx) {
  HUNCH_RETURN_IF_ERROR(CheckArity(ctx, 5, kNumInputs, 2));
  Params p;
  HUNCH_RETURN_IF_ERROR(ReadParams(ctx, &p));
  if (!(p.cell_clip >= 0.f)) return Status::Corruption(Format("cell_clip %g must be >= 0", double(p.cell_clip)));
  if (!(p.proj_clip >= 0.f)) return Status::Corruption(Format("proj_clip %g must be >= 0", double(p.proj_clip)));
  OpContextAccess::SetOptions(ctx, p);

  const TensorInfo* x = ctx->input(kX);
  const TensorInfo* h_prev = ctx->input(kHPrev);
  const TensorInfo* c_prev = ctx->input(kCPrev);
  const TensorInfo* wx = ctx->input(kWx);
  const TensorInfo* wh = ctx->input(kWh);
  HUNCH_RETURN_IF_ERROR(CheckDType(x, DType::kFloat32, "x"));
  HUNCH_RETURN_IF_ERROR(CheckDType(h_prev, DType::kFloat32, "h_prev"));
  HUNCH_RETURN_IF_ERROR(CheckDType(c_prev, DType::kFloat32, "c_prev"));
  if (!wx) return Status::Corruption("W_x is missing");
  if (!wh) return Status::Corruption("W_h is missing");
  HUNCH_RETURN_IF_ERROR(CheckWeightMatrix(*wx, "W_x"));
  HUNCH_RETURN_IF_ERROR(CheckWeightMatrix(*wh, "W_h"));
  if (x->shape.rank != 2) return Status::Corruption(Format("x %s must have rank 2 [B, I]", ShapeString(x->shape).c_str()));
  const int batch = x->shape.dims[0];
  const int in = x->shape.dims[1];
  const int gates = p.cifg ? 3 : 4;
  const int gate_rows = wx->shape.dims[0];
  if (gate_rows % gates != 0)
    return Status::Corruption(Format("W_x %s: %d rows are not %d gate blocks%s", ShapeString(wx->shape).c_str(),
                                     gate_rows, gates, p.cifg ? " (CIFG)" : ""));
  const int units = gate_rows / gates;
  if (wx->shape.dims[1] != in)
    return Status::Corruption(Format("W_x %s does not match x %s", ShapeString(wx->shape).c_str(),
                                     ShapeString(x->shape).c_str()));
  HUNCH_RETURN_IF_ERROR(CheckMatrix(c_prev, batch, units, "c_prev"));

  // Projection.
  const TensorInfo* wproj = ctx->input(kWProj);
  const TensorInfo* bproj = ctx->input(kBProj);
  int proj = units;
  if (wproj) {
    HUNCH_RETURN_IF_ERROR(CheckWeightMatrix(*wproj, "W_proj"));
    proj = wproj->shape.dims[0];
    if (wproj->shape.dims[1] != units)
      return Status::Corruption(Format("W_proj %s should have %d columns (the number of units)",
                                       ShapeString(wproj->shape).c_str(), units));
    if (bproj) HUNCH_RETURN_IF_ERROR(CheckVector(bproj, proj, "b_proj"));
  } else if (bproj) {
    return Status::Corruption("b_proj is given without W_proj");
  }
  HUNCH_RETURN_IF_ERROR(CheckMatrix(h_prev, batch, proj, "h_prev"));
  if (wh->shape.dims[0] != gate_rows || wh->shape.dims[1] != proj)
    return Status::Corruption(Format("W_h %s should be [%d, %d]", ShapeString(wh->shape).c_str(), gate_rows, proj));

  // Bias.
  if (const TensorInfo* b = ctx->input(kBias)) HUNCH_RETURN_IF_ERROR(CheckVector(b, gate_rows, "bias"));

  // Peepholes.
  bool peep = false;
  if (p.cifg) {
    if (ctx->input(kPeepI)) return Status::Corruption("peephole_i must be absent with CIFG");
    HUNCH_RETURN_IF_ERROR(AllOrNone(ctx, kPeepF, 2, "peepholes f and o", &peep));
  } else {
    HUNCH_RETURN_IF_ERROR(AllOrNone(ctx, kPeepI, 3, "peepholes i, f and o", &peep));
  }
  if (peep) {
    static const char* const kPeepNames[] = {"peephole_i", "peephole_f", "peephole_o"};
    for (int k = p.cifg ? kPeepF : kPeepI; k <= kPeepO; ++k)
      HUNCH_RETURN_IF_ERROR(CheckVector(ctx->input(k), units, kPeepNames[k - kPeepI]));
  }

  // Layer normalization.
  bool ln = false;
  if (p.cifg) {
    if (ctx->input(kLnI)) return Status::Corruption("layer-norm weights of gate i must be absent with CIFG");
    HUNCH_RETURN_IF_ERROR(AllOrNone(ctx, kLnF, 3, "layer-norm weights f, g and o", &ln));
  } else {
    HUNCH_RETURN_IF_ERROR(AllOrNone(ctx, kLnI, 4, "layer-norm weights i, f, g and o", &ln));
  }
  if (ln) {
    static const char* const kLnNames[] = {"layer-norm weights i", "layer-norm weights f", "layer-norm weights g",
                                           "layer-norm weights o"};
    for (int k = p.cifg ? kLnF : kLnI; k <= kLnO; ++k)
      HUNCH_RETURN_IF_ERROR(CheckVector(ctx->input(k), units, kLnNames[k - kLnI]));
    if (!(p.eps > 0.f) || !std::isfinite(p.eps))
      return Status::Corruption(Format("layer_norm_epsilon %g must be finite and > 0", double(p.eps)));
  }

  // Outputs.
  HUNCH_RETURN_IF_ERROR(CheckMatrix(ctx->output(0), batch, proj, "output h"));
  HUNCH_RETURN_IF_ERROR(CheckMatrix(ctx->output(1), batch, units, "output c"));

  const size_t quant = Max3(MatVecScratchBytes(wx->dtype, in), MatVecScratchBytes(wh->dtype, proj),
                            wproj ? MatVecScratchBytes(wproj->dtype, units) : 0);
  ctx->RequestScratch(Layout(gate_rows, units, quant).total);
  return Status::OK();
}

inline float Clip(float v, float clip) { return v > clip ? clip : (v < -clip ? -clip : v); }

Status Eval(OpContext* ctx) {
  const Params& p = OpContextAccess::options<Params>(*ctx);
  const WeightMatrix wx = MakeWeightMatrix(*ctx->input(kWx), ctx->input_data(kWx));
  const WeightMatrix wh = MakeWeightMatrix(*ctx->input(kWh), ctx->input_data(kWh));
  const bool has_proj = ctx->input(kWProj) != nullptr;
  WeightMatrix wproj;
  if (has_proj) wproj = MakeWeightMatrix(*ctx->input(kWProj), ctx->input_data(kWProj));
  const int batch = ctx->input(kX)->shape.dims[0];
  const int in = wx.cols;
  const int gate_rows = wx.rows;
  const int units = gate_rows / (p.cifg ? 3 : 4);
  const int proj = wh.cols;

  const float* x = ctx->input_data<float>(kX);
  const float* h_prev = ctx->input_data<float>(kHPrev);
  const float* c_prev = ctx->input_data<float>(kCPrev);
  const float* bias = ctx->input_data<float>(kBias);
  const float* peep_i = ctx->input_data<float>(kPeepI);
  const float* peep_f = ctx->input_data<float>(kPeepF);
  const float* peep_o = ctx->input_data<float>(kPeepO);
  const float* b_proj = ctx->input_data<float>(kBProj);
  const bool has_peep = peep_f != nullptr;
  const bool has_ln = ctx->input(kLnO) != nullptr;
  float* h_out = ctx->output_data<float>(0);
  float* c_out = ctx->output_data<float>(1);

  // Gate block offsets (in units of U rows) and their layer-norm weights.
  const int gi = 0;  // unused with CIFG
  const int gf = p.cifg ? 0 : 1;
  const int gg = gf + 1;
  const int go = gf + 2;
  const int num_gates = p.cifg ? 3 : 4;
  const int first_ln = p.cifg ? kLnF : kLnI;

  uint8_t* scratch = static_cast<uint8_t*>(ctx->scratch());
  const ScratchLayout lay = Layout(gate_rows, units, 0);
  float* pre = reinterpret_cast<float*>(scratch + lay.pre);
  float* gh = reinterpret_cast<float*>(scratch + lay.gh);
  float* m_buf = reinterpret_cast<float*>(scratch + lay.m);
  void* qscratch = scratch + lay.q;

  for (int b = 0; b < batch; ++b) {
    const float* xb = x + static_cast<size_t>(b) * in;
    const float* hb = h_prev + static_cast<size_t>(b) * proj;
    const float* cb = c_prev + static_cast<size_t>(b) * units;
    float* cout = c_out + static_cast<size_t>(b) * units;
    float* hout = h_out + static_cast<size_t>(b) * proj;

    MatVec(wx, xb, qscratch, pre);
    MatVec(wh, hb, qscratch, gh);
    for (int r = 0; r < gate_rows; ++r) pre[r] = pre[r] + gh[r];

    if (has_ln) {
      for (int gate = 0; gate < num_gates; ++gate) {
        float* block = pre + static_cast<size_t>(gate) * units;
        const float* w = ctx->input_data<float>(first_ln + gate);
        float sum = 0.f;
        for (int u = 0; u < units; ++u) sum += block[u];
        const float mean = sum / static_cast<float>(units);
        float sq = 0.f;
        for (int u = 0; u < units; ++u) {
          const float d = block[u] - mean;
          sq += d * d;
        }
        const float var = sq / static_cast<float>(units);
        const float denom = std::sqrt(var + p.eps);
        for (int u = 0; u < units; ++u) block[u] = (block[u] - mean) / denom * w[u];
      }
    }
    if (bias)
      for (int r = 0; r < gate_rows; ++r) pre[r] = pre[r] + bias[r];

    // Gate activations as whole-array passes through the kernel set's
    // vectorized sigmoid and tanh (kernels/dispatch.h).
    const KernelSet& k = Kernels();
    float* pf = pre + gf * units;
    float* pg = pre + gg * units;
    float* po = pre + go * units;
    if (has_peep) {
      for (int u = 0; u < units; ++u) pf[u] = pf[u] + peep_f[u] * cb[u];
      if (!p.cifg)
        for (int u = 0; u < units; ++u) pre[gi * units + u] = pre[gi * units + u] + peep_i[u] * cb[u];
    }
    // i and f are adjacent blocks without CIFG: one pass over both.
    if (p.cifg)
      k.sigmoid(pf, units);
    else
      k.sigmoid(pre + gi * units, 2 * units);
    k.tanh(pg, units);
    const float* ig = pre + gi * units;
    for (int u = 0; u < units; ++u) {
      const float i = p.cifg ? 1.f - pf[u] : ig[u];
      float c = pf[u] * cb[u] + i * pg[u];
      if (p.cell_clip > 0.f) c = Clip(c, p.cell_clip);
      cout[u] = c;
    }
    if (has_peep)
      for (int u = 0; u < units; ++u) po[u] = po[u] + peep_o[u] * cout[u];
    k.sigmoid(po, units);
    // Without projection m is h itself.
    float* m = has_proj ? m_buf : hout;
    for (int u = 0; u < units; ++u) m[u] = cout[u];
    k.tanh(m, units);
    for (int u = 0; u < units; ++u) m[u] = po[u] * m[u];

    if (has_proj) {
      MatVec(wproj, m, qscratch, hout);
      if (b_proj)
        for (int k = 0; k < proj; ++k) hout[k] = hout[k] + b_proj[k];
      if (p.proj_clip > 0.f)
        for (int k = 0; k < proj; ++k) hout[k] = Clip(hout[k], p.proj_clip);
    }
  }
  return Status::OK();
}

}  // namespace

OpRegistration Register_LSTM() {
  OpRegistration r;
  r.name = "LSTM";
  r.prepare = Prepare;
  r.eval = Eval;
  return r;
}

}  // namespace internal
}  // namespace hunch
