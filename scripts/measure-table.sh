#!/usr/bin/env bash
# The README table "Does suppressing local-entropy decrease predict accuracy?", from the
# `sednas eval` outputs that scripts/nb201-measure.sh and scripts/spaces-measure.sh write.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
R=results/nb201-measure; A=reduced_noise_all_s0; R1=results/nb101-measure; R3=results/darts-measure
three() { echo "$1/eval_$2_cifar10_test.txt,$1/eval_$2_cifar100_test.txt,$1/eval_$2_imagenet16_120_test.txt"; }
$PY experiments/nb201_measure/table.py \
  "**NB201**, whole space, reduced scale (C = 8, N = 1), noise::$(three $R $A)" \
  "NB201, the cells with every NB-Suite-Zero peer, C10::$R/eval_${A}_peers_cifar10.txt" \
  "NB201, same cells, IN16::$R/eval_${A}_peers_imagenet16_120.txt" \
  "NB201, reduced scale, 20 real CIFAR-10 images, uniform sample::$(three $R cifar500_s0)" \
  "NB201, benchmark scale (C = 16, N = 5), noise, uniform sample::$(three $R benchmark60_s0)" \
  "**NB101**, all 10,000 uniform cells, reduced scale (C = 16, M = 1), noise::$R1/eval_reduced_noise_s0.txt" \
  "NB101, reduced scale, 20 real CIFAR-10 images, first 500 cells::$R1/eval_cifar500_s0.txt" \
  "NB101, benchmark scale (C = 128, M = 3), noise, first 40 cells::$R1/eval_benchmark40_s0.txt" \
  "**NB301 / DARTS**, all 725 genotypes, reduced scale (C = 8, L = 5), noise::$R3/eval_seeds725_s0.txt" \
  "NB301, reduced scale, 20 real CIFAR-10 images::$R3/eval_cifar725_s0.txt" \
  "NB301, the small evaluation network (C = 16, L = 8), noise::$R3/eval_benchmark725_s0.txt"
