#!/usr/bin/env bash
# Installs the Debian 12 packages the Python training side (train/) runs with.
# Idempotent: packages already present are not fetched again. The Python
# modules are Debian's, so run train/ with /usr/bin/python3. npm (for
# `train/data.py`, which runs `npm pack`) is installed too when missing.
set -euo pipefail
pkgs=(python3-torch python3-onnx python3-numpy python3-tqdm libopenblas0-pthread fortunes wamerican scowl)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
"$(dirname "$0")/apt_install.sh" "${pkgs[@]}"
