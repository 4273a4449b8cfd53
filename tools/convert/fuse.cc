// FuseCells: finds the recurrent cells of train/model.py written as explicit
// gate math and replaces each by one fused node (emitted as hunch's LSTM or
// GRU op). Every match is verified in full: op types, which value feeds which
// gate, shapes, that the intermediate values are used nowhere else, and that
// the constant in `1 - f` is exactly 1. Anything else stays op by op.
//
// LSTM (G = 4, gates i, f, g, o) and CIFG (G = 3, gates f, g, o, i = 1 - f):
//   z = Linear(x, W_x, b) + Linear(h_prev, W_h[, b_h])     [B, G*U]
//   gates = Split(z, axis 1, U each)
//   f = Sigmoid(z_f); i = CIFG ? 1 - f : Sigmoid(z_i); g = Tanh(z_g); o = Sigmoid(z_o)
//   c = f * c_prev + i * g
//   m = o * Tanh(c)
//   h = Linear(m, W_proj[, b_proj]) when m feeds only that, else m
// GRU (gates r, z, n; linear before reset):
//   gx = Split(Linear(x, W_x, b_x)); gh = Split(Linear(h_prev, W_h, b_h))
//   r = Sigmoid(gx_r + gh_r); z = Sigmoid(gx_z + gh_z); n = Tanh(gx_n + r * gh_n)
//   h = (1 - z) * n + z * h_prev
// Operands of Add and Mul may come in either order.
#include <algorithm>
#include <set>

#include "tools/convert/fold.h"
#include "tools/convert/passes.h"

namespace hunch {
namespace convert {

namespace {

class Matcher {
 public:
  Matcher(Graph* g, const Binding& b) : g_(g), b_(b) {}

  // The node that writes `v` if it is a pending node of type `op`, else -1.
  int Producer(int v, const std::string& op) const {
    if (v < 0) return -1;
    v = g_->Resolve(v);
    const int p = g_->values[v].producer;
    if (p < 0 || g_->nodes[p].disposition != Disposition::kPending || g_->nodes[p].merged_into >= 0 ||
        g_->nodes[p].blocked || g_->nodes[p].custom)
      return -1;
    return g_->nodes[p].op_type == op ? p : -1;
  }
  int In(int node, size_t k) const {
    const Node& n = g_->nodes[node];
    return k < n.inputs.size() && n.inputs[k] >= 0 ? g_->Resolve(n.inputs[k]) : -1;
  }
  int Out(int node, size_t k = 0) const {
    const Node& n = g_->nodes[node];
    return k < n.outputs.size() ? n.outputs[k] : -1;
  }
  std::vector<int> Users(int v) const { return LiveConsumers(*g_, v); }
  // The only user of `v`, when it is a pending node of type `op`.
  int OnlyUser(int v, const std::string& op) const {
    const std::vector<int> u = Users(v);
    if (u.size() != 1 || g_->nodes[u[0]].op_type != op ||
        g_->nodes[u[0]].disposition != Disposition::kPending || g_->nodes[u[0]].blocked ||
        g_->nodes[u[0]].custom)
      return -1;
    return u[0];
  }
  // Users of `v` of type `op`.
  std::vector<int> UsersOf(int v, const std::string& op) const {
    std::vector<int> out;
    for (int u : Users(v))
      if (g_->nodes[u].op_type == op && g_->nodes[u].disposition == Disposition::kPending &&
          !g_->nodes[u].blocked && !g_->nodes[u].custom)
        out.push_back(u);
    return out;
  }
  // For a binary node with inputs {a, other}: the other input, or -1 when `a` is not one of them.
  int Other(int node, int a) const {
    const Node& n = g_->nodes[node];
    if (n.inputs.size() != 2) return -1;
    const int x = In(node, 0), y = In(node, 1);
    a = g_->Resolve(a);
    if (x == a) return y;
    if (y == a) return x;
    return -1;
  }
  const std::vector<int64_t>& Shape(int v) const {
    static const std::vector<int64_t> kNone;
    return v < 0 ? kNone : g_->values[g_->Resolve(v)].shape;
  }
  bool IsConst(int v) const { return v >= 0 && g_->values[g_->Resolve(v)].constant != nullptr; }
  bool IsOnes(int v, const std::vector<int64_t>& like) const {
    if (!IsConst(v)) return false;
    const Tensor& t = *g_->values[g_->Resolve(v)].constant;
    if (t.elem != Elem::kFloat || t.size() < 1) return false;
    for (float x : t.f)
      if (x != 1.f) return false;
    std::vector<int64_t> s;
    return BroadcastShapes(like, t.shape, &s) && s == like;
  }
  // Interior values: used only by the pattern's nodes, never an output or state.
  bool Interior(const std::vector<int>& values, const std::set<int>& members) const {
    for (int v : values) {
      if (v < 0 || IsRoot(b_, *g_, v)) return false;
      for (int u : Users(v))
        if (!members.count(u)) return false;
    }
    return true;
  }
  bool IsStateInput(int v) const {
    for (const auto& s : b_.states)
      if (g_->Resolve(s.first) == g_->Resolve(v)) return true;
    return false;
  }
  int StateNext(int v) const {
    for (const auto& s : b_.states)
      if (g_->Resolve(s.first) == g_->Resolve(v)) return g_->Resolve(s.second);
    return -1;
  }
  bool Root(int v) const { return IsRoot(b_, *g_, v); }
  Graph* g() const { return g_; }

 private:
  Graph* g_;
  const Binding& b_;
};

bool SplitEqual(const Graph& g, const Node& s, int gates, int64_t* units) {
  if (s.outputs.size() != static_cast<size_t>(gates) || s.inputs.empty()) return false;
  for (int o : s.outputs)
    if (o < 0) return false;
  const Value& z = g.values[g.Resolve(s.inputs[0])];
  if (z.shape.size() != 2 || z.shape[1] % gates) return false;
  int64_t axis;
  if (!NormalizeAxis(AttrInt(s, "axis", 0), 2, &axis) || axis != 1) return false;
  std::vector<int64_t> sizes;
  if (!SplitSizes(g, s, z.shape[1], &sizes).ok()) return false;
  for (int64_t k : sizes)
    if (k != z.shape[1] / gates) return false;
  *units = z.shape[1] / gates;
  return true;
}

// A bias that is the sum of two optional bias values (constant [n]); -1 when neither.
int SumBias(Graph* g, int a, int b, const std::string& name) {
  if (a < 0) return b;
  if (b < 0) return a;
  Tensor t = *g->values[g->Resolve(a)].constant;
  const Tensor& u = *g->values[g->Resolve(b)].constant;
  for (size_t k = 0; k < t.f.size(); ++k) t.f[k] += u.f[k];
  return NewConstant(g, name, std::move(t));
}

// Marks the converter nodes `absorbed` and the ONNX nodes `members` as parts of `cell`.
void Absorb(Graph* g, int cell, const std::vector<int>& absorbed, const std::vector<int>& onnx_members,
            const std::string& note) {
  std::vector<int> all = onnx_members;
  for (int a : absorbed) {
    g->nodes[a].disposition = Disposition::kFused;
    g->nodes[a].merged_into = cell;
    for (int m : g->nodes[a].members) all.push_back(m);
  }
  for (int m : all) {
    g->nodes[m].disposition = Disposition::kFused;
    g->nodes[m].merged_into = cell;
    g->nodes[m].note = note;
    g->nodes[cell].order = std::max(g->nodes[cell].order, g->nodes[m].order);
  }
  g->nodes[cell].members = all;
}

bool TryLstm(Matcher& m, int split) {
  Graph* g = m.g();
  const Node& s = g->nodes[split];
  int64_t units = 0;
  int gates = static_cast<int>(s.outputs.size());
  if (gates != 3 && gates != 4) return false;
  if (!SplitEqual(*g, s, gates, &units)) return false;
  const bool cifg = gates == 3;
  const int z = m.In(split, 0);
  const int64_t batch = m.Shape(z)[0];
  const std::vector<int64_t> gate_shape = {batch, units};
  const int add = m.Producer(z, "Add");
  if (add < 0) return false;
  const int l1 = m.Producer(m.In(add, 0), "hunch.Linear"), l2 = m.Producer(m.In(add, 1), "hunch.Linear");
  if (l1 < 0 || l2 < 0 || l1 == l2) return false;

  // Gate activations.
  std::vector<int> outs(g->nodes[split].outputs);
  const int zi = cifg ? -1 : outs[0], zf = outs[cifg ? 0 : 1], zg = outs[cifg ? 1 : 2],
            zo = outs[cifg ? 2 : 3];
  const int sf = m.OnlyUser(zf, "Sigmoid"), sg = m.OnlyUser(zg, "Tanh"), so = m.OnlyUser(zo, "Sigmoid");
  const int si = cifg ? -1 : m.OnlyUser(zi, "Sigmoid");
  if (sf < 0 || sg < 0 || so < 0 || (!cifg && si < 0)) return false;
  const int f = m.Out(sf), gg = m.Out(sg), o = m.Out(so);
  int i = -1, sub = -1;
  if (cifg) {
    const std::vector<int> subs = m.UsersOf(f, "Sub");
    if (subs.size() != 1 || m.In(subs[0], 1) != g->Resolve(f) || !m.IsOnes(m.In(subs[0], 0), gate_shape))
      return false;
    sub = subs[0];
    i = m.Out(sub);
  } else {
    i = m.Out(si);
  }
  // c = f * c_prev + i * g
  const std::vector<int> f_muls = m.UsersOf(f, "Mul");
  if (f_muls.size() != 1) return false;
  const int mul_fc = f_muls[0];
  const int c_prev = m.Other(mul_fc, f);
  if (c_prev < 0 || m.Shape(c_prev) != gate_shape || !g->values[c_prev].is_float()) return false;
  const int mul_ig = m.OnlyUser(i, "Mul");
  if (mul_ig < 0 || m.Other(mul_ig, i) != g->Resolve(gg)) return false;
  const int add_c = m.OnlyUser(m.Out(mul_fc), "Add");
  if (add_c < 0 || m.Other(add_c, m.Out(mul_fc)) != g->Resolve(m.Out(mul_ig))) return false;
  const int c_new = m.Out(add_c);
  if (m.Shape(c_new) != gate_shape) return false;
  // m = o * tanh(c)
  const int mul_om = m.OnlyUser(o, "Mul");
  if (mul_om < 0) return false;
  const int t_c = m.Other(mul_om, o);
  const int tanh_c = t_c >= 0 ? g->values[t_c].producer : -1;
  if (tanh_c < 0 || g->nodes[tanh_c].op_type != "Tanh" ||
      g->nodes[tanh_c].disposition != Disposition::kPending || m.In(tanh_c, 0) != g->Resolve(c_new))
    return false;
  const int mm = m.Out(mul_om);
  if (m.Shape(mm) != gate_shape) return false;
  // Projection.
  int proj = -1;
  const std::vector<int> m_users = m.Users(mm);
  if (m_users.size() == 1 && g->nodes[m_users[0]].op_type == "hunch.Linear" && !m.Root(mm) &&
      m.In(m_users[0], 0) == g->Resolve(mm))
    proj = m_users[0];
  const int h_new = proj >= 0 ? m.Out(proj) : mm;
  const int64_t out_size = proj >= 0 ? m.Shape(m.In(proj, 1))[0] : units;
  // Which Linear reads x and which h_prev: W_h has out_size columns. Prefer the
  // input that is a state updated from this cell's h, then any state, then
  // model.py's order (z = zx + W_h h).
  int lx = -1, lh = -1, best = -1;
  for (int order = 0; order < 2; ++order) {
    const int cand_x = order == 0 ? l1 : l2, cand_h = order == 0 ? l2 : l1;
    const int hin = m.In(cand_h, 0);
    const std::vector<int64_t>& wh = m.Shape(m.In(cand_h, 1));
    const std::vector<int64_t>& wx = m.Shape(m.In(cand_x, 1));
    if (m.Shape(hin) != std::vector<int64_t>{batch, out_size} ||
        wh != std::vector<int64_t>{gates * units, out_size})
      continue;
    if (wx.size() != 2 || wx[0] != gates * units ||
        m.Shape(m.In(cand_x, 0)) != std::vector<int64_t>{batch, wx[1]})
      continue;
    int score = 1 + order;  // model.py's order wins ties
    if (m.IsStateInput(hin)) score += 10;
    if (m.StateNext(hin) == g->Resolve(h_new)) score += 100;
    if (score > best) {
      best = score;
      lx = cand_x;
      lh = cand_h;
    }
  }
  if (lx < 0) return false;
  // The gate values and the sums are used by the cell alone.
  std::set<int> members = {add, split, sf, sg, so, mul_fc, mul_ig, add_c, tanh_c, mul_om};
  if (cifg) members.insert(sub);
  if (!cifg) members.insert(si);
  if (proj >= 0) members.insert(proj);
  std::vector<int> interior = {m.Out(lx),     m.Out(lh),    z, zf, zg, zo, f, i, gg, o, m.Out(mul_fc),
                               m.Out(mul_ig), m.Out(tanh_c)};
  if (!cifg) interior.push_back(zi);
  if (proj >= 0) interior.push_back(mm);
  std::set<int> users_ok = members;
  users_ok.insert(lx);
  users_ok.insert(lh);
  if (!m.Interior(interior, users_ok)) return false;
  // c_new feeds tanh_c and may be an output / state; its other users are fine.

  auto cell = std::make_shared<CellInfo>();
  cell->kind = CellInfo::kLstm;
  cell->cifg = cifg;
  cell->x = m.In(lx, 0);
  cell->h_prev = m.In(lh, 0);
  cell->c_prev = c_prev;
  cell->w_x = m.In(lx, 1);
  cell->w_h = m.In(lh, 1);
  const std::string base = g->nodes[split].name;
  cell->bias = SumBias(g, m.In(lx, 2), m.In(lh, 2), base + ".bias");
  if (proj >= 0) {
    cell->w_proj = m.In(proj, 1);
    cell->b_proj = m.In(proj, 2);
  }
  cell->h_out = h_new;
  cell->c_out = c_new;
  cell->description = std::string(cifg ? "CIFG-LSTM" : "LSTM") + ", " + std::to_string(units) + " units" +
                      (proj >= 0 ? ", projection " + std::to_string(out_size) : "");
  Node n;
  n.op_type = "hunch.LSTM";
  n.name = base.empty() ? "lstm" : base + ".lstm";
  n.inputs = {cell->x, cell->h_prev, c_prev};
  n.outputs = {h_new, c_new};
  n.cell = cell;
  const int id = static_cast<int>(g->nodes.size());
  g->nodes.push_back(n);
  g->values[h_new].producer = id;
  g->values[c_new].producer = id;
  std::vector<int> absorbed = {lx, lh};
  if (proj >= 0) absorbed.push_back(proj);
  std::vector<int> onnx_members;
  for (int k : members)
    if (static_cast<size_t>(k) < g->num_onnx_nodes) onnx_members.push_back(k);
  Absorb(g, id, absorbed, onnx_members,
         "fused into LSTM '" + g->nodes[id].name + "' (" + cell->description + ")");
  return true;
}

bool TryGru(Matcher& m, int split_x) {
  Graph* g = m.g();
  int64_t units = 0;
  if (!SplitEqual(*g, g->nodes[split_x], 3, &units)) return false;
  const std::vector<int> xo = g->nodes[split_x].outputs;
  const int add_r = m.OnlyUser(xo[0], "Add");
  const int add_z = m.OnlyUser(xo[1], "Add");
  const int add_n = m.OnlyUser(xo[2], "Add");
  if (add_r < 0 || add_z < 0 || add_n < 0) return false;
  const int hr = m.Other(add_r, xo[0]);
  const int split_h = hr >= 0 ? g->values[hr].producer : -1;
  if (split_h < 0 || split_h == split_x || g->nodes[split_h].op_type != "Split" ||
      g->nodes[split_h].disposition != Disposition::kPending)
    return false;
  int64_t units_h = 0;
  if (!SplitEqual(*g, g->nodes[split_h], 3, &units_h) || units_h != units) return false;
  const std::vector<int> ho = g->nodes[split_h].outputs;
  if (hr != g->Resolve(ho[0]) || m.Other(add_z, xo[1]) != g->Resolve(ho[1])) return false;
  const int sr = m.OnlyUser(m.Out(add_r), "Sigmoid"), sz = m.OnlyUser(m.Out(add_z), "Sigmoid");
  if (sr < 0 || sz < 0) return false;
  const int r = m.Out(sr), z = m.Out(sz);
  // n = tanh(x_n + r * h_n)
  const int mul_r = m.OnlyUser(r, "Mul");
  if (mul_r < 0 || m.Other(mul_r, r) != g->Resolve(ho[2])) return false;
  if (m.Other(add_n, xo[2]) != g->Resolve(m.Out(mul_r))) return false;
  const int tn = m.OnlyUser(m.Out(add_n), "Tanh");
  if (tn < 0) return false;
  const int nv = m.Out(tn);
  // h = (1 - z) * n + z * h_prev
  const std::vector<int> subs = m.UsersOf(z, "Sub"), muls = m.UsersOf(z, "Mul");
  if (subs.size() != 1 || muls.size() != 1 || m.Users(z).size() != 2) return false;
  const int64_t b = g->values[g->Resolve(z)].shape[0];
  const std::vector<int64_t> gate_shape = {b, units};
  if (m.In(subs[0], 1) != g->Resolve(z) || !m.IsOnes(m.In(subs[0], 0), gate_shape)) return false;
  const int mul_n = m.OnlyUser(m.Out(subs[0]), "Mul");
  if (mul_n < 0 || m.Other(mul_n, m.Out(subs[0])) != g->Resolve(nv)) return false;
  const int h_prev = m.Other(muls[0], z);
  if (h_prev < 0 || m.Shape(h_prev) != gate_shape) return false;
  const int add_h = m.OnlyUser(m.Out(mul_n), "Add");
  if (add_h < 0 || m.Other(add_h, m.Out(mul_n)) != g->Resolve(m.Out(muls[0]))) return false;
  const int h_new = m.Out(add_h);
  // The two Linears.
  const int lx = m.Producer(m.In(split_x, 0), "hunch.Linear"),
            lh = m.Producer(m.In(split_h, 0), "hunch.Linear");
  if (lx < 0 || lh < 0 || m.In(lh, 0) != g->Resolve(h_prev)) return false;
  const std::vector<int64_t>& wx = m.Shape(m.In(lx, 1));
  if (wx.size() != 2 || wx[0] != 3 * units || m.Shape(m.In(lx, 0)) != std::vector<int64_t>{b, wx[1]})
    return false;
  if (m.Shape(m.In(lh, 1)) != std::vector<int64_t>{3 * units, units}) return false;
  std::set<int> members = {split_x, split_h, add_r,   add_z,   add_n, sr,   sz,
                           mul_r,   tn,      subs[0], muls[0], mul_n, add_h};
  std::set<int> users_ok = members;
  users_ok.insert(lx);
  users_ok.insert(lh);
  std::vector<int> interior = {m.Out(lx),
                               m.Out(lh),
                               r,
                               z,
                               nv,
                               m.Out(add_r),
                               m.Out(add_z),
                               m.Out(add_n),
                               m.Out(mul_r),
                               m.Out(subs[0]),
                               m.Out(mul_n),
                               m.Out(muls[0])};
  for (int k = 0; k < 3; ++k) {
    interior.push_back(xo[k]);
    interior.push_back(ho[k]);
  }
  if (!m.Interior(interior, users_ok)) return false;

  auto cell = std::make_shared<CellInfo>();
  cell->kind = CellInfo::kGru;
  cell->linear_before_reset = true;
  cell->x = m.In(lx, 0);
  cell->h_prev = g->Resolve(h_prev);
  cell->w_x = m.In(lx, 1);
  cell->w_h = m.In(lh, 1);
  cell->bias = m.In(lx, 2);
  cell->b_h = m.In(lh, 2);
  cell->h_out = h_new;
  cell->description = "GRU, " + std::to_string(units) + " units";
  Node n;
  n.op_type = "hunch.GRU";
  const std::string base = g->nodes[split_x].name;
  n.name = base + ".gru";
  n.inputs = {cell->x, cell->h_prev};
  n.outputs = {h_new};
  n.cell = cell;
  const int id = static_cast<int>(g->nodes.size());
  g->nodes.push_back(n);
  g->values[h_new].producer = id;
  std::vector<int> onnx_members;
  for (int k : members)
    if (static_cast<size_t>(k) < g->num_onnx_nodes) onnx_members.push_back(k);
  Absorb(g, id, {lx, lh}, onnx_members,
         "fused into GRU '" + g->nodes[id].name + "' (" + cell->description + ")");
  return true;
}

}  // namespace

void FuseCells(Graph* g, const Binding& binding) {
  Matcher m(g, binding);
  for (size_t k = 0; k < g->num_onnx_nodes; ++k) {
    if (g->nodes[k].op_type != "Split" || g->nodes[k].disposition != Disposition::kPending ||
        g->nodes[k].blocked || g->nodes[k].custom)
      continue;
    if (TryLstm(m, static_cast<int>(k))) continue;
    TryGru(m, static_cast<int>(k));
  }
}

}  // namespace convert
}  // namespace hunch
