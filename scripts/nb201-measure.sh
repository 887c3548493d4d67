#!/usr/bin/env bash
# Measured local entropy of NB201 networks at initialisation (README "Does suppressing
# local-entropy decrease predict accuracy?"): the runs behind results/nb201-measure/, two
# shards per run (one per core), merged, evaluated with `sednas eval` beside SED, LED-flow,
# LEDp, #params and the NB-Suite-Zero peers, and the per-layer figures.
# Usage: scripts/nb201-measure.sh [runs|eval|all|space]   (runs: about 15 min on 2 cores;
# space: the whole 15,625-cell space at the reduced scale, about 20 min, resumable)
set -euo pipefail
cd "$(dirname "$0")/.."
D=${SEDNAS_DATA:-../shared/data}
S=${SEDNAS_BIN:-target/release/sednas}   # a copy lets a long run survive rebuilds
R=results/nb201-measure
what=${1:-all}
[[ -n ${SEDNAS_BIN:-} ]] || cargo build --release --quiet
run2() { # name, measure args...
  local name=$1; shift
  mkdir -p $R/shards
  # one process per core, each on one thread (rayon pools of two would contend)
  for i in 0 1; do RAYON_NUM_THREADS=1 $S measure "$@" --shard $i/2 --out $R/shards/${name}_$i.csv --resume & done
  wait
  $S merge $R/shards/${name}_0.csv $R/shards/${name}_1.csv --out $R/$name.csv
}
if [[ $what == runs || $what == all ]]; then
  for seed in 0 1 2; do run2 seeds500_s$seed --sample 500 --sample-seed 2 --seed $seed; done
  run2 cifar500_s0 --sample 500 --sample-seed 2 --input cifar --batch 20
  run2 benchmark60_s0 --sample 60 --sample-seed 3 --width 16 --cells 5 --checkpoint 5
fi
if [[ $what == space || $what == all ]]; then
  run2 reduced_noise_all_s0 --all --checkpoint 200
fi
if [[ $what == eval || $what == all ]]; then
  # the whole-space run (20 MB) is committed as its summary columns only, gzipped; the
  # per-layer figures need the full run (scripts/nb201-measure.sh space), or the same run as
  # it was committed before 7383058 (its summary columns equal the .summaries.csv.gz byte
  # for byte): git show 7383058^:$R/$A.csv.gz | gunzip > $R/$A.csv
  # PYTHON: numpy, matplotlib and the sednas package (pip install ./python)
  A=reduced_noise_all_s0
  J=$R/$A.csv
  [[ -f $J ]] || { J=$R/$A.summaries.csv; gunzip -c $R/$A.summaries.csv.gz > $J; }
  cols=h1_last_minus_stem,h1_neg_max_drop,h1_min,h2_last_minus_stem,neg_zero_last,neg_zero_mean
  for run in $A cifar500_s0 benchmark60_s0; do
    f=$R/$run.csv; [[ $run == "$A" ]] && f=$J
    for acc in cifar10_test cifar100_test imagenet16_120_test; do
      $S eval --space nb201 --truth $D/nb201_test_acc_200ep.csv --acc-col $acc --no-readings \
        --join $f --join $D/nb201_arch_cost.csv --proxy-cols $cols,params_mb_cifar10 --common \
        > $R/eval_${run}_$acc.txt
    done
  done
  # the cells with every NB-Suite-Zero peer (CIFAR-10 and ImageNet16-120 files)
  for acc in cifar10 imagenet16_120; do
    $S eval --space nb201 --truth $D/nb201_test_acc_200ep.csv --acc-col ${acc}_test --no-readings \
      --join $J --join $D/nb201_zc_proxies_$acc.csv \
      --proxy-cols $cols,params,nwot,jacov,synflow,snip --common > $R/eval_${A}_peers_$acc.txt
  done
  if [[ -f $R/$A.csv ]]; then
    ${PYTHON:-python3} experiments/nb201_measure/analyze.py $R/$A.csv $R/$A $D
    cut -d, -f1-15 $R/$A.csv | gzip -9 > $R/$A.summaries.csv.gz   # 15 columns: no quoted commas
  fi
  ${PYTHON:-python3} experiments/nb201_measure/seeds.py $R > $R/seeds.txt
  ${PYTHON:-python3} experiments/nb201_measure/scales.py $J $R/benchmark60_s0.csv $D > $R/scales.txt
fi
