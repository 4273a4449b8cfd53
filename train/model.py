#!/usr/bin/env python3
"""Recurrent word-level language models for hunch, with explicit gate math.

Default: Gboard's CIFG-LSTM (vocab 10,000, embedding 96, 670 units, projection
96, tied input/output embedding; 1,422,250 parameters).

Shapes (E embedding, U units, P projection (P = U when there is none), G gates,
V vocabulary, B batch, T time):

  embedding  [V, E]        token -> x
  per layer:
    W_x      [G*U, E_in]   input weights, E_in = E for layer 0, else the
                           previous layer's output size
    W_h      [G*U, P]      recurrent weights (GRU: [3U, U])
    bias     [G*U]         (GRU: b_x [3U] and b_h [3U])
    W_proj   [P, U]        projection of the LSTM output m (absent when P = 0)
  out_bias   [V]           output bias; logits = h_last @ embedding^T + out_bias
                           (untied: out_weight [V, D] in place of the embedding)

Gate order i, f, g, o (G = 4).  CIFG (coupled input and forget gate) has no
input gate: G = 3 in the order f, g, o and i = 1 - f.
    z  = W_x x + W_h h + bias
    c' = f * c + i * g            (f, i, o = sigmoid; g = tanh)
    m  = o * tanh(c')
    h' = W_proj m                 (m when there is no projection)
GRU gate order r, z, n (as torch.nn.GRU):
    r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r * h_n)
    h' = (1 - z) * n + z * h      with x_* = W_x x + b_x, h_* = W_h h + b_h
    (an optional W_proj [P, U] maps h' to the layer output; it is no state)

State: a flat tuple of tensors, per layer (h [B, P], c [B, U]) for LSTM
cells and (h [B, U],) for GRU; names from state_names(): "h", "c" for layer
0, "h1", "c1" for layer 1, and so on.

Line starts: the engine zeroes the state and feeds <s>.  forward() does the
same inside a sequence: before every position whose input is <s> the state
is zeroed (config.reset_on_bos).  step() applies no reset: pass init_state()
with <s> at a line start.
"""

import dataclasses
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

CELLS = ("cifg", "lstm", "gru")


@dataclasses.dataclass
class ModelConfig:
    cell: str = "cifg"        # cifg | lstm | gru
    vocab_size: int = 10000
    embed: int = 96
    units: int = 670
    proj: int = 96            # 0: no projection
    layers: int = 1
    tied: bool = True
    dropout: float = 0.0      # on embeddings and layer outputs, training only
    bos_id: int = 1
    reset_on_bos: bool = True

    def validate(self):
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {self.cell!r}")
        for name in ("vocab_size", "embed", "units", "layers"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.proj < 0:
            raise ValueError(f"proj must be >= 0, got {self.proj}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.tied and self.output_size != self.embed:
            raise ValueError(
                f"tied embedding needs the last layer's output size ({self.output_size}) "
                f"to equal the embedding size ({self.embed}): set proj = embed or untie")
        return self

    @property
    def output_size(self):
        return self.proj if self.proj > 0 else self.units

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d):
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown model config keys: {sorted(unknown)}")
        return cls(**d).validate()


class LSTMLayer(nn.Module):
    """LSTM layer with optional CIFG and projection; explicit gate math."""

    def __init__(self, input_size, units, proj, cifg):
        super().__init__()
        self.units, self.proj, self.cifg = units, proj, cifg
        self.gates = 3 if cifg else 4
        out = proj if proj > 0 else units
        self.W_x = nn.Parameter(torch.empty(self.gates * units, input_size))
        self.W_h = nn.Parameter(torch.empty(self.gates * units, out))
        self.bias = nn.Parameter(torch.empty(self.gates * units))
        self.W_proj = nn.Parameter(torch.empty(proj, units)) if proj > 0 else None
        self.reset_parameters()

    @property
    def output_size(self):
        return self.proj if self.proj > 0 else self.units

    def reset_parameters(self):
        k = 1.0 / math.sqrt(self.units)
        for w in (self.W_x, self.W_h, self.W_proj):
            if w is not None:
                nn.init.uniform_(w, -k, k)
        with torch.no_grad():
            self.bias.zero_()
            f = 0 if self.cifg else 1          # forget gate slot
            self.bias[f * self.units:(f + 1) * self.units] = 1.0

    def state_sizes(self):
        return (self.output_size, self.units)

    def input_preact(self, x):
        """W_x x + bias for x [..., E_in] -> [..., G*U]."""
        return F.linear(x, self.W_x, self.bias)

    def cell(self, zx, state):
        """One step from the input pre-activation zx [B, G*U]; state (h, c)."""
        h, c = state
        z = zx + F.linear(h, self.W_h)
        # split (not slicing): its backward concatenates instead of filling
        # a zero tensor per gate; it exports as one ONNX Split.
        if self.cifg:
            zf, zg, zo = torch.split(z, self.units, dim=1)
            f = torch.sigmoid(zf)
            i = 1.0 - f
        else:
            zi, zf, zg, zo = torch.split(z, self.units, dim=1)
            i = torch.sigmoid(zi)
            f = torch.sigmoid(zf)
        g = torch.tanh(zg)
        o = torch.sigmoid(zo)
        c_new = f * c + i * g
        m = o * torch.tanh(c_new)
        h_new = F.linear(m, self.W_proj) if self.W_proj is not None else m
        return h_new, (h_new, c_new)


class GRULayer(nn.Module):
    """GRU layer (gate order r, z, n) with an optional output projection."""

    def __init__(self, input_size, units, proj):
        super().__init__()
        self.units, self.proj = units, proj
        self.W_x = nn.Parameter(torch.empty(3 * units, input_size))
        self.W_h = nn.Parameter(torch.empty(3 * units, units))
        self.b_x = nn.Parameter(torch.empty(3 * units))
        self.b_h = nn.Parameter(torch.empty(3 * units))
        self.W_proj = nn.Parameter(torch.empty(proj, units)) if proj > 0 else None
        self.reset_parameters()

    @property
    def output_size(self):
        return self.proj if self.proj > 0 else self.units

    def reset_parameters(self):
        k = 1.0 / math.sqrt(self.units)
        for w in (self.W_x, self.W_h, self.b_x, self.b_h, self.W_proj):
            if w is not None:
                nn.init.uniform_(w, -k, k)

    def state_sizes(self):
        return (self.units,)

    def input_preact(self, x):
        return F.linear(x, self.W_x, self.b_x)

    def cell(self, zx, state):
        (h,) = state
        zh = F.linear(h, self.W_h, self.b_h)
        xr, xz, xn = torch.split(zx, self.units, dim=1)
        hr, hz, hn = torch.split(zh, self.units, dim=1)
        r = torch.sigmoid(xr + hr)
        z = torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)
        h_new = (1.0 - z) * n + z * h
        out = F.linear(h_new, self.W_proj) if self.W_proj is not None else h_new
        return out, (h_new,)


class LanguageModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config.validate()
        c = config
        self.embedding = nn.Parameter(torch.empty(c.vocab_size, c.embed))
        layers = []
        size = c.embed
        for _ in range(c.layers):
            if c.cell == "gru":
                layer = GRULayer(size, c.units, c.proj)
            else:
                layer = LSTMLayer(size, c.units, c.proj, cifg=(c.cell == "cifg"))
            layers.append(layer)
            size = layer.output_size
        self.layers = nn.ModuleList(layers)
        self.out_weight = None if c.tied else nn.Parameter(torch.empty(c.vocab_size, size))
        self.out_bias = nn.Parameter(torch.zeros(c.vocab_size))
        self.dropout = nn.Dropout(c.dropout)
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.uniform_(self.embedding, -0.1, 0.1)
        if self.out_weight is not None:
            nn.init.uniform_(self.out_weight, -0.1, 0.1)
        nn.init.zeros_(self.out_bias)
        for layer in self.layers:
            layer.reset_parameters()

    # ---- state -----------------------------------------------------------

    def state_names(self):
        names = []
        for k, layer in enumerate(self.layers):
            suffix = "" if k == 0 else str(k)
            names += [n + suffix for n in ("h", "c")[:len(layer.state_sizes())]]
        return names

    def state_sizes(self):
        return [s for layer in self.layers for s in layer.state_sizes()]

    def init_state(self, batch=1, device=None):
        device = device if device is not None else self.embedding.device
        return tuple(torch.zeros(batch, s, device=device, dtype=self.embedding.dtype)
                     for s in self.state_sizes())

    def _split_state(self, state):
        out, k = [], 0
        for layer in self.layers:
            n = len(layer.state_sizes())
            out.append(tuple(state[k:k + n]))
            k += n
        if k != len(state):
            raise ValueError(f"state has {len(state)} tensors, model needs {k}")
        return out

    # ---- compute ---------------------------------------------------------

    def output_logits(self, h):
        w = self.embedding if self.out_weight is None else self.out_weight
        return F.linear(h, w, self.out_bias)

    def step(self, token, state):
        """One step: token int64 [B] -> (log_probs [B, V], new state tuple)."""
        x = F.embedding(token, self.embedding)
        per_layer = self._split_state(state)
        new_state = []
        for layer, st in zip(self.layers, per_layer):
            x, st = layer.cell(layer.input_preact(x), st)
            new_state.extend(st)
        return torch.log_softmax(self.output_logits(x), dim=-1), tuple(new_state)

    def forward(self, tokens, state=None):
        """tokens int64 [B, T] -> (logits [B, T, V], final state tuple).

        Same weights and cell math as step(); before each position whose
        input is <s> the state is zeroed (config.reset_on_bos).
        """
        if tokens.dim() != 2:
            raise ValueError(f"tokens must be [B, T], got shape {tuple(tokens.shape)}")
        B, T = tokens.shape
        if state is None:
            state = self.init_state(B, tokens.device)
        per_layer = self._split_state(state)
        keep = None
        if self.config.reset_on_bos:
            keep = (tokens != self.config.bos_id).to(self.embedding.dtype).unsqueeze(-1)
        x = self.dropout(F.embedding(tokens, self.embedding))
        new_state = []
        for layer, st in zip(self.layers, per_layer):
            # W_x x + bias for all steps at once, [B, T, G*U], then unbound
            # (unbind's backward is one stack, where indexing per step would
            # build a [B, T, G*U] gradient per step).
            zx = layer.input_preact(x).unbind(1)
            keeps = keep.unbind(1) if keep is not None else None
            outs = []
            for t in range(T):
                if keeps is not None:
                    st = tuple(s * keeps[t] for s in st)
                y, st = layer.cell(zx[t], st)
                outs.append(y)
            x = self.dropout(torch.stack(outs, dim=1))
            new_state.extend(st)
        return self.output_logits(x), tuple(new_state)


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


def describe(config):
    return json.dumps(config.to_dict(), sort_keys=True)
