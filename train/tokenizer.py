#!/usr/bin/env python3
"""Word-level tokenizer and vocabulary builder for hunch's language models.

Token rule (shared/EVAL.md): words are letters, digits or underscore with inner
apostrophes or hyphens kept (``don't``, ``e-mail``), every other non-space
character is its own token:

    \\w+(?:['’-]\\w+)*|[^\\w\\s]        (Python ``re``, Unicode-aware)

The training tokenizer uses exactly that rule plus two additions, so that
training tokens match the tokens of the test files:

* emoji: a whole emoji sequence (base + variation selector / skin tone,
  ZWJ sequences, flag pairs, keycaps, tag sequences) is one token.  The EVAL
  rule would split such a sequence into code points; a single emoji code point
  is one token under both rules.  (The public test file holds no emoji.)
* the typographic apostrophe ’ (U+2019) is normalized to ' before tokenizing,
  so ``don’t`` and ``don't`` are the same vocabulary entry.

Case: the vocabulary is built over LOWER-CASED forms by default (``--cased``
keeps case).  Evaluation matches suggestions case-insensitively, so a cased
vocabulary would spend 10k slots on duplicates such as ``The``/``the``; the
engine restores display case itself (``surface.tsv`` gives each token's most
frequent spelling).  The text files keep their case; lower-casing happens here.

Outputs of ``tokenizer.py build`` (in --out):
  vocab.txt       one token per line in id order, UTF-8; ids 0,1,2 are
                  <unk>, <s>, </s>
  tokenizer.json  settings: lowercase flag, regexes, special ids, sizes
  wordlist.tsv    every training token with its count: token<TAB>count,
                  descending count, ties in code point order
  surface.tsv     token<TAB>most frequent spelling, only where that spelling
                  differs from the token (lower-cased vocabularies)
  cases.tsv       the spellings inside sentences (not a line's first word, nor
                  the first after . ! ? or :, quotes and brackets skipped):
                  token<TAB>lower<TAB>capitalized<TAB>upper<TAB>other counts,
                  for the lexicon's display case (train/lexicon.py); a
                  capital at a sentence start says nothing about a word
"""

import argparse
import collections
import json
import os
import re
import sys

# ---------------------------------------------------------------- rules ----

# shared/EVAL.md, verbatim.
EVAL_TOKEN_PATTERN = r"\w+(?:['’-]\w+)*|[^\w\s]"
URL_EMAIL_PATTERN = r"(https?://|www\.)\S+|\S+@\S+"
WORD_PATTERN = r"\w"  # a token is a word token when it starts with \w

EVAL_TOKEN_RE = re.compile(EVAL_TOKEN_PATTERN)
URL_EMAIL_RE = re.compile(URL_EMAIL_PATTERN)
WORD_RE = re.compile(WORD_PATTERN)

# Emoji sequences.  Ranges (inclusive code points) are the Symbol blocks where
# Unicode places emoji; none of these code points is matched by \w, so a lone
# one is a single token under the EVAL rule too.  A sequence is a flag (two
# regional indicators), a keycap ([#*0-9] FE0F? 20E3), or a base followed by
# modifiers, optionally joined to further such groups by ZWJ (200D).
EMOJI_BASE_RANGES = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049),
    (0x2122, 0x2122), (0x2190, 0x21FF), (0x2300, 0x23FF), (0x24C2, 0x24C2),
    (0x25A0, 0x25FF), (0x2600, 0x27BF), (0x2900, 0x297F), (0x2B00, 0x2BFF),
    (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299),
    (0x1F000, 0x1FAFF),
)
EMOJI_MODIFIER_RANGES = (   # variation selectors, skin tones, tag characters
    (0xFE0E, 0xFE0F), (0x1F3FB, 0x1F3FF), (0xE0020, 0xE007F),
)
REGIONAL_INDICATOR_RANGE = (0x1F1E6, 0x1F1FF)
ZWJ = 0x200D
KEYCAP = 0x20E3


def _char_class(ranges):
    parts = []
    for lo, hi in ranges:
        a, b = re.escape(chr(lo)), re.escape(chr(hi))
        parts.append(a if lo == hi else f"{a}-{b}")
    return "[" + "".join(parts) + "]"


_EMOJI_CHAR = _char_class(EMOJI_BASE_RANGES)
_EMOJI_MOD = _char_class(EMOJI_MODIFIER_RANGES) + "*"
EMOJI_PATTERN = (
    f"(?:{_char_class([REGIONAL_INDICATOR_RANGE])}{{2}}"
    f"|[#*0-9]\ufe0f?{re.escape(chr(KEYCAP))}"
    f"|{_EMOJI_CHAR}{_EMOJI_MOD}(?:{re.escape(chr(ZWJ))}{_EMOJI_CHAR}{_EMOJI_MOD})*)"
)
TRAIN_TOKEN_PATTERN = EMOJI_PATTERN + "|" + EVAL_TOKEN_PATTERN
TRAIN_TOKEN_RE = re.compile(TRAIN_TOKEN_PATTERN)
EMOJI_RE = re.compile(EMOJI_PATTERN)

APOSTROPHE_MAP = {"\u2019": "'"}

UNK, BOS, EOS = "<unk>", "<s>", "</s>"
SPECIALS = (UNK, BOS, EOS)
UNK_ID, BOS_ID, EOS_ID = 0, 1, 2

TOKENIZER_VERSION = 1


def eval_tokens(line):
    """Tokens of one raw line by shared/EVAL.md steps 1-2 (URLs dropped)."""
    return EVAL_TOKEN_RE.findall(URL_EMAIL_RE.sub(" ", line))


def is_word_token(token):
    return WORD_RE.match(token) is not None


def build_test_lines(lines, cap=5000, min_tokens=4, min_word_ratio=0.7):
    """shared/EVAL.md test-file rule over raw text lines.

    Returns the kept lines as lists of tokens.  A line is skipped when it has
    fewer than ``min_tokens`` tokens or fewer than ``min_word_ratio`` word
    tokens; building stops after the line at which the running token count
    reaches ``cap`` (cap <= 0: no cap).
    """
    out = []
    count = 0
    for line in lines:
        toks = eval_tokens(line)
        if len(toks) < min_tokens:
            continue
        words = sum(1 for t in toks if is_word_token(t))
        # Integer comparison: words / len < ratio without float rounding.
        if words * 100 < round(min_word_ratio * 100) * len(toks):
            continue
        out.append(toks)
        count += len(toks)
        if cap > 0 and count >= cap:
            break
    return out


def normalize(text):
    for a, b in APOSTROPHE_MAP.items():
        text = text.replace(a, b)
    return text


def train_tokens(text, lowercase=True):
    """Training tokens of a text (any number of lines), in order."""
    toks = TRAIN_TOKEN_RE.findall(normalize(text))
    if lowercase:
        toks = [t.lower() for t in toks]
    return toks


# ------------------------------------------------------------ Tokenizer ----


class Tokenizer:
    """Maps text to ids with a fixed vocabulary (ids 0..2 are specials)."""

    def __init__(self, vocab, lowercase=True):
        if list(vocab[: len(SPECIALS)]) != list(SPECIALS):
            raise ValueError(
                f"vocabulary must start with {list(SPECIALS)}, got {list(vocab[:3])}")
        if len(set(vocab)) != len(vocab):
            dup = [t for t, c in collections.Counter(vocab).items() if c > 1][:5]
            raise ValueError(f"vocabulary has duplicate tokens: {dup}")
        self.vocab = list(vocab)
        self.lowercase = bool(lowercase)
        self.index = {t: i for i, t in enumerate(self.vocab)}

    def __len__(self):
        return len(self.vocab)

    def tokens(self, text):
        return train_tokens(text, self.lowercase)

    def encode(self, text):
        get = self.index.get
        return [get(t, UNK_ID) for t in self.tokens(text)]

    def encode_line(self, line, add_bos=True, add_eos=True):
        ids = self.encode(line)
        return ([BOS_ID] if add_bos else []) + ids + ([EOS_ID] if add_eos else [])

    def decode(self, ids):
        return [self.vocab[i] for i in ids]

    def settings(self):
        return settings_dict(self.lowercase, len(self.vocab))

    @classmethod
    def load(cls, vocab_path, settings_path=None):
        vocab = read_vocab(vocab_path)
        lowercase = True
        if settings_path is None:
            cand = os.path.join(os.path.dirname(os.path.abspath(vocab_path)), "tokenizer.json")
            settings_path = cand if os.path.exists(cand) else None
        if settings_path is not None:
            s = read_settings(settings_path)
            lowercase = s["lowercase"]
            if s.get("vocab_size") not in (None, len(vocab)):
                raise ValueError(
                    f"{settings_path}: vocab_size {s['vocab_size']} does not match "
                    f"{vocab_path} ({len(vocab)} tokens)")
        return cls(vocab, lowercase)


def settings_dict(lowercase, vocab_size):
    return {
        "version": TOKENIZER_VERSION,
        "lowercase": bool(lowercase),
        "token_regex": TRAIN_TOKEN_PATTERN,
        "eval_token_regex": EVAL_TOKEN_PATTERN,
        "url_email_regex": URL_EMAIL_PATTERN,
        "normalize": {"\u2019": "'"},
        "regex_flavor": "python-re-unicode",
        # The emoji part of token_regex as code point ranges, for ports that
        # do not use a regex engine.
        "emoji": {
            "base_ranges": [list(r) for r in EMOJI_BASE_RANGES],
            "modifier_ranges": [list(r) for r in EMOJI_MODIFIER_RANGES],
            "regional_indicator_range": list(REGIONAL_INDICATOR_RANGE),
            "zwj": ZWJ, "keycap": KEYCAP, "keycap_bases": "#*0123456789",
        },
        "special_tokens": {UNK: UNK_ID, BOS: BOS_ID, EOS: EOS_ID},
        "unk_id": UNK_ID,
        "bos_id": BOS_ID,
        "eos_id": EOS_ID,
        "vocab_size": int(vocab_size),
    }


def read_vocab(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"vocabulary file not found: {path}")
    with open(path, encoding="utf-8") as f:
        vocab = f.read().split("\n")
    if vocab and vocab[-1] == "":
        vocab.pop()
    if len(vocab) < len(SPECIALS):
        raise ValueError(f"{path}: vocabulary has {len(vocab)} tokens, needs at least 3")
    return vocab


def read_settings(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"tokenizer settings not found: {path}")
    with open(path, encoding="utf-8") as f:
        s = json.load(f)
    if s.get("version") != TOKENIZER_VERSION:
        raise ValueError(f"{path}: unsupported tokenizer version {s.get('version')}")
    if s.get("token_regex") != TRAIN_TOKEN_PATTERN:
        raise ValueError(f"{path}: token regex differs from this tokenizer's")
    return s


# ----------------------------------------------------------- vocabulary ----


SENTENCE_END = frozenset(".!?:")
SENTENCE_SKIP = frozenset("\"'([{*-")


def case_class(tok):
    """0: no upper-case letter; 1: first letter upper, the rest not
    ("Paris"); 2: every letter upper, at least two ("NASA"); 3: other
    mixes ("iPod", "McDonald", a lone "I" counts as 1)."""
    if tok == tok.lower():
        return 0
    if tok == tok.upper() and sum(c.isalpha() for c in tok) >= 2:
        return 2
    if tok[:1].isupper() and tok[1:] == tok[1:].lower():
        return 1
    return 3


def count_cases(lines):
    """Per lower-cased token, counts of its case classes (case_class) over
    the occurrences inside sentences: a line's first token and the first
    after a sentence end (. ! ? :, with quotes and brackets in between) are
    left out, since a capital there says nothing about the word."""
    cases = collections.defaultdict(lambda: [0, 0, 0, 0])
    for line in lines:
        initial = True
        for t in TRAIN_TOKEN_RE.findall(normalize(line)):
            if t in SENTENCE_END:
                initial = True
                continue
            if t in SENTENCE_SKIP:
                continue
            if not initial and WORD_RE.match(t):
                cases[t.lower()][case_class(t)] += 1
            initial = False
    return cases


def count_tokens(lines, lowercase=True):
    """(counts of vocabulary forms, counts of surface forms per form)."""
    counts = collections.Counter()
    surface = collections.defaultdict(collections.Counter)
    for line in lines:
        toks = TRAIN_TOKEN_RE.findall(normalize(line))
        if lowercase:
            for t in toks:
                low = t.lower()
                counts[low] += 1
                surface[low][t] += 1
        else:
            counts.update(toks)
    return counts, surface


def sorted_counts(counts):
    """Descending count, ties broken by code point order: deterministic."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def build_vocab(counts, vocab_size, min_count=1):
    if vocab_size <= len(SPECIALS):
        raise ValueError(f"vocab size must exceed {len(SPECIALS)}, got {vocab_size}")
    vocab = list(SPECIALS)
    for tok, c in sorted_counts(counts):
        if len(vocab) >= vocab_size:
            break
        if c < min_count or tok in SPECIALS:
            continue
        vocab.append(tok)
    return vocab


def write_cases(path, cases):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for tok in sorted(cases):
            c = cases[tok]
            f.write(f"{tok}\t{c[0]}\t{c[1]}\t{c[2]}\t{c[3]}\n")


def read_cases(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 5:
                out[parts[0]] = [int(x) for x in parts[1:]]
    return out


def write_vocab(out_dir, vocab, lowercase):
    """out_dir/vocab.txt and tokenizer.json (what Tokenizer.load reads)."""
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "vocab.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(t + "\n" for t in vocab))
    with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8", newline="\n") as f:
        # ASCII JSON: the regex's invisible code points (ZWJ, variation
        # selectors, tags) appear as \u escapes.
        json.dump(settings_dict(lowercase, len(vocab)), f, ensure_ascii=True, indent=2,
                  sort_keys=True)
        f.write("\n")


def write_outputs(out_dir, vocab, counts, surface, lowercase):
    write_vocab(out_dir, vocab, lowercase)
    with open(os.path.join(out_dir, "wordlist.tsv"), "w", encoding="utf-8", newline="\n") as f:
        for tok, c in sorted_counts(counts):
            f.write(f"{tok}\t{c}\n")
    with open(os.path.join(out_dir, "surface.tsv"), "w", encoding="utf-8", newline="\n") as f:
        for tok, _ in sorted_counts(counts):
            forms = surface.get(tok)
            if not forms:
                continue
            best = sorted(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            if best != tok:
                f.write(f"{tok}\t{best}\n")


def iter_lines(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield line.rstrip("\n")


# ------------------------------------------------------------------ CLI ----


def cmd_build(args):
    if not os.path.isfile(args.train):
        raise SystemExit(f"tokenizer: training text not found: {args.train}")
    lowercase = not args.cased
    counts, surface = count_tokens(iter_lines(args.train), lowercase)
    if not counts:
        raise SystemExit(f"tokenizer: no tokens in {args.train}")
    vocab = build_vocab(counts, args.vocab_size, args.min_count)
    write_outputs(args.out, vocab, counts, surface, lowercase)
    write_cases(os.path.join(args.out, "cases.tsv"), count_cases(iter_lines(args.train)))
    total = sum(counts.values())
    covered = sum(counts[t] for t in vocab if t in counts)
    print(f"tokens: {total}  distinct: {len(counts)}  vocab: {len(vocab)}  "
          f"coverage of training tokens: {100.0 * covered / total:.2f}%")
    print(f"wrote {args.out}/vocab.txt, tokenizer.json, wordlist.tsv, surface.tsv, cases.tsv")


def cmd_encode(args):
    tok = Tokenizer.load(args.vocab)
    for line in sys.stdin:
        line = line.rstrip("\n")
        ids = tok.encode_line(line, add_bos=False, add_eos=False)
        if args.ids:
            print(" ".join(map(str, ids)))
        else:
            print(" ".join(tok.decode(ids)))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build vocab.txt, tokenizer.json, wordlist.tsv")
    b.add_argument("--train", required=True, help="training text, one line per paragraph")
    b.add_argument("--out", required=True, help="output directory")
    b.add_argument("--vocab-size", type=int, default=10000,
                   help="vocabulary size including the 3 special tokens (default 10000)")
    b.add_argument("--min-count", type=int, default=1,
                   help="leave out tokens seen fewer times (default 1)")
    b.add_argument("--cased", action="store_true",
                   help="build the vocabulary over cased forms (default: lower-cased)")
    b.set_defaults(func=cmd_build)
    e = sub.add_parser("encode", help="tokenize stdin with a vocabulary (for inspection)")
    e.add_argument("--vocab", required=True, help="vocab.txt (tokenizer.json beside it)")
    e.add_argument("--ids", action="store_true", help="print ids instead of tokens")
    e.set_defaults(func=cmd_encode)
    args = p.parse_args(argv)
    if getattr(args, "vocab_size", 10000) <= len(SPECIALS):
        p.error(f"--vocab-size must be greater than {len(SPECIALS)}")
    try:
        args.func(args)
    except (FileNotFoundError, ValueError) as e:
        raise SystemExit(f"tokenizer: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
