#!/usr/bin/env bash
# Builds models/en.hunch from a train/ checkpoint and writes its model card
# (models/en.md) with the figures measured here:
#   export (ONNX + engine metadata, the offensive-word list of
#   scripts/fetch_offensive_words.sh included) -> hunch convert -> hunch quantize int8
#   -> hunch eval on data/test-public.tok -> models/en.md
#   scripts/build_default_model.sh [--card-only] CHECKPOINT [PEERS_JSON]
#   scripts/build_default_model.sh --quality-only
#   scripts/build_default_model.sh --from-model [BASE.hunch | CHECKPOINT.pt]
# --card-only: keep models/en.hunch (and the export and quantization report of
# the last full run in train/out/default-model) and measure it again: eval,
# eval --learn, bench, then the card. For engine changes that leave the model
# as it is.
# Needs the corpus and vocabulary of train/README.md steps 1-2 in train/out/
# and a Release build in build/. PEERS_JSON (bench/peers/run_peers.sh output)
# adds Presage's and Hunspell's figures on the same text to the card.
set -euo pipefail
cd "$(dirname "$0")/.."
# export_int8 CHECKPOINT DIR OUT [QUANTIZE ARGS...]: the checkpoint exported with
# the engine's metadata (DIR/lm.onnx), converted (DIR/lm.f32.hunch) and
# quantized to int8 (OUT). Only `hunch quantize` writes to stdout (its --json
# report); the export's and the conversion's messages go to stderr.
export_int8() {
  local ckpt=$1 dir=$2 out=$3 h=${HUNCH:-build/hunch}
  shift 3
  # The offensive-word filter list (npm naughty-words, CC-BY-4.0; docs/toolchain.md "Filter lists").
  [ -f train/out/data/offensive-en.txt ] || scripts/fetch_offensive_words.sh >&2
  /usr/bin/python3 train/export.py --checkpoint "$ckpt" --out "$dir/lm.onnx" \
    --wordlist train/out/vocab/wordlist.tsv --surface train/out/vocab/surface.tsv \
    --emoji train/out/data/emoji-keywords.tsv --offensive train/out/data/offensive-en.txt >&2
  "$h" convert "$dir/lm.onnx" -o "$dir/lm.f32.hunch" >&2
  "$h" quantize "$dir/lm.f32.hunch" -o "$out" --weights int8 "$@"
}
# --from-model [BASE]: no checkpoint (the LM of BASE is kept; default: the
# int8 models/en.hunch of commit 0747a0f, exported from the checkpoint of
# models/en.training.md, which was not kept): the lexicon of
# scripts/build_lexicon.sh (form filter) with as many tail words as fit the
# 2 MB limit (FROM_MODEL_TAIL, default 34250, found by trying: the largest
# tail with which the smallest weight form fits), then scripts/shrink_model.sh
# (text stripped, lexicon.bin version 4, the first weight form that fits),
# eval, eval --learn and bench, and the card's file, data, training,
# quality, quantization and speed sections rewritten (train/model_card.py
# --refresh; Training from models/en.training.md). BASE may be a train/
# checkpoint (.pt, e.g. a fine-tuning of train/from_hunch.py's checkpoint of
# the 0747a0f model): it is exported with this recipe's metadata, converted
# and quantized to int8 first, in $work/base-ckpt.hunch.
if [ "${1:-}" = "--from-model" ]; then
  hunch=${HUNCH:-build/hunch}
  work=train/out/default-model
  mkdir -p "$work"
  base=${2:-}
  if [ -z "$base" ]; then
    base=$work/base.hunch
    git show 0747a0f:models/en.hunch > "$base.tmp" && mv "$base.tmp" "$base"
  elif [ "${base%.pt}" != "$base" ]; then
    mkdir -p "$work/ckpt"
    export_int8 "$base" "$work/ckpt" "$work/base-ckpt.hunch"
    base=$work/base-ckpt.hunch
  fi
  cp "$base" "$work/lexicon.hunch"
  scripts/build_lexicon.sh --filter form --max-tail "${FROM_MODEL_TAIL:-34250}" "$work/lexicon.hunch"
  scripts/shrink_model.sh --in "$work/lexicon.hunch" --out "$work/en.hunch" --limit 2000000 | tee "$work/shrink.txt"
  "$hunch" eval --model "$work/en.hunch" --text data/test-public.tok --json > "$work/eval.json"
  "$hunch" eval --model "$work/en.hunch" --text data/test-public.tok --learn --json > "$work/eval-learn.json"
  "$hunch" eval --model "$work/en.hunch" --text train/out/data/dev-public.tok --json > "$work/eval-dev.json"
  "$hunch" bench --model "$work/en.hunch" --runs 10000 --json > "$work/bench.json"
  cp "$work/en.hunch" models/en.hunch
  /usr/bin/python3 train/model_card.py --refresh --model models/en.hunch --shrink "$work/shrink.txt" \
    --quantize "$work/en.hunch.quantize.json" --lexicon-report train/out/lexicon/report.json \
    --eval "$work/eval.json" --eval-learn "$work/eval-learn.json" --eval-dev "$work/eval-dev.json" \
    --bench "$work/bench.json" --out models/en.md
  /usr/bin/python3 scripts/insert_peers.py
  echo "wrote models/en.hunch ($(stat -c %s models/en.hunch) bytes) and models/en.md"
  exit 0
fi
# --quality-only: no checkpoint; run eval and eval --learn on models/en.hunch
# and rewrite only the card's quality section (and its copy in
# docs/benchmarks.md): for engine changes, which leave the model, its
# quantization and its speed as they are.
if [ "${1:-}" = "--quality-only" ]; then
  hunch=${HUNCH:-build/hunch}
  work=train/out/default-model
  mkdir -p "$work"
  "$hunch" eval --model models/en.hunch --text data/test-public.tok --json > "$work/eval.json"
  "$hunch" eval --model models/en.hunch --text data/test-public.tok --learn --json > "$work/eval-learn.json"
  "$hunch" eval --model models/en.hunch --text train/out/data/dev-public.tok --json > "$work/eval-dev.json"
  /usr/bin/python3 train/model_card.py --quality-only --eval "$work/eval.json" --eval-learn "$work/eval-learn.json" \
    --eval-dev "$work/eval-dev.json" --out models/en.md
  /usr/bin/python3 scripts/insert_peers.py
  echo "rewrote the quality section of models/en.md and docs/benchmarks.md"
  exit 0
fi
card_only=0
if [ "${1:-}" = "--card-only" ]; then
  card_only=1
  shift
fi
ckpt=${1:?usage: scripts/build_default_model.sh [--card-only] CHECKPOINT [PEERS_JSON]}
peers=${2:-}
hunch=${HUNCH:-build/hunch}
work=train/out/default-model
mkdir -p "$work" models
[ -f train/out/data/offensive-en.txt ] || scripts/fetch_offensive_words.sh
if [ "$card_only" = 1 ]; then
  for f in lm.onnx quantize.json; do
    [ -f "$work/$f" ] || { echo "--card-only needs $work/$f from a full run" >&2; exit 1; }
  done
  cp models/en.hunch "$work/en.hunch"
else
  export_int8 "$ckpt" "$work" "$work/en.hunch" --eval-text data/test-public.tok --json > "$work/quantize.json"
fi
"$hunch" eval --model "$work/en.hunch" --text data/test-public.tok --json > "$work/eval.json"
"$hunch" eval --model "$work/en.hunch" --text data/test-public.tok --learn --json > "$work/eval-learn.json"
"$hunch" bench --model "$work/en.hunch" --runs 10000 --json > "$work/bench.json"
cp "$work/en.hunch" models/en.hunch
/usr/bin/python3 train/model_card.py --checkpoint "$ckpt" --onnx "$work/lm.onnx" \
  --quantize "$work/quantize.json" --eval "$work/eval.json" --eval-learn "$work/eval-learn.json" \
  --bench "$work/bench.json" ${peers:+--peers "$peers"} --offensive train/out/data/offensive-en.txt \
  --model models/en.hunch --out models/en.md
echo "wrote models/en.hunch ($(stat -c %s models/en.hunch) bytes) and models/en.md"
