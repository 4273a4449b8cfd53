#!/usr/bin/env python3
"""Writes the small ONNX models and expected outputs of tools/convert/converter_test.cc.

Run from anywhere with Debian's Python (torch, onnx, numpy):

    /usr/bin/python3 tools/convert/testdata/make_testdata.py

Models (tiny random weights, a few KB each), each NAME.onnx with NAME.expected.json:
  cifg.onnx        train/model.py CIFG-LSTM with projection, exported by train/export.py
  lstm.onnx        train/model.py LSTM without projection (export.py)
  gru.onnx         train/model.py GRU (export.py)
  cifg2.onnx       train/model.py two-layer CIFG-LSTM with projection (states h, c, h1, c1)
  torch_lstm.onnx  nn.Embedding -> nn.LSTM (batch_first) -> nn.Linear -> log_softmax,
                   exported with a dynamic time axis (tokens [1, T]); state h_in/c_in [1, 1, H]
  torch_gru.onnx   the same with nn.GRU, time-major (tokens [T, 1]); state h_in [1, 1, H]
  unsupported.onnx a float graph with two ops hunch lacks (Erf, Cos) among supported ones,
                   y = cos(tanh(erf(sigmoid(x)))) + x, with value_info (for --custom-op)

NAME.expected.json: {"tokens": [...], "inputs": [...], "outputs": [...],
"log_probs": [[V floats] per step], "state": [[the state tensors after the
step, flattened and concatenated in the order of "state_names"] per step],
"state_names": [...]}: PyTorch's outputs for one token per step with the
state carried from zeros (float32, as computed by PyTorch).

The output is deterministic (fixed seeds); the files are checked in so the C++
tests need no Python.
"""

import json
import os
import shutil
import sys
import tempfile

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "train"))

import export as train_export  # noqa: E402
from model import LanguageModel, ModelConfig  # noqa: E402

TOKENS = [1, 5, 3, 7, 2, 11, 0, 4, 9, 9]
VOCAB = ["<unk>", "<s>", "</s>", "the", "cat", "sat", "on", "mat", ".", "dog", "a", "log"]


def randomize(module, seed, scale=0.6):
    """Uniform(-scale, scale) weights: far enough from zero that every gate matters."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_((torch.rand(p.shape, generator=g) * 2 - 1) * scale)


def floats(a):
    return [float(x) for x in np.asarray(a, dtype=np.float32).reshape(-1)]


def write_expected(name, tokens, inputs, outputs, log_probs, states, state_names):
    data = {"tokens": tokens, "inputs": inputs, "outputs": outputs, "state_names": state_names,
            "log_probs": [floats(r) for r in log_probs],
            "state": [floats(np.concatenate([np.asarray(s).reshape(-1) for s in st])) for st in states]}
    with open(os.path.join(HERE, name + ".expected.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")


def train_model(name, seed, **cfg):
    config = ModelConfig(vocab_size=len(VOCAB), dropout=0.0, **cfg)
    torch.manual_seed(seed)
    model = LanguageModel(config).eval()
    randomize(model, seed)
    settings = {"lowercase": True, "vocab_size": len(VOCAB)}
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "lm.onnx")
        train_export.export(model, VOCAB, settings, path, quiet=True)
        shutil.copy(path, os.path.join(HERE, name + ".onnx"))
    state = model.init_state(1)
    rows, states = [], []
    with torch.no_grad():
        for t in TOKENS:
            lp, state = model.step(torch.tensor([t], dtype=torch.int64), state)
            rows.append(lp[0].numpy())
            states.append([s[0].numpy() for s in state])
    ins, outs = train_export.io_names(model)
    write_expected(name, TOKENS, ins, outs, rows, states, [n + "_in" for n in model.state_names()])


class TorchRnnLm(torch.nn.Module):
    def __init__(self, cell, vocab, embed, hidden):
        super().__init__()
        self.cell = cell
        self.emb = torch.nn.Embedding(vocab, embed)
        if cell == "lstm":
            self.rnn = torch.nn.LSTM(embed, hidden, batch_first=True)
        else:
            self.rnn = torch.nn.GRU(embed, hidden)  # time-major
        self.out = torch.nn.Linear(hidden, vocab)

    def forward(self, tokens, h, c=None):
        x = self.emb(tokens)
        if self.cell == "lstm":
            y, (h2, c2) = self.rnn(x, (h, c))
            return torch.log_softmax(self.out(y), dim=-1), h2, c2
        y, h2 = self.rnn(x, h)
        return torch.log_softmax(self.out(y), dim=-1), h2


def torch_model(name, cell, seed, embed=5, hidden=7):
    torch.manual_seed(seed)
    m = TorchRnnLm(cell, len(VOCAB), embed, hidden).eval()
    randomize(m, seed)
    zeros = torch.zeros(1, 1, hidden)
    if cell == "lstm":
        example = (torch.tensor([[1, 2, 3]]), zeros, zeros)
        ins, outs = ["token", "h_in", "c_in"], ["log_probs", "h_out", "c_out"]
        axes = {"token": {1: "T"}, "log_probs": {1: "T"}}
    else:
        example = (torch.tensor([[1], [2], [3]]), zeros)
        ins, outs = ["token", "h_in"], ["log_probs", "h_out"]
        axes = {"token": {0: "T"}, "log_probs": {0: "T"}}
    path = os.path.join(HERE, name + ".onnx")
    with torch.no_grad():
        torch.onnx.export(m, example, path, input_names=ins, output_names=outs, opset_version=13,
                          dynamic_axes=axes)
    proto = onnx.load(path)
    entry = proto.metadata_props.add()
    entry.key, entry.value = "hunch.vocab", "\n".join(VOCAB)
    onnx.save(proto, path)
    # One token per step, state carried: the same as running the sequence at once.
    state = (zeros, zeros) if cell == "lstm" else (zeros,)
    rows, states = [], []
    with torch.no_grad():
        for t in TOKENS:
            tok = torch.tensor([[t]])
            res = m(tok, *state)
            rows.append(res[0].reshape(-1).numpy())
            state = tuple(res[1:])
            states.append([s.numpy() for s in state])
        # Check: the whole sequence at once ends in the same state.
        seq = torch.tensor([TOKENS]) if cell == "lstm" else torch.tensor([TOKENS]).T
        full = m(seq, *((zeros, zeros) if cell == "lstm" else (zeros,)))
        assert np.allclose(full[1].numpy(), state[0].numpy(), atol=1e-6)
    write_expected(name, TOKENS, ins, outs, rows, states, [n for n in ins[1:]])


def unsupported_model():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    nodes = [
        helper.make_node("Sigmoid", ["x"], ["a"], name="sig_1"),
        helper.make_node("Erf", ["a"], ["b"], name="erf_1"),
        helper.make_node("Tanh", ["b"], ["c"], name="tanh_1"),
        helper.make_node("Cos", ["c"], ["d"], name="cos_1"),
        helper.make_node("Add", ["d", "x"], ["y"], name="add_1"),
    ]
    graph = helper.make_graph(nodes, "unsupported", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    # value_info for every value: what `hunch convert --custom-op` needs.
    model = onnx.shape_inference.infer_shapes(model)
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, "unsupported.onnx"))


def main():
    train_model("cifg", 11, cell="cifg", embed=6, units=8, proj=6)
    train_model("lstm", 12, cell="lstm", embed=6, units=6, proj=0)
    train_model("gru", 13, cell="gru", embed=6, units=6, proj=0)
    train_model("cifg2", 14, cell="cifg", embed=6, units=8, proj=6, layers=2)
    torch_model("torch_lstm", "lstm", 15)
    torch_model("torch_gru", "gru", 16)
    unsupported_model()
    for f in sorted(os.listdir(HERE)):
        if f.endswith((".onnx", ".json")):
            print(f"{f}: {os.path.getsize(os.path.join(HERE, f)):,} bytes")


if __name__ == "__main__":
    main()
