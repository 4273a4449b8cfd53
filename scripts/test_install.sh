#!/usr/bin/env bash
# Installs a built tree into a temporary prefix, then builds examples/
# against the installed package two ways (CMake find_package, pkg-config)
# and runs them, and the installed CLI, on the installed default model.
#   scripts/test_install.sh [BUILD_DIR]      (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
model="$prefix/share/hunch/en.hunch"
test -f "$model" || { echo "test_install: $model was not installed" >&2; exit 1; }
libdir=$(dirname "$(find "$prefix" -name libhunch.so -print -quit)")
export LD_LIBRARY_PATH="$libdir"

cmake -S examples -B "$work/examples" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/examples" -j"$(nproc)" >/dev/null
PKG_CONFIG_PATH="$libdir/pkgconfig" cc -std=c99 -Wall -pedantic-errors examples/suggest.c \
  $(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs hunch) -o "$work/suggest_pkgconfig"

for exe in "$work/examples/suggest_cpp" "$work/examples/suggest_c" "$work/suggest_pkgconfig"; do
  out=$("$exe" "$model" "I will see you" "tom")
  echo "$(basename "$exe"): $(echo "$out" | tr '\n' ' ')"
  echo "$out" | grep -qi '^tom' || { echo "test_install: $exe gave no completion of 'tom'" >&2; exit 1; }
done
"$prefix/bin/hunch" suggest --model "$model" --typed tom I will see you >/dev/null
echo "test_install: OK (prefix layout, find_package, pkg-config, CLI)"
