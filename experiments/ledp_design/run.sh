#!/usr/bin/env bash
# Reproduces the LEDp design study (docs/benchmark-protocol.md): proxy_design.py scores SED
# and LED-flow for every cell of the three spaces with the sednas package (the Rust scorers),
# computes the added terms, evaluates all 2,295 design variants (sednas.evaluate), applies
# the fixed selection rule, evaluates the finalist once on the report splits and writes the
# golden values tests/benchmark.rs checks (from an evaluator independent of the Rust one,
# numpy + scipy).
# Usage: experiments/ledp_design/run.sh [OUT]   (default OUT = results/benchmark)
# PYTHON: a Python with numpy, scipy and the sednas package (pip install ./python, or
# maturin develop --release -m python/Cargo.toml in a virtual environment).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-results/benchmark}
D=${SEDNAS_DATA:-../shared/data}
PY=${PYTHON:-python3}
export SEDNAS_DATA=$D
mkdir -p "$OUT"
$PY experiments/ledp_design/proxy_design.py "$OUT" > "$OUT/ledp_design.md"
mv "$OUT/ledp_golden.json" tests/golden/ledp_golden.json
echo "wrote $OUT/ledp_design.md, $OUT/variants_design.csv, tests/golden/ledp_golden.json"
