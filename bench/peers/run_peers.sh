#!/usr/bin/env bash
# Peer comparison: runs the engines a user would otherwise pick on the same
# work, in one run on one machine, and writes DIR/peers.json and DIR/peers.md.
#
#   bench/peers/run_peers.sh --checkpoint CKPT.pt --onnx MODEL.onnx --train-text TRAIN.txt
#       --test-file TEST.tok --out DIR [--hunch-bin PATH [--hunch-model M.hunch]]
#       [--runs N] [--small] [--npm-dir DIR]
#
# Peers (docs/peers.md says how each is run and what to keep in mind):
#   PyTorch float32 and dynamic int8   LM step time, peak RSS, library bytes (torch_peer.py)
#   ONNX Runtime (npm onnxruntime-node) LM step time, peak RSS, library bytes (ort_peer.js)
#   Presage (trigram SQLite from text2ngram on TRAIN.txt)
#                                      KSR@3 (presage_simulator, REPEAT_SUGGESTIONS no and yes),
#                                      next-word top-1/top-3 and time per prediction
#                                      (presage_eval.cc), peak RSS, DB bytes
#   Hunspell (en_US)                   typo correction of simulated taps (taps.py, hunspell_peer.py)
#   hunch                              `hunch eval` (default, and again with
#                                      --set skip_passed_over=0 for the KSR with repeats) and
#                                      `hunch bench` (with --hunch-bin; without --hunch-model,
#                                      MODEL.onnx converted by `hunch convert`)
#
# KSR under both repeat rules (shared/EVAL.md): Presage's default hides a word
# already shown for the same word (REPEAT_SUGGESTIONS no), like hunch's default
# (skip_passed_over on), except that hunch keeps the likeliest completion of
# the typed prefix; REPEAT_SUGGESTIONS yes and skip_passed_over=0 repeat
# everything. The report pairs them.
#
# --small: a CI-sized run of every peer (a tiny model trained here, the first
#   ~300 tokens of data/test-public.tok, a slice of the Debian fortunes as
#   training text, --runs 200). Inputs not given on the command line are made
#   from checked-in files and packages, so it needs no train/out/.
# --runs N: LM steps per runtime (default 10000; 200 with --small).
# --npm-dir DIR: where onnxruntime-node is installed (default DIR/npm); reused
#   across runs when it holds the pinned version (ORT_NODE_VERSION, default
#   below).
#
# Each step's log is DIR/logs/NAME.log; its command line, wall time and exit
# status go to DIR/raw/steps.tsv and into peers.json. A failing peer is
# reported in the table and makes the script exit 1 after writing it; bad
# arguments exit 2.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
ORIG_ARGS=("$@")
ORT_NODE_VERSION=${ORT_NODE_VERSION:-1.30.0}

usage() {
  # The comment block at the top of this file.
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}
die_usage() {
  echo "run_peers.sh: $*" >&2
  echo "usage: run_peers.sh --checkpoint CKPT.pt --onnx MODEL.onnx --train-text TRAIN.txt --test-file TEST.tok" \
    "--out DIR [--hunch-bin PATH [--hunch-model M.hunch]] [--runs N] [--small] [--npm-dir DIR]" >&2
  exit 2
}

CKPT="" ONNX="" TRAIN="" TEST="" OUT="" HMODEL="" HBIN="" RUNS="" SMALL=0 NPM_DIR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --checkpoint|--onnx|--train-text|--test-file|--out|--hunch-model|--hunch-bin|--runs|--npm-dir)
      [ $# -ge 2 ] || die_usage "missing value for $1"
      case "$1" in
        --checkpoint) CKPT=$2 ;; --onnx) ONNX=$2 ;; --train-text) TRAIN=$2 ;; --test-file) TEST=$2 ;;
        --out) OUT=$2 ;; --hunch-model) HMODEL=$2 ;; --hunch-bin) HBIN=$2 ;; --runs) RUNS=$2 ;;
        --npm-dir) NPM_DIR=$2 ;;
      esac
      shift 2 ;;
    --small) SMALL=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die_usage "unknown argument $1" ;;
  esac
done

[ -n "$OUT" ] || die_usage "--out is required"
if [ "$SMALL" = 0 ]; then
  for pair in "--checkpoint:$CKPT" "--onnx:$ONNX" "--train-text:$TRAIN" "--test-file:$TEST"; do
    [ -n "${pair#*:}" ] || die_usage "${pair%%:*} is required (or --small)"
  done
fi
[ -z "$ONNX" ] || [ -n "$CKPT" ] || die_usage "--onnx needs the --checkpoint it was exported from"
for pair in "--checkpoint:$CKPT" "--onnx:$ONNX" "--train-text:$TRAIN" "--test-file:$TEST" "--hunch-model:$HMODEL"; do
  f=${pair#*:}
  [ -z "$f" ] || [ -f "$f" ] || die_usage "${pair%%:*}: no such file: $f"
done
if [ -n "$HBIN" ] && [ ! -x "$HBIN" ]; then die_usage "--hunch-bin: not an executable: $HBIN"; fi
if [ -n "$HMODEL" ] && [ -z "$HBIN" ]; then die_usage "--hunch-model needs --hunch-bin"; fi
if [ -z "$RUNS" ]; then RUNS=$([ "$SMALL" = 1 ] && echo 200 || echo 10000); fi
case "$RUNS" in ''|*[!0-9]*) die_usage "--runs must be a positive integer" ;; esac
[ "$RUNS" -ge 1 ] || die_usage "--runs must be >= 1"

abspath() { (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
for v in CKPT ONNX TRAIN TEST HMODEL HBIN; do
  [ -z "${!v}" ] || printf -v "$v" '%s' "$(abspath "${!v}")"
done
NPM_DIR=${NPM_DIR:-$OUT/npm}
mkdir -p "$NPM_DIR"
NPM_DIR=$(cd "$NPM_DIR" && pwd)
RAW=$OUT/raw LOGS=$OUT/logs
rm -rf "$RAW" "$LOGS"
mkdir -p "$RAW" "$LOGS" "$OUT/presage" "$OUT/work"
rm -f "$OUT/peers.json" "$OUT/peers.md"
START=$(date +%s.%N)
FAILED=0
printf 'name\tstatus\tseconds\tcommand\n' >"$RAW/steps.tsv"
cp /proc/loadavg "$RAW/loadavg_start.txt"

# step NAME CMD...: runs CMD with its output in logs/NAME.log; records the
# command line, wall time and exit status. Returns the command's status.
step() {
  local name=$1; shift
  local cmd t0 t1 rc
  cmd=$(printf '%q ' "$@")
  echo "== $name"
  t0=$(date +%s.%N)
  set +e
  "$@" >"$LOGS/$name.log" 2>&1
  rc=$?
  set -e
  t1=$(date +%s.%N)
  printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "$(elapsed "$t0" "$t1")" "${cmd% }" >>"$RAW/steps.tsv"
  if [ "$rc" != 0 ]; then
    echo "   FAILED (exit $rc); last lines of $LOGS/$name.log:" >&2
    tail -n 5 "$LOGS/$name.log" | sed 's/^/   | /' >&2
  fi
  return "$rc"
}
fail() { FAILED=1; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# capture FILE CMD...: CMD's standard output to FILE (its errors go to the log).
capture() { local f=$1; shift; "$@" >"$f"; }

# ---------------------------------------------------------------- packages --
echo "== packages"
pkgs=(python3-torch python3-onnx python3-numpy libopenblas0-pthread presage libpresage-dev hunspell
  hunspell-en-us fortunes g++ time)
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
"$REPO/scripts/apt_install.sh" "${pkgs[@]}"

# ------------------------------------------------------------ small inputs --
if [ "$SMALL" = 1 ]; then
  SW=$OUT/work/small
  mkdir -p "$SW"
  if [ -z "$TEST" ]; then
    TEST=$SW/test.tok
    # Whole lines of the public test file until 300 tokens.
    awk '{ print; n += NF; if (n >= 300) exit }' "$REPO/data/test-public.tok" >"$TEST"
  fi
  if [ -z "$TRAIN" ] || [ -z "$CKPT" ]; then
    # A slice of the fortunes, one entry a line (train/data.py's parser):
    # every 20th entry for training, every 20th + 1 for validation.
    step small-text "$PY" -c '
import sys; sys.path.insert(0, sys.argv[1])
from data import fortune_entries
entries, _ = fortune_entries("/usr/share/games/fortunes")
train = [e for i, e in enumerate(entries) if i % 20 == 0]
valid = [e for i, e in enumerate(entries) if i % 20 == 1]
for path, lines in ((sys.argv[2], train), (sys.argv[3], valid)):
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(l + "\n" for l in lines))
' "$REPO/train" "$SW/train.txt" "$SW/valid.txt" || { echo "run_peers.sh: cannot build the small text" >&2; exit 1; }
    [ -n "$TRAIN" ] || TRAIN=$SW/train.txt
  fi
  if [ -z "$CKPT" ]; then
    step small-vocab "$PY" "$REPO/train/tokenizer.py" build --train "$SW/train.txt" --out "$SW/vocab" \
      --vocab-size 1000 || exit 1
    step small-train "$PY" "$REPO/train/train.py" --train "$SW/train.txt" --valid "$SW/valid.txt" \
      --vocab "$SW/vocab/vocab.txt" --out "$SW/run" --embed 16 --units 32 --proj 16 --max-steps 40 \
      --batch-size 8 --bptt 20 --warmup-steps 5 --epochs 1 --threads 1 --device cpu --no-progress \
      --log-every 20 --checkpoint-every 1000 || exit 1
    CKPT=$SW/run/last.pt
    [ -f "$CKPT" ] || { echo "run_peers.sh: training wrote no $CKPT" >&2; exit 1; }
  fi
  if [ -z "$ONNX" ]; then
    step small-export "$PY" "$REPO/train/export.py" --checkpoint "$CKPT" --out "$SW/lm.onnx" || exit 1
    ONNX=$SW/lm.onnx
  fi
fi

# ------------------------------------------------------------------ PyTorch --
IDS=$OUT/work/ids.txt
if step token-ids "$PY" "$HERE/torch_peer.py" --checkpoint "$CKPT" --test-file "$TEST" --write-ids "$IDS"; then
  for v in float32 int8; do
    step "torch-$v" env OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
      "$PY" "$HERE/torch_peer.py" --checkpoint "$CKPT" --test-file "$TEST" --variant "$v" \
      --runs "$RUNS" --out "$RAW/torch-$v.json" || fail
  done
else
  fail
fi

# ------------------------------------------------------------- ONNX Runtime --
ORT_PKG=$NPM_DIR/node_modules/onnxruntime-node/package.json
have_ort=0
if [ -f "$ORT_PKG" ] && [ "$(node -p "require('$ORT_PKG').version" 2>/dev/null)" = "$ORT_NODE_VERSION" ]; then
  have_ort=1
elif step npm-install env npm_config_cache="$NPM_DIR/cache" npm install --prefix "$NPM_DIR" --ignore-scripts \
    --no-audit --no-fund --no-save "onnxruntime-node@$ORT_NODE_VERSION"; then
  have_ort=1
else
  fail
fi
if [ "$have_ort" = 1 ] && [ -f "$IDS" ]; then
  step ort env NODE_PATH="$NPM_DIR/node_modules" node "$HERE/ort_peer.js" --model "$ONNX" --ids "$IDS" \
    --runs "$RUNS" --out "$RAW/ort.json" || fail
fi

# ----------------------------------------------------------------- Presage --
PDIR=$OUT/presage
DB=$PDIR/ngram.db
T2N_VERSION=$(dpkg-query -W -f='${Version}' presage)
STAMP="$(sha256sum "$TRAIN" | cut -d' ' -f1) text2ngram $T2N_VERSION -n 1,2,3 -l"
build_db() {
  # One table per order (_1_gram, _2_gram, _3_gram), as SmoothedNgramPredictor
  # with three deltas reads them; lower-cased (-l). Written beside and renamed.
  rm -f "$DB.tmp"
  for n in 1 2 3; do text2ngram -n "$n" -l -f sqlite -o "$DB.tmp" "$TRAIN" || return 1; done
  mv "$DB.tmp" "$DB"
  echo "$STAMP" >"$DB.stamp"
}
db_ok=0
if [ -f "$DB" ] && [ -f "$DB.stamp" ] && [ "$(cat "$DB.stamp")" = "$STAMP" ]; then
  echo "== presage-db (reused $DB: same training text and text2ngram)"
  db_ok=1
  printf 'presage-db\t0\t0\treused %s\n' "$DB" >>"$RAW/steps.tsv"
elif step presage-db build_db; then
  db_ok=1
else
  fail
fi
CFG=$PDIR/presage.xml
sed "s|@DB@|$DB|" "$HERE/presage.xml.in" >"$CFG"
# The same configuration and database with repeats on (REPEAT_SUGGESTIONS yes).
CFG_REPEAT=$PDIR/presage-repeat.xml
sed 's|<REPEAT_SUGGESTIONS>no</REPEAT_SUGGESTIONS>|<REPEAT_SUGGESTIONS>yes</REPEAT_SUGGESTIONS>|' "$CFG" >"$CFG_REPEAT"
if ! grep -q '<REPEAT_SUGGESTIONS>no</REPEAT_SUGGESTIONS>' "$CFG" ||
   ! grep -q '<REPEAT_SUGGESTIONS>yes</REPEAT_SUGGESTIONS>' "$CFG_REPEAT"; then
  echo "run_peers.sh: $HERE/presage.xml.in must set <REPEAT_SUGGESTIONS>no</REPEAT_SUGGESTIONS>" >&2
  exit 1
fi
if [ "$db_ok" = 1 ]; then
  if step presage-build g++ -std=c++17 -O2 -Wall -Wextra -o "$OUT/work/presage_eval" "$HERE/presage_eval.cc" \
      -lpresage; then
    # HOME: Presage resolves ${HOME} in configurations; keep it away from the user's.
    step presage-nextword env HOME="$PDIR" /usr/bin/time -f '%M' -o "$RAW/presage-nextword.maxrss_kb" \
      "$OUT/work/presage_eval" --config "$CFG" --test "$TEST" --json "$RAW/presage-nextword.json" \
      --tsv "$PDIR/nextword.tsv" || fail
  else
    fail
  fi
  # KSR@3 under both repeat rules: the configuration's REPEAT_SUGGESTIONS no
  # (Presage's default), then yes.
  for rule in "" -repeat; do
    cfg=$CFG
    [ -z "$rule" ] || cfg=$CFG_REPEAT
    step "presage-ksr$rule" env HOME="$PDIR" /usr/bin/time -f '%M' -o "$RAW/presage-ksr$rule.maxrss_kb" \
      presage_simulator --quiet --insensitive --config "$cfg" "$TEST" || fail
    cp "$LOGS/presage-ksr$rule.log" "$RAW/presage-ksr$rule.txt" 2>/dev/null || true
  done
fi

# ---------------------------------------------------------------- Hunspell --
step hunspell "$PY" "$HERE/hunspell_peer.py" --test-file "$TEST" --out "$RAW/hunspell.json" || fail

# ------------------------------------------------------------------- hunch --
if [ -n "$HBIN" ] && [ -z "$HMODEL" ]; then
  # No --hunch-model: convert the same ONNX the other runtimes run.
  if "$HBIN" convert --help >/dev/null 2>&1; then
    if step hunch-convert "$HBIN" convert "$ONNX" -o "$OUT/work/model.hunch"; then
      HMODEL=$OUT/work/model.hunch
    else
      fail
      msg="no --hunch-model, and '$HBIN convert' failed on $ONNX (logs/hunch-convert.log)"
    fi
  else
    msg="no --hunch-model, and $HBIN has no 'convert' command to make one from $ONNX"
  fi
  if [ -z "$HMODEL" ]; then
    echo "== hunch: $msg; no hunch figures" >&2
    for cmd in eval eval-repeat bench; do printf '%s\n' "$msg" >"$RAW/hunch-$cmd.unavailable"; done
  fi
fi
if [ -n "$HBIN" ] && [ -n "$HMODEL" ]; then
  # A command the binary does not have yet is reported as such, not faked.
  for cmd in eval bench; do
    if "$HBIN" "$cmd" --help >/dev/null 2>&1; then
      if [ "$cmd" = eval ]; then
        step hunch-eval capture "$RAW/hunch-eval.json" \
          "$HBIN" eval --model "$HMODEL" --text "$TEST" --suggestions 3 --json || fail
        # Again with every suggestion repeated (the pair of Presage's
        # REPEAT_SUGGESTIONS yes), when the binary has the option.
        eval_help=$("$HBIN" eval --help 2>&1 || true)
        suggest_help=$("$HBIN" suggest --help 2>&1 || true)
        if [[ $eval_help == *--set* && $suggest_help == *skip_passed_over* ]]; then
          step hunch-eval-repeat capture "$RAW/hunch-eval-repeat.json" \
            "$HBIN" eval --model "$HMODEL" --text "$TEST" --suggestions 3 --set skip_passed_over=0 --json || fail
        else
          echo "== hunch-eval-repeat: $HBIN has no --set skip_passed_over; no hunch KSR with repeats" >&2
          printf "no 'hunch eval --set skip_passed_over=0' in %s\n" "$HBIN" >"$RAW/hunch-eval-repeat.unavailable"
        fi
      else
        step hunch-bench capture "$RAW/hunch-bench.json" "$HBIN" bench --model "$HMODEL" --runs "$RUNS" --json || fail
      fi
    else
      msg=$("$HBIN" "$cmd" --help 2>&1 | head -n 1 || true)
      echo "== hunch-$cmd: '$HBIN $cmd' is not available ($msg); no hunch $cmd figures" >&2
      printf "no 'hunch %s' in %s (%s)\n" "$cmd" "$HBIN" "$msg" >"$RAW/hunch-$cmd.unavailable"
      [ "$cmd" != eval ] || cp "$RAW/hunch-eval.unavailable" "$RAW/hunch-eval-repeat.unavailable"
    fi
  done
fi

# ------------------------------------------------------------------ report --
END=$(date +%s.%N)
cp /proc/loadavg "$RAW/loadavg_end.txt"
args=(--out "$OUT" --runs "$RUNS" --checkpoint "$CKPT" --onnx "$ONNX" --train-text "$TRAIN"
  --test-file "$TEST" --elapsed "$(elapsed "$START" "$END")" --presage-db "$DB" --presage-config "$CFG"
  --presage-config-repeat "$CFG_REPEAT"
  --npm-dir "$NPM_DIR" --command "$(printf '%q ' "$0" "${ORIG_ARGS[@]:-}")")
[ "$SMALL" = 1 ] && args+=(--small)
[ -n "$HBIN" ] && args+=(--hunch-bin "$HBIN")
[ -n "$HMODEL" ] && args+=(--hunch-model "$HMODEL")
"$PY" "$HERE/report.py" "${args[@]}" || { echo "run_peers.sh: report failed" >&2; exit 1; }
echo "wrote $OUT/peers.json and $OUT/peers.md ($(elapsed "$START" "$END") s)"
cat "$OUT/peers.md"
if [ "$FAILED" != 0 ]; then
  echo "run_peers.sh: some peers failed (see the table and $LOGS)" >&2
  exit 1
fi
