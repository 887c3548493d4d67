#!/usr/bin/env bash
# The prepared GPU check (≤ 10 minutes on a machine with a GPU and its driver):
#   1. builds the wgpu test and runs it on the machine's default wgpu adapter (Flex vs GPU:
#      logits, feature maps, losses, local entropy; tests/gpu.rs),
#   2. times a training step of the benchmark-scale NB201 network (C = 16, N = 5, batch 64,
#      32×32) and the measured-entropy pipeline per network (forward + capture + H1/H2) on
#      the GPU and on the CPU, and prints the figures with the device name.
# usage: scripts/gpu-check.sh [wgpu|cuda]   (default wgpu; cuda needs a build with internet)
# Nothing is written outside target/.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-wgpu}"
case "$backend" in wgpu|cuda) ;; *) echo "usage: $0 [wgpu|cuda]" >&2; exit 2 ;; esac
t0=$(date +%s)
echo "== build (features $backend)"
cargo build --release --features "$backend" --bin sednas
if [ "$backend" = wgpu ]; then
  echo "== tests/gpu.rs on the default wgpu adapter"
  cargo test --release --features wgpu --test gpu -- --nocapture
fi
echo "== timings"
for dev in "$backend" flex; do
  target/release/sednas nn-bench --device "$dev" --width 16 --cells 5 --batch 64 --steps 5
done
echo "== done in $(( $(date +%s) - t0 )) s"
