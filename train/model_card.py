#!/usr/bin/env python3
"""Writes a model card (markdown) from the figures scripts/build_default_model.sh
measured: the checkpoint's configuration, the quantization report, `hunch
eval` (plain and --learn), `hunch bench`, and optionally the peer script's
JSON (Presage, Hunspell on the same test text). Every number in the card comes
from those files; nothing is typed by hand."""

import argparse
import hashlib
import json
import os
import re
import platform
import subprocess
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def pct(v):
    return "n/a" if v is None else f"{v:.1f}%"


def _get(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def _pct100(v):
    return None if v is None else 100.0 * v


def peer_figures(peers):
    """Presage's and Hunspell's figures (percent) from bench/peers/run_peers.sh's
    peers.json ("peers" -> engine -> result; the peers' scripts give fractions,
    presage_simulator and `hunch eval` percentages), and the peer run's hunch KSR
    with every suggestion repeated. A dict already in this flat form ({"presage":
    {"ksr": ...}, "hunspell": {...}}) is returned as it is."""
    if not peers or "peers" not in peers:
        return peers or {}
    p = peers["peers"]
    return {
        "presage": {"ksr": _get(p, "presage", "ksr", "ksr_percent"),
                    "ksr_repeat": _get(p, "presage", "ksr_repeat", "ksr_percent"),
                    "top1": _pct100(_get(p, "presage", "nextword", "top1")),
                    "top3": _pct100(_get(p, "presage", "nextword", "top3"))},
        "hunspell": {"wer": _pct100(_get(p, "hunspell", "wer")),
                     "wer_literal": _pct100(_get(p, "hunspell", "wer_literal"))},
        "hunch": {"ksr_repeat": _get(p, "hunch", "eval_repeat", "ksr")},
    }


def quality_section(ev, el, peers, note=None):
    """The card's quality section (markdown lines) from `hunch eval` JSON
    (plain and --learn) and, optionally, the peers' JSON (peers.json of
    bench/peers/run_peers.sh)."""
    peers = peer_figures(peers)
    L = []
    L.append("## Quality on the public test file (`data/test-public.tok`, shared/EVAL.md)\n")
    if note:
        L.append(note + "\n")
    L.append("| | hunch (this model) | hunch, learning while typing |" + (" Presage | Hunspell |" if peers else ""))
    L.append("|---|---|---|" + ("---|---|" if peers else ""))
    pr = (peers or {}).get("presage", {})
    hs = (peers or {}).get("hunspell", {})

    def row(label, ours, learn, pres=None, hun=None):
        extra = f" {pres} | {hun} |" if peers else ""
        L.append(f"| {label} | {ours} | {learn} |{extra}")

    if peers:
        # shared/EVAL.md: state the repeat rule; the fair pairs share it.
        row("KSR, 3 suggestions, passed-over words not shown again (hunch: its default, the likeliest "
            "completion kept; Presage: REPEAT_SUGGESTIONS no)", pct(ev["ksr"]), pct(el["ksr"]),
            pct(pr.get("ksr")), "")
        row("KSR, 3 suggestions, every suggestion repeated (hunch: `--set skip_passed_over=0`, the peer "
            "run's model; Presage: REPEAT_SUGGESTIONS yes)",
            pct((peers.get("hunch") or {}).get("ksr_repeat")), "", pct(pr.get("ksr_repeat")), "")
    else:
        row("KSR, 3 suggestions", pct(ev["ksr"]), pct(el["ksr"]), pct(pr.get("ksr")), "")
    row("next-word top-1", pct(ev["top1"]), pct(el["top1"]), pct(pr.get("top1")), "")
    row("next-word top-3", pct(ev["top3"]), pct(el["top3"]), pct(pr.get("top3")), "")
    row("typo WER (σ = 0.25 key)", pct(ev["wer"]), pct(el["wer"]), "", pct(hs.get("wer")))
    row("literal typing WER", pct(ev["wer_literal"]), "", "", pct(hs.get("wer_literal")))
    if "wer_auto" in ev:  # hunch eval prints them since issue 14 (shared/EVAL.md 4b)
        row("autocorrect: wer_auto (σ = 0.25 key, nothing tapped)",
            f"{pct(ev['wer_auto'])} ({ev['wer_auto_words']} words)",
            f"{pct(el['wer_auto'])} ({el['wer_auto_words']} words)" if "wer_auto" in el else "", "", "")
        row("autocorrect: false_autocorrect (touches at the key centres)",
            f"{pct(ev['false_autocorrect'])} ({ev['false_autocorrect_words']} words)",
            f"{pct(el['false_autocorrect'])} ({el['false_autocorrect_words']} words)"
            if "false_autocorrect" in el else "", "", "")
    row("perplexity (all tokens / in vocabulary)", f"{ev['ppl']:.1f} / {ev['ppl_in_vocab']:.1f}", "", "", "")
    row("OOV rate", pct(ev["oov_rate"]), "", "", "")
    lat = ev["latency_us"]
    row("Suggest latency p50 / p99", f"{lat['p50']:.0f} / {lat['p99']:.0f} µs", "", "", "")
    typo = ev.get("typo_latency_us")  # hunch eval prints it since issue 15
    if typo:
        row(f"typo-correction latency p50 / p99 (σ = {ev.get('noise', 0.25):g} key)",
            f"{typo['p50']:.0f} / {typo['p99']:.0f} µs", "", "", "")
    L.append("")
    L.append("Targets (issue 14): KSR ≥ 50%, next-word top-3 ≥ 28%, typo WER ≤ 4.5%, wer_auto ≤ 6%, "
             "false_autocorrect ≤ 1%, the model file ≤ 2 MB.\n")
    return L


def replace_section(card, head, lines):
    """`card` with the section starting at `head` (up to the next "## "
    heading, or the end) replaced by `lines`."""
    start = card.index(head)
    end = card.find("\n## ", start + len(head))
    end = len(card) if end < 0 else end + 1
    return card[:start] + "\n".join(lines) + "\n" + card[end:]


def dev_sentence(dev):
    """The development split's figures, as the card's quality notes end."""
    return (f" Development split (`train/out/data/dev-public.tok`): KSR {pct(dev['ksr'])}, "
            f"top-3 {pct(dev['top3'])}, typo WER {pct(dev['wer'])}.")


def refresh(a):
    """--refresh: a model made from another (scripts/build_default_model.sh
    --from-model): the LM and its training are the card's already; the file,
    lexicon, quantization, quality and speed lines are measured again."""
    card = open(a.out, encoding="utf-8").read()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    size = os.path.getsize(a.model)
    with open(a.model, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    q, ev, el, b, lex = load(a.quantize), load(a.eval), load(a.eval_learn), load(a.bench), load(a.lexicon_report)
    dev = load(a.eval_dev) if a.eval_dev else None
    shrink = open(a.shrink, encoding="utf-8").read().strip() if a.shrink else ""
    card = re.sub(r"Generated by `scripts/build_default_model.sh`[^\n]*\n",
                  f"Generated by `scripts/build_default_model.sh --from-model` (`train/model_card.py --refresh`) "
                  f"at commit {commit} on {cpu_model()}, one thread. Do not edit by hand.\n", card, count=1)
    forms = sorted({t.get("dtype") for t in q.get("tensors", []) if t.get("dtype")})
    m = re.search(r"lexicon\.bin version (\d+)", shrink)  # what shrink_model.sh wrote
    lexicon_version = f" version {m.group(1)}" if m else ""
    file_line = (f"- **File**: {size:,} bytes (SHA-256 `{sha}`), at most 2,000,000; weights "
                 f"{'/'.join(forms) or 'as reported below'} (`hunch quantize --requantize` of the int8 model "
                 "the checkpoint was exported to: `scripts/shrink_model.sh`); the lexicon and emoji table "
                 f"only as the binary sections the engine reads in place (`lexicon.bin`{lexicon_version}, "
                 "`emoji.bin`; `hunch metadata --get lexicon|surface|emoji` renders their text), the "
                 "offensive-word and withheld-word lists as text.")
    lex_line = (f"- **Lexicon**: {lex['vocab_words']:,} vocabulary words and {lex['tail_words']:,} more "
                f"(the most frequent tail words of the training text that pass `train/lexicon.py`'s "
                f"`{lex.get('filter', 'form')}` filter: well-formed, not archaic; "
                f"{lex.get('unsuggested_vocab', 0)} vocabulary tokens withheld), counted on the training "
                "split of `train/data.py` (the Brown corpus included), display case from Debian "
                "`wamerican`/`scowl` and the text (`scripts/build_lexicon.sh`).")
    data_line = ("- **Data**: the training split of `shared/DATA.md` (SpamAssassin easy-ham e-mail bodies, "
                 "State of the Union addresses, Debian fortunes, the Brown corpus), built by `train/data.py`; "
                 "the test split (hard-ham) is never trained on. Which of it the LM saw, and how, is under "
                 "Training.")
    lines = card.split("\n")
    lines = [data_line if l.startswith("- **Data**:") else l for l in lines]
    lines = [file_line if l.startswith("- **File**:") else l for l in lines]
    lines = [l for l in lines if not l.startswith("- **Lexicon**:")]
    i = next(k for k, l in enumerate(lines) if l.startswith("- **File**:"))
    lines.insert(i + 1, lex_line)
    card = "\n".join(lines)
    note = ("The LM is the one whose training is described above (`models/en.training.md`); the lexicon, "
            "the weight form and the engine are this commit's." + dev_sentence(dev) if dev else None)
    if a.training and os.path.exists(a.training):  # how the LM was made: models/en.training.md
        with open(a.training, encoding="utf-8") as f:
            card = replace_section(card, "## Training", ["## Training\n", f.read().strip() + "\n"])
    card = replace_quality(card, quality_section(ev, el, None, note))
    card = replace_section(card, "## Quantization", [
        "## Quantization\n",
        "`scripts/shrink_model.sh` (the first weight form that fits the limit, best measured quality first):\n",
        "```\n" + shrink + "\n```\n",
        "`hunch quantize --requantize` of the chosen form, against the int8 model (`--json`):\n",
        "```\n" + json.dumps({k: v for k, v in q.items() if k != "tensors"}, indent=1, sort_keys=True) + "\n```\n"])
    ks = b.get("keystroke_us") or {}
    speed = ["## Speed and memory (`hunch bench --runs 10000`)\n",
             f"- LM step p50 {b['step_us']['p50']:.1f} µs, p99 {b['step_us']['p99']:.1f} µs "
             f"({b.get('kernels', '?')} kernels)"]
    if ks:
        speed.append(f"- Suggest per keystroke p50 {ks['p50']:.1f} µs, p99 {ks['p99']:.1f} µs")
    if b.get("engine_open_us") is not None:
        speed.append(f"- Engine::Open {b['engine_open_us'] / 1000:.2f} ms (median of 5); a process that opens the "
                     f"engine and types: peak RSS {b['engine_peak_rss_bytes']:,} bytes, "
                     f"{b['engine_rss_delta_bytes']:,} over the process before the open")
    speed.append(f"- init {b['init_us'] / 1000:.1f} ms; peak RSS {b['peak_rss_bytes']:,} bytes; "
                 f"arena {b['arena_bytes']:,} bytes\n")
    card = replace_section(card, "## Speed and memory", speed)
    card = replace_section(card, "## Reproduce", [
        "## Reproduce\n",
        "```sh\nscripts/build_default_model.sh --from-model   # this file, from the int8 model of commit 0747a0f\n"
        "scripts/build_default_model.sh CHECKPOINT [PEERS_JSON]   # from a checkpoint\n```\n"])
    with open(a.out + ".tmp", "w", encoding="utf-8") as f:
        f.write(card.rstrip("\n") + "\n")
    os.replace(a.out + ".tmp", a.out)
    return 0


def replace_quality(card, lines):
    """`card` with its quality section (up to the next "## " heading) replaced."""
    head = "## Quality on the public test file"
    start = card.index(head)
    end = card.index("\n## ", start) + 1
    return card[:start] + "\n".join(lines) + "\n" + card[end:]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--refresh", action="store_true",
                   help="a model made from another (build_default_model.sh --from-model): rewrite the file, "
                        "lexicon, quality, quantization and speed parts of the card --out")
    for name in ("shrink", "lexicon-report", "eval-dev"):
        p.add_argument("--" + name)
    p.add_argument("--quality-only", action="store_true",
                   help="rewrite only the quality section of the card --out from --eval and --eval-learn "
                        "(engine changes that leave the model as it is)")
    for name in ("checkpoint", "onnx", "quantize", "eval", "eval-learn", "bench", "model", "out"):
        p.add_argument("--" + name)
    p.add_argument("--peers", help="peers.json of bench/peers/run_peers.sh")
    p.add_argument("--offensive", help="the offensive-word list the model carries "
                   "(scripts/fetch_offensive_words.sh): adds the card's filter-list line")
    p.add_argument("--training", default=os.path.join(os.path.dirname(__file__), "..", "models",
                                                      "en.training.md"),
                   help="markdown describing how the checkpoint was trained (commands, times)")
    a = p.parse_args(argv)
    if a.refresh:
        missing = [n for n in ("model", "quantize", "eval", "eval_learn", "bench", "lexicon_report", "out")
                   if getattr(a, n) is None]
        if missing:
            p.error("missing " + ", ".join("--" + n.replace("_", "-") for n in missing))
        return refresh(a)
    needed = ("eval", "eval_learn", "out") if a.quality_only else (
        "checkpoint", "onnx", "quantize", "eval", "eval_learn", "bench", "model", "out")
    missing = [n for n in needed if getattr(a, n) is None]
    if missing:
        p.error("missing " + ", ".join("--" + n.replace("_", "-") for n in missing))
    if a.quality_only:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        note = (f"Measured again at commit {commit} on {cpu_model()}, one thread "
                "(`scripts/build_default_model.sh --quality-only`): the engine changed, the model did not.")
        if a.eval_dev:
            note += dev_sentence(load(a.eval_dev))
        card = open(a.out, encoding="utf-8").read()
        card = replace_quality(card, quality_section(load(a.eval), load(a.eval_learn),
                                                     load(a.peers) if a.peers else None, note))
        with open(a.out + ".tmp", "w", encoding="utf-8") as f:
            f.write(card)
        os.replace(a.out + ".tmp", a.out)
        return 0
    import torch  # only the full card reads the checkpoint

    try:
        ck = torch.load(a.checkpoint, map_location="cpu", weights_only=False)
    except TypeError:
        ck = torch.load(a.checkpoint, map_location="cpu")
    cfg = ck["config"]
    n_params = sum(v.numel() for v in ck["model"].values())
    q, ev, el, b = load(a.quantize), load(a.eval), load(a.eval_learn), load(a.bench)
    peers = load(a.peers) if a.peers else None
    size = os.path.getsize(a.model)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()

    L = []
    L.append("# models/en.hunch — the default English model\n")
    L.append(f"Generated by `scripts/build_default_model.sh` (`train/model_card.py`) at commit {commit} "
             f"on {cpu_model()}, one thread. Do not edit by hand.\n")
    L.append("## What it is\n")
    L.append(f"- **File**: {size:,} bytes; int8 weights (per output channel), "
             "with the engine's lexicon, display spellings" +
             (", emoji keywords and offensive-word list" if a.offensive else " and emoji keywords") +
             " as metadata, and the lexicon and emoji table as the binary sections the engine reads in place "
             "(`lexicon.bin`, `emoji.bin`).")
    L.append(f"- **Architecture**: {cfg['cell'].upper()} LSTM, {cfg['layers']} layer(s), "
             f"vocabulary {cfg['vocab_size']:,}, embedding {cfg['embed']}, {cfg['units']} units, "
             f"projection {cfg['proj']}, input and output embedding tied: {n_params:,} parameters.")
    L.append("- **Tokenizer**: word level, lower-cased, apostrophes and hyphens inside words kept, "
             "punctuation and emoji as their own tokens (`train/tokenizer.py`); display case comes "
             "from the `surface` metadata.")
    L.append("- **Data**: the training split of `shared/DATA.md` (SpamAssassin easy-ham e-mail bodies, "
             "State of the Union addresses, Debian fortunes), built by `train/data.py`; the test "
             "split (hard-ham) is never trained on." + ("" if a.offensive else "\n"))
    if a.offensive:
        with open(a.offensive, encoding="utf-8") as f:
            n_words = sum(1 for line in f if line.strip())
        L.append(f"- **Filter list**: the `offensive` section ({n_words:,} words, "
                 "`scripts/fetch_offensive_words.sh`) is the English list of npm `naughty-words` 1.2.0, "
                 "\"List of Dirty, Naughty, Obscene, and Otherwise Bad Words\" by Shutterstock, CC-BY-4.0, "
                 "single words only, lower-cased; used only as a suggestion filter (those words are "
                 "suggested only when typed in full), not as training text (docs/toolchain.md, "
                 "\"Filter lists\").\n")
    L.append("## Training\n")
    if os.path.exists(a.training):
        with open(a.training, encoding="utf-8") as f:
            L.append(f.read().strip() + "\n")
    L += quality_section(ev, el, peers)
    L.append("## Quantization\n")
    L.append("`hunch quantize --weights int8 --eval-text data/test-public.tok`:\n")
    L.append("```\n" + json.dumps(q, indent=1, sort_keys=True) + "\n```\n")
    L.append("## Speed and memory (`hunch bench --runs 10000`)\n")
    ks = b.get("keystroke_us") or {}
    L.append(f"- LM step p50 {b['step_us']['p50']:.1f} µs, p99 {b['step_us']['p99']:.1f} µs "
             f"({b.get('kernels', '?')} kernels)")
    if ks:
        L.append(f"- Suggest per keystroke p50 {ks['p50']:.1f} µs, p99 {ks['p99']:.1f} µs")
    if b.get("engine_open_us") is not None:  # hunch bench prints them since issue 15
        L.append(f"- Engine::Open {b['engine_open_us'] / 1000:.2f} ms (median of 5); a process that opens the "
                 f"engine and types: peak RSS {b['engine_peak_rss_bytes']:,} bytes, "
                 f"{b['engine_rss_delta_bytes']:,} over the process before the open")
    L.append(f"- init {b['init_us'] / 1000:.1f} ms; peak RSS {b['peak_rss_bytes']:,} bytes; "
             f"arena {b['arena_bytes']:,} bytes\n")
    L.append("## Reproduce\n")
    L.append("```sh\nscripts/build_default_model.sh CHECKPOINT [PEERS_JSON]\n```\n")
    with open(a.out + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n".join(L))
    os.replace(a.out + ".tmp", a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
