#!/usr/bin/env python3
"""Checks the --json output of `hunch eval` or `hunch bench` (issue 6): the
documented keys are present, numbers are finite and plausible. No timing
thresholds: only that times are positive and ordered (p50 <= p95 <= p99 <= max).

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


def count(d, key, expected):
    v = num(d, key, 0)
    if v != expected:
        fail(f"{key} = {v}, expected {expected}")


def main():
    kind, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        d = json.load(f)
    if kind == "eval":
        words = num(d, "words", 1)
        for k in ("top1", "top3", "ksr", "wer", "wer_literal", "oov_rate", "wer_auto", "false_autocorrect"):
            num(d, k, 0, 100)
        # EVAL.md 4b: counts of words over the typo words, matching the percentages.
        for k, pct_key in (("wer_auto_words", "wer_auto"), ("false_autocorrect_words", "false_autocorrect")):
            num(d, k, 0, d["typo_words"])
            if abs(100.0 * d[k] / max(d["typo_words"], 1) - d[pct_key]) > 1e-6:
                fail(f"{pct_key} = {d[pct_key]} does not match {k} = {d[k]} of {d['typo_words']}")
        if d["top1"] > d["top3"]:
            fail("top1 > top3")
        num(d, "ppl", 1)
        num(d, "skipped_tokens", 0)  # tokens over 256 bytes, not scored
        if d.get("clock") not in ("wall", "thread_cpu"):
            fail(f"clock must be 'wall' or 'thread_cpu': {d.get('clock')!r}")
        percentiles(d, "latency_us", ("p50", "p95", "p99", "max"))
        # The typo-correction calls alone: one per typo-test word, part of latency_us.
        percentiles(d, "typo_latency_us", ("p50", "p95", "p99", "max"))
        count(d["typo_latency_us"], "calls", d["typo_words"])
        if d["typo_latency_us"]["max"] > d["latency_us"]["max"]:
            fail("typo_latency_us max > latency_us max (typo calls are among every call)")
        if d["typo_latency_us"]["calls"] > d["latency_us"]["calls"]:
            fail("more typo calls than calls")
        print(f"eval OK: {words} words, KSR {d['ksr']:.1f}%, top-3 {d['top3']:.1f}%, WER {d['wer']:.1f}%, "
              f"typo p99 {d['typo_latency_us']['p99']:.0f} us")
    elif kind == "bench":
        num(d, "init_us", 0)
        percentiles(d, "step_us", ("p50", "p99"))
        percentiles(d, "keystroke_us", ("p50", "p99"))
        num(d["keystroke_us"], "skipped_tokens", 0)  # trace words over 256 bytes, not typed
        for k in ("peak_rss_bytes", "arena_bytes", "model_bytes", "library_bytes"):
            num(d, k, 1)
        if not isinstance(d.get("kernels"), str) or not d["kernels"]:
            fail(f"kernels must name the kernel set: {d.get('kernels')!r}")
        # The engine (the model carries its metadata): Engine::Open, and a
        # separate process that opens it and types the trace.
        num(d, "engine_open_us", 0)
        peak = num(d, "engine_peak_rss_bytes", 1)
        base = num(d, "engine_baseline_rss_bytes", 1)
        delta = num(d, "engine_rss_delta_bytes", 0)
        if base > peak or delta != peak - base:
            fail(f"engine RSS: baseline {base}, peak {peak}, delta {delta} (want delta = peak - baseline >= 0)")
        # The mapped model is read while the trace is typed: the peak holds part of it at least.
        if delta <= 0:
            fail("engine_rss_delta_bytes is 0: opening the engine added nothing to the process")
        print(f"bench OK: kernels {d['kernels']}, step p50 {d['step_us']['p50']:.1f} us, keystroke p50 "
              f"{d['keystroke_us']['p50']:.1f} us, engine open {d['engine_open_us']:.0f} us, engine peak RSS "
              f"{peak:,} bytes ({delta:,} over the process before the open)")
    else:
        fail(f"unknown kind {kind!r}")


if __name__ == "__main__":
    main()
