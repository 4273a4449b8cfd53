#!/usr/bin/env bash
# Every test: the unit tests (Release), the same tests under AddressSanitizer
# and UndefinedBehaviorSanitizer, the C API smoke test, a bounded libFuzzer
# run of the model loader, the ARM64 build and tests under qemu, and the
# Python tests of train/. FUZZ_SECONDS sets the fuzzing time (default 60).
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

echo "== ARM64 (cross-compiled, qemu-user)"
scripts/test_arm64.sh

echo "== train/ (Python)"
scripts/train_deps.sh
/usr/bin/python3 -m unittest discover -s train/tests
