#!/usr/bin/env bash
# Submits a sharded `sednas measure` run to Slurm: a job array of SEDNAS_SHARDS tasks
# (measure-array.sbatch, one shard each) and a merge job that starts once every task has
# succeeded (merge.sbatch, --dependency=afterok). Prints both job ids.
#
# Usage: SEDNAS_OUT=runs/nb201 SEDNAS_ARGS="--all" [SEDNAS_SHARDS=16] [SEDNAS_BIN=...] \
#          scripts/slurm/submit.sh [extra sbatch options for both jobs, e.g. --partition=cpu]
# SEDNAS_BIN defaults to target/release/sednas of this checkout; it and SEDNAS_OUT are made
# absolute, so both must lie on a file system the compute nodes share; SEDNAS_MERGED (default
# $SEDNAS_OUT/merged.csv) is the merged file (merge.sbatch). Logs go to
# $SEDNAS_OUT/logs/. The last two lines of the output are `measure_job=<id>` and
# `merge_job=<id>`. Resubmitting after a failure continues the shards (--resume).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${SEDNAS_OUT:?set SEDNAS_OUT to the (shared) output folder}"
: "${SEDNAS_ARGS:?set SEDNAS_ARGS to the population arguments of sednas measure, e.g. --all}"
n=${SEDNAS_SHARDS:-16}
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "submit.sh: SEDNAS_SHARDS must be a positive integer" >&2; exit 2; }
bin=${SEDNAS_BIN:-$here/../../target/release/sednas}
[[ $bin == */* ]] && bin=$(realpath "$bin")
mkdir -p "$SEDNAS_OUT/logs"
SEDNAS_OUT=$(realpath "$SEDNAS_OUT")
export SEDNAS_BIN=$bin SEDNAS_OUT SEDNAS_ARGS

array=$(sbatch --parsable --array="0-$((n - 1))" --output="$SEDNAS_OUT/logs/measure_%A_%a.log" \
  "$@" "$here/measure-array.sbatch")
array=${array%%;*}   # --parsable prints id[;cluster]
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --output="$SEDNAS_OUT/logs/merge_%j.log" "$@" "$here/merge.sbatch")
merge=${merge%%;*}
echo "submitted $n shards of: sednas measure $SEDNAS_ARGS -> ${SEDNAS_MERGED:-$SEDNAS_OUT/merged.csv}"
echo "measure_job=$array"
echo "merge_job=$merge"
