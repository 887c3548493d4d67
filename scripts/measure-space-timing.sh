#!/usr/bin/env bash
# The whole NB201 space through `sednas measure`, timed (issue 26, speed target: the 15,625
# cells at the reduced scale in at most 10 minutes on 2 cores). The configuration of the
# committed run results/nb201-measure/reduced_cifar20_all.summaries.csv.gz (C = 8, N = 1, the
# 20 CIFAR-10 images, seed 0), two processes (one per core, RAYON_NUM_THREADS=1, shards 0/2
# and 1/2), merged; the merged run's summary columns are then compared with the committed file
# byte for byte (`cmp`), so the timing is of a run that reproduces the committed numbers.
#
# usage: scripts/measure-space-timing.sh OUTDIR [--summaries-only]
# Writes OUTDIR/timing.txt (wall clock of the two processes together, each shard's time and
# peak RSS from GNU time, the comparison) beside the shards and the merged run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/measure-space-timing.sh OUTDIR [--summaries-only]}
scope=${2:-}
case "$scope" in "" | --summaries-only) ;; *) echo "unknown option $scope" >&2; exit 2 ;; esac
S=${SEDNAS_BIN:-target/release/sednas}
[[ -n ${SEDNAS_BIN:-} ]] || cargo build --release --quiet
[[ -d data/cifar ]] || scripts/fetch-data.sh
mkdir -p "$out"
rm -f "$out"/s0.csv "$out"/s1.csv "$out"/merged.csv
load0=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s.%N)
for i in 0 1; do
  RAYON_NUM_THREADS=1 /usr/bin/time -f "shard $i/2: %e s wall, peak RSS %M KB" -o "$out/time$i.txt" \
    "$S" measure --space nb201 --all --input cifar --batch 20 --shard "$i/2" --checkpoint 1000 \
    $scope --out "$out/s$i.csv" 2>"$out/log$i.txt" &
done
wait
t1=$(date +%s.%N)
"$S" merge "$out/s0.csv" "$out/s1.csv" --out "$out/merged.csv" >/dev/null
committed=results/nb201-measure/reduced_cifar20_all.summaries.csv.gz
# the committed file holds the header line, the architecture and configuration columns and
# the six summaries (scripts/trim-measure.py); NB201 architecture strings hold no commas
tail -n +2 "$out/merged.csv" | cut -d, -f1-15 >"$out/summaries.csv"
if cmp -s <(zcat "$committed" | tail -n +2) "$out/summaries.csv"; then
  same="identical to $committed (rows and summary columns, cmp)"
else
  same="DIFFERENT from $committed"
fi
{
  echo "sednas measure --space nb201 --all --input cifar --batch 20 ${scope:+$scope }(two shards, one thread each)"
  echo "commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with local changes)'), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load averages before: $load0"
  printf 'whole space, both shards: %.1f s (%.2f min)\n' "$(echo "$t1 - $t0" | bc)" "$(echo "($t1 - $t0) / 60" | bc -l)"
  cat "$out/time0.txt" "$out/time1.txt"
  echo "rows: $(($(wc -l <"$out/merged.csv") - 2))"
  echo "summaries: $same"
} | tee "$out/timing.txt"
