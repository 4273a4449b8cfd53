#!/usr/bin/env python3
"""Checks the --json output of `hunch eval` or `hunch bench` (issue 6): the
documented keys are present, numbers are finite and plausible. No timing
thresholds: only that times are positive and ordered (p50 <= p99 <= max).

    check_cli_json.py eval FILE.json
    check_cli_json.py bench FILE.json
"""
import json
import math
import sys


def fail(msg):
    print(f"check_cli_json: {msg}", file=sys.stderr)
    sys.exit(1)


def num(d, key, lo=-math.inf, hi=math.inf):
    if key not in d:
        fail(f"missing key {key!r}")
    v = d[key]
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
        fail(f"{key} is not a finite number: {v!r}")
    if not lo <= v <= hi:
        fail(f"{key} = {v} outside [{lo}, {hi}]")
    return v


def percentiles(d, key, names):
    if not isinstance(d.get(key), dict):
        fail(f"{key} must be an object")
    vals = [num(d[key], n, 0) for n in names]
    if vals != sorted(vals):
        fail(f"{key} percentiles out of order: {vals}")


def main():
    kind, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        d = json.load(f)
    if kind == "eval":
        words = num(d, "words", 1)
        for k in ("top1", "top3", "ksr", "wer", "wer_literal", "oov_rate"):
            num(d, k, 0, 100)
        if d["top1"] > d["top3"]:
            fail("top1 > top3")
        num(d, "ppl", 1)
        num(d, "skipped_tokens", 0)  # tokens over 256 bytes, not scored
        percentiles(d, "latency_us", ("p50", "p95", "p99", "max"))
        print(f"eval OK: {words} words, KSR {d['ksr']:.1f}%, top-3 {d['top3']:.1f}%, WER {d['wer']:.1f}%")
    elif kind == "bench":
        num(d, "init_us", 0)
        percentiles(d, "step_us", ("p50", "p99"))
        percentiles(d, "keystroke_us", ("p50", "p99"))
        num(d["keystroke_us"], "skipped_tokens", 0)  # trace words over 256 bytes, not typed
        for k in ("peak_rss_bytes", "arena_bytes", "model_bytes", "library_bytes"):
            num(d, k, 1)
        print(f"bench OK: step p50 {d['step_us']['p50']:.1f} us, keystroke p50 {d['keystroke_us']['p50']:.1f} us")
    else:
        fail(f"unknown kind {kind!r}")


if __name__ == "__main__":
    main()
