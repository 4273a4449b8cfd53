#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install the dependencies, build
# hunch (Release) and show suggestions from the default model
# (models/en.hunch); on a terminal, then start `hunch repl`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
echo
echo '$ build/hunch suggest --typed tom "I will see you"'
build/hunch suggest --typed tom "I will see you"
echo
echo '$ build/hunch suggest "Thanks for the"'
build/hunch suggest "Thanks for the"
echo
echo '$ build/hunch suggest --typed tge --complete "I think"      # a typo'
build/hunch suggest --typed tge --complete "I think"
if [ -t 0 ] && [ -t 1 ]; then
  echo
  build/hunch repl
fi
