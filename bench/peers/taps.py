#!/usr/bin/env python3
"""Simulated QWERTY taps for the typo-correction metric (shared/EVAL.md metric 4).

This is the reference of the tap simulation that `hunch eval` implements in
C++; both must produce bit-identical touches, so every step is fixed here:

* Typo-test words: the test file's lines and space-separated tokens, in order;
  a token counts when its str.lower() matches ^[a-z]{2,}$ (2+ letters, all on
  the QWERTY letter keys).
* Keys (units of one key width / height): ``qwertyuiop`` at x = 0.5 .. 9.5,
  y = 0.5; ``asdfghjkl`` at x = 1.0 .. 9.0, y = 1.5; ``zxcvbnm`` at
  x = 2.0 .. 8.0, y = 2.5.  A letter uses its lower-case key.
* Random numbers: ONE splitmix64 stream for the whole file, state = seed.
  uniform() = (next() >> 11) * 2**-53, a double in [0, 1).
* Per letter, in order: u1 = 1 - uniform(), u2 = uniform(),
  r = sqrt(-2 ln u1), zx = r cos(2 pi u2), zy = r sin(2 pi u2) (Box-Muller;
  u1 is in (0, 1], so the log is finite); touch = (cx + sigma zx,
  cy + sigma zy).
* The literal letter is the key whose centre is nearest to the touch by
  squared Euclidean distance dx*dx + dy*dy; ties go to the key that comes
  first in the order q w e r t y u i o p a s d f g h j k l z x c v b n m.

A C++ port must evaluate the same double-precision expressions in the same
order without fused multiply-adds (-ffp-contract=off), and use the same libm
(log, cos, sin, sqrt) for bit-identical touches.

CLI:
  taps.py TEST.tok [--seed 1] [--sigma 0.25]
      one line per typo-test word: target<TAB>literal (target as in the file)
  taps.py TEST.tok --golden 200
      the golden file for the C++ port: a header line, then
      word<TAB>literal<TAB>x<TAB>y with the first touch's x, y as repr()
"""

import argparse
import math
import re
import sys

MASK64 = (1 << 64) - 1
TWO_PI = math.pi * 2  # 6.283185307179586
DEFAULT_SEED = 1
DEFAULT_SIGMA = 0.25

KEY_ORDER = "qwertyuiopasdfghjklzxcvbnm"
_ROWS = (("qwertyuiop", 0.5, 0.5), ("asdfghjkl", 1.0, 1.5), ("zxcvbnm", 2.0, 2.5))
# letter -> (x, y) centre, in KEY_ORDER.
KEY_CENTRES = {}
for _letters, _x0, _y in _ROWS:
    for _i, _c in enumerate(_letters):
        KEY_CENTRES[_c] = (_x0 + _i, _y)
_KEYS = [(c,) + KEY_CENTRES[c] for c in KEY_ORDER]

TYPO_WORD_RE = re.compile(r"[a-z]{2,}")


class SplitMix64:
    """splitmix64 (Steele, Lea, Flood 2014) with 64-bit wrap-around."""

    def __init__(self, seed=DEFAULT_SEED):
        if not 0 <= seed <= MASK64:
            raise ValueError(f"seed must be a uint64, got {seed}")
        self.state = seed

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def uniform(self):
        """A double in [0, 1) with 53 random bits."""
        return (self.next() >> 11) * 2.0 ** -53


def is_typo_word(token):
    return TYPO_WORD_RE.fullmatch(token.lower()) is not None


def typo_words(lines):
    """The typo-test words of an iterable of lines, in order."""
    for line in lines:
        for token in line.rstrip("\r\n").split(" "):
            if token and is_typo_word(token):
                yield token


def nearest_key(x, y):
    best, best_d = None, None
    for c, cx, cy in _KEYS:
        dx = x - cx
        dy = y - cy
        d = dx * dx + dy * dy
        if best_d is None or d < best_d:
            best, best_d = c, d
    return best


def touch(rng, letter, sigma):
    """One simulated touch on the key of `letter`: (x, y)."""
    cx, cy = KEY_CENTRES[letter]
    u1 = 1.0 - rng.uniform()
    u2 = rng.uniform()
    r = math.sqrt(-2.0 * math.log(u1))
    zx = r * math.cos(TWO_PI * u2)
    zy = r * math.sin(TWO_PI * u2)
    return (cx + sigma * zx, cy + sigma * zy)


def simulate(words, seed=DEFAULT_SEED, sigma=DEFAULT_SIGMA):
    """Yields (word, literal, touches) for each word, one RNG stream for all."""
    if not sigma >= 0.0:
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    rng = SplitMix64(seed)
    for word in words:
        touches = [touch(rng, c, sigma) for c in word.lower()]
        literal = "".join(nearest_key(x, y) for x, y in touches)
        yield word, literal, touches


def simulate_file(path, seed=DEFAULT_SEED, sigma=DEFAULT_SIGMA):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    return list(simulate(typo_words(lines), seed, sigma))


GOLDEN_HEADER = "word\tliteral\tfirst_touch_x\tfirst_touch_y"


def golden_lines(path, count, seed=DEFAULT_SEED, sigma=DEFAULT_SIGMA):
    out = [GOLDEN_HEADER]
    for word, literal, touches in simulate_file(path, seed, sigma)[:count]:
        x, y = touches[0]
        out.append(f"{word}\t{literal}\t{x!r}\t{y!r}")
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("test_file", help="test file (shared/EVAL.md format)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="uint64 seed (default 1)")
    p.add_argument("--sigma", type=float, default=DEFAULT_SIGMA,
                   help="touch noise in key widths (default 0.25)")
    p.add_argument("--golden", type=int, metavar="N", default=0,
                   help="print the golden table of the first N words instead")
    args = p.parse_args(argv)
    if not 0 <= args.seed <= MASK64:
        p.error("--seed must be between 0 and 2^64 - 1")
    if not args.sigma >= 0.0:
        p.error("--sigma must be >= 0")
    try:
        if args.golden > 0:
            lines = golden_lines(args.test_file, args.golden, args.seed, args.sigma)
        else:
            lines = [f"{w}\t{lit}" for w, lit, _ in
                     simulate_file(args.test_file, args.seed, args.sigma)]
    except (OSError, UnicodeDecodeError) as e:
        print(f"taps.py: error: {args.test_file}: {e}", file=sys.stderr)
        return 2
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
