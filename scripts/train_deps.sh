#!/usr/bin/env bash
# Installs the Debian 12 packages the Python training side (train/) runs with.
# Idempotent: packages already present are not fetched again. The Python
# modules are Debian's, so run train/ with /usr/bin/python3. npm (for
# `train/data.py`, which runs `npm pack`) is installed too when missing.
set -euo pipefail
pkgs=(python3-torch python3-onnx python3-numpy python3-tqdm libopenblas0-pthread fortunes)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "train_deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
