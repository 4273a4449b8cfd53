#!/usr/bin/env bash
# Measures the runtime's figures and rewrites the "Measured figures" section
# of README.md: library size (stripped), arena plans, per-step time of the
# reference kernels and the peak RSS of 10,000 steps. Run on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
out=out/figures
mkdir -p "$out"

strip -o "$out/libhunch.so" build/libhunch.so
lib_bytes=$(stat -c %s "$out/libhunch.so")
for w in float32 float16 int8 int4; do
  build/hunch synth -o "$out/gboard-$w.hunch" --weights "$w" >/dev/null
  build/hunch bench --model "$out/gboard-$w.hunch" --runs 10000 --json >"$out/bench-$w.json"
done
build/hunch synth -o "$out/small.hunch" --vocab 50 --embed 16 --units 24 --proj 16 >/dev/null
build/hunch inspect --json "$out/small.hunch" >"$out/small.json"
/usr/bin/time -v build/hunch_rss_steps "$out/gboard-int8.hunch" 10000 >"$out/rss.txt" 2>"$out/time.txt"

cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -n1)
python3 - "$out" "$lib_bytes" "$cpu" <<'PY'
import json, re, sys, datetime, platform
out, lib_bytes, cpu = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = []
for w in ["float32", "float16", "int8", "int4"]:
    b = json.load(open(f"{out}/bench-{w}.json"))
    rows.append(f"| {w} | {b['model_bytes']:,} | {b['arena_bytes']:,} | {b['state_bytes']:,} | "
                f"{b['step_us']['p50']:.1f} | {b['step_us']['p99']:.1f} | {b['init_us']:.0f} |")
small = json.load(open(f"{out}/small.json"))
time_txt = open(f"{out}/time.txt").read()
rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_txt).group(1))
model_bytes = json.load(open(f"{out}/bench-int8.json"))["model_bytes"]
target = model_bytes + 2 * 1024 * 1024
text = f"""Measured on {cpu}, {platform.system()} {platform.machine()}, {datetime.date.today()}, one thread, reference kernels
(no SIMD yet), by `scripts/runtime_figures.sh`.

* **Library size**: `strip -o libhunch.so build/libhunch.so` → **{lib_bytes:,} bytes** (x86-64, every builtin op).
* **Planned arena of the test model** (`hunch synth --vocab 50 --embed 16 --units 24 --proj 16`, the
  reference LM test's shape; `hunch inspect --json`): **{small['subgraphs'][0]['arena_bytes']:,} bytes**, state
  {small['subgraphs'][0]['state_bytes']:,} bytes.
* **Peak RSS**: `/usr/bin/time -v build/hunch_rss_steps gboard-int8.hunch 10000` (static binary: load the
  Gboard-size int8 model, run 10,000 steps) → **{rss_kb * 1024:,} bytes**; the target is the model file
  ({model_bytes:,} bytes) + 2 MiB = {target:,} bytes: **{"met" if rss_kb * 1024 <= target else "NOT met"}**.
* **Gboard-size CIFG-LSTM step** (vocab 10,000, embedding 96, 670 units, projection 96, tied output;
  random weights; `hunch bench --model gboard-W.hunch --runs 10000 --json`):

| weights | model bytes | arena bytes | state bytes | step p50 µs | step p99 µs | init µs |
|---|---|---|---|---|---|---|
""" + "\n".join(rows) + "\n"
readme = open("README.md").read()
readme = re.sub(r"<!-- figures:begin -->.*<!-- figures:end -->",
                "<!-- figures:begin -->\n" + text + "<!-- figures:end -->", readme, flags=re.S)
open("README.md", "w").write(readme)
print(text)
PY
