#!/usr/bin/env bash
# Reproduces the LEDp design study (docs/benchmark-protocol.md): sednas scores SED and
# LED-flow for every cell of the three spaces, then proxy_design.py (numpy + scipy, an
# evaluator independent of the Rust one) computes the added terms, evaluates all 2,295
# design variants, applies the fixed selection rule, evaluates the finalist once on the
# report splits and writes the golden values tests/benchmark.rs checks.
# Usage: experiments/ledp_design/run.sh [OUT]   (default OUT = results/benchmark)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-results/benchmark}
D=${SEDNAS_DATA:-../shared/data}
PY=${PYTHON:-python3}
export SEDNAS_DATA=$D LEDP_SCORES=$(mktemp -d)
trap 'rm -rf "$LEDP_SCORES"' EXIT
cargo build --release --quiet
S=target/release/sednas
for p in sed led-flow; do
  $S score --space nb201 --proxy $p --input "$D/nb201_arch_cost.csv" > "$LEDP_SCORES/nb201_$p.csv"
  $S score --space nb101 --proxy $p --input "$D/nb101_nasbenchvis_10k.csv" --arch-col adjacency_rowmajor > "$LEDP_SCORES/nb101_$p.csv"
  $S score --space darts --proxy $p --input "$D/nb301_zc_proxies_naslib_sample.csv" > "$LEDP_SCORES/nb301_$p.csv"
done
mkdir -p "$OUT"
$PY experiments/ledp_design/proxy_design.py "$OUT" > "$OUT/ledp_design.md"
mv "$OUT/ledp_golden.json" tests/golden/ledp_golden.json
echo "wrote $OUT/ledp_design.md, $OUT/variants_design.csv, tests/golden/ledp_golden.json"
