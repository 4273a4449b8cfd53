#!/usr/bin/env bash
# Installs the Debian 12 packages hunch builds and tests with. Idempotent:
# packages already present are not fetched again.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libflatbuffers-dev flatbuffers-compiler libgtest-dev libgmock-dev
      libbenchmark-dev clang libclang-rt-14-dev time)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
