#!/usr/bin/env python3
"""Writes the figures scripts/bench_report.sh measured (OUT, default
out/bench) into docs/benchmarks.md and the summary in README.md.

docs/benchmarks.md keeps one section per kind of machine, between
<!-- machine:KEY:begin --> and <!-- machine:KEY:end -->, KEY naming the CPU
(vendor, model name, family and model: cpu.json). This script rewrites the
section of the CPU the figures were taken on (adding it when missing) and
leaves every other machine's section as it is. The ARM64 block (cross-built
library sizes, the unit tests under qemu) is rewritten only when OUT holds a
new ARM64 run (arm64-tests.txt).

    bench_report.py [OUT]
"""
import datetime
import json
import os
import re
import statistics
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "out", "bench")
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
README = os.path.join(ROOT, "README.md")

INTRO = """# Benchmarks

One section per kind of machine the figures were taken on: each names its CPU (model name, vendor
family and model, the ISA flags that choose a kernel set, L2 per core) and the kernel set the runtime
chose there (`hunch::ActiveKernelIsa()`, printed by `hunch bench`). `scripts/bench_report.sh` measures
the machine it runs on and rewrites that machine's section (`scripts/bench_report.py`), leaving the
others as they were; figures of different machines are not comparable with one another. Every figure
comes with the command that measured it; `out/bench/` holds the raw output of the last run.
"""


def load(name):
    with open(os.path.join(OUT, name), encoding="utf-8") as f:
        return json.load(f)


def size(name):
    return os.path.getsize(os.path.join(OUT, name))


def med(values):
    return statistics.median(values)


def put(doc, name, body, before=None):
    """doc with the block between <!-- name:begin/end --> set to body; a
    missing block goes before the marker `before` (else at the end)."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = f"{begin}\n{body.strip()}\n{end}"
    if begin in doc:
        return re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, doc, flags=re.S)
    if before and before in doc:
        i = doc.index(before)
        return doc[:i] + block + "\n\n" + doc[i:]
    return doc.rstrip() + "\n\n" + block + "\n"


def zen(vendor, family, model):
    """The AMD core generation of a family/model pair, where it is known."""
    if vendor != "AuthenticAMD":
        return ""
    if family == 23:
        return "Zen / Zen 2"
    if family == 25:
        return "Zen 3" if model < 0x10 or 0x20 <= model < 0x60 else "Zen 4"
    if family == 26:
        return "Zen 5"
    return ""


def headline_isa(flags):
    for flag, name in (("avx512_vnni", "AVX-512 VNNI"), ("avx512f", "AVX-512"), ("avx2", "AVX2"),
                       ("asimddp", "NEON dot-product"), ("asimd", "NEON")):
        if flag in flags:
            return name
    return "no SIMD kernel set"


def main():
    cpu = load("cpu.json")
    flags = cpu["flags"]
    gen = zen(cpu["vendor"], cpu["family"], cpu["model"])
    name = cpu["model_name"]
    if not name.lower().startswith(cpu["vendor_short"].lower()):
        name = f"{cpu['vendor_short']} {name}"
    key = re.sub(r"[^a-z0-9]+", "-", f"{name} family{cpu['family']} model{cpu['model']}".lower()).strip("-")
    title = (f"{cpu['model_name']}, family {cpu['family']} model {cpu['model']}"
             f"{' (' + gen + ')' if gen else ''}: {headline_isa(flags)}")
    l2 = f"{cpu['l2_bytes'] // 1024} KiB" if cpu["l2_bytes"] > 0 else "unknown size"
    cpu_line = (f"{cpu['model_name']} ({cpu['vendor']}, family {cpu['family']}, model {cpu['model']}"
                f"{', ' + gen if gen else ''}), {cpu['cpus']} CPUs, {l2} of L2 per core; ISA flags: "
                f"{' '.join(flags) if flags else 'none of those that choose a kernel set'}; {cpu['system']}")

    int8, f32 = load("step-int8-auto.json"), load("step-float32-auto.json")
    isa = int8["kernels"]
    lib_x86, eng_x86 = size("libhunch-x86_64.so"), size("libhunch_engine-x86_64.so")
    small = load("small.json")["subgraphs"][0]
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                           open(os.path.join(OUT, "time.txt")).read()).group(1))
    model_bytes = int8["model_bytes"]
    target = model_bytes + 2 * 1024 * 1024

    def bench_rows(name):
        return {b["run_name"]: b for b in load(name)["benchmarks"] if b.get("aggregate_name") == "median"}

    auto, ref = bench_rows("gbench-auto.json"), bench_rows("gbench-reference.json")
    names = {0: "float32", 1: "float16", 2: "int8", 3: "int4"}
    stream = {}
    for run, b in auto.items():
        m = re.match(r"BM_StreamRead/(\d)", run)
        if m:
            stream[names[int(m.group(1))]] = (b["real_time"] / 1000, b.get("bytes_per_second", 0) / 1e9)
    rows = []
    for w in ["float32", "float16", "int8", "int4"]:
        a, r = load(f"step-{w}-auto.json"), load(f"step-{w}-reference.json")
        floor = stream.get(w, (float("nan"), 0))[0]
        rows.append(f"| {w} | {a['model_bytes']:,} | {r['step_us']['p50']:.1f} | {a['step_us']['p50']:.1f} | "
                    f"{a['step_us']['p99']:.1f} | {r['step_us']['p50'] / a['step_us']['p50']:.1f}x | {floor:.1f} |")
    gbps = stream.get("int8", (0, 0))[1]
    gemv = []
    for run, b in auto.items():
        m = re.match(r"BM_MatVec/(\d)/(\d+)/(\d+)", run)
        if not m:
            continue
        rb = ref.get(run)
        gemv.append((names[int(m.group(1))], int(m.group(2)), int(m.group(3)),
                     rb["real_time"] / 1000 if rb else float("nan"), b["real_time"] / 1000))
    gemv_rows = "\n".join(f"| {d} | {r} x {c} | {rt:.2f} | {at:.2f} | {rt / at:.1f}x |" for d, r, c, rt, at in gemv)
    save = next((b for k, b in auto.items() if k.startswith("BM_SaveRestoreState")), None)
    opn = next((b for k, b in auto.items() if k.startswith("BM_ModelOpen")), None)

    def us(table, run):
        b = table.get(run)
        return b["real_time"] / 1000 if b else float("nan")

    other_rows = "\n".join([
        f"| log-softmax, 10,000 logits (`BM_LogSoftmax/10000`) | {us(ref, 'BM_LogSoftmax/10000'):.2f} | "
        f"{us(auto, 'BM_LogSoftmax/10000'):.2f} |",
        f"| log-softmax, 50,000 logits | {us(ref, 'BM_LogSoftmax/50000'):.2f} | {us(auto, 'BM_LogSoftmax/50000'):.2f} |",
    ] + [f"| TOPK op, n = {n:,}, k = {k} (`BM_TopK/{n}/{k}`) | | {us(auto, f'BM_TopK/{n}/{k}'):.2f} |"
         for n, k in [(10000, 3), (10000, 32), (10000, 100), (50000, 3)]])

    # The engine on the default model: hunch bench (3 runs) and hunch eval (3 runs per noise level).
    eb = [load(f) for f in sorted(os.listdir(OUT)) if re.fullmatch(r"engine-bench-\d+\.json", f)]
    ev = {}
    for f in sorted(os.listdir(OUT)):
        m = re.fullmatch(r"eval-([0-9.]+)-\d+\.json", f)
        if m:
            ev.setdefault(m.group(1), []).append(load(f))
    en_bytes = eb[0]["model_bytes"]
    en_target = en_bytes + 3 * 1024 * 1024
    e_peak = med([b["engine_peak_rss_bytes"] for b in eb])
    e_delta = med([b["engine_rss_delta_bytes"] for b in eb])
    e_base = med([b["engine_baseline_rss_bytes"] for b in eb])

    def pcts(runs, key, names=("p50", "p95", "p99", "max")):
        return " / ".join(f"{med([r[key][n] for r in runs]):,.0f}" for n in names)

    eval_rows = []
    for noise in sorted(ev, key=float):
        runs = ev[noise]
        cmd = f"`hunch eval --model models/en.hunch --text data/test-public.tok --noise {noise} --json`"
        if noise == sorted(ev, key=float)[0]:
            eval_rows.append(f"| Suggest, every call of the eval (keystroke trace and typo correction, "
                             f"{runs[0]['latency_us']['calls']:,} calls) | {pcts(runs, 'latency_us')} | {cmd} |")
        eval_rows.append(f"| typo correction at σ = {noise} key ({runs[0]['typo_latency_us']['calls']:,} calls) | "
                         f"{pcts(runs, 'typo_latency_us')} | {cmd} |")
    today = datetime.date.today()
    load_avg = open(os.path.join(OUT, "loadavg.txt")).read().split()[:3]

    section = f"""## {title}

CPU: {cpu_line}. Kernel set in use: **{isa}**; "reference" rows force `HUNCH_KERNELS=reference`.
Generated by `scripts/bench_report.sh` on {today} at commit {cpu['commit']}, one thread; load average
at the start {' '.join(load_avg)} on {cpu['cpus']} CPUs. Step times are medians (p50) and p99 over 10,000
consecutive steps (`hunch bench --runs 10000`); microbenchmarks are medians of 5 Google Benchmark
repetitions; the engine and eval figures are medians of 3 runs. On a shared machine p99 and max include
scheduling noise.

### Size

| library | stripped bytes | target |
|---|---|---|
| `libhunch.so` x86-64 (every builtin op, reference + optimized kernels) | {lib_x86:,} | ≤ 250 KB |
| `libhunch_engine.so` x86-64 (keyboard engine, tokenizer, JSON; links `libhunch.so`) | {eng_x86:,} | |

Command: `strip -o libhunch.so build/libhunch.so` (the same for `libhunch_engine.so`).

### One LM step, Gboard-size model

CIFG-LSTM, vocab 10,000, embedding 96, 670 units, projection 96, output tied to the embedding
(1,422,250 parameters), random weights (`hunch synth --weights W`), token in, log-probabilities over
the whole vocabulary out. Command: `hunch bench --model gboard-W.hunch --runs 10000 --json`
(`HUNCH_KERNELS=reference` for the reference column).

| weights | model bytes | reference p50 µs | {isa} p50 µs | {isa} p99 µs | speed-up | read floor µs |
|---|---|---|---|---|---|---|
""" + "\n".join(rows) + f"""

"Read floor" is `BM_StreamRead` (`hunch_bench --benchmark_filter=BM_StreamRead`): one `memchr` scan over
as many bytes as the model file, so the time merely to read every weight once at this machine's cache
bandwidth ({gbps:.0f} GB/s for the int8 size; {l2} of L2 per core). On an idle machine a step cannot be
faster than its floor; on a loaded one (the load average above) the two are measured at different
moments and need not agree.

Targets: int8 ≤ 25 µs, float32 ≤ 150 µs.

Arena of that model: {int8['arena_bytes']:,} bytes; state {int8['state_bytes']:,} bytes (`hunch bench`). Arena of
the reference-test-sized model (`hunch synth --vocab 50 --embed 16 --units 24 --proj 16`, `hunch inspect
--json`): {small['arena_bytes']:,} bytes.

### Memory

`/usr/bin/time -v build/hunch_rss_steps gboard-int8.hunch 10000` (a statically linked process that maps
the int8 model and runs 10,000 steps): peak RSS **{rss_kb * 1024:,} bytes**; target model file
({model_bytes:,} bytes) + 2 MiB = {target:,} bytes: **{"met" if rss_kb * 1024 <= target else "not met"}**.
The `hunch` CLI itself peaks at {int8['peak_rss_bytes']:,} bytes in `hunch bench --model gboard-int8.hunch
--runs 10000`.

### GEMV (`hunch_bench --benchmark_filter=BM_MatVec --benchmark_repetitions=5`)

| weights | rows x cols | reference µs | {isa} µs | speed-up |
|---|---|---|---|---|
{gemv_rows}

### Other kernels (`hunch_bench --benchmark_repetitions=5`)

| workload | reference µs | {isa} µs |
|---|---|---|
{other_rows}

SaveState + RestoreState of the Gboard model ({int(save['state_bytes']) if save else 0:,} bytes,
`BM_SaveRestoreState`): {(save['real_time'] if save else float('nan')):.0f} ns; Model::FromBuffer +
Interpreter::Create of the int8 model (`BM_ModelOpen`): {(opn['real_time'] / 1000 if opn else float('nan')):.1f} µs.

### The keyboard engine on the default model (`models/en.hunch`, {en_bytes:,} bytes)

| figure | median of 3 runs | command |
|---|---|---|
| LM step of this model (its own weights, the {eb[0].get('kernels', isa)} kernels), p50 / p99 µs | {med([b['step_us']['p50'] for b in eb]):.1f} / {med([b['step_us']['p99'] for b in eb]):.1f} | `hunch bench --model models/en.hunch --runs 10000 --json` |
| Suggest per keystroke of the built-in trace, p50 / p99 µs | {med([b['keystroke_us']['p50'] for b in eb]):.1f} / {med([b['keystroke_us']['p99'] for b in eb]):.1f} | the same |
| `Engine::Open` (median of 5 opens per run), µs | {med([b['engine_open_us'] for b in eb]):,.0f} | the same |
| peak RSS (VmHWM) of a process that opens the engine and types the trace | {e_peak:,.0f} bytes | the same (`hunch bench --rss-child`) |
| that process before the open (VmRSS: the `hunch` CLI, its libraries) | {e_base:,.0f} bytes | the same |
| the engine's share: peak − before | {e_delta:,.0f} bytes; model file + 3 MiB = {en_target:,} bytes: **{"met" if e_delta <= en_target else "not met"}** | the same |

Latency in `hunch eval` on the public test file (wall time per call, µs, p50 / p95 / p99 / max):

| calls | p50 / p95 / p99 / max µs | command |
|---|---|---|
""" + "\n".join(eval_rows) + "\n"

    doc = open(DOC, encoding="utf-8").read() if os.path.exists(DOC) else ""
    first = re.search(r"<!-- (machine:|arm64:|quality:|peers:)", doc)
    doc = INTRO + "\n" + (doc[first.start():] if first else "")
    doc = put(doc, f"machine:{key}", section, before="<!-- arm64:begin -->")

    arm64_txt = os.path.join(OUT, "arm64-tests.txt")
    if os.path.exists(arm64_txt):
        arm = open(arm64_txt).read()
        arm_lines = [l for l in arm.splitlines()
                     if l.startswith("== arm64") or "PASSED" in l or "FAILED" in l or "tests passed" in l]
        lib_arm, eng_arm = size("libhunch-aarch64.so"), size("libhunch_engine-aarch64.so")
        doc = put(doc, "arm64", f"""## ARM64: cross build and unit tests under qemu

Generated by `scripts/bench_report.sh` on {today} at commit {cpu['commit']} (`scripts/test_arm64.sh`:
Debian's g++-aarch64-linux-gnu, qemu-user-static; no ARM64 timing figures).

| library | stripped bytes | target |
|---|---|---|
| `libhunch.so` ARM64 (every builtin op, reference + NEON + NEON dot-product kernels) | {lib_arm:,} | ≤ 250 KB |
| `libhunch_engine.so` ARM64 | {eng_arm:,} | |

Command: `aarch64-linux-gnu-strip -o libhunch.so build-arm64/libhunch.so` (the same for `libhunch_engine.so`).

```
""" + "\n".join(arm_lines) + "\n```\n", before="<!-- quality:begin -->")
    with open(DOC + ".tmp", "w", encoding="utf-8") as f:
        f.write(doc)
    os.replace(DOC + ".tmp", DOC)

    # README: this machine's figures; the ARM64 sizes from the doc's ARM64 block.
    arm_block = re.search(r"<!-- arm64:begin -->.*?<!-- arm64:end -->", doc, flags=re.S)
    arm_sizes = re.findall(r"\| `(libhunch(?:_engine)?\.so)` ARM64[^|]*\| ([0-9,]+) \|",
                           arm_block.group(0) if arm_block else "")
    arm = dict(arm_sizes)
    summary = f"""From `docs/benchmarks.md` ({today}, {cpu['model_name']} family {cpu['family']} model {cpu['model']}, \
{isa} kernels, one thread, `scripts/bench_report.sh`):

| | figure |
|---|---|
| `libhunch.so` stripped, x86-64 / ARM64 | {lib_x86:,} / {arm.get('libhunch.so', 'n/a')} bytes |
| `libhunch_engine.so` stripped, x86-64 / ARM64 | {eng_x86:,} / {arm.get('libhunch_engine.so', 'n/a')} bytes |
| Gboard-size LM step, int8 weights ({isa}) | p50 {int8['step_us']['p50']:.1f} µs (reading its weights alone: {stream.get('int8', (float('nan'), 0))[0]:.1f} µs) |
| Gboard-size LM step, float32 weights ({isa}) | p50 {f32['step_us']['p50']:.1f} µs |
| planned arena, Gboard-size model / reference-test model | {int8['arena_bytes']:,} / {small['arena_bytes']:,} bytes |
| peak RSS, 10,000 int8 steps (`hunch_rss_steps`) | {rss_kb * 1024:,} bytes (model file {model_bytes:,} bytes) |
| default model: LM step p50 ({eb[0].get('kernels', isa)}) | {med([b['step_us']['p50'] for b in eb]):.1f} µs |
| default model: Suggest per keystroke p50 / p99; `Engine::Open` | {med([b['keystroke_us']['p50'] for b in eb]):.0f} / {med([b['keystroke_us']['p99'] for b in eb]):.0f} µs; {med([b['engine_open_us'] for b in eb]):,.0f} µs |
"""
    readme = open(README, encoding="utf-8").read()
    readme = re.sub(r"<!-- figures:begin -->.*<!-- figures:end -->",
                    lambda _: "<!-- figures:begin -->\n" + summary + "<!-- figures:end -->", readme, flags=re.S)
    with open(README + ".tmp", "w", encoding="utf-8") as f:
        f.write(readme)
    os.replace(README + ".tmp", README)
    print(f"updated {DOC} (section machine:{key}) and {README}")


if __name__ == "__main__":
    main()
