#!/usr/bin/env python3
"""Writes the tokenizer's golden test data from train/tokenizer.py.

src/text/tokenizer_test.cc checks that the C++ tokenizer reproduces, byte for
byte, what train/tokenizer.py does with the same text and vocabulary. This
script runs the Python side and writes (beside itself):

  vocab2000.txt        the first 2,000 tokens of train/out/vocab/vocab.txt
  tokenizer.json       settings_dict(lowercase=True, 2000), as tokenizer.py writes it
  valid-head.txt       the first 300 lines of train/out/data/valid.txt (public-domain
                       text), less lines over 2,000 bytes (whole speeches)
  golden.json          per hand-written case: input (text, or hex for ill-formed
                       UTF-8), pieces [begin, end, kind] in bytes, normalized tokens,
                       ids; per corpus line (valid-head.txt, data/test-public.tok):
                       a 64-bit FNV-1a digest of the same; digests of the Unicode
                       properties over all code points

Ill-formed UTF-8 is given to Python as bytes.decode("utf-8", errors="replace"),
which is the C++ tokenizer's documented behaviour (src/text/utf8.h).

Run with Debian's Python (the one that trains; the Unicode version matters):
  /usr/bin/python3 src/text/testdata/make_golden.py
The vocabulary and valid.txt come from train/out/ (git-ignored); once copied
here they are reused when train/out/ is absent. Output is deterministic.
"""

import codecs
import json
import os
import random
import struct
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "train"))
import tokenizer  # noqa: E402

VOCAB_TOKENS = 2000
VALID_LINES = 300
MAX_LINE_BYTES = 2000

KIND_OTHER, KIND_WORD, KIND_EMOJI = 0, 1, 2
KIND_NAMES = {KIND_OTHER: "p", KIND_WORD: "w", KIND_EMOJI: "e"}

# Hand-written cases: (name, str or bytes).
CASES = [
    # emoji sequences
    ("zwj family", "👨‍👩‍👧‍👦 family"),
    ("skin tone", "👍🏽 ok 👋🏻hi"),
    ("lone skin tone", "🏻"),
    ("flags", "🇺🇸🇬🇧 and 🇫🇷"),
    ("odd regional indicators", "🇺🇸🇬x"),
    ("keycaps", "1️⃣ #⃣ *️⃣ 10⃣ 1️ 9⃣9"),
    ("variation selector", "☺️ ❤ ❤️‍🔥 ✌🏿"),
    ("zwj at end", "👍\u200d"),
    ("zwj then word", "👍\u200dabc"),
    ("zwj then modifier", "👍\u200d🏻"),
    ("tag sequence", "🏴󠁧󠁢󠁥󠁮󠁧󠁿 England"),
    ("emoji inside words", "hi😀there 😀😀"),
    ("symbols", "© 2024 ™ ®️ → ⌚ ◼ ⬛ 〰 ㊗ ㊙"),
    ("pictographs", "🀄 🃏 🪐 🫠 🥲"),
    # apostrophes and hyphens
    ("apostrophes", "don't don’t Don’t DON'T"),
    ("quotes", "'quoted' ‘single’ rock 'n' roll"),
    ("possessives", "O'Neil's dogs' it’s’ ’"),
    ("hyphens", "e-mail state-of-the-art a--b -x x- x'-y x-'y"),
    ("dashes", "—dash— – en ‐ hyphen ‑ nb"),
    # digits and underscores
    ("digits", "3.14 1,000 42nd 2nd-hand 1990's"),
    ("underscores", "_init_ a_b __ snake_case_1"),
    ("other digits", "٣٤ ²³ ½ Ⅻ ①"),
    # letters
    ("accents", "Café naïve façade Ångström"),
    ("combining marks", "e\u0301te\u0301 a\u0308 n\u0303"),
    ("greek", "Ωμέγα ΑΘΗΝΑ"),
    ("cyrillic", "Привет, мир! ЁЖИК"),
    ("hebrew and arabic", "שלום عربي مرحبا"),
    ("devanagari", "हिन्दी नमस्ते"),
    ("thai", "ภาษาไทย"),
    ("hangul", "한국어 텍스트"),
    ("cjk", "日本語のテキスト 中文，标点。"),
    ("fullwidth", "ＡＢＣ１２３ ｆｕｌｌ"),
    ("titlecase", "ǅemal ǲ ǈ"),
    ("cherokee", "ᎠᏍᎦᏯ ꭰ"),
    ("deseret", "𐐀𐐁 𐐨"),
    ("turkish", "İstanbul IŞIK ılık İ"),
    ("german", "Straße STRASSE ẞ"),
    ("final sigma", "ΟΔΟΣ ΣΑΣ Σ ΑΣ ΑΣ-Β ΑΣ1 ΑΣ_Β ΟΔΟΣ'Α ΑΣ's"),
    ("sigma and marks", "ΑΣ\u0301 Α\u0301Σ"),
    ("roman numerals", "Ⅻ ⅻ Ⓐ ⓐ"),
    # whitespace and invisible characters
    ("whitespace", "a\tb\u00a0c\u2028d\u3000e\x1cf\x1fg\x0bh\x0ci\u0085j"),
    ("invisible", "a\u200bb c\u00add e\u2060f \ufeffg"),
    ("controls", "a\x00b\x07c\x7fd"),
    # mixed text
    ("sentence", "Hello, World! It's 5 o'clock."),
    ("handles", "@user #tag $5 50% C++ & C# a/b"),
    ("url", "see http://example.com/a?b=c or www.example.org, mail me@example.com"),
    ("punctuation runs", "....!!?? ... «guillemets» “quotes”"),
    ("empty", ""),
    ("spaces only", "   \t "),
    ("replacement char itself", "a\ufffdb"),
    # ill-formed UTF-8 (bytes)
    ("invalid byte", b"abc\xffdef"),
    ("truncated 2 of 3", b"\xe2\x82"),
    ("truncated at end", b"caf\xc3"),
    ("truncated 4-byte", b"\xf0\x9f\x98 x"),
    ("encoded surrogate", b"\xed\xa0\x80x"),
    ("overlong", b"\xc0\xaf \xe0\x80\xaf"),
    ("above U+10FFFF", b"\xf4\x90\x80\x80"),
    ("truncated apostrophe", b"don\xe2\x80t"),
    ("stray continuation in word", b"ab\x80cd"),
    ("invalid inside emoji", b"\xf0\x9f\x91\x8d\xf0\x9f\x8f"),
]


def random_byte_cases(n=40, seed=7):
    """Seeded random byte strings biased towards multi-byte and ill-formed sequences."""
    rng = random.Random(seed)
    pool = [b"a", b"Z", b" ", b"'", b"-", b"\xe2\x80\x99", b"\xc3\xa9", b"\xce\xa3", b"\xf0\x9f\x91\x8d",
            b"\xe2\x80\x8d", b"\xef\xb8\x8f", b"\xf0\x9f\x8f\xbd", b"\xf0\x9f\x87\xba"]
    cases = []
    for i in range(n):
        parts = []
        for _ in range(rng.randint(1, 12)):
            r = rng.random()
            if r < 0.5:
                parts.append(rng.choice(pool))
            elif r < 0.8:
                parts.append(bytes([rng.randint(0x80, 0xFF)]))
            else:
                seq = rng.choice(pool)
                parts.append(seq[:rng.randint(1, max(1, len(seq) - 1))])
        cases.append((f"random bytes {i}", b"".join(parts)))
    return cases


# ------------------------------------------------------------- decoding ----

_error_spans = []


def _record(err):
    _error_spans.append((err.start, err.end))
    return ("\ufffd", err.end)


codecs.register_error("hunch_golden_record", _record)


def decode_with_offsets(data):
    """(text, byte offset of each code point, plus the end) for bytes, as C++ reads them."""
    _error_spans.clear()
    text = data.decode("utf-8", "hunch_golden_record")
    spans = list(_error_spans)
    offsets = []
    pos = 0
    for ch in text:
        offsets.append(pos)
        if spans and spans[0][0] == pos:
            pos = spans.pop(0)[1]
        else:
            pos += len(ch.encode("utf-8"))
    assert pos == len(data) and not spans
    offsets.append(pos)
    return text, offsets


def tokenize(data, tok):
    """Python's pieces [(begin, end, kind)], normalized tokens and ids for bytes."""
    text, offsets = decode_with_offsets(data)
    pieces, tokens = [], []
    for m in tokenizer.TRAIN_TOKEN_RE.finditer(tokenizer.normalize(text)):
        t = m.group()
        if tokenizer.EMOJI_RE.fullmatch(t):
            kind = KIND_EMOJI
        elif tokenizer.WORD_RE.match(t):
            kind = KIND_WORD
        else:
            kind = KIND_OTHER
        pieces.append((offsets[m.start()], offsets[m.end()], kind))
        tokens.append(t.lower() if tok.lowercase else t)
    ids = tok.encode(text)
    assert tokens == tok.tokens(text)
    return pieces, tokens, ids


def fnv1a64(data, h=0xcbf29ce484222325):
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def line_digest(pieces, tokens, ids):
    """Must match LineDigest() in src/text/tokenizer_test.cc."""
    buf = bytearray()
    for (b, e, kind), t, i in zip(pieces, tokens, ids):
        buf += struct.pack("<IIB", b, e, kind) + t.encode("utf-8") + b"\xff" + struct.pack("<i", i)
    return "%016x" % fnv1a64(buf)


def unicode_digests():
    """Digests of \\w, \\s, lower() and the final-sigma behaviour over all code points."""
    word, space, lower, sigma = bytearray(), bytearray(), bytearray(), bytearray()
    final = "\u03c2"
    for c in range(0x110000):
        ch = chr(c)
        if ch.isalnum() or c == 0x5F:
            word += struct.pack("<I", c)
        if ch.isspace():
            space += struct.pack("<I", c)
        if 0xD800 <= c <= 0xDFFF:
            continue  # not representable in UTF-8
        low = ch.lower()
        if low != ch:
            lower += struct.pack("<I", c) + low.encode("utf-8") + b"\xff"
        if c != 0x03A3:
            p1 = (ch + "\u03a3").lower()[-1] == final
            p2 = ("A" + ch + "\u03a3").lower()[-1] == final
            p3 = ("A\u03a3" + ch).lower()[1] == final
            sigma += struct.pack("<IB", c, p1 | (p2 << 1) | (p3 << 2))
    return {name: "%016x" % fnv1a64(bytes(buf))
            for name, buf in (("word", word), ("space", space), ("lower", lower), ("sigma", sigma))}


# ---------------------------------------------------------------- files ----


def read_or_copy_vocab():
    path = os.path.join(HERE, "vocab2000.txt")
    src = os.path.join(ROOT, "train", "out", "vocab", "vocab.txt")
    if os.path.isfile(src):
        vocab = tokenizer.read_vocab(src)[:VOCAB_TOKENS]
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("".join(t + "\n" for t in vocab))
    return tokenizer.read_vocab(path)


def read_or_copy_valid():
    path = os.path.join(HERE, "valid-head.txt")
    src = os.path.join(ROOT, "train", "out", "data", "valid.txt")
    if os.path.isfile(src):
        with open(src, encoding="utf-8") as f:
            lines = [line.rstrip("\n") for _, line in zip(range(VALID_LINES), f)]
        lines = [line for line in lines if len(line.encode("utf-8")) <= MAX_LINE_BYTES]
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("".join(line + "\n" for line in lines))
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def main():
    vocab = read_or_copy_vocab()
    tok = tokenizer.Tokenizer(vocab, lowercase=True)
    with open(os.path.join(HERE, "tokenizer.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(tokenizer.settings_dict(True, len(vocab)), f, ensure_ascii=True, indent=2, sort_keys=True)
        f.write("\n")

    cases = []
    for name, value in CASES + random_byte_cases():
        data = value if isinstance(value, bytes) else value.encode("utf-8")
        pieces, tokens, ids = tokenize(data, tok)
        case = {"name": name}
        try:
            case["text"] = data.decode("utf-8")
        except UnicodeDecodeError:
            case["hex"] = data.hex()
        case["pieces"] = [[b, e, KIND_NAMES[k]] for b, e, k in pieces]
        case["tokens"] = tokens
        case["ids"] = ids
        cases.append(case)

    corpus = []
    valid = read_or_copy_valid()
    corpus.append({"file": "src/text/testdata/valid-head.txt",
                   "digests": [line_digest(*tokenize(line.encode("utf-8"), tok)) for line in valid]})
    with open(os.path.join(ROOT, "data", "test-public.tok"), encoding="utf-8") as f:
        test_lines = [line.rstrip("\n") for line in f]
    corpus.append({"file": "data/test-public.tok",
                   "digests": [line_digest(*tokenize(line.encode("utf-8"), tok)) for line in test_lines]})

    golden = {
        "generator": "src/text/testdata/make_golden.py",
        "python": sys.version.split()[0],
        "unicode_version": unicodedata.unidata_version,
        "unicode_digests": unicode_digests(),
        "cases": cases,
        "corpus": corpus,
    }
    out = os.path.join(HERE, "golden.json")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        # One case per line keeps diffs readable.
        f.write("{\n")
        keys = list(golden)
        for k in keys:
            comma = "," if k != keys[-1] else ""
            if k == "cases":
                f.write('  "cases": [\n')
                for i, c in enumerate(golden[k]):
                    f.write("    " + json.dumps(c, ensure_ascii=False) + ("," if i + 1 < len(cases) else "") + "\n")
                f.write("  ]" + comma + "\n")
            else:
                f.write(f"  {json.dumps(k)}: {json.dumps(golden[k], ensure_ascii=False)}{comma}\n")
        f.write("}\n")
    print(f"wrote {out}: {len(cases)} cases, {len(valid)} + {len(test_lines)} corpus lines; "
          f"vocab {len(vocab)} tokens")


if __name__ == "__main__":
    main()
