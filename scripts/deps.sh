#!/usr/bin/env bash
# Installs the Debian 12 packages hunch builds and tests with (idempotent).
set -euo pipefail
"$(dirname "$0")/apt_install.sh" build-essential cmake pkg-config libflatbuffers-dev flatbuffers-compiler \
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev time \
  libonnx-dev libprotobuf-dev nlohmann-json3-dev libcpp-httplib-dev wrk
