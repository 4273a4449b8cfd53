#!/usr/bin/env bash
# Load test of `hunch serve` on loopback with wrk (docs/benchmarks.md,
# "hunch serve (load)"): POST /v1/suggest at 1, 8 and 64 connections, a
# mix of next-word, completion, correction and touch requests (a quarter of
# them for users with a dictionary), against the default model. For each
# level: requests, throughput, p50/p99 latency, errors, and the server's
# VmRSS before and after. Fails when any request errs (a socket error, a
# status > 399, a timeout) or when the server does not stop cleanly.
#
#   scripts/load_test.sh [--full] [BUILD_DIR]     (default: build)
#
# Default (CI): 5 s per level, about 20 s in all. --full: 30 s per level,
# then a soak at 8 connections until at least 100,000 requests, with VmRSS
# sampled before and after it (the figures of docs/benchmarks.md).
# HUNCH_LOAD_MODEL picks another model.
set -euo pipefail
cd "$(dirname "$0")/.."
full=0
build=build
for a in "$@"; do
  case "$a" in
    --full) full=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) build=$a ;;
  esac
done
command -v wrk >/dev/null || scripts/apt_install.sh wrk
hunch=$build/hunch
model=${HUNCH_LOAD_MODEL:-models/en.hunch}
[ -x "$hunch" ] || { echo "load_test: $hunch is not built" >&2; exit 1; }
if [ "$full" = 1 ]; then secs=30; else secs=5; fi

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Users with a dictionary (the files exist before the server starts).
mkdir "$work/data"
for i in 0 1 2 3 4 5 6 7; do
  "$hunch" learn --model "$model" --user "$work/data/load$i.dict" \
    "see you tomorrow at the station" "see you tomorrow morning" >/dev/null
done

"$hunch" serve --model "$model" --port 0 --data "$work/data" >"$work/out" 2>"$work/err" &
pid=$!
port=""
for _ in $(seq 600); do
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/out")
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "load_test: the server did not start" >&2; exit 1; }
url="http://127.0.0.1:$port"

# The requests, cycled; done() prints one line wrk's summary is parsed from.
cat >"$work/suggest.lua" <<'EOF'
local bodies = {
  '{"context": "I will see you", "typed": "tom"}',
  '{"context": "thank you for the", "typed": ""}',
  '{"context": "I would like to", "typed": "mak", "n": 5}',
  '{"context": "see you", "typed": "tommorow", "complete": true}',
  '{"context": "where are", "typed": "yoi", "touches": [{"x": 5.6, "y": 0.5}, {"x": 8.4, "y": 0.6}, {"x": 7.6, "y": 0.4}]}',
  '{"context": "it was a very", "typed": "goo"}',
  '{"context": "see you", "typed": "tom", "user": "load%d"}',
  '{"context": "see you tomorrow", "typed": "", "user": "load%d"}',
}
local requests = {}
local counter = 0
function init(args)
  local user = math.random(0, 7)
  for i, b in ipairs(bodies) do
    requests[i] = wrk.format("POST", "/v1/suggest", {["Content-Type"] = "application/json"},
                             string.format(b, user))
  end
end
function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.status + e.timeout))
end
EOF

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$pid/status"; }
failed=0
# run CONNECTIONS SECONDS: one wrk run and its table row.
run() {
  local c=$1 d=$2 threads=$(( $1 < 2 ? $1 : 2 ))
  local before after line
  before=$(rss_kib)
  line=$(wrk -t"$threads" -c"$c" -d"${d}s" --timeout 5s -s "$work/suggest.lua" "$url" | grep '^RESULT')
  after=$(rss_kib)
  # shellcheck disable=SC2086
  set -- $line
  local requests=${2#requests=} duration=${3#duration_us=} p50=${4#p50_us=} p99=${5#p99_us=} errors=${7#errors=}
  awk -v c="$c" -v n="$requests" -v us="$duration" -v p50="$p50" -v p99="$p99" -v e="$errors" \
      -v b="$before" -v a="$after" 'BEGIN {
    printf "| %3d | %9d | %8.0f | %7.2f | %7.2f | %6d | %6.1f -> %6.1f |\n",
           c, n, n / (us / 1e6), p50 / 1000, p99 / 1000, e, b / 1024, a / 1024 }'
  if [ "$errors" != 0 ] || [ "$requests" = 0 ]; then failed=1; fi
}

echo "hunch serve load test: $model, $(nproc) CPUs ($(lscpu | sed -n 's/^Model name:[ \t]*//p')), wrk on the same machine"
wrk -t2 -c64 -d1s -s "$work/suggest.lua" "$url" >/dev/null  # warm-up: every worker, session and user
echo "| connections | requests | req/s | p50 ms | p99 ms | errors | VmRSS MiB before -> after |"
echo "|---|---|---|---|---|---|---|"
for c in 1 8 64; do run "$c" "$secs"; done
if [ "$full" = 1 ]; then
  echo "soak: 8 connections until at least 100,000 requests"
  start_rss=$(rss_kib)
  total=0
  while [ "$total" -lt 100000 ]; do
    line=$(wrk -t2 -c8 -d30s --timeout 5s -s "$work/suggest.lua" "$url" | grep '^RESULT')
    n=$(echo "$line" | sed 's/.*requests=\([0-9]*\).*/\1/')
    e=$(echo "$line" | sed 's/.*errors=\([0-9]*\).*/\1/')
    total=$((total + n))
    [ "$e" = 0 ] || failed=1
    echo "  $total requests, VmRSS $(awk -v k="$(rss_kib)" 'BEGIN {printf "%.1f", k / 1024}') MiB"
  done
  echo "soak: $total requests; VmRSS $(awk -v k="$start_rss" 'BEGIN {printf "%.1f", k / 1024}') MiB before," \
       "$(awk -v k="$(rss_kib)" 'BEGIN {printf "%.1f", k / 1024}') MiB after; peak (VmHWM)" \
       "$(awk -v k="$(hwm_kib)" 'BEGIN {printf "%.1f", k / 1024}') MiB"
fi
echo "server peak RSS (VmHWM): $(awk -v k="$(hwm_kib)" 'BEGIN {printf "%.1f", k / 1024}') MiB"

kill -TERM "$pid"
for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  echo "load_test: the server did not stop within 30 s of SIGTERM" >&2
  exit 1
fi
wait "$pid" || { echo "load_test: the server exited with $?" >&2; cat "$work/err" >&2; exit 1; }
pid=""
[ "$failed" = 0 ] || { echo "load_test: requests failed (see the errors column)" >&2; exit 1; }
echo "load_test: OK"
