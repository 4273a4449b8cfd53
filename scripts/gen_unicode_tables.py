#!/usr/bin/env python3
"""Writes src/text/unicode_tables.cc: the character tables of hunch's tokenizer.

The C++ tokenizer (src/text/tokenizer.cc) must split and lower-case text
exactly as train/tokenizer.py does under Python's `re` and `str.lower()`, so
the tables are taken from the running Python itself, not from UCD files:

  word       Python `re`'s \\w in str patterns: c.isalnum() or c == '_'
  space      \\s: c.isspace()
  lower      str.lower() of one code point: runs of code points whose lower
             case is one code point at a fixed distance (every one, or every
             other one), plus the few that lower to several code points
             (U+0130 -> 'i' U+0307)
  case_ignorable, cased
             the two properties str.lower() consults for the Greek final
             sigma (U+03A3 lowers to U+03C2 at the end of a word). Python
             does not expose them, so they are measured through lower()
             itself: ('A' + c + 'Σ').lower() ends in 'ς' exactly when c is
             case-ignorable or cased, and so on (see final_sigma_classes).

plus the token rule's constants from train/tokenizer.py (the regex text the
tokenizer settings must carry, and the emoji code point ranges).

Range tables are sorted uint32 entries (first << 11) | (length - 1), so a
lookup is one binary search; the lower-case runs are pairs
{(first << 11) | ((count - 1) << 1) | (stride == 2), delta}.

Usage (Debian's Python; the output records its version and Unicode version):
  /usr/bin/python3 scripts/gen_unicode_tables.py           # rewrite the file
  /usr/bin/python3 scripts/gen_unicode_tables.py --check   # exit 1 if it is stale

The output is a pure function of the Python version's Unicode data and
train/tokenizer.py: a re-run writes the same bytes.
"""

import argparse
import os
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "text", "unicode_tables.cc")
sys.path.insert(0, os.path.join(ROOT, "train"))
import tokenizer  # noqa: E402  (train/tokenizer.py)

MAX_CP = 0x10FFFF
RANGE_LEN_BITS = 11     # a packed range covers at most 2048 code points
RUN_COUNT_BITS = 10     # a lower-case run covers at most 1024 code points
SIGMA = 0x03A3


# ---------------------------------------------------------------- tables ----


def ranges_of(pred):
    """Inclusive (lo, hi) ranges of the code points where pred holds."""
    out = []
    lo = None
    for c in range(MAX_CP + 2):
        inside = c <= MAX_CP and pred(c)
        if inside and lo is None:
            lo = c
        elif not inside and lo is not None:
            out.append((lo, c - 1))
            lo = None
    return out


def pack_ranges(ranges):
    """(first << 11) | (length - 1) entries, long ranges split."""
    packed = []
    limit = 1 << RANGE_LEN_BITS
    for lo, hi in ranges:
        while lo <= hi:
            n = min(hi - lo + 1, limit)
            packed.append((lo << RANGE_LEN_BITS) | (n - 1))
            lo += n
    return packed


def in_packed(packed, c):
    """The C++ lookup (text/unicode.cc InRanges), for the self-check."""
    lo, hi = 0, len(packed)
    while lo < hi:  # first entry whose first code point is > c
        mid = (lo + hi) // 2
        if (packed[mid] >> RANGE_LEN_BITS) <= c:
            lo = mid + 1
        else:
            hi = mid
    if lo == 0:
        return False
    e = packed[lo - 1]
    return c - (e >> RANGE_LEN_BITS) <= (e & ((1 << RANGE_LEN_BITS) - 1))


def lower_tables():
    """(runs, multi): single-code-point lower-case runs, multi-code-point lowers."""
    single = []
    multi = []
    changed = set()
    for c in range(MAX_CP + 1):
        low = chr(c).lower()
        if low == chr(c):
            continue
        changed.add(c)
        if len(low) == 1:
            single.append((c, ord(low) - c))
        else:
            multi.append((c, low))
    runs = []
    max_count = 1 << RUN_COUNT_BITS
    i = 0
    while i < len(single):
        first, delta = single[i]
        count, stride = 1, 1
        j = i + 1
        if j < len(single) and single[j] == (first + 1, delta):
            stride = 1
        elif j < len(single) and single[j] == (first + 2, delta) and first + 1 not in changed:
            stride = 2
        while (j < len(single) and count < max_count and single[j] == (first + count * stride, delta)
               and (stride == 1 or first + count * stride - 1 not in changed)):
            count += 1
            j += 1
        runs.append((first, count, stride, delta))
        i = j
    return runs, multi


def lower_lookup(runs, keys, multi_map, c):
    """The C++ AppendLower (text/unicode.cc), for the self-check; keys[i] = runs[i][0]."""
    if c in multi_map:
        return multi_map[c]
    lo, hi = 0, len(keys)
    while lo < hi:
        mid = (lo + hi) // 2
        if keys[mid] <= c:
            lo = mid + 1
        else:
            hi = mid
    if lo > 0:
        first, count, stride, delta = runs[lo - 1]
        off = c - first
        if off <= (count - 1) * stride and off % stride == 0:
            return chr(c + delta)
    return chr(c)


def final_sigma_classes():
    """(case_ignorable, cased_not_ignorable) as measured through str.lower().

    CPython lowers U+03A3 to final sigma when it is preceded by a cased code
    point (case-ignorable ones skipped) and not followed by one (likewise).
    A code point that is case-ignorable is always skipped, so only three
    classes matter: ignorable, cased (and not ignorable), neither. Probes:
      p1 = (c + Σ) gives ς       <=> not ignorable and cased
      p2 = (A + c + Σ) gives ς   <=> ignorable or cased
      p3 = (A + Σ + c) gives ς   <=> ignorable or not cased
    """
    ignorable, cased = set(), set()
    final = "\u03c2"
    for c in range(MAX_CP + 1):
        if c == SIGMA:
            # Σ itself is cased and not ignorable (it is an upper-case letter);
            # the probes below would see two sigmas.
            cased.add(c)
            continue
        ch = chr(c)
        p1 = (ch + "\u03a3").lower()[-1] == final
        p2 = ("A" + ch + "\u03a3").lower()[-1] == final
        p3 = ("A\u03a3" + ch).lower()[1] == final
        if (p1, p2, p3) == (False, True, True):
            ignorable.add(c)
        elif (p1, p2, p3) == (True, True, False):
            cased.add(c)
        elif (p1, p2, p3) != (False, False, True):
            raise SystemExit(f"gen_unicode_tables: U+{c:04X} gives an unexpected final-sigma probe "
                             f"{(p1, p2, p3)}")
    return ignorable, cased


# ---------------------------------------------------------------- output ----


def c_string(s):
    """A C++ string literal of s's UTF-8 bytes (octal escapes: never greedy)."""
    out = ['"']
    for b in s.encode("utf-8"):
        if b in (0x22, 0x5C):
            out.append("\\" + chr(b))
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append("\\%03o" % b)
    out.append('"')
    return "".join(out)


def emit_u32_array(lines, name, values, per_line=8):
    lines.append(f"extern const uint32_t {name}[] = {{")
    for i in range(0, len(values), per_line):
        lines.append("    " + ", ".join("0x%08x" % v for v in values[i:i + per_line]) + ",")
    lines.append("};")
    lines.append(f"extern const size_t {name[0] + 'Num' + name[1:]} = {len(values)};")
    lines.append("")


def generate():
    word = ranges_of(lambda c: chr(c).isalnum() or c == 0x5F)
    space = ranges_of(lambda c: chr(c).isspace())
    runs, multi = lower_tables()
    ignorable, cased = final_sigma_classes()
    ignorable_r = ranges_of(lambda c: c in ignorable)
    cased_r = ranges_of(lambda c: c in cased)

    packed = {
        "kWordRanges": pack_ranges(word),
        "kSpaceRanges": pack_ranges(space),
        "kCaseIgnorableRanges": pack_ranges(ignorable_r),
        "kCasedRanges": pack_ranges(cased_r),
    }

    # Self-check: the compact tables, read the way the C++ reads them, give
    # Python's answer for every code point.
    multi_map = dict(multi)
    run_keys = [r[0] for r in runs]
    for c in range(MAX_CP + 1):
        ch = chr(c)
        if in_packed(packed["kWordRanges"], c) != (ch.isalnum() or c == 0x5F):
            raise SystemExit(f"gen_unicode_tables: word table wrong at U+{c:04X}")
        if in_packed(packed["kSpaceRanges"], c) != ch.isspace():
            raise SystemExit(f"gen_unicode_tables: space table wrong at U+{c:04X}")
        if in_packed(packed["kCaseIgnorableRanges"], c) != (c in ignorable):
            raise SystemExit(f"gen_unicode_tables: case-ignorable table wrong at U+{c:04X}")
        if in_packed(packed["kCasedRanges"], c) != (c in cased):
            raise SystemExit(f"gen_unicode_tables: cased table wrong at U+{c:04X}")
        if lower_lookup(runs, run_keys, multi_map, c) != ch.lower():
            raise SystemExit(f"gen_unicode_tables: lower table wrong at U+{c:04X}")

    lines = [
        "// GENERATED by scripts/gen_unicode_tables.py: do not edit. Regenerate with",
        "//   /usr/bin/python3 scripts/gen_unicode_tables.py",
        f"// Source: Python {sys.version.split()[0]} str methods (Unicode {unicodedata.unidata_version})"
        " and train/tokenizer.py.",
        "// Layouts: src/text/unicode_tables.h.",
        '#include "text/unicode_tables.h"',
        "",
        "namespace hunch {",
        "namespace text {",
        "namespace internal {",
        "",
        f"extern const char kUnicodeVersion[] = {c_string(unicodedata.unidata_version)};",
        "",
    ]
    lines.append(f"// Python re \\w: {len(word)} ranges.")
    emit_u32_array(lines, "kWordRanges", packed["kWordRanges"])
    lines.append(f"// Python re \\s (str.isspace): {len(space)} ranges.")
    emit_u32_array(lines, "kSpaceRanges", packed["kSpaceRanges"])
    lines.append(f"// Case-ignorable code points (final sigma): {len(ignorable_r)} ranges.")
    emit_u32_array(lines, "kCaseIgnorableRanges", packed["kCaseIgnorableRanges"])
    lines.append(f"// Cased code points that are not case-ignorable (final sigma): {len(cased_r)} ranges.")
    emit_u32_array(lines, "kCasedRanges", packed["kCasedRanges"])

    lines.append(f"// str.lower() to one code point: {len(runs)} runs "
                 f"({sum(r[1] for r in runs)} code points).")
    lines.append("extern const LowerRun kLowerRuns[] = {")
    for i in range(0, len(runs), 4):
        cells = []
        for first, count, stride, delta in runs[i:i + 4]:
            key = (first << 11) | ((count - 1) << 1) | (1 if stride == 2 else 0)
            cells.append("{0x%08x, %d}" % (key, delta))
        lines.append("    " + ", ".join(cells) + ",")
    lines.append("};")
    lines.append(f"extern const size_t kNumLowerRuns = {len(runs)};")
    lines.append("")
    lines.append(f"// str.lower() to several code points: {len(multi)}.")
    lines.append("extern const MultiLower kMultiLower[] = {")
    for c, low in multi:
        lines.append("    {0x%04x, %s}," % (c, c_string(low)))
    lines.append("};")
    lines.append(f"extern const size_t kNumMultiLower = {len(multi)};")
    lines.append("")

    lines.append("// train/tokenizer.py: TRAIN_TOKEN_PATTERN (the settings' token_regex), and the emoji")
    lines.append("// ranges, inclusive [first, last] pairs.")
    pattern = tokenizer.TRAIN_TOKEN_PATTERN
    # Adjacent literals of at most ~100 columns each, split between code points.
    chunks = []
    buf = ""
    for ch in pattern:
        if len(c_string(buf + ch)) > 100:
            chunks.append(buf)
            buf = ""
        buf += ch
    if buf:
        chunks.append(buf)
    lines.append("extern const char kTrainTokenPattern[] =")
    for k, part in enumerate(chunks):
        lines.append("    " + c_string(part) + (";" if k == len(chunks) - 1 else ""))
    lines.append(f"extern const int kTokenizerVersion = {tokenizer.TOKENIZER_VERSION};")

    def pairs(name, rs):
        lines.append(f"extern const uint32_t {name}[][2] = {{")
        for i in range(0, len(rs), 4):
            lines.append("    " + ", ".join("{0x%05x, 0x%05x}" % tuple(r) for r in rs[i:i + 4]) + ",")
        lines.append("};")
        lines.append(f"extern const size_t {name[0] + 'Num' + name[1:]} = {len(rs)};")

    pairs("kEmojiBaseRanges", tokenizer.EMOJI_BASE_RANGES)
    pairs("kEmojiModifierRanges", tokenizer.EMOJI_MODIFIER_RANGES)
    ri = tokenizer.REGIONAL_INDICATOR_RANGE
    lines.append("extern const uint32_t kRegionalIndicatorFirst = 0x%05x;" % ri[0])
    lines.append("extern const uint32_t kRegionalIndicatorLast = 0x%05x;" % ri[1])
    lines.append("extern const uint32_t kZwj = 0x%04x;" % tokenizer.ZWJ)
    lines.append("extern const uint32_t kKeycap = 0x%04x;" % tokenizer.KEYCAP)
    lines.append("")
    lines += ["}  // namespace internal", "}  // namespace text", "}  // namespace hunch", ""]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true",
                   help="compare with the committed file instead of writing it (exit 1 when it differs)")
    p.add_argument("--out", default=OUT, help=f"output file (default {os.path.relpath(OUT, ROOT)})")
    args = p.parse_args(argv)
    text = generate()
    if args.check:
        try:
            with open(args.out, encoding="utf-8", newline="") as f:
                old = f.read()
        except FileNotFoundError:
            old = None
        if old != text:
            print(f"{args.out} is stale: run /usr/bin/python3 scripts/gen_unicode_tables.py", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date (Python {sys.version.split()[0]}, Unicode "
              f"{unicodedata.unidata_version})")
        return 0
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, args.out)
    print(f"wrote {args.out} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
