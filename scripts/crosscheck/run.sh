#!/usr/bin/env bash
# Cross-check of sednas' burn networks (NB201, NB101, DARTS) against the benchmarks' own
# PyTorch code; see crosscheck.py. Exit status 0 when every map and the logits agree.
#
#   scripts/crosscheck/run.sh PATH/TO/sednas PYTHON [crosscheck.py options]
#
# PYTHON needs the packages of scripts/crosscheck/requirements.txt (README of this folder).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ $# -lt 2 ]; then
    echo "usage: $0 PATH/TO/sednas PYTHON [crosscheck.py options]" >&2
    exit 2
fi
sednas="$1"
py="$2"
shift 2
case "$sednas" in
    /*) ;;
    *) sednas="$PWD/$sednas" ;;
esac
if [ ! -x "$sednas" ]; then
    echo "$0: $sednas is not an executable sednas binary" >&2
    exit 2
fi
exec "$py" "$here/crosscheck.py" --sednas "$sednas" "$@"
