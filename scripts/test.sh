#!/usr/bin/env bash
# Every test: the unit tests (Release), the same tests under AddressSanitizer
# and UndefinedBehaviorSanitizer, the C API smoke test, and a bounded libFuzzer
# run of the model loader. FUZZ_SECONDS sets the fuzzing time (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)

echo "== unit tests (Release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== unit tests (address,undefined sanitizers)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHUNCH_SANITIZE=address,undefined \
  -DHUNCH_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-asan -j"$jobs"
ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== fuzz the model loader"
scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
