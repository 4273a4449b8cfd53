#!/usr/bin/env python3
"""Exports a trained hunch language model to ONNX: one single-step graph.

Graph interface (batch 1, float32, fixed shapes, no control flow, no Shape):
  inputs   token      int64 [1]     the token fed at this step (ids of vocab.txt)
           h_in       float [1, P]  LSTM output state (P = projection size, or U)
           c_in       float [1, U]  LSTM cell state (absent for GRU, whose h_in is [1, U])
  outputs  log_probs  float [1, V]  log-softmax over the vocabulary for the next token
           h_out      float [1, P]
           c_out      float [1, U]
  Layers after the first add pairs h1_in/h1_out, c1_in/c1_out, h2_in/...

STATE-PAIR CONVENTION (the C++ converter relies on it): an input named
"<name>_in" and an output named "<name>_out" are the two ends of one piece of
recurrent state with the same shape and dtype: after each step the runtime
copies <name>_out into <name>_in.  Every "_in" input except `token` has its
"_out" partner and vice versa; no other input or output uses these suffixes.
At a line start the state is all zeros and the token is <s> (id 1).

Weights are initializers shared by the ops that use them: the embedding
[V, E] feeds both the Gather (input) and the output Gemm (transB = 1), so the
tied matrix is stored once.

metadata_props:
  hunch.vocab         vocabulary tokens joined by "\\n", in id order
  hunch.tokenizer     tokenizer settings JSON (tokenizer.json)
  hunch.architecture  JSON: cell, sizes, gate order, state names and shapes
  with --wordlist/--surface/--emoji/--offensive, the engine's text sections:
  hunch.lexicon, hunch.surface, hunch.emoji, hunch.offensive (`hunch convert`
  stores each hunch.<name> as metadata section <name>)

Beside MODEL.onnx the export writes the PyTorch reference for the C++ parity
test: MODEL.ref.json (tokens, per-step top-5, final state, file names) and
MODEL.ref.npy (log_probs of all 50 steps, float32 [50, V], NumPy .npy v1.0),
the state carried from step to step starting from zeros.  The ONNX graph is
then run on those tokens by a small NumPy evaluator and compared with them.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import LanguageModel, ModelConfig, count_parameters  # noqa: E402
from tokenizer import BOS_ID, Tokenizer  # noqa: E402

REFERENCE_STEPS = 50
REFERENCE_TEXT = ("thank you for your e-mail . i don't know if we can meet on monday , "
                  "but i will call you tomorrow and let you know what time works")


class ExportError(Exception):
    pass


class StepGraph(torch.nn.Module):
    """(token, *states) -> (log_probs, *new states) with the model's weights."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, token, *state):
        log_probs, new_state = self.model.step(token, tuple(state))
        return (log_probs,) + tuple(new_state)


def io_names(model):
    names = model.state_names()
    return ["token"] + [n + "_in" for n in names], ["log_probs"] + [n + "_out" for n in names]


def architecture(model):
    c = model.config
    names = model.state_names()
    return {
        "cell": c.cell, "vocab_size": c.vocab_size, "embed": c.embed, "units": c.units,
        "proj": c.proj, "layers": c.layers, "tied": c.tied,
        "gate_order": {"cifg": "f,g,o (i = 1 - f)", "lstm": "i,f,g,o", "gru": "r,z,n"}[c.cell],
        "state": [{"name": n, "shape": [1, s]} for n, s in zip(names, model.state_sizes())],
        "bos_id": c.bos_id, "line_start": "zero state, then feed <s>",
        "parameters": count_parameters(model),
    }


def load_model(path):
    if not os.path.isfile(path):
        raise ExportError(f"checkpoint not found: {path}")
    try:
        ck = torch.load(path, map_location="cpu")
    except Exception as e:  # torch raises many types for a damaged file
        raise ExportError(f"{path}: not a readable checkpoint ({e})")
    if not isinstance(ck, dict) or not {"model", "config", "vocab", "tokenizer"} <= set(ck):
        raise ExportError(f"{path}: not a hunch training checkpoint")
    config = ModelConfig.from_dict(ck["config"])
    config.dropout = 0.0
    model = LanguageModel(config)
    model.load_state_dict(ck["model"])
    model.eval()
    if len(ck["vocab"]) != config.vocab_size:
        raise ExportError(f"{path}: vocabulary has {len(ck['vocab'])} tokens, "
                          f"model {config.vocab_size}")
    return model, ck["vocab"], ck["tokenizer"]


def reference_tokens(vocab, lowercase, steps=REFERENCE_STEPS):
    """<s> + a fixed sentence's ids (repeated) + deterministic ids: `steps` ids."""
    tok = Tokenizer(vocab, lowercase)
    ids = [BOS_ID]
    sentence = tok.encode(REFERENCE_TEXT)
    while len(ids) < steps - 10:
        ids.extend(sentence)
    ids = ids[:steps - 10]
    V = len(vocab)
    ids += [(3 + 7919 * k) % V for k in range(steps - len(ids))]
    return ids


def run_reference(model, tokens):
    state = model.init_state(1)
    rows = []
    with torch.no_grad():
        for t in tokens:
            lp, state = model.step(torch.tensor([t], dtype=torch.int64), state)
            rows.append(lp[0].numpy().copy())
    return np.stack(rows).astype(np.float32), [s[0].numpy().copy() for s in state]


# ---------------------------------------------------- NumPy ONNX evaluator --


def _attr(node, name, default=None):
    import onnx
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def run_onnx_numpy(model_proto, feeds):
    """Evaluates the small op set the exporter produces; raises on others."""
    from onnx import numpy_helper
    g = model_proto.graph
    env = {init.name: numpy_helper.to_array(init) for init in g.initializer}
    env.update(feeds)
    for node in g.node:
        ins = [env[n] if n else None for n in node.input]
        op = node.op_type
        if op == "Gather":
            out = np.take(ins[0], ins[1].astype(np.int64), axis=_attr(node, "axis", 0))
        elif op == "Gemm":
            a, b = ins[0], ins[1]
            if _attr(node, "transA", 0):
                a = a.T
            if _attr(node, "transB", 0):
                b = b.T
            out = _attr(node, "alpha", 1.0) * (a @ b)
            if len(ins) > 2 and ins[2] is not None:
                out = out + _attr(node, "beta", 1.0) * ins[2]
        elif op == "MatMul":
            out = ins[0] @ ins[1]
        elif op in ("Add", "Sub", "Mul", "Div"):
            out = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply,
                   "Div": np.divide}[op](ins[0], ins[1])
        elif op == "Sigmoid":
            out = _sigmoid(ins[0])
        elif op == "Tanh":
            out = np.tanh(ins[0])
        elif op == "LogSoftmax":
            x = ins[0]
            axis = _attr(node, "axis", -1)
            m = x.max(axis=axis, keepdims=True)
            out = x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))
        elif op == "Split":
            axis = _attr(node, "axis", 0)
            sizes = ins[1] if len(ins) > 1 and ins[1] is not None else _attr(node, "split")
            if sizes is None:
                sizes = [ins[0].shape[axis] // len(node.output)] * len(node.output)
            out = np.split(ins[0], np.cumsum(sizes)[:-1], axis=axis)
        elif op == "Transpose":
            out = np.transpose(ins[0], _attr(node, "perm"))
        elif op == "Constant":
            out = numpy_helper.to_array(_attr(node, "value"))
        elif op == "Identity":
            out = ins[0]
        else:
            raise ExportError(f"numpy evaluator: op {op} not supported "
                              f"(export with --no-verify to skip the check)")
        outs = out if isinstance(out, list) else [out]
        for name, val in zip(node.output, outs):
            env[name] = np.asarray(val, dtype=val.dtype if hasattr(val, "dtype") else None)
    return {o.name: env[o.name] for o in g.output}


# ------------------------------------------------------------------ export --

FORBIDDEN_OPS = {"Shape", "If", "Loop", "Scan", "ConstantOfShape", "Expand", "NonZero"}


def read_tsv(path, what):
    """(a, b) pairs of a two-column tab-separated file."""
    rows = []
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line:
                    continue
                parts = line.split("\t")
                if len(parts) != 2 or not parts[0]:
                    raise ExportError(f"{path}:{n}: expected two tab-separated columns ({what})")
                rows.append((parts[0], parts[1]))
    except OSError as e:
        raise ExportError(f"{what}: {e}")
    return rows


MAX_OFFENSIVE_WORD_BYTES = 64


def read_word_list(path, what):
    """The words of a one-word-per-line file (scripts/fetch_offensive_words.sh):
    each line 1 to 64 bytes of UTF-8, lower case (str.lower(), as the
    tokenizer normalizes), no whitespace or control characters; a final
    newline is allowed, blank lines are not."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ExportError(f"{what}: {e}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ExportError(f"{path}: invalid UTF-8 at byte {e.start} ({what})")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for n, w in enumerate(lines, 1):
        where = f"{path}:{n}"
        if not w:
            raise ExportError(f"{where}: empty line ({what}: one word per line)")
        if len(w.encode("utf-8")) > MAX_OFFENSIVE_WORD_BYTES:
            raise ExportError(f"{where}: {w!r} is longer than {MAX_OFFENSIVE_WORD_BYTES} bytes ({what})")
        if any(ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 for c in w):
            raise ExportError(f"{where}: control character in {w!r} ({what})")
        if any(c.isspace() for c in w):
            raise ExportError(f"{where}: {w!r} has a space ({what}: words, not phrases)")
        if w.lower() != w:
            raise ExportError(f"{where}: {w!r} is not lower case ({what})")
    return lines


def engine_metadata(wordlist=None, surface=None, emoji=None, min_count=2, emoji_per_keyword=1,
                    vocab=(), offensive=None):
    """The engine's text metadata: lexicon (token<TAB>count, count >= min_count,
    the words outside `vocab`: the engine takes vocabulary words from the
    vocabulary), surface spellings, emoji keywords (letters-only keywords,
    at most emoji_per_keyword emoji each, in the file's order), and the
    offensive-word list (hunch.offensive: the file's words, one per line
    with a final newline, the bytes scripts/fetch_offensive_words.sh writes;
    the engine keeps them out of suggestions unless typed in full)."""
    meta = {}
    kept, rare = None, set()
    in_vocab = set(vocab)
    if wordlist:
        keep, kept, rare = [], set(in_vocab), set()
        for tok, count in read_tsv(wordlist, "word list"):
            if not count.isdigit():
                raise ExportError(f"{wordlist}: count of {tok!r} is not a number")
            if int(count) >= min_count and tok not in in_vocab:
                keep.append(f"{tok}\t{count}")
                kept.add(tok)
                if int(count) < min_count + 1:
                    rare.add(tok)
        meta["hunch.lexicon"] = "\n".join(keep)
    if surface:
        # "^" stands for "first letter upper-case", "^^" for "all upper-case";
        # with a word list, only the spellings of its kept words.
        rows = []
        for a, b in read_tsv(surface, "surface forms"):
            # the rarest words (count == min_count) keep their lower-case
            # spelling: the file stays small, and matching ignores case
            if kept is not None and (a not in kept or a in rare):
                continue
            if b == a[:1].upper() + a[1:] and b != a:
                b = "^"
            elif b == a.upper() and b != a:
                b = "^^"
            rows.append(f"{a}\t{b}")
        meta["hunch.surface"] = "\n".join(rows)
    if emoji:
        per_kw, keep = {}, []
        for e, kw in read_tsv(emoji, "emoji keywords"):
            if not kw.isalpha() or not kw.islower() or per_kw.get(kw, 0) >= emoji_per_keyword:
                continue
            if kept is not None and kw not in kept:   # only keywords the engine can suggest
                continue
            per_kw[kw] = per_kw.get(kw, 0) + 1
            keep.append(f"{e}\t{kw}")
        meta["hunch.emoji"] = "\n".join(keep)
    if offensive:
        meta["hunch.offensive"] = "".join(w + "\n" for w in read_word_list(offensive, "offensive words"))
    return meta


def export(model, vocab, tokenizer_settings, out_path, opset=13, verify=True,
           atol=1e-4, quiet=False, extra_meta=None):
    import onnx
    if opset < 13:
        raise ExportError(f"opset must be >= 13, got {opset}")
    model = model.eval()
    in_names, out_names = io_names(model)
    example = (torch.tensor([BOS_ID], dtype=torch.int64),) + model.init_state(1)
    out_dir = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(out_dir, exist_ok=True)
    tmp = out_path + ".tmp.onnx"
    with torch.no_grad():
        torch.onnx.export(StepGraph(model), example, tmp, input_names=in_names,
                          output_names=out_names, opset_version=opset,
                          do_constant_folding=True, export_params=True)
    proto = onnx.load(tmp)
    os.remove(tmp)

    name_initializers(proto, model)
    ops = sorted({n.op_type for n in proto.graph.node})
    bad = sorted(set(ops) & FORBIDDEN_OPS)
    if bad:
        raise ExportError(f"exported graph has dynamic-shape or control-flow ops {bad}")
    arch = architecture(model)
    arch["ops"] = ops
    meta = {
        "hunch.vocab": "\n".join(vocab),
        "hunch.tokenizer": json.dumps(tokenizer_settings, sort_keys=True, ensure_ascii=True),
        "hunch.architecture": json.dumps(arch, sort_keys=True),
        **(extra_meta or {}),
    }
    del proto.metadata_props[:]
    for k, v in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = k, v
    proto.producer_name = "hunch-train"
    onnx.checker.check_model(proto)
    onnx.save(proto, out_path)

    # PyTorch reference for the C++ parity test.
    tokens = reference_tokens(vocab, tokenizer_settings.get("lowercase", True))
    log_probs, final_state = run_reference(model, tokens)
    stem = out_path[:-5] if out_path.endswith(".onnx") else out_path
    npy_path = stem + ".ref.npy"
    np.save(npy_path, log_probs)
    top = []
    for row in log_probs:
        idx = np.argsort(-row, kind="stable")[:5]
        top.append([[int(i), float(row[i])] for i in idx])
    ref = {
        "model": os.path.basename(out_path),
        "steps": len(tokens), "tokens": tokens,
        "inputs": in_names, "outputs": out_names,
        "initial_state": "zeros",
        "log_probs_npy": os.path.basename(npy_path),
        "log_probs_shape": list(log_probs.shape), "log_probs_dtype": "float32",
        "top5": top,
        "final_state": {n + "_out": [float(x) for x in s]
                        for n, s in zip(model.state_names(), final_state)},
        "tolerance": atol,
    }
    with open(stem + ".ref.json", "w", encoding="utf-8", newline="\n") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")

    max_err = None
    if verify:
        max_err = verify_graph(proto, model, tokens, log_probs, final_state, atol)
    if not quiet:
        size = os.path.getsize(out_path)
        print(f"wrote {out_path} ({size:,} bytes; opset {opset}; ops {', '.join(ops)})")
        print(f"  inputs {in_names}  outputs {out_names}")
        print(f"wrote {stem}.ref.json and {os.path.basename(npy_path)} ({len(tokens)} steps)")
        if max_err is not None:
            print(f"  ONNX graph (NumPy evaluator) vs PyTorch over {len(tokens)} steps: "
                  f"max |diff| {max_err:.2e}")
    return {"path": out_path, "ops": ops, "max_err": max_err, "tokens": tokens}


def name_initializers(proto, model):
    """Gives constant-folded initializers (onnx::MatMul_N) their parameter's name.

    The exporter stores W_h and W_proj transposed for MatMul; they become
    "<parameter>.T" (e.g. model.layers.0.W_h.T, [P, G*U]).
    """
    from onnx import numpy_helper
    params = {"model." + k: v.detach().numpy() for k, v in model.named_parameters()}
    renames = {}
    for init in proto.graph.initializer:
        if init.name in params:
            continue
        arr = numpy_helper.to_array(init)
        for pname, p in params.items():
            if p.ndim == 2 and arr.shape == p.T.shape and np.array_equal(arr, p.T):
                renames[init.name] = pname + ".T"
                break
            if arr.shape == p.shape and np.array_equal(arr, p):
                renames[init.name] = pname
                break
    used = {init.name for init in proto.graph.initializer}
    for old, new in renames.items():
        if new in used:
            continue
        used.add(new)
        for init in proto.graph.initializer:
            if init.name == old:
                init.name = new
        for node in proto.graph.node:
            for i, n in enumerate(node.input):
                if n == old:
                    node.input[i] = new


def verify_graph(proto, model, tokens, log_probs, final_state, atol):
    names = model.state_names()
    state = {n + "_in": np.zeros((1, s), np.float32)
             for n, s in zip(names, model.state_sizes())}
    max_err = 0.0
    for t, token in enumerate(tokens):
        feeds = {"token": np.array([token], np.int64), **state}
        res = run_onnx_numpy(proto, feeds)
        err = float(np.abs(res["log_probs"][0] - log_probs[t]).max())
        max_err = max(max_err, err)
        state = {n + "_in": res[n + "_out"].astype(np.float32) for n in names}
    for n, s in zip(names, final_state):
        max_err = max(max_err, float(np.abs(state[n + "_in"][0] - s).max()))
    if not max_err <= atol:
        raise ExportError(f"ONNX graph differs from PyTorch: max |diff| {max_err:.3e} > {atol}")
    return max_err


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True, help="best.pt or last.pt from train.py")
    p.add_argument("--out", required=True, help="output .onnx path")
    p.add_argument("--opset", type=int, default=13, help="ONNX opset (13..17; default 13)")
    p.add_argument("--no-verify", action="store_true",
                   help="skip running the graph with the NumPy evaluator")
    p.add_argument("--atol", type=float, default=1e-4,
                   help="largest accepted |ONNX - PyTorch| difference (default 1e-4)")
    p.add_argument("--wordlist", help="wordlist.tsv of tokenizer.py build: the engine's lexicon "
                   "(metadata hunch.lexicon)")
    p.add_argument("--min-count", type=int, default=2,
                   help="lexicon words seen fewer times are left out (default 2)")
    p.add_argument("--surface", help="surface.tsv of tokenizer.py build (hunch.surface)")
    p.add_argument("--emoji", help="emoji-keywords.tsv of data.py (hunch.emoji)")
    p.add_argument("--offensive", help="offensive-en.txt of scripts/fetch_offensive_words.sh: words "
                   "kept out of suggestions unless typed in full (hunch.offensive)")
    args = p.parse_args(argv)
    if args.min_count < 1:
        p.error("--min-count must be >= 1")
    if not 13 <= args.opset <= 17:
        p.error("--opset must be between 13 and 17 (torch 1.13)")
    if not args.out.endswith(".onnx"):
        p.error("--out must end with .onnx")
    try:
        model, vocab, settings = load_model(args.checkpoint)
        extra = engine_metadata(args.wordlist, args.surface, args.emoji, args.min_count, vocab=vocab,
                                offensive=args.offensive)
        export(model, vocab, settings, args.out, args.opset, not args.no_verify, args.atol,
               extra_meta=extra)
    except ExportError as e:
        print(f"export.py: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
