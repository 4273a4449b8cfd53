#!/usr/bin/env bash
# Shrinks a shipped model below a size limit with the least loss measured
# (docs/toolchain.md, "Shrinking a model"), from the model itself: there is
# no float checkpoint of models/en.hunch, so the weights are requantized.
#   scripts/shrink_model.sh [--in MODEL] [--out OUT] [--limit BYTES] [--eval]
# Steps:
#   1. hunch metadata --strip-text --lexicon-version 4: drop the text
#      sections lexicon, surface and emoji, which lexicon.bin and emoji.bin
#      hold (the engine reads only those; hunch metadata --get renders the
#      text back), and write lexicon.bin in its compact layout (version 3:
#      4 bytes a word less, read in place like version 2);
#   2. hunch quantize --requantize: the first of these weight forms, best
#      measured quality first, whose file fits the limit:
#        int8            the input's weights as they are (no requantization)
#        int4-emb-16     the embedding in int4 blocks of 16 columns, the rest int8
#        int4-emb-32     the embedding in int4 blocks of 32 columns, the rest int8
#        int4-emb-96     the embedding in int4, one scale per row (96 columns)
#        int4-all-96     every matrix in int4 blocks of 96 columns
#      (figures: docs/toolchain.md; every matrix in blocks of 32 is larger
#      than in blocks of 96 and no better by the engine's measures, so it is
#      not tried); none fitting is an error that lists
#      each form's size.
# --eval: also run hunch eval on data/test-public.tok and hunch bench, and
# write OUT.eval.json and OUT.bench.json beside OUT.
# Defaults: --in models/en.hunch, --out train/out/small/en.hunch, --limit
# 2000000 (2 MB; 2 MiB is 2,097,152). Needs a Release build in build/ (or
# HUNCH=path/to/hunch). Prints the chosen form and the size.
set -euo pipefail
cd "$(dirname "$0")/.."
in=models/en.hunch
out=train/out/small/en.hunch
limit=2000000
eval=0
while [ $# -gt 0 ]; do
  case "$1" in
    --in) in=${2:?--in needs a model}; shift 2 ;;
    --out) out=${2:?--out needs a path}; shift 2 ;;
    --limit) limit=${2:?--limit needs a byte count}; shift 2 ;;
    --eval) eval=1; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "shrink_model.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$limit" in ''|*[!0-9]*) echo "shrink_model.sh: --limit takes a byte count, not '$limit'" >&2; exit 2 ;; esac
hunch=${HUNCH:-build/hunch}
[ -x "$hunch" ] || { echo "shrink_model.sh: $hunch is not built (cmake --build build)" >&2; exit 1; }
[ -f "$in" ] || { echo "shrink_model.sh: no model $in" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$hunch" metadata "$in" --strip-text --lexicon-version 4 --out "$work/stripped.hunch" > "$work/strip.log"
# name : hunch quantize options ("" = keep the weights)
forms=(
  "int8:"
  "int4-emb-16:--weights int4 --int4-block 16"
  "int4-emb-32:--weights int4 --int4-block 32"
  "int4-emb-96:--weights int4 --int4-block 96"
  "int4-all-96:--weights int4 --int4-all --int4-block 96"
)
chosen=""
sizes=""
for f in "${forms[@]}"; do
  name=${f%%:*}
  opts=${f#*:}
  if [ -z "$opts" ]; then
    cp "$work/stripped.hunch" "$work/$name.hunch"
  else
    # shellcheck disable=SC2086
    "$hunch" quantize "$work/stripped.hunch" -o "$work/$name.hunch" --requantize $opts --json > "$work/$name.json"
  fi
  size=$(stat -c %s "$work/$name.hunch")
  sizes="$sizes  $name: $size bytes"$'\n'
  if [ "$size" -le "$limit" ]; then
    chosen=$name
    break
  fi
done
if [ -z "$chosen" ]; then
  echo "shrink_model.sh: no form of $in fits $limit bytes:" >&2
  printf '%s' "$sizes" >&2
  exit 1
fi
cp "$work/$chosen.hunch" "$out.tmp"
mv "$out.tmp" "$out"
[ -f "$work/$chosen.json" ] && cp "$work/$chosen.json" "$out.quantize.json"
echo "$in ($(stat -c %s "$in") bytes) -> $out: text sections stripped, lexicon.bin version 4, weights $chosen, $(stat -c %s "$out") bytes (limit $limit)"
printf '%s' "$sizes"
if [ "$eval" = 1 ]; then
  "$hunch" eval --model "$out" --text data/test-public.tok --json > "$out.eval.json"
  "$hunch" bench --model "$out" --runs 3000 --json > "$out.bench.json"
  /usr/bin/python3 -c "
import json, sys
e = json.load(open(sys.argv[1]))
print('eval on data/test-public.tok: KSR %.2f%%, top-1 %.2f%%, top-3 %.2f%%, typo WER %.2f%%, ppl %.1f'
      % (e['ksr'], e['top1'], e['top3'], e['wer'], e['ppl']))" "$out.eval.json"
fi
