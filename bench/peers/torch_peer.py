#!/usr/bin/env python3
"""PyTorch as the LM-step peer: one step at a time, state carried, one thread.

Variants (one per process, so that each peak RSS is its own):
  float32  LanguageModel.step() of train/model.py on the checkpoint's weights,
           as training and the ONNX export run it.
  int8     torch dynamic quantization (torch.ao.quantization.quantize_dynamic,
           qint8 weights, activations quantized per call).  train/model.py
           keeps its weights as raw nn.Parameters used through F.linear, which
           quantize_dynamic does not see (it swaps nn.Linear modules only), so
           the step is rebuilt here with four nn.Linear modules holding the
           same weights -- input W_x (+ bias), recurrent W_h, projection W_proj
           and the tied output layer (embedding^T + out_bias) -- and those are
           quantized: every matmul of the step runs as a dynamic int8 linear.
           The embedding lookup (a row gather) and the gate element-wise math
           stay float32.  The float copy of the rebuilt step is checked against
           LanguageModel.step() before quantizing.

Tokens: the test file's ids (<s> before each line, train/tokenizer.py's
encoding), cycled to --runs steps; the state is carried across all steps.
--warmup steps run first and are not timed.  Each step is timed with
perf_counter_ns around the step call alone.

Output JSON: variant, runs, step_us {p50, p99, mean, max}, first_step_us,
load_s, peak_rss_bytes (ru_maxrss), libraries (the shared objects mapped into
the process from /proc/self/maps: torch's own and all, with byte sizes),
torch version, quantized engine, and for int8 the max |log-prob difference|
and top-1 agreement against float32 over the first 200 steps.
"""

import argparse
import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "train"))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from export import ExportError, load_model  # noqa: E402
from tokenizer import BOS_ID, Tokenizer  # noqa: E402


class LinearStep(nn.Module):
    """LanguageModel.step() for LSTM/CIFG layers with nn.Linear modules."""

    def __init__(self, model):
        super().__init__()
        c = model.config
        if c.cell not in ("cifg", "lstm"):
            raise ValueError(f"int8 variant supports cifg and lstm cells, not {c.cell}")
        self.embedding = model.embedding.detach().clone()
        self.cells = []
        self.x_linears = nn.ModuleList()
        self.h_linears = nn.ModuleList()
        self.p_linears = nn.ModuleList()
        for layer in model.layers:
            wx = nn.Linear(layer.W_x.shape[1], layer.W_x.shape[0], bias=True)
            wx.weight.data.copy_(layer.W_x.data)
            wx.bias.data.copy_(layer.bias.data)
            wh = nn.Linear(layer.W_h.shape[1], layer.W_h.shape[0], bias=False)
            wh.weight.data.copy_(layer.W_h.data)
            self.x_linears.append(wx)
            self.h_linears.append(wh)
            if layer.W_proj is not None:
                wp = nn.Linear(layer.W_proj.shape[1], layer.W_proj.shape[0], bias=False)
                wp.weight.data.copy_(layer.W_proj.data)
                self.p_linears.append(wp)
            else:
                self.p_linears.append(nn.Identity())
            self.cells.append((layer.units, layer.cifg))
        w = model.embedding if model.out_weight is None else model.out_weight
        self.out = nn.Linear(w.shape[1], w.shape[0], bias=True)
        self.out.weight.data.copy_(w.data)
        self.out.bias.data.copy_(model.out_bias.data)

    def forward(self, token, state):
        x = F.embedding(token, self.embedding)
        new_state = []
        for k, (units, cifg) in enumerate(self.cells):
            h, c = state[2 * k], state[2 * k + 1]
            z = self.x_linears[k](x) + self.h_linears[k](h)
            if cifg:
                zf, zg, zo = torch.split(z, units, dim=1)
                f = torch.sigmoid(zf)
                i = 1.0 - f
            else:
                zi, zf, zg, zo = torch.split(z, units, dim=1)
                i = torch.sigmoid(zi)
                f = torch.sigmoid(zf)
            c_new = f * c + i * torch.tanh(zg)
            m = torch.sigmoid(zo) * torch.tanh(c_new)
            x = self.p_linears[k](m)
            new_state += [x, c_new]
        return torch.log_softmax(self.out(x), dim=-1), tuple(new_state)


def test_tokens(path, vocab, lowercase):
    tok = Tokenizer(vocab, lowercase)
    ids = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                ids.append(BOS_ID)
                ids.extend(tok.encode(line))
    if not ids:
        raise ValueError(f"{path}: no tokens")
    return ids


def mapped_libraries():
    """Shared objects mapped into this process: [(path, bytes)], sorted."""
    paths = set()
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split(None, 5)
            if len(parts) == 6:
                p = parts[5].strip()
                if p.startswith("/") and ".so" in os.path.basename(p) and os.path.isfile(p):
                    paths.add(os.path.realpath(p))
    return sorted((p, os.path.getsize(p)) for p in paths)


def is_torch_library(path):
    base = os.path.basename(path)
    return ("/torch/" in path or base.startswith("libtorch") or base.startswith("libc10")
            or base.startswith("libcaffe2") or base.startswith("libshm"))


def percentile(sorted_vals, p):
    # Nearest rank (as hunch bench).
    k = max(1, min(len(sorted_vals), int(p / 100.0 * len(sorted_vals) + 0.999999)))
    return sorted_vals[k - 1]


def run(args):
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    model, vocab, settings = load_model(args.checkpoint)
    load_s = time.perf_counter() - t0
    ids = test_tokens(args.test_file, vocab, settings.get("lowercase", True))
    # Token tensors are made outside the timed region, one per step (not all
    # up front, which would add their memory to the peak RSS).
    def token(k):
        return torch.tensor([ids[k % len(ids)]], dtype=torch.int64)
    tokens = [token(k) for k in range(min(200, args.warmup + args.runs))]  # accuracy checks
    out = {"variant": args.variant, "runs": args.runs, "warmup": args.warmup,
           "torch": torch.__version__, "threads": torch.get_num_threads(),
           "config": model.config.to_dict(),
           "parameters": sum(p.numel() for p in model.parameters())}

    with torch.no_grad():
        if args.variant == "float32":
            step = model.step
        else:
            lin = LinearStep(model).eval()
            # The rebuilt float step must be the model's step.
            st_a, st_b = model.init_state(1), model.init_state(1)
            worst = 0.0
            for t in tokens[:50]:
                la, st_a = model.step(t, st_a)
                lb, st_b = lin(t, st_b)
                worst = max(worst, float((la - lb).abs().max()))
            if worst > 1e-4:
                raise RuntimeError(f"rebuilt nn.Linear step differs from model.step by {worst:.3g}")
            engines = torch.backends.quantized.supported_engines
            out["quantized_engine"] = torch.backends.quantized.engine
            out["quantized_engines_available"] = list(engines)
            q = torch.ao.quantization.quantize_dynamic(lin, {nn.Linear}, dtype=torch.qint8)
            q.eval()
            out["quantized_modules"] = sorted({type(m).__module__ + "." + type(m).__name__
                                               for m in q.modules()
                                               if "quantized" in type(m).__module__})
            out["quantized_linear_count"] = sum(
                1 for m in q.modules() if isinstance(m, torch.ao.nn.quantized.dynamic.Linear))
            # Accuracy of int8 against float32 on the same tokens.
            st_f, st_q = model.init_state(1), model.init_state(1)
            diff, agree, n = 0.0, 0, min(200, len(tokens))
            for t in tokens[:n]:
                lf, st_f = model.step(t, st_f)
                lq, st_q = q(t, st_q)
                diff = max(diff, float((lf - lq).abs().max()))
                agree += int(lf.argmax()) == int(lq.argmax())
            out["int8_vs_float_max_abs_logprob_diff"] = diff
            out["int8_vs_float_top1_agreement"] = agree / n
            step = q

        state = model.init_state(1)
        t = token(0)
        f0 = time.perf_counter_ns()
        _, state = step(t, state)
        out["first_step_us"] = (time.perf_counter_ns() - f0) / 1e3
        for k in range(1, args.warmup):
            _, state = step(token(k), state)
        times = []
        clock = time.perf_counter_ns
        for k in range(args.warmup, args.warmup + args.runs):
            t = token(k)
            a = clock()
            _, state = step(t, state)
            times.append(clock() - a)
    us = sorted(v / 1e3 for v in times)
    out["step_us"] = {"p50": percentile(us, 50), "p99": percentile(us, 99),
                      "mean": sum(us) / len(us), "max": us[-1]}
    out["load_s"] = load_s
    out["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    libs = mapped_libraries()
    torch_libs = [(p, s) for p, s in libs if is_torch_library(p)]
    out["libraries"] = {
        "torch_bytes": sum(s for _, s in torch_libs),
        "torch_files": [{"path": p, "bytes": s} for p, s in torch_libs],
        "all_mapped_bytes": sum(s for _, s in libs),
        "all_mapped_count": len(libs),
    }
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True, help="train.py checkpoint (.pt)")
    p.add_argument("--test-file", required=True, help="token source (EVAL.md test file)")
    p.add_argument("--variant", choices=("float32", "int8"))
    p.add_argument("--write-ids", metavar="PATH",
                   help="only write the token ids (one a line) that the steps feed, for the "
                        "ONNX Runtime peer, and exit")
    p.add_argument("--runs", type=int, default=10000)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--out", help="JSON output path")
    args = p.parse_args(argv)
    if args.runs < 1 or args.warmup < 1:
        p.error("--runs and --warmup must be >= 1")
    if args.write_ids:
        try:
            _, vocab, settings = load_model(args.checkpoint)
            ids = test_tokens(args.test_file, vocab, settings.get("lowercase", True))
            write_atomic(args.write_ids, "".join(f"{i}\n" for i in ids))
        except (ExportError, OSError, ValueError) as e:
            print(f"torch_peer.py: error: {e}", file=sys.stderr)
            return 2
        return 0
    if not args.variant or not args.out:
        p.error("--variant and --out are required (or --write-ids)")
    try:
        out = run(args)
    except (ExportError, OSError, ValueError, RuntimeError) as e:
        print(f"torch_peer.py: error: {e}", file=sys.stderr)
        return 2
    write_atomic(args.out, json.dumps(out, indent=1) + "\n")
    return 0


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main())
