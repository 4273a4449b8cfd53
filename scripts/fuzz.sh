#!/usr/bin/env bash
# Fuzzes the model loader, planner, interpreter and kernels with libFuzzer
# under AddressSanitizer and UndefinedBehaviorSanitizer.
#
#   scripts/fuzz.sh [SECONDS]      (default 60)
#
# Builds build-fuzz/ with clang, writes the seed corpus (valid small models
# using every builtin op), adds the saved crash inputs of
# tests/fuzz/regressions/, and runs model_fuzzer for SECONDS. Exits non-zero
# on any crash, leak, sanitizer report, timeout or out-of-memory; the
# reproducer is left in build-fuzz/artifacts/ (rerun it with
# build-fuzz/model_fuzzer FILE). The corpus grows in build-fuzz/corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
case "$seconds" in (''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2;; esac

# clang and its runtime libraries (libFuzzer, sanitizers).
scripts/apt_install.sh clang libclang-rt-14-dev

build=build-fuzz
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DHUNCH_BUILD_FUZZERS=ON -DHUNCH_SANITIZE=address,undefined \
  -DHUNCH_BUILD_TESTS=OFF -DHUNCH_BUILD_BENCHMARKS=OFF -DHUNCH_BUILD_TOOLS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target model_fuzzer make_fuzz_seeds

mkdir -p "$build/seeds" "$build/corpus" "$build/artifacts"
"$build/make_fuzz_seeds" "$build/seeds" >/dev/null

echo "fuzz: running model_fuzzer for ${seconds}s"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
"$build/model_fuzzer" "$build/corpus" "$build/seeds" tests/fuzz/regressions \
  -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=30 \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1
echo "fuzz: no crash in ${seconds}s"
