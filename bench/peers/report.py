#!/usr/bin/env python3
"""Collects run_peers.sh's raw results into DIR/peers.json and DIR/peers.md.

Reads DIR/raw/: steps.tsv, torch-float32.json, torch-int8.json, ort.json,
presage-nextword.json (+ .maxrss_kb), presage-ksr.txt and presage-ksr-repeat.txt
(+ .maxrss_kb; REPEAT_SUGGESTIONS no and yes), hunspell.json, hunch-eval.json,
hunch-eval-repeat.json (--set skip_passed_over=0) and hunch-bench.json (or
*.unavailable).  A missing or unreadable result becomes an "error" entry and an
empty cell; no figure is made up.  Both outputs are written to a temp file and
renamed.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import subprocess
import sys

DEB_PACKAGES = ("python3-torch", "libopenblas0-pthread", "python3-numpy", "python3-onnx", "presage",
                "libpresage1v5", "libsqlite3-0", "hunspell", "libhunspell-1.7-0", "hunspell-en-us",
                "nodejs", "g++", "fortunes")


def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return {"error": f"no result ({os.path.basename(path)} missing: the step failed or did not run)"}
    except (OSError, ValueError) as e:
        return {"error": f"{os.path.basename(path)}: {e}"}


def read_maxrss_kb(path):
    """Last line of `/usr/bin/time -f %M -o FILE` (KiB) in bytes, or None."""
    try:
        with open(path) as f:
            lines = [l.strip() for l in f if l.strip()]
        return int(lines[-1]) * 1024 if lines and lines[-1].isdigit() else None
    except OSError:
        return None


def parse_simulator(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return {"error": "no presage_simulator output"}
    out = {}
    for key, pat in (("ki", r"^ki\s*:\s*(\d+)"), ("ks", r"^ks\s*:\s*(\d+)"), ("kn", r"^kn\s*:\s*(\d+)"),
                     ("ksr_percent", r"^KSR:\s*([-0-9.eE+]+)")):
        m = re.search(pat, text, re.M)
        if m:
            out[key] = float(m.group(1)) if key == "ksr_percent" else int(m.group(1))
    if "ksr_percent" not in out:
        return {"error": "presage_simulator printed no KSR"}
    return out


def file_info(path, sha=True):
    if not path:
        return None
    info = {"path": path}
    try:
        info["bytes"] = os.path.getsize(path)
        if sha:
            h = hashlib.sha256()
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            info["sha256"] = h.hexdigest()
    except OSError as e:
        info["error"] = str(e)
    return info


def test_file_info(path):
    info = file_info(path)
    try:
        with open(path, encoding="utf-8") as f:
            lines = [l.split() for l in f if l.strip()]
        info["lines"] = len(lines)
        info["tokens"] = sum(len(l) for l in lines)
    except (OSError, UnicodeDecodeError) as e:
        info["error"] = str(e)
    return info


def run_text(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, check=False)
        return (r.stdout or r.stderr).strip().split("\n")[0] if r.returncode == 0 else None
    except OSError:
        return None


def versions(npm_dir):
    v = {}
    for p in DEB_PACKAGES:
        v["deb:" + p] = run_text(["dpkg-query", "-W", "-f=${Version}", p])
    pkg = os.path.join(npm_dir, "node_modules", "onnxruntime-node", "package.json")
    try:
        with open(pkg) as f:
            v["npm:onnxruntime-node"] = json.load(f).get("version")
    except (OSError, ValueError):
        v["npm:onnxruntime-node"] = None
    v["node"] = run_text(["node", "--version"])
    v["python"] = platform.python_version()
    v["g++"] = run_text(["g++", "--version"])
    return v


def machine(raw):
    m = {"cpu_model": None, "cores_online": os.cpu_count(), "kernel": platform.release()}
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
        mm = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
        m["cpu_model"] = mm.group(1).strip() if mm else None
        fl = re.search(r"^flags\s*:\s*(.+)$", text, re.M)
        flags = set(fl.group(1).split()) if fl else set()
        m["cpu_flags"] = sorted(flags & {"avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx_vnni"})
    except OSError:
        pass
    for name in ("loadavg_start", "loadavg_end"):
        try:
            with open(os.path.join(raw, name + ".txt")) as f:
                m[name] = f.read().strip()
        except OSError:
            m[name] = None
    return m


def steps(raw):
    out = []
    try:
        with open(os.path.join(raw, "steps.tsv"), encoding="utf-8") as f:
            next(f)
            for line in f:
                name, status, secs, cmd = line.rstrip("\n").split("\t", 3)
                out.append({"name": name, "status": int(status), "seconds": float(secs), "command": cmd})
    except (OSError, StopIteration, ValueError):
        pass
    return out


def real_size(path):
    try:
        return os.path.getsize(os.path.realpath(path))
    except OSError:
        return None


def find_lib(names):
    for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"):
        for n in names:
            p = os.path.join(d, n)
            if os.path.exists(p):
                return os.path.realpath(p)
    return None


# ------------------------------------------------------------------ table --


def pct(v):
    return None if v is None else 100.0 * v


def fmt_pct(v):
    return "" if v is None else f"{v:.1f}%"


def fmt_us(v):
    if v is None:
        return ""
    return f"{v / 1000:.2f} ms" if v >= 1000 else f"{v:.0f} µs" if v >= 100 else f"{v:.1f} µs"


def fmt_bytes(v):
    if v is None:
        return ""
    if v >= 1 << 20:
        return f"{v / (1 << 20):.1f} MiB"
    if v >= 1 << 10:
        return f"{v / (1 << 10):.0f} KiB"
    return f"{v} B"


def with_ratio(text, value, ref):
    """'text (n×)' with n = value / ref, for times and sizes."""
    if not text or value is None or not ref:
        return text
    r = value / ref
    if r >= 100:
        return f"{text} ({r:,.0f}×)"
    return f"{text} ({r:.1f}×)" if r >= 0.095 else f"{text} ({r:.2g}×)"


def with_delta(text, value, ref):
    """'text (±p)' with p = value - ref in percentage points."""
    if not text or value is None or ref is None:
        return text
    return f"{text} ({value - ref:+.1f})"


def get(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


# KSR@3 under both repeat rules (shared/EVAL.md: an engine compared with
# presage_simulator states its repeat rule; the fair pairs share it).  Each
# pair: hunch's setting and Presage's, in words, with where the figures live in
# peers.json ("peers" -> engine -> key).
KSR_RULES = (
    {"pair": "no repeats",
     "hunch": {"key": "eval", "setting": "skip_passed_over=1 (default)",
               "rule": "default (`skip_passed_over` on): a word shown for a shorter prefix of the same word "
                       "and typed past makes way for a new one, except the likeliest completion of the typed "
                       "prefix, which always stays"},
     "presage": {"key": "ksr", "setting": "REPEAT_SUGGESTIONS no (default)",
                 "rule": "`REPEAT_SUGGESTIONS no` (Presage's default): a word already shown for the same word "
                         "is not shown again, the likeliest included"}},
    {"pair": "repeats",
     "hunch": {"key": "eval_repeat", "setting": "skip_passed_over=0",
               "rule": "`--set skip_passed_over=0`: every prefix shows the 3 likeliest words, shown before "
                       "or not"},
     "presage": {"key": "ksr_repeat", "setting": "REPEAT_SUGGESTIONS yes",
                 "rule": "`REPEAT_SUGGESTIONS yes`: every prefix shows the 3 likeliest words, shown before "
                         "or not"}},
)


def ksr_rules(p, have_hunch_bin):
    """The KSR@3 of both engines under both repeat rules, each with its rule in
    words: a list of {"pair", "hunch": {...}, "presage": {...}}, each side
    with "setting", "rule", "ksr" (percent or None) and "error"."""
    out = []
    for spec in KSR_RULES:
        h = get(p, "hunch", spec["hunch"]["key"]) or {}
        pr = get(p, "presage", spec["presage"]["key"]) or {}
        herr = (h.get("unavailable") or h.get("error")) if have_hunch_bin else NO_HUNCH
        out.append({
            "pair": spec["pair"],
            "hunch": {"setting": spec["hunch"]["setting"], "rule": spec["hunch"]["rule"],
                      "ksr": None if herr else h.get("ksr"), "error": herr},
            "presage": {"setting": spec["presage"]["setting"], "rule": spec["presage"]["rule"],
                        "ksr": pr.get("ksr_percent"), "error": pr.get("error")},
        })
    return out


def ksr_rule_cells(pair):
    """Markdown cells of one pair: hunch rule, hunch KSR, Presage rule, Presage KSR (± hunch)."""
    h, pr = pair["hunch"], pair["presage"]
    if h["error"]:
        hcell = h["error"] if h["error"].startswith(("not measured", NO_HUNCH)) else f"failed: {h['error']}"
    else:
        hcell = fmt_pct(h["ksr"])
    pcell = f"failed: {pr['error']}" if pr["error"] else with_delta(fmt_pct(pr["ksr"]), pr["ksr"], h["ksr"])
    return [pair["pair"], h["rule"], hcell, pr["rule"], pcell]


def build_rows(p, args):
    rows = []
    h = p.get("hunch") or {}
    he, hb = h.get("eval") or {}, h.get("bench") or {}
    # `hunch eval --json` gives its rates in percent (top1, top3, ksr, wer,
    # wer_literal, typo_top3, oov_rate); the peers' fractions are converted.
    href = {
        "ksr": get(he, "ksr"), "top1": get(he, "top1"), "top3": get(he, "top3"),
        "wer": get(he, "wer"), "wer_literal": get(he, "wer_literal"), "typo_top3": get(he, "typo_top3"),
        "step_p50": get(hb, "step_us", "p50"), "step_p99": get(hb, "step_us", "p99"),
        "pred_p50": get(he, "latency_us", "p50"), "rss": get(hb, "peak_rss_bytes"),
        "lib": get(hb, "library_bytes"), "model": get(hb, "model_bytes"),
    }
    have_hunch = any(v is not None for v in href.values())

    def row(name, ksr=None, top1=None, top3=None, wer=None, wer_lit=None, typo3=None, s50=None, s99=None,
            pred=None, pred_ratio=True, rss=None, lib=None, model=None, model_what="", error=None,
            ksr_repeat=None):
        # ksr: the engine's default repeat rule (the table's KSR@3 cell);
        # ksr_repeat: every suggestion repeated (the KSR rules table).
        r = {"engine": name, "ksr": ksr, "ksr_repeat": ksr_repeat, "top1": top1, "top3": top3, "typo_wer": wer,
             "typo_wer_literal": wer_lit, "typo_top3": typo3, "step_us_p50": s50, "step_us_p99": s99,
             "prediction_us_p50": pred, "peak_rss_bytes": rss, "library_bytes": lib, "model_bytes": model,
             "model_what": model_what, "error": error}
        hr = href if have_hunch and name != "hunch" else {}
        wer_cell = with_delta(fmt_pct(wer), wer, hr.get("wer"))
        if wer_lit is not None:
            wer_cell = f"{wer_cell}, literal {fmt_pct(wer_lit)}" if wer_cell else f"literal {fmt_pct(wer_lit)}"
        cells = [
            name,
            with_delta(fmt_pct(ksr), ksr, hr.get("ksr")),
            with_delta(fmt_pct(top1), top1, hr.get("top1")),
            with_delta(fmt_pct(top3), top3, hr.get("top3")),
            wer_cell,
            with_delta(fmt_pct(typo3), typo3, hr.get("typo_top3")),
            with_ratio(fmt_us(s50), s50, hr.get("step_p50")),
            with_ratio(fmt_us(s99), s99, hr.get("step_p99")),
            with_ratio(fmt_us(pred), pred, hr.get("pred_p50")) if pred_ratio else fmt_us(pred),
            with_ratio(fmt_bytes(rss), rss, hr.get("rss")),
            with_ratio(fmt_bytes(lib), lib, hr.get("lib")),
            (with_ratio(fmt_bytes(model), model, hr.get("model")) + (f" {model_what}" if model_what else ""))
            if model is not None else "",
        ]
        if error:
            cells[1] = error if error.startswith("not measured") else f"failed: {error}"
        r["cells"] = cells
        rows.append(r)

    if args.hunch_bin:
        errs = []
        for v in (he, hb):
            e = v.get("unavailable") or v.get("error")
            if e and e not in errs:
                errs.append(e)
        row("hunch", href["ksr"], href["top1"], href["top3"], href["wer"], href["wer_literal"],
            href["typo_top3"], href["step_p50"], href["step_p99"], href["pred_p50"], True, href["rss"],
            href["lib"], href["model"], ".hunch", error="; ".join(errs) if errs else None,
            ksr_repeat=get(h, "eval_repeat", "ksr"))

    ckpt_bytes = get(args.inputs, "checkpoint", "bytes")
    for key, name in (("pytorch_float32", "PyTorch float32"), ("pytorch_int8", "PyTorch dynamic int8")):
        t = p.get(key) or {}
        row(name, s50=get(t, "step_us", "p50"), s99=get(t, "step_us", "p99"),
            rss=get(t, "peak_rss_bytes"), lib=get(t, "libraries", "torch_bytes"),
            model=ckpt_bytes, model_what=".pt", error=t.get("error"))
    o = p.get("onnxruntime") or {}
    row("ONNX Runtime (Node)", s50=get(o, "step_us", "p50"), s99=get(o, "step_us", "p99"),
        rss=get(o, "peak_rss_bytes"), lib=get(o, "library_bytes"),
        model=get(args.inputs, "onnx", "bytes"), model_what=".onnx", error=o.get("error"))
    pr = p.get("presage") or {}
    nw, ksr = pr.get("nextword") or {}, pr.get("ksr") or {}
    perr = "; ".join(x for x in (nw.get("error"), ksr.get("error")) if x) or None
    pred_ms = get(nw, "predict_ms", "p50")
    row("Presage", ksr=ksr.get("ksr_percent"), top1=pct(nw.get("top1")), top3=pct(nw.get("top3")),
        pred=None if pred_ms is None else pred_ms * 1000.0, rss=nw.get("peak_rss_bytes"),
        lib=pr.get("library_bytes"), model=pr.get("db_bytes"), model_what="SQLite", error=perr,
        ksr_repeat=get(pr, "ksr_repeat", "ksr_percent"))
    hs = p.get("hunspell") or {}
    per_word = (hs["wall_s"] * 1e6 / hs["words"]) if hs.get("wall_s") and hs.get("words") else None
    row("Hunspell", wer=pct(hs.get("wer")), wer_lit=pct(hs.get("wer_literal")), typo3=pct(hs.get("top3")),
        pred=per_word, pred_ratio=False, rss=hs.get("peak_rss_bytes"), lib=hs.get("library_bytes"),
        model=hs.get("dictionary_bytes"), model_what=".dic+.aff", error=hs.get("error"))
    return rows, have_hunch


NO_HUNCH = "no --hunch-bin given"
RULES_HEADER = ["pair", "hunch's rule", "hunch KSR@3", "Presage's rule", "Presage KSR@3"]
HEADER = ["engine", "KSR@3", "next-word top-1", "top-3", "typo WER", "typo top-3", "LM step p50",
          "LM step p99", "time per prediction p50", "peak RSS", "library", "model / data"]


def markdown(doc, rows, have_hunch):
    m = doc["machine"]
    out = [f"# Peer comparison{' (--small: CI-sized, not for quoting)' if doc['small'] else ''}", ""]
    out.append(f"{doc['generated']}, {m.get('cpu_model')}, {m.get('cores_online')} cores "
               f"(load average at start {m.get('loadavg_start') or '?'}), one thread per engine, "
               f"{doc['runs']:,} LM steps per runtime; test file {doc['inputs']['test_file']['path']} "
               f"({doc['inputs']['test_file'].get('tokens', '?'):,} tokens). "
               f"Whole run {doc['elapsed_s']:.0f} s.")
    out.append("")
    out.append("| " + " | ".join(HEADER) + " |")
    out.append("|" + "---|" * len(HEADER))
    for r in rows:
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in r["cells"]) + " |")
    out.append("")
    if have_hunch:
        out.append("In parentheses: (n×) = peer ÷ hunch for times and sizes; (±p) = peer − hunch in "
                   "percentage points for accuracies.")
        if doc["hunch_note"] != NO_HUNCH:
            out.append("")
            out.append("hunch: " + doc["hunch_note"] + ".")
    else:
        out.append("No hunch figures in this run (" + doc["hunch_note"] + "), so no ratios.")
    out.append("")
    out.append("KSR@3 under both repeat rules (shared/EVAL.md: the fair pairs share the repeat rule). "
               "The first pair, each engine's default, is the KSR@3 of the table above: the closest pair, "
               "not the same rule (both hide passed-over words, but hunch keeps its likeliest "
               "completion). The second pair is the same rule." +
               (" In parentheses: Presage − hunch in percentage points." if have_hunch else ""))
    out.append("")
    out.append("| " + " | ".join(RULES_HEADER) + " |")
    out.append("|" + "---|" * len(RULES_HEADER))
    for pair in doc["ksr_rules"]:
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in ksr_rule_cells(pair)) + " |")
    out.append("")
    out.append("- KSR@3: Presage from `presage_simulator -i` (its own tokenizer: punctuation is not "
               "typed, contexts run across lines), with the configuration's `REPEAT_SUGGESTIONS` no "
               "and yes; hunch from `hunch eval` (shared/EVAL.md rule), by default and with "
               "`--set skip_passed_over=0`.")
    out.append("- Next-word top-k: every token of the test file, context = the line's previous tokens.")
    out.append("- Typo: simulated taps (bench/peers/taps.py, seed 1, σ 0.25 key); Hunspell sees the literal "
               "word only, no context; its time is the batch wall time per word (process start included).")
    out.append("- LM step: one step of the LM with the state carried, one thread; the LM-step ratios "
               "compare like with like only when the .hunch model is the conversion of the checkpoint.")
    out.append("- Peak RSS is the whole process's (Python with torch, Node with ONNX Runtime); library = "
               "the runtime's shared objects (torch's own .so files; libonnxruntime.so; libpresage.so; "
               "libhunspell.so; libhunch.so).")
    out.append("")
    out.append("Regenerate: `" + doc["command"].strip() + "` (docs/peers.md).")
    out.append("")
    return "\n".join(out)


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--train-text", required=True)
    ap.add_argument("--test-file", required=True)
    ap.add_argument("--presage-db", required=True)
    ap.add_argument("--presage-config", required=True)
    ap.add_argument("--presage-config-repeat", help="the configuration with REPEAT_SUGGESTIONS yes")
    ap.add_argument("--npm-dir", required=True)
    ap.add_argument("--elapsed", type=float, required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--hunch-bin")
    ap.add_argument("--hunch-model")
    args = ap.parse_args(argv)
    raw = os.path.join(args.out, "raw")

    args.inputs = {
        "checkpoint": file_info(args.checkpoint), "onnx": file_info(args.onnx),
        "train_text": file_info(args.train_text), "test_file": test_file_info(args.test_file),
        "hunch_model": file_info(args.hunch_model), "hunch_bin": file_info(args.hunch_bin, sha=False),
    }
    peers = {}
    peers["pytorch_float32"] = read_json(os.path.join(raw, "torch-float32.json"))
    peers["pytorch_int8"] = read_json(os.path.join(raw, "torch-int8.json"))
    peers["onnxruntime"] = read_json(os.path.join(raw, "ort.json"))

    nw = read_json(os.path.join(raw, "presage-nextword.json"))
    if "error" not in nw:
        nw["process_peak_rss_bytes_time"] = read_maxrss_kb(os.path.join(raw, "presage-nextword.maxrss_kb"))
    ksr, ksr_repeat = (parse_simulator(os.path.join(raw, f"presage-ksr{r}.txt")) for r in ("", "-repeat"))
    for r, k in (("", ksr), ("-repeat", ksr_repeat)):
        if "error" not in k:
            k["peak_rss_bytes"] = read_maxrss_kb(os.path.join(raw, f"presage-ksr{r}.maxrss_kb"))
    ksr["repeat_suggestions"], ksr_repeat["repeat_suggestions"] = "no", "yes"
    lib = find_lib(["libpresage.so.1", "libpresage.so"])
    db = file_info(args.presage_db, sha=False) or {}
    peers["presage"] = {"nextword": nw, "ksr": ksr, "ksr_repeat": ksr_repeat, "db_bytes": db.get("bytes"),
                        "library": lib, "library_bytes": real_size(lib) if lib else None,
                        "config": args.presage_config, "config_repeat": args.presage_config_repeat}

    hs = read_json(os.path.join(raw, "hunspell.json"))
    peers["hunspell"] = hs

    note = NO_HUNCH
    if args.hunch_bin:
        hunch = {}
        missing = []
        # eval_repeat: `hunch eval --set skip_passed_over=0` (KSR with repeats).
        for cmd in ("eval", "bench", "eval-repeat"):
            key = cmd.replace("-", "_")
            un = os.path.join(raw, f"hunch-{cmd}.unavailable")
            if os.path.exists(un):
                with open(un, encoding="utf-8", errors="replace") as f:
                    msg = f.read().strip()
                hunch[key] = {"unavailable": f"not measured: {msg}"}
                if cmd != "eval-repeat":
                    missing.append(cmd)
            else:
                hunch[key] = read_json(os.path.join(raw, f"hunch-{cmd}.json"))
        peers["hunch"] = hunch
        if missing:
            note = "; ".join(dict.fromkeys(hunch[c]["unavailable"] for c in missing))

    doc = {
        "generated": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "small": args.small, "runs": args.runs, "elapsed_s": args.elapsed, "command": args.command,
        "machine": machine(raw), "versions": versions(args.npm_dir), "inputs": args.inputs,
        "steps": steps(raw), "peers": peers, "hunch_note": note,
    }
    doc["ksr_rules"] = ksr_rules(peers, bool(args.hunch_bin))
    rows, have_hunch = build_rows(peers, args)
    doc["table"] = {"header": HEADER, "rows": rows}
    write_atomic(os.path.join(args.out, "peers.json"), json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    write_atomic(os.path.join(args.out, "peers.md"), markdown(doc, rows, have_hunch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
