#!/usr/bin/env bash
# Regenerates every measured figure of the README's "Paper vs sednas" table.
# Data: $SEDNAS_DATA (default ../shared/data). Configuration: SED's defaults
# (docs/sed-readings.md). Usage: scripts/paper-vs-sednas.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
D=${SEDNAS_DATA:-../shared/data}
OUT=${1:-results/paper-vs-sednas}
mkdir -p "$OUT"
cargo build --release --quiet
S=target/release/sednas
for ds in cifar10 cifar100 imagenet16_120; do
  # Table 2 (selection, tie-aware), rho of every reading, minimum-accuracy correlation
  $S eval --space nb201 --truth "$D/nb201_test_acc_200ep.csv" --acc-col "${ds}_test" \
     --join "$D/nb201_arch_cost.csv" --proxy-cols "params_mb_$ds,flops_m_$ds" | tee "$OUT/nb201_${ds}_all.txt"
  $S eval --space nb201 --truth "$D/nb201_test_acc_200ep.csv" --acc-col "${ds}_test" --no-readings \
     --join "$D/nb201_arch_cost.csv" --proxy-cols "params_mb_$ds" --json > "$OUT/nb201_${ds}_all.jsonl"
done
# peers on the architectures they cover (NAS-Bench-Suite-Zero: 9,445 cells; CIFAR-10 and ImageNet16-120)
for ds in cifar10 imagenet16_120; do
  $S eval --space nb201 --truth "$D/nb201_test_acc_200ep.csv" --acc-col "${ds}_test" --no-readings \
     --join "$D/nb201_zc_proxies_$ds.csv" --join "$D/nb201_arch_cost.csv" --common \
     --proxy-cols "params_mb_$ds,flops_m_$ds,nwot,jacov,synflow,epe_nas,l2_norm,snip,grad_norm,fisher,grasp,zen" \
     | tee "$OUT/nb201_${ds}_peers_common.txt"
done
$S eval --space nb201 --truth "$D/nb201_test_acc_200ep.csv" --acc-col cifar100_test --no-readings \
   --join "$D/nb201_zc_proxies_cifar100.csv" --proxy-cols zen | tee "$OUT/nb201_cifar100_zen.txt"
# NB101 / NB301 samples (NASLib)
$S eval --space nb101 --truth "$D/nb101_zc_proxies_naslib_sample.csv" --acc-col naslib_val_accuracy \
   --proxy-cols params,flops,synflow,jacov,snip,grasp,fisher,grad_norm,epe_nas,l2_norm | tee "$OUT/nb101_sample.txt"
$S eval --space darts --truth "$D/nb301_zc_proxies_naslib_sample.csv" --acc-col naslib_val_accuracy \
   --proxy-cols params,flops,nwot,synflow,jacov,snip,grasp,fisher,grad_norm,epe_nas,l2_norm | tee "$OUT/nb301_sample.txt"
echo "written to $OUT"
