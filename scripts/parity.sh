#!/usr/bin/env bash
# PyTorch parity of the whole toolchain, from training to the runtime:
#   1. trains a tiny CIFG-LSTM with train/train.py on a small text (train/tests/_common.py's
#      TINY_TEXT) for a few dozen steps,
#   2. exports it with train/export.py (lm.onnx + lm.ref.json / lm.ref.npy: PyTorch's
#      log-probabilities for 50 tokens, state carried),
#   3. converts it with `hunch convert`,
#   4. runs the .hunch model on the same 50 tokens (hunch_parity_check) and requires
#      max |log_prob(hunch) - log_prob(PyTorch)| <= 1e-4 (and the final state within 1e-4),
#   5. when the build has `hunch quantize`: quantizes the weights to int8 and requires
#      top-1 agreement with the float model >= 99% over the 50 steps and a perplexity
#      increase on the reference tokens <= 2%,
#   6. back to PyTorch (train/from_hunch.py, fine-tuning a .hunch model): the float32 model's
#      weights equal the trained checkpoint's exactly, the int8 model's are within half a
#      quantization step, and train.py --init trains from the int8 model's checkpoint.
#
#   scripts/parity.sh [BUILD_DIR]     (default: build; configured and built if needed)
#
# PARITY_MODEL=path/to/lm.onnx skips steps 1-2 and checks that model (its
# lm.ref.json must lie beside it), e.g. train/out/model-a/lm.onnx.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
PY=/usr/bin/python3

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -j"$(nproc)" --target hunch_cli hunch_parity_check >/dev/null

work=$(mktemp -d /tmp/hunch_parity.XXXXXX)
trap 'rm -rf "$work"' EXIT

if [ -n "${PARITY_MODEL:-}" ]; then
  onnx="$PARITY_MODEL"
  ref="${onnx%.onnx}.ref.json"
else
  echo "parity: training a tiny CIFG-LSTM (train/train.py)"
  $PY - "$work" <<'EOF'
import os, sys
sys.path.insert(0, "train/tests")
import _common
d = sys.argv[1]
lines = _common.TINY_TEXT.splitlines()
with open(os.path.join(d, "train.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
with open(os.path.join(d, "valid.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(lines[:16]) + "\n")
EOF
  $PY train/tokenizer.py build --train "$work/train.txt" --out "$work/vocab" --vocab-size 64 >/dev/null
  $PY train/train.py --train "$work/train.txt" --valid "$work/valid.txt" --vocab "$work/vocab/vocab.txt" \
    --out "$work/run" --cell cifg --embed 16 --units 32 --proj 16 --batch-size 4 --bptt 8 --lr 0.02 \
    --warmup-steps 10 --max-steps 40 --epochs 50 --dropout 0 --threads 1 --seed 7 --no-progress \
    --checkpoint-every 0 --log-every 20 >"$work/train.log" 2>&1 || { cat "$work/train.log"; exit 1; }
  $PY train/export.py --checkpoint "$work/run/best.pt" --out "$work/model/lm.onnx" 2>&1 | grep -v -i warn || true
  onnx="$work/model/lm.onnx"
  ref="$work/model/lm.ref.json"
  [ -f "$onnx" ] && [ -f "$ref" ] || { echo "parity: export failed" >&2; exit 1; }
fi

echo "parity: hunch convert $onnx"
"$build/hunch" convert "$onnx" -o "$work/lm.hunch"
"$build/hunch_parity_check" --model "$work/lm.hunch" --ref "$ref" --tol 1e-4

if "$build/hunch" --help 2>/dev/null | grep -q '^  quantize '; then
  echo "parity: hunch quantize --weights int8"
  "$build/hunch" quantize "$work/lm.hunch" -o "$work/lm.int8.hunch" --weights int8
  "$build/hunch_parity_check" --model "$work/lm.hunch" --ref "$ref" --tol 1e-4 \
    --quantized "$work/lm.int8.hunch" --min-top1 0.99 --max-ppl-increase 0.02
else
  echo "parity: this build has no 'hunch quantize'; int8 stage skipped"
fi
if [ -z "${PARITY_MODEL:-}" ] && [ -f "$work/lm.int8.hunch" ]; then
  echo "parity: train/from_hunch.py (the .hunch weights back into a training checkpoint)"
  for m in lm lm.int8; do
    $PY train/from_hunch.py "$work/$m.hunch" --out "$work/$m.pt" --vocab-dir "$work/$m.vocab" \
      --hunch "$build/hunch" >/dev/null
  done
  $PY - "$work" <<'EOF'
import sys, torch
d = sys.argv[1]
best = torch.load(f"{d}/run/best.pt", map_location="cpu")
trained = best["model"]
f32 = torch.load(f"{d}/lm.pt", map_location="cpu")
q8 = torch.load(f"{d}/lm.int8.pt", map_location="cpu")["model"]
assert f32["vocab"] == best["vocab"], "vocabulary differs"
assert set(trained) == set(f32["model"]) == set(q8), (sorted(trained), sorted(f32["model"]))
for k, w in trained.items():
    assert torch.equal(w, f32["model"][k]), f"float32 {k} differs"
    step = w.abs().max().item() / 127          # the coarsest int8 step of the tensor
    err = (w - q8[k]).abs().max().item()
    assert err <= 0.5 * step * 1.0001, f"int8 {k}: max error {err} > half a step {step / 2}"
print(f"parity: from_hunch: {len(trained)} tensors, float32 exact, int8 within half a step")
EOF
  $PY train/train.py --train "$work/train.txt" --valid "$work/valid.txt" --vocab "$work/lm.int8.vocab/vocab.txt" \
    --init "$work/lm.int8.pt" --out "$work/ft" --batch-size 4 --bptt 8 --max-steps 4 --epochs 1 \
    --threads 1 --no-progress --checkpoint-every 0 >"$work/ft.log" 2>&1 || { cat "$work/ft.log"; exit 1; }
  [ -f "$work/ft/last.pt" ] || { cat "$work/ft.log"; echo "parity: fine-tuning wrote no checkpoint" >&2; exit 1; }
fi
echo "parity: PASS"
