#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install the dependencies, build
# hunch (Release), write the Gboard-size int8 language model with random
# weights, show its structure and run it 10,000 steps.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
mkdir -p out
build/hunch synth -o out/gboard-int8.hunch --weights int8
build/hunch inspect out/gboard-int8.hunch
build/hunch bench --model out/gboard-int8.hunch --runs 10000
