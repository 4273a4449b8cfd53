#!/usr/bin/env python3
"""Prints the Pins initializers of tests/eval_pin_test.cc, measured now.

  /usr/bin/python3 scripts/eval_pins.py [--hunch build/hunch]

Runs `hunch eval --json` (with and without --learn; the avx2 kernels, and
HUNCH_KERNELS=reference for the reference perplexities) on the two pinned
setups and turns the percentages back into counts. Paste the output over the
four `const Pins` lines, in the commit that moves them, saying why.
"""
import argparse
import json
import os
import subprocess
import sys

SETUPS = [
    ("kTiny", "tests/testdata/tiny.hunch", "tests/testdata/tiny-test.tok", 0, False),
    ("kTinyLearning", "tests/testdata/tiny.hunch", "tests/testdata/tiny-test.tok", 0, True),
    ("kDefault500", "models/en.hunch", "data/test-public.tok", 500, False),
    ("kDefault500Learning", "models/en.hunch", "data/test-public.tok", 500, True),
]


def run(hunch, model, text, max_tokens, learn, kernels):
    cmd = [hunch, "eval", "--model", model, "--text", text, "--json"]
    if max_tokens:
        cmd += ["--max-tokens", str(max_tokens)]
    if learn:
        cmd.append("--learn")
    env = dict(os.environ, HUNCH_KERNELS=kernels)
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout)


def count(pct, whole):
    return int(round(pct * whole / 100.0))


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--hunch", default="build/hunch")
    a = p.parse_args()
    for name, model, text, max_tokens, learn in SETUPS:
        d = run(a.hunch, model, text, max_tokens, learn, "avx2")
        ref = run(a.hunch, model, text, max_tokens, learn, "reference")
        words, kw, tw = d["words"], d["keystrokes_without"], d["typo_words"]
        by_k = [int(round(kw * (1 - k / 100.0))) for k in d["ksr_by_suggestions"]]
        hits = ", ".join("{%s, %d}" % (k, v) for k, v in sorted(d["hits_by_prefix"].items(), key=lambda kv: int(kv[0])))
        fields = [words, count(d["top1"], words), count(d["top3"], words), d["keystrokes"], kw,
                  "{%s}" % ", ".join(map(str, by_k)), count(d["oov_rate"], words), tw,
                  count(100 - d["wer_literal"], tw), count(100 - d["wer"], tw), count(d["typo_top3"], tw),
                  d["wer_auto_words"], d["false_autocorrect_words"],
                  repr(d["ppl"]), repr(d["ppl_in_vocab"]), repr(ref["ppl"]), repr(ref["ppl_in_vocab"]),
                  "{%s}" % hits, d["latency_us"]["calls"]]
        print(f"const Pins {name}{{{', '.join(map(str, fields))}}};")
    return 0


if __name__ == "__main__":
    sys.exit(main())
