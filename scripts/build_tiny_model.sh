#!/usr/bin/env bash
# Builds tests/testdata/tiny.hunch, the tiny language model the golden tests
# (tests/tiny_model_test.cc, tests/eval_pin_test.cc) pin the engine's
# suggestions and eval figures on: 627,400 bytes, int8 weights; about 3.5
# minutes on one CPU thread (tests/testdata/tiny.md describes the file):
#
#   scripts/build_tiny_model.sh            # HUNCH=path/to/hunch overrides build/hunch
#
# Steps (train/README.md, "A tiny model for the tests"), all under train/out/tiny/:
#   1. the corpus of train/README.md step 1 (train/data.py, run here when
#      train/out/data/train.txt is missing; only the sources of shared/DATA.md);
#   2. a deterministic slice of it: every 4th line of train.txt (lines 1, 5, 9,
#      ...) of at most 300 words (so e-mail paragraphs and fortunes, no whole
#      speeches): 7,345 lines, 220,027 words; validation: the first 150 lines
#      of valid.txt of at most 300 words;
#   3. a 1,000-token vocabulary built on the slice (tokenizer.py build); its
#      wordlist.tsv is the lexicon, so the lexicon stays small;
#   4. a CIFG-LSTM (embedding 32, 128 units, projection 32, tied output),
#      6 epochs of batch 32 x bptt 35, seed 1, CPU, one thread;
#   5. export with the engine metadata (lexicon of the slice's words seen >= 2
#      times, surface spellings, the emoji keywords of the lexicon's words)
#      as scripts/build_default_model.sh does, hunch convert, hunch quantize
#      --weights int8; copied to tests/testdata/tiny.hunch.
#
# Reproducibility: steps 1-3 and 5 are byte-identical across runs and machines
# for the same inputs (train/README.md). Step 4 is deterministic on one CPU
# thread with a fixed seed on one machine and torch build; it is NOT promised
# to be bitwise identical across machines, CPUs or torch/OpenBLAS versions
# (float summation order differs between BLAS kernels). So the checked-in
# tests/testdata/tiny.hunch is the golden: the tests pin its outputs, and this
# script documents how it was made. Rebuilding it changes the pinned values;
# do that only deliberately, regenerate the expected values in the tests (the
# commands are in their comments) and explain the change in the commit.
# Built here: Debian 12, torch 1.13.1 (Debian, OpenBLAS pthread), onnx 1.12;
# the SHA-256 it printed is in tests/testdata/tiny.md.
set -euo pipefail
cd "$(dirname "$0")/.."
P=/usr/bin/python3
hunch=${HUNCH:-build/hunch}
data=train/out/data
work=train/out/tiny
[ -x "$hunch" ] || { echo "no hunch CLI at $hunch (build it, or set HUNCH=)" >&2; exit 1; }
if [ ! -f "$data/train.txt" ] || [ ! -f "$data/emoji-keywords.tsv" ]; then
  $P train/data.py
fi
rm -rf "$work"
mkdir -p "$work"
start=$(date +%s)
# 2. the slice
awk 'NR % 4 == 1 && NF <= 300' "$data/train.txt" > "$work/train.txt"
awk 'NF <= 300 && ++n <= 150' "$data/valid.txt" > "$work/valid.txt"
# 3. vocabulary, word list, surface spellings of the slice
$P train/tokenizer.py build --train "$work/train.txt" --out "$work/vocab" --vocab-size 1000
# 4. training
$P train/train.py --train "$work/train.txt" --valid "$work/valid.txt" \
  --vocab "$work/vocab/vocab.txt" --out "$work/run" \
  --cell cifg --embed 32 --units 128 --proj 32 --dropout 0.1 \
  --epochs 6 --batch-size 32 --bptt 35 --lr 5e-3 --warmup-steps 100 --patience 0 \
  --seed 1 --threads 1 --device cpu --checkpoint-every 0 --log-every 200 --no-progress
# 5. export, convert, quantize
$P train/export.py --checkpoint "$work/run/best.pt" --out "$work/lm.onnx" \
  --wordlist "$work/vocab/wordlist.tsv" --surface "$work/vocab/surface.tsv" \
  --emoji "$data/emoji-keywords.tsv"
"$hunch" convert "$work/lm.onnx" -o "$work/lm.f32.hunch"
"$hunch" quantize "$work/lm.f32.hunch" -o "$work/tiny.hunch" --weights int8 \
  --eval-text data/test-public.tok
mkdir -p tests/testdata
cp "$work/tiny.hunch" tests/testdata/tiny.hunch
echo "wrote tests/testdata/tiny.hunch ($(stat -c %s tests/testdata/tiny.hunch) bytes," \
  "sha256 $(sha256sum tests/testdata/tiny.hunch | cut -c1-64)) in $(( $(date +%s) - start )) s"
