#!/usr/bin/env bash
# Measures the runtime and the engine on this machine and writes this
# machine's section of docs/benchmarks.md (and the summary in README.md):
# library sizes (stripped), the planned arena, one LM step of the Gboard-size
# model per weight dtype with the reference and the optimized kernels, GEMV
# microbenchmarks, state save/restore, the peak RSS of 10,000 steps, the
# default model's Suggest per keystroke, Engine::Open and engine peak RSS
# (hunch bench), the Suggest and typo-correction latency of hunch eval at
# σ = 0.25 and 0.5, and (unless --no-arm64) the ARM64 cross build and unit
# tests under qemu. scripts/bench_report.py labels the figures with this CPU
# (lscpu: model name, family/model, ISA flags, L2 per core) and the kernel
# set, and leaves the sections of other machines as they are.
#
#   scripts/bench_report.sh [--no-arm64] [--jobs N]
#
# --no-arm64 keeps the ARM64 block of the doc as it is (the cross build is
# the longest part); --jobs: parallel build jobs (default: every CPU).
# Run it on an idle machine: the figures are medians of this machine's runs.
set -euo pipefail
cd "$(dirname "$0")/.."
arm64=1
jobs=$(nproc)
while [ $# -gt 0 ]; do
  case "$1" in
    --no-arm64) arm64=0 ;;
    --jobs) jobs=$2; shift ;;
    *) echo "usage: scripts/bench_report.sh [--no-arm64] [--jobs N]" >&2; exit 2 ;;
  esac
  shift
done
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs" --target hunch_cli hunch_bench hunch_rss_steps hunch_shared hunch_engine_shared >/dev/null
out=out/bench
rm -rf "$out"
mkdir -p "$out"
cat /proc/loadavg >"$out/loadavg.txt"

strip -o "$out/libhunch-x86_64.so" build/libhunch.so
strip -o "$out/libhunch_engine-x86_64.so" build/libhunch_engine.so
if [ "$arm64" = 1 ]; then
  scripts/test_arm64.sh >"$out/arm64-tests.txt" 2>&1
  aarch64-linux-gnu-strip -o "$out/libhunch-aarch64.so" build-arm64/libhunch.so
  aarch64-linux-gnu-strip -o "$out/libhunch_engine-aarch64.so" build-arm64/libhunch_engine.so
fi
for w in float32 float16 int8 int4; do
  build/hunch synth -o "$out/gboard-$w.hunch" --weights "$w" >/dev/null
  build/hunch bench --model "$out/gboard-$w.hunch" --runs 10000 --json >"$out/step-$w-auto.json"
  HUNCH_KERNELS=reference build/hunch bench --model "$out/gboard-$w.hunch" --runs 10000 --json \
    >"$out/step-$w-reference.json"
done
build/hunch synth -o "$out/small.hunch" --vocab 50 --embed 16 --units 24 --proj 16 >/dev/null
build/hunch inspect --json "$out/small.hunch" >"$out/small.json"
/usr/bin/time -v build/hunch_rss_steps "$out/gboard-int8.hunch" 10000 >"$out/rss.txt" 2>"$out/time.txt"
build/hunch_bench --benchmark_filter='BM_MatVec|BM_SaveRestoreState|BM_ModelOpen|BM_StreamRead|BM_LogSoftmax|BM_TopK' --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_format=json >"$out/gbench-auto.json" 2>/dev/null
HUNCH_KERNELS=reference build/hunch_bench --benchmark_filter='BM_MatVec|BM_LogSoftmax' --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_format=json >"$out/gbench-reference.json" 2>/dev/null

# The engine on the default model: 3 runs of hunch bench, 3 of hunch eval per noise level.
for i in 1 2 3; do
  build/hunch bench --model models/en.hunch --runs 10000 --json >"$out/engine-bench-$i.json"
  /usr/bin/python3 scripts/check_cli_json.py bench "$out/engine-bench-$i.json" >/dev/null
  for noise in 0.25 0.5; do
    build/hunch eval --model models/en.hunch --text data/test-public.tok --noise "$noise" --json \
      >"$out/eval-$noise-$i.json"
    /usr/bin/python3 scripts/check_cli_json.py eval "$out/eval-$noise-$i.json" >/dev/null
  done
done

# This CPU: lscpu's model name, vendor, family and model; the flags that
# choose a kernel set; L2 per core (getconf, else sysfs).
l2=$(getconf LEVEL2_CACHE_SIZE 2>/dev/null || true)
if ! [ "${l2:-0}" -gt 0 ] 2>/dev/null; then
  l2=$(cat /sys/devices/system/cpu/cpu0/cache/index2/size 2>/dev/null || echo 0)
  case "$l2" in
    *K) l2=$(( ${l2%K} * 1024 )) ;;
    *M) l2=$(( ${l2%M} * 1048576 )) ;;
    *[!0-9]*|'') l2=0 ;;
  esac
fi
/usr/bin/python3 - "$out/cpu.json" "$l2" "$(git rev-parse --short HEAD)" <<'PY'
import json, os, platform, re, subprocess, sys
lscpu = dict(re.findall(r"^([^:\n]+):\s*(.*)$", subprocess.run(["lscpu"], capture_output=True, text=True,
             env={**os.environ, "LC_ALL": "C"}).stdout, flags=re.M))
words = set(open("/proc/cpuinfo").read().split())
flags = [f for f in ("avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "neon", "asimd",
                     "asimddp") if f in words]
vendor = lscpu.get("Vendor ID", "unknown")
def num(v):
    try: return int(v, 0)
    except (TypeError, ValueError): return -1
json.dump({"model_name": lscpu.get("Model name", "unknown CPU"), "vendor": vendor,
           "vendor_short": {"AuthenticAMD": "amd", "GenuineIntel": "intel"}.get(vendor, vendor),
           "family": num(lscpu.get("CPU family")), "model": num(lscpu.get("Model")),
           "cpus": num(lscpu.get("CPU(s)")), "flags": flags, "l2_bytes": num(sys.argv[2]),
           "system": f"{platform.system()} {platform.machine()}", "commit": sys.argv[3]},
          open(sys.argv[1], "w"), indent=1)
PY
/usr/bin/python3 scripts/bench_report.py "$out"

# The peers on the same work, hunch with the shipped int8 model (needs the trained
# checkpoint and corpus in train/out, about 10 minutes; the Presage database is
# cached in out/peers/presage), then the peer table and the default model's
# quality table into docs/benchmarks.md.
if [ -f train/out/runs/gpu-ft/a.pt ] && [ -f train/out/model-a/lm.onnx ] && [ -f train/out/data/train.txt ]; then
  bench/peers/run_peers.sh --checkpoint train/out/runs/gpu-ft/a.pt --onnx train/out/model-a/lm.onnx \
    --train-text train/out/data/train.txt --test-file data/test-public.tok --out out/peers --hunch-bin build/hunch \
    --hunch-model models/en.hunch
fi
/usr/bin/python3 scripts/insert_peers.py out/peers
