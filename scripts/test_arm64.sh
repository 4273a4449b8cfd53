#!/usr/bin/env bash
# ARM64: cross-compiles the library and the unit tests with Debian's
# g++-aarch64-linux-gnu and runs them under qemu-user-static, once per kernel
# variant: NEON with the dot-product extension (auto on qemu's "max" CPU),
# plain NEON (auto on a Cortex-A53, which lacks it), and the reference kernels.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/apt_install.sh g++-aarch64-linux-gnu qemu-user-static

cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
  -DHUNCH_GTEST_SOURCE_DIR=/usr/src/googletest -DHUNCH_BUILD_TOOLS=OFF -DHUNCH_BUILD_BENCHMARKS=OFF \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-arm64 -j"$(nproc)"
qemu=(qemu-aarch64-static -L /usr/aarch64-linux-gnu)

run() {  # run LABEL ENV...
  local label=$1
  shift
  echo "== arm64 unit tests: $label"
  env "$@" "${qemu[@]}" build-arm64/hunch_tests --gtest_brief=1
}
run "auto on qemu max (neon-dotprod)" QEMU_CPU=max
run "auto on cortex-a53 (neon)" QEMU_CPU=cortex-a53
run "forced reference" QEMU_CPU=max HUNCH_KERNELS=reference
# The C smoke test and the rest of ctest's list, through the cross emulator.
QEMU_CPU=max ctest --test-dir build-arm64 --output-on-failure -j"$(nproc)" -R 'make_fuzz_seeds|hunch_c_smoke'
