#!/usr/bin/env bash
# Fuzzes, with libFuzzer under AddressSanitizer and UndefinedBehaviorSanitizer:
#   1. model_fuzzer: the model loader, planner, interpreter and kernels
#      (tests/fuzz/fuzz_model.h), on .hunch files;
#   2. engine_fuzzer: the keyboard engine on the default model, models/en.hunch
#      (tests/fuzz/engine_fuzz_harness.h: Suggest, ScoreNextToken, Learn,
#      LearnWord, LearnTouches, the user model, Reset, EngineOptions, layouts,
#      the C API),
#      checking the invariants the API promises;
#   3. sections_fuzzer: the engine's binary sections (lexicon.bin, emoji.bin)
#      patched from valid ones (tests/fuzz/fuzz_sections.h).
#
#   scripts/fuzz.sh [SECONDS]      (default 60: each fuzzer runs SECONDS)
#
# Builds build-fuzz/ with clang. model_fuzzer: writes the seed corpus (valid
# small models using every builtin op), adds the saved crash inputs of
# tests/fuzz/regressions/ and runs for SECONDS. engine_fuzzer: first replays
# every input of tests/fuzz/engine_regressions/ once, then fuzzes for SECONDS
# from the seeds of tests/fuzz/engine_seeds/ (the layout of an input is in
# engine_fuzz_harness.h). Exits non-zero on any crash, leak, sanitizer
# report, violated invariant, timeout or out-of-memory; the reproducer is
# left in build-fuzz/artifacts/ (model) or build-fuzz/engine_artifacts/
# (engine); rerun it with build-fuzz/model_fuzzer FILE or
# build-fuzz/engine_fuzzer FILE. The corpora grow in build-fuzz/corpus/ and
# build-fuzz/engine_corpus/.
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
cmake --build "$build" -j"$(nproc)" --target model_fuzzer engine_fuzzer sections_fuzzer make_fuzz_seeds

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# ---- the model loader
mkdir -p "$build/seeds" "$build/corpus" "$build/artifacts"
"$build/make_fuzz_seeds" "$build/seeds" >/dev/null

echo "fuzz: running model_fuzzer for ${seconds}s"
"$build/model_fuzzer" "$build/corpus" "$build/seeds" tests/fuzz/regressions \
  -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=30 \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1
echo "fuzz: model_fuzzer: no crash in ${seconds}s"

# ---- the engine
mkdir -p "$build/engine_corpus" "$build/engine_artifacts"
engine_flags=(-max_len=16384 -rss_limit_mb=2048 -timeout=20 -artifact_prefix="$build/engine_artifacts/")
regressions=(tests/fuzz/engine_regressions/*)
if [ -e "${regressions[0]}" ]; then
  echo "fuzz: engine_fuzzer: replaying ${#regressions[@]} saved inputs of tests/fuzz/engine_regressions/"
  "$build/engine_fuzzer" "${engine_flags[@]}" "${regressions[@]}"
fi
echo "fuzz: running engine_fuzzer for ${seconds}s"
"$build/engine_fuzzer" "$build/engine_corpus" tests/fuzz/engine_seeds tests/fuzz/engine_regressions \
  "${engine_flags[@]}" -max_total_time="$seconds" -print_final_stats=1
echo "fuzz: engine_fuzzer: no crash in ${seconds}s"

# ---- the engine's binary sections
mkdir -p "$build/sections_corpus" "$build/sections_artifacts"
echo "fuzz: running sections_fuzzer for ${seconds}s"
"$build/sections_fuzzer" "$build/sections_corpus" -max_len=4096 -rss_limit_mb=2048 -timeout=20 \
  -artifact_prefix="$build/sections_artifacts/" -max_total_time="$seconds" -print_final_stats=1
echo "fuzz: sections_fuzzer: no crash in ${seconds}s"
