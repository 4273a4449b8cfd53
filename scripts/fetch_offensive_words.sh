#!/usr/bin/env bash
# Writes the engine's offensive-word list, train/out/data/offensive-en.txt
# (the "offensive" metadata section of a model: one word per line), from the
# npm package naughty-words 1.2.0: "List of Dirty, Naughty, Obscene, and
# Otherwise Bad Words" by Shutterstock, CC-BY-4.0 (the package's LICENSE and
# README). It is a suggestion filter only, never training text.
#   scripts/fetch_offensive_words.sh [OUT]
# Keeps the entries of en.json without whitespace (the engine filters words,
# not phrases), lower-cased, deduplicated and sorted (byte order), one per
# line; prints the count. The tarball is `npm pack`ed once into train/.cache/
# (git-ignored, where train/data.py keeps its tarballs) and checked against
# its SHA-256, so the output is the same on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
spec=naughty-words@1.2.0
tarball=naughty-words-1.2.0.tgz
sha256=c34b05e10a97ec7b9e0c3dd91d09888187c0f08d0812eaea79679795585b217e
cache=train/.cache
out=${1:-train/out/data/offensive-en.txt}

mkdir -p "$cache" "$(dirname "$out")"
if [ ! -f "$cache/$tarball" ]; then
  command -v npm >/dev/null || { echo "fetch_offensive_words.sh: npm not found (apt-get install npm)" >&2; exit 1; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack "$spec" --silent >/dev/null)
  [ -f "$tmp/$tarball" ] || { echo "fetch_offensive_words.sh: npm pack $spec wrote no $tarball" >&2; exit 1; }
  mv "$tmp/$tarball" "$cache/$tarball"
fi
if ! echo "$sha256  $cache/$tarball" | sha256sum -c --quiet - >/dev/null 2>&1; then
  echo "fetch_offensive_words.sh: $cache/$tarball does not have the expected SHA-256 $sha256" >&2
  exit 1
fi

/usr/bin/python3 - "$cache/$tarball" "$out" <<'EOF'
import json, os, sys, tarfile
tarball, out = sys.argv[1], sys.argv[2]
with tarfile.open(tarball) as tf:
    meta = json.load(tf.extractfile("package/package.json"))
    entries = json.loads(tf.extractfile("package/en.json").read().decode("utf-8"))
if meta.get("license") != "CC-BY-4.0":
    sys.exit(f"fetch_offensive_words.sh: {tarball}: licence {meta.get('license')!r}, expected CC-BY-4.0")
if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
    sys.exit(f"fetch_offensive_words.sh: {tarball}: en.json is not a list of strings")
words = set()
for e in entries:
    w = e.strip().lower()
    if not w or any(c.isspace() for c in w):   # phrases: the engine filters single words
        continue
    if len(w.encode("utf-8")) > 64 or any(ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 for c in w):
        sys.exit(f"fetch_offensive_words.sh: entry {e!r} is not a word of 1 to 64 bytes")
    words.add(w)
words = sorted(words, key=lambda w: w.encode("utf-8"))
tmp = out + ".tmp"
with open(tmp, "w", encoding="utf-8", newline="\n") as f:
    f.write("".join(w + "\n" for w in words))
os.replace(tmp, out)
print(f"{out}: {len(words)} words (of {len(entries)} entries in en.json; phrases dropped)")
EOF
