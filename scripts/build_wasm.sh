#!/usr/bin/env bash
# scripts/build_wasm.sh: the engine and its C API as WebAssembly for the web
# page, with Debian's emscripten (installed here when missing).
#   build-wasm/          the emscripten build (cmake/wasm/CMakeLists.txt)
#   web/wasm/            what the page loads on-device: hunch.js, hunch.wasm,
#                        en.hunch (the default model), and hunch.wasm.js /
#                        en.hunch.js, the same two binaries as base64 scripts
#                        for a page opened from file:// (which cannot fetch)
# JOBS sets the build's parallel jobs (default 2). Prints the .wasm size.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/apt_install.sh emscripten cmake flatbuffers-compiler libflatbuffers-dev coreutils
# emscripten's JavaScript optimizer needs acorn, which Debian installs as a
# Node module under /usr/share/nodejs.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
# Debian's emscripten ships its system libraries (libc, libc++) prebuilt in
# a frozen cache (/usr/share/emscripten/cache): the flags below need nothing
# else built.
emcmake cmake -S cmake/wasm -B build-wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-wasm -j"${JOBS:-2}"

out=web/wasm
mkdir -p "$out"
cp build-wasm/hunch.js build-wasm/hunch.wasm "$out/"
cp models/en.hunch "$out/en.hunch"
{ printf 'window.HUNCH_WASM_BASE64 = "'; base64 -w0 "$out/hunch.wasm"; printf '";\n'; } > "$out/hunch.wasm.js"
{ printf 'window.HUNCH_MODEL_BASE64 = "'; base64 -w0 "$out/en.hunch"; printf '";\n'; } > "$out/en.hunch.js"
echo "build_wasm: $out/hunch.wasm $(stat -c %s "$out/hunch.wasm") bytes ($(gzip -9c "$out/hunch.wasm" | wc -c) gzipped)," \
     "hunch.js $(stat -c %s "$out/hunch.js") bytes, en.hunch $(stat -c %s "$out/en.hunch") bytes"
