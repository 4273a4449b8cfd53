#!/usr/bin/env python3
"""Hunspell as the typo-correction peer (shared/EVAL.md metric 4).

The literal words of the tap simulation (taps.py: seed, sigma) go through one
`hunspell -a -d DICT` process (ispell pipe mode), one word a line.  Hunspell
has no context and no touch positions, so it sees the literal string only:
  top-1  the literal when Hunspell accepts it, else its first suggestion
         (the literal when it has none)
  top-3  [literal] when accepted, else the first three suggestions
A word is a hit when the candidate equals the target case-insensitively.
Writes one JSON object: words, literal_acc, wer_literal, top1, top3, wer,
accepted (words Hunspell accepted), hunspell version, the command line, the
wall time of the Hunspell run, Hunspell's peak RSS (RUSAGE_CHILDREN), the
libhunspell and dictionary (.dic + .aff) sizes.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taps  # noqa: E402


class HunspellError(Exception):
    pass


def parse_pipe_output(text, count):
    """Parses `hunspell -a` output for `count` one-word input lines.

    Returns a list of (accepted, suggestions) per input line.  Each input
    line yields its result lines followed by one empty line; the first line
    of the output is the version banner.
    """
    lines = text.split("\n")
    if not lines or not lines[0].startswith("@(#)"):
        raise HunspellError("no ispell banner in hunspell's output")
    results = []
    block = []
    for line in lines[1:]:
        if line == "":
            if len(results) < count:
                results.append(_parse_block(block))
            block = []
        else:
            block.append(line)
    if block:
        raise HunspellError(f"hunspell output ends inside a result: {block[:2]}")
    if len(results) != count:
        raise HunspellError(f"hunspell answered {len(results)} of {count} words")
    return results


def _parse_block(block):
    if len(block) != 1:
        # A letters-only word is always one word for Hunspell; anything else
        # means the input and the output are out of step.
        raise HunspellError(f"expected one result line per word, got {block}")
    line = block[0]
    code = line[:1]
    if code in ("*", "+", "-"):
        return True, []
    if code == "#":
        return False, []
    if code in ("&", "?"):
        _, sep, rest = line.partition(": ")
        if not sep:
            raise HunspellError(f"unexpected hunspell line: {line!r}")
        return False, [s for s in rest.split(", ") if s]
    raise HunspellError(f"unexpected hunspell line: {line!r}")


def run_hunspell(words, dictionary="en_US"):
    cmd = ["hunspell", "-a", "-i", "utf-8", "-d", dictionary]
    # '^' makes Hunspell read the rest of the line as text, never as a command.
    data = "".join("^" + w + "\n" for w in words).encode("utf-8")
    env = dict(os.environ, LC_ALL="C.UTF-8")
    t0 = time.perf_counter()
    try:
        res = subprocess.run(cmd, input=data, capture_output=True, check=False, env=env)
    except FileNotFoundError:
        raise HunspellError("hunspell not found (apt-get install hunspell hunspell-en-us)")
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise HunspellError(f"{' '.join(cmd)} exited {res.returncode}: "
                            f"{res.stderr.decode('utf-8', 'replace').strip()}")
    out = res.stdout.decode("utf-8", "replace")
    return parse_pipe_output(out, len(words)), cmd, wall, out.split("\n", 1)[0]


def score(pairs, results):
    """pairs: [(target, literal)], results: [(accepted, suggestions)]."""
    n = len(pairs)
    lit = top1 = top3 = accepted = 0
    for (target, literal), (ok, sugg) in zip(pairs, results):
        t = target.lower()
        if ok:
            accepted += 1
            cands = [literal]
        else:
            cands = sugg[:3] if sugg else [literal]
        lit += literal == t
        top1 += cands[0].lower() == t
        top3 += any(c.lower() == t for c in cands[:3])
    frac = (lambda k: k / n) if n else (lambda k: None)
    return {
        "words": n, "accepted": accepted,
        "literal_acc": frac(lit), "wer_literal": frac(n - lit),
        "top1": frac(top1), "top3": frac(top3), "wer": frac(n - top1),
    }


def library_bytes():
    """Size of the libhunspell shared object the hunspell binary links."""
    try:
        res = subprocess.run(["ldd", "/usr/bin/hunspell"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return None
    for line in res.stdout.split("\n"):
        if "libhunspell" in line and "=>" in line:
            path = line.split("=>", 1)[1].split("(")[0].strip()
            if os.path.exists(path):
                return os.path.getsize(os.path.realpath(path))
    return None


def dictionary_bytes(name):
    """Bytes of NAME.dic + NAME.aff in the first dictionary folder holding both."""
    for d in ("/usr/share/hunspell", "/usr/share/myspell/dicts", "/usr/share/myspell"):
        paths = [os.path.join(d, name + ext) for ext in (".dic", ".aff")]
        if all(os.path.exists(p) for p in paths):
            return sum(os.path.getsize(os.path.realpath(p)) for p in paths)
    return None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--test-file", required=True)
    p.add_argument("--seed", type=int, default=taps.DEFAULT_SEED)
    p.add_argument("--sigma", type=float, default=taps.DEFAULT_SIGMA)
    p.add_argument("--dict", default="en_US")
    p.add_argument("--out", required=True, help="JSON output path")
    args = p.parse_args(argv)
    try:
        sims = taps.simulate_file(args.test_file, args.seed, args.sigma)
        pairs = [(w, lit) for w, lit, _ in sims]
        if not pairs:
            raise HunspellError(f"{args.test_file}: no typo-test words")
        results, cmd, wall, banner = run_hunspell([lit for _, lit in pairs], args.dict)
    except (OSError, UnicodeDecodeError, HunspellError, ValueError) as e:
        print(f"hunspell_peer.py: error: {e}", file=sys.stderr)
        return 2
    out = score(pairs, results)
    out["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    out["library_bytes"] = library_bytes()
    out["dictionary_bytes"] = dictionary_bytes(args.dict)
    out.update({"seed": args.seed, "sigma": args.sigma, "dictionary": args.dict,
                "command": " ".join(cmd) + " < literal words", "version": banner,
                "wall_s": wall})
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
