#!/usr/bin/env bash
# scripts/test_web.sh [BUILD_DIR]: the web page (web/) in a real browser.
# Installs what it needs (idempotent): Debian's chromium, nodejs and npm,
# emscripten (scripts/build_wasm.sh), and playwright-core from
# web/test/package-lock.json (npm ci; no browser download: the tests drive
# /usr/bin/chromium). Builds the WebAssembly engine into web/wasm/, then runs
# web/test/web_test.js: the page served by the real `hunch serve` of
# BUILD_DIR/hunch (default build/; built or brought up to date here), on-device
# from a static server, and from file://. Writes BUILD_DIR/web-screenshot.png and
# BUILD_DIR/web-latency.json. Bounded: each step under a time limit.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
# python3: the static server of README.md's on-device command, which the tests run.
scripts/apt_install.sh chromium python3
# Node.js 18+ and npm: Debian's unless a Node.js (with its npm) is already there.
command -v node >/dev/null || scripts/apt_install.sh nodejs
command -v npm >/dev/null || scripts/apt_install.sh npm
# The CLI under test, `hunch serve` included (libcpp-httplib-dev: scripts/deps.sh),
# brought up to date so that a stale binary is never what is tested.
scripts/deps.sh
[ -f "$build/CMakeCache.txt" ] || cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
timeout 1800 cmake --build "$build" --target hunch_cli -j"${JOBS:-2}"
timeout 1200 scripts/build_wasm.sh
timeout 300 npm ci --prefix web/test --no-audit --no-fund --loglevel=error
timeout 600 node web/test/web_test.js --hunch "$build/hunch" --model models/en.hunch --out "$build"
