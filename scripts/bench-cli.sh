#!/usr/bin/env bash
# Times every speed figure of the README as a user sees it: whole `sednas` processes (median
# and spread of several runs, peak RSS), beside the criterion figure of the same kernel (read
# from target/criterion; run `cargo bench` first to refresh it, or pass --criterion) and a
# same-run reference (scikit-image rank.entropy, a plain Python SED loop).
#
# usage: scripts/bench-cli.sh [--criterion] [--quick] [--runs N]
#   --criterion  run `cargo bench` first (about 10 minutes to build the benches clean)
#   --quick      skip the 10 M-line and 4096×4096 memory runs
# Data: $SEDNAS_DATA (default ../shared/data) for the NB101 / NB301 inputs.
# Writes inputs and bench-cli.json under target/bench-cli/ and prints the Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
crit=0
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --criterion) crit=1 ;;
    --quick) args+=(--quick) ;;
    --runs) args+=(--runs "$2"); shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
cargo build --release --bin sednas
if [ ! -x .venv-bench/bin/python ]; then
  python3 -m venv .venv-bench
fi
.venv-bench/bin/pip install -q -r benches/requirements.txt
if [ "$crit" = 1 ]; then
  # the benches call python3 for their same-run references (scikit-image, plain SED)
  PATH="$PWD/.venv-bench/bin:$PATH" cargo bench --bench entropy --bench sed -- --noplot
fi
.venv-bench/bin/python scripts/bench_cli.py target/release/sednas "${SEDNAS_DATA:-../shared/data}" target/bench-cli "${args[@]}"
