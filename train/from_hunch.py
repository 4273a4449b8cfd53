#!/usr/bin/python3
"""A training checkpoint from a .hunch model, to fine-tune a shipped model.

    from_hunch.py MODEL.hunch --out CKPT.pt [--vocab-dir DIR] [--hunch build/hunch]

Reads the model's architecture, vocabulary and tokenizer metadata and its
weights (`hunch inspect --dump-weights`: int8/int4 dequantized), and writes a
checkpoint that `train.py --init CKPT.pt` starts from. With --vocab-dir it
also writes DIR/vocab.txt and DIR/tokenizer.json, the model's own vocabulary,
for train.py's --vocab.

Quantized weights come back as their dequantized values (q * scale), so the
checkpoint is the model as the engine runs it, not the float model it was
quantized from; fine-tuning recovers from the rounding in a few hundred steps.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from model import LanguageModel, ModelConfig  # noqa: E402
from tokenizer import Tokenizer, write_vocab  # noqa: E402
from train import CHECKPOINT_VERSION, save_checkpoint  # noqa: E402


class FromHunchError(Exception):
    pass


def metadata(hunch, model, name):
    r = subprocess.run([hunch, "metadata", model, "--get", name], capture_output=True)
    if r.returncode != 0:
        raise FromHunchError(f"{model}: no '{name}' metadata: {r.stderr.decode(errors='replace').strip()}")
    return r.stdout.decode("utf-8")


def config_from_architecture(arch, dropout=0.1):
    """The ModelConfig of a model's `architecture` metadata."""
    keys = ("cell", "vocab_size", "embed", "units", "proj", "layers", "tied", "bos_id")
    missing = [k for k in keys if k not in arch]
    if missing:
        raise FromHunchError(f"architecture metadata lacks {missing}")
    try:
        return ModelConfig(dropout=dropout, **{k: arch[k] for k in keys}).validate()
    except (TypeError, ValueError) as e:
        raise FromHunchError(f"architecture metadata: {e}")


def read_weights(hunch, model, config):
    """The model's state_dict, from `hunch inspect --dump-weights`."""
    expected = LanguageModel(config).state_dict()
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run([hunch, "inspect", model, "--dump-weights", d], capture_output=True)
        if r.returncode != 0:
            raise FromHunchError(r.stderr.decode(errors="replace").strip())
        with open(os.path.join(d, "weights.json"), encoding="utf-8") as f:
            manifest = json.load(f)["tensors"]
        state = {}
        for t in manifest:
            name = t["name"][len("model."):] if t["name"].startswith("model.") else t["name"]
            if name not in expected:
                raise FromHunchError(f"{model}: weight '{t['name']}' is not a parameter of {config}")
            value = np.load(os.path.join(d, t["file"]))
            if tuple(value.shape) != tuple(expected[name].shape):
                raise FromHunchError(f"{model}: '{t['name']}' has shape {tuple(value.shape)}, "
                                     f"the architecture needs {tuple(expected[name].shape)}")
            state[name] = torch.from_numpy(np.ascontiguousarray(value))
    missing = sorted(set(expected) - set(state))
    if missing:
        raise FromHunchError(f"{model}: no weights for {missing}")
    return state


def checkpoint_from_hunch(model, hunch="build/hunch", dropout=0.1):
    """(checkpoint payload, Tokenizer) for the .hunch file `model`."""
    try:
        arch = json.loads(metadata(hunch, model, "architecture"))
        tok_settings = json.loads(metadata(hunch, model, "tokenizer"))
    except json.JSONDecodeError as e:
        raise FromHunchError(f"{model}: bad metadata JSON: {e}")
    vocab = metadata(hunch, model, "vocab").split("\n")
    if vocab and vocab[-1] == "":
        vocab.pop()
    config = config_from_architecture(arch, dropout)
    if len(vocab) != config.vocab_size:
        raise FromHunchError(f"{model}: {len(vocab)} vocabulary entries for vocab_size {config.vocab_size}")
    tok = Tokenizer(vocab, tok_settings.get("lowercase", True))
    state = read_weights(hunch, model, config)
    lm = LanguageModel(config)
    lm.load_state_dict(state)
    payload = {
        "version": CHECKPOINT_VERSION, "model": lm.state_dict(), "config": config.to_dict(),
        "vocab": tok.vocab, "tokenizer": tok.settings(), "step": 0, "epoch": 0, "chunk": 0,
        "best_val": float("inf"), "bad_epochs": 0, "args": {"from_hunch": os.path.abspath(model)},
        "layout": {}, "rng": {"torch": torch.get_rng_state()},
    }
    return payload, tok


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", help=".hunch model file")
    p.add_argument("--out", required=True, help="checkpoint to write (train.py --init)")
    p.add_argument("--vocab-dir", help="also write the model's vocab.txt and tokenizer.json here")
    p.add_argument("--dropout", type=float, default=0.1,
                   help="dropout for fine-tuning (the model file does not record it; train.py's default)")
    p.add_argument("--hunch", default=os.environ.get("HUNCH", "build/hunch"), help="the hunch CLI")
    a = p.parse_args(argv)
    try:
        if not os.path.isfile(a.model):
            raise FromHunchError(f"{a.model}: no such file")
        payload, tok = checkpoint_from_hunch(a.model, a.hunch, a.dropout)
        if a.vocab_dir:
            write_vocab(a.vocab_dir, tok.vocab, tok.lowercase)
        save_checkpoint(a.out, payload)
    except (FromHunchError, OSError) as e:
        print(f"from_hunch.py: {e}", file=sys.stderr)
        return 1
    n = sum(v.numel() for v in payload["model"].values())
    print(f"wrote {a.out}: {n:,} parameters, vocabulary {len(tok.vocab)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
