#!/usr/bin/env bash
# Measured local entropy of NB101 and DARTS (NB301) networks at initialisation (README "Does
# suppressing local-entropy decrease predict accuracy?"): the runs behind
# results/nb101-measure/ and results/darts-measure/, two shards per run (one per core, one
# thread each), merged, evaluated with `sednas eval` beside SED, LED-flow, #params (and, for
# NB301, the NB-Suite-Zero peers of the same file), and the per-layer figures.
# Usage: scripts/spaces-measure.sh [runs|eval|all]   (runs: about 60 min on 2 cores; resumable)
set -euo pipefail
cd "$(dirname "$0")/.."
D=${SEDNAS_DATA:-../shared/data}
S=${SEDNAS_BIN:-target/release/sednas}   # a copy lets a long run survive rebuilds
PY=${PYTHON:-python3}
what=${1:-all}
[[ -n ${SEDNAS_BIN:-} ]] || cargo build --release --quiet
run2() { # results dir, name, measure args...
  local R=$1 name=$2; shift 2
  mkdir -p "$R/shards"
  [[ -f $R/$name.csv ]] && return 0
  for i in 0 1; do RAYON_NUM_THREADS=1 $S measure "$@" --shard $i/2 --out "$R/shards/${name}_$i.csv" --resume & done
  wait
  $S merge "$R/shards/${name}_0.csv" "$R/shards/${name}_1.csv" --out "$R/$name.csv"
}
NB101=(--space nb101 --from "$D/nb101_nasbenchvis_10k.csv" --arch-col adjacency_rowmajor)
DARTS=(--space darts --from "$D/nb301_zc_proxies_naslib_sample.csv")
R1=results/nb101-measure
R3=results/darts-measure
if [[ $what == runs || $what == all ]]; then
  # NB101: all 10,000 uniform cells at the reduced scale (C = 16, M = 1), noise input
  run2 $R1 reduced_noise_s0 "${NB101[@]}" --checkpoint 200
  # stability: the first 500 cells (the file is in hash order: a uniform subset), 3 seeds
  for seed in 0 1 2; do run2 $R1 seeds500_s$seed "${NB101[@]}" --limit 500 --seed $seed; done
  run2 $R1 cifar500_s0 "${NB101[@]}" --limit 500 --input cifar --batch 20
  # the benchmark's own scale (C = 128, M = 3) on the first 40 cells
  run2 $R1 benchmark40_s0 "${NB101[@]}" --limit 40 --width 128 --cells 3 --checkpoint 2
  # DARTS: all 725 NB301 genotypes at the reduced scale (C = 8, L = 5), 3 seeds
  for seed in 0 1 2; do run2 $R3 seeds725_s$seed "${DARTS[@]}" --seed $seed; done
  run2 $R3 cifar725_s0 "${DARTS[@]}" --input cifar --batch 20
  # the small evaluation network of issue 11 (C = 16, L = 8)
  run2 $R3 benchmark725_s0 "${DARTS[@]}" --width 16 --cells 8 --checkpoint 10
fi
cols=h1_last_minus_stem,h1_neg_max_drop,h1_min,h2_last_minus_stem,neg_zero_last,neg_zero_mean
if [[ $what == eval || $what == all ]]; then
  # the 10,000-cell run (15 MB) is committed as its summary columns only, gzipped; the
  # per-layer figures need the full run (runs), or the same run as it was committed before
  # 7383058 (same summary values): git show 7383058^:$R1/reduced_noise_s0.csv.gz | gunzip > $J
  # PYTHON: numpy, matplotlib and the sednas package (pip install ./python)
  J=$R1/reduced_noise_s0.csv
  [[ -f $J ]] || { J=$R1/reduced_noise_s0.summaries.csv; gunzip -c $J.gz > $J; }
  for run in reduced_noise_s0 cifar500_s0 benchmark40_s0; do
    f=$R1/$run.csv; [[ $run == reduced_noise_s0 ]] && f=$J
    $S eval --space nb101 --truth "$D/nb101_nasbenchvis_10k.csv" --arch-col adjacency_rowmajor \
      --acc-col valid_acc_108ep_1run --no-readings --join $f \
      --proxy-cols $cols,trainable_parameters --common > $R1/eval_$run.txt
  done
  peers=params,nwot,synflow,jacov,snip,grad_norm,fisher,grasp,epe_nas,l2_norm,plain,flops
  for run in seeds725_s0 cifar725_s0 benchmark725_s0; do
    $S eval --space darts --truth "$D/nb301_zc_proxies_naslib_sample.csv" --acc-col naslib_val_accuracy \
      --no-readings --join $R3/$run.csv --proxy-cols $cols,$peers --common > $R3/eval_$run.txt
  done
  if [[ -f $R1/reduced_noise_s0.csv ]]; then
    $PY experiments/nb201_measure/analyze.py $R1/reduced_noise_s0.csv $R1/reduced_noise_s0 "$D" --space nb101
    $PY -c "import csv,gzip,sys; r=open(sys.argv[1]).read().splitlines(); f=gzip.open(sys.argv[2],'wt',compresslevel=9); f.write(r[0]+'\n'); w=csv.writer(f,lineterminator='\n'); [w.writerow(x[:16]) for x in csv.reader(r[1:])]" \
      $R1/reduced_noise_s0.csv $R1/reduced_noise_s0.summaries.csv.gz
  fi
  $PY experiments/nb201_measure/analyze.py $R3/seeds725_s0.csv $R3/seeds725_s0 "$D" --space darts
  $PY experiments/nb201_measure/seeds.py $R1 "$D" --space nb101 > $R1/seeds.txt
  $PY experiments/nb201_measure/seeds.py $R3 "$D" --space darts > $R3/seeds.txt
  $PY experiments/nb201_measure/scales.py $J $R1/benchmark40_s0.csv "$D" --space nb101 > $R1/scales.txt
  $PY experiments/nb201_measure/scales.py $R3/seeds725_s0.csv $R3/benchmark725_s0.csv "$D" --space darts > $R3/scales.txt
fi
