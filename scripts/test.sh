#!/usr/bin/env bash
# Every test: the unit tests (Release), eval/bench of the default model, a
# short load test of hunch serve, the web page in headless Chromium
# (scripts/test_web.sh), the installed package and examples, the PyTorch
# parity of the toolchain, the
# same unit tests under AddressSanitizer
# and UndefinedBehaviorSanitizer, the C API smoke test, bounded libFuzzer
# runs of the model loader and of the engine (scripts/fuzz.sh), the ARM64
# build and tests under qemu, and the Python tests of train/. FUZZ_SECONDS
# sets each fuzzer's time (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)

echo "== unit tests (Release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== the default model: eval and bench JSON (issue 6 keys, finite and plausible numbers)"
build/hunch eval --model models/en.hunch --text data/test-public.tok --max-tokens 400 --json > build/eval-small.json
/usr/bin/python3 scripts/check_cli_json.py eval build/eval-small.json
build/hunch eval --model models/en.hunch --text data/test-public.tok --max-tokens 200 --report build/eval-report >/dev/null
test -s build/eval-report/index.html
build/hunch bench --model models/en.hunch --runs 500 --json > build/bench-small.json
/usr/bin/python3 scripts/check_cli_json.py bench build/bench-small.json

echo "== hunch serve under load: wrk at 1, 8 and 64 connections, no error (scripts/load_test.sh, ~20 s)"
scripts/load_test.sh build

echo "== web page: WebAssembly build, headless Chromium (served and on-device)"
JOBS="$jobs" scripts/test_web.sh build

echo "== install: CMake package, pkg-config, examples/ against the installed library"
scripts/test_install.sh build

echo "== toolchain parity: train -> ONNX -> hunch convert -> hunch quantize vs PyTorch"
scripts/train_deps.sh
scripts/parity.sh build

echo "== peers: PyTorch, ONNX Runtime, Presage, Hunspell on a CI-sized run (bench/peers)"
/usr/bin/python3 -m unittest discover -s bench/peers/tests
bench/peers/run_peers.sh --small --out out/peers-small --hunch-bin build/hunch --hunch-model models/en.hunch

echo "== unit tests (address,undefined sanitizers)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHUNCH_SANITIZE=address,undefined \
  -DHUNCH_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-asan -j"$jobs"
ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== fuzz the model loader and the engine"
scripts/fuzz.sh "${FUZZ_SECONDS:-60}"

echo "== ARM64 (cross-compiled, qemu-user)"
scripts/test_arm64.sh

echo "== train/ (Python)"
/usr/bin/python3 -m unittest discover -s train/tests
