#!/usr/bin/env python3
"""Does the measured term depend on the network's scale? led-m's summary (neg_zero_mean,
10 embedded patches, seed 0) at the benchmark scale (C = 16, N = 5) against the reduced
scale (C = 8, N = 1) on the same NB201 report-split cells: Spearman ρ of each with CIFAR-10 /
CIFAR-100 / ImageNet16-120 test accuracy, ρ between the two scales, and led-m built from each.

    python3 experiments/led_m/scale.py BENCH_RUN.csv REDUCED_RUN.csv [DATA_DIR]

(BENCH_RUN: `sednas measure --sample 2000 --sample-seed 1 --width 16 --cells 5 --input patches
--batch 10`, merged; REDUCED_RUN: results/led-m/nb201_reduced_patches10.summaries.csv.)
Scores and statistics come from the sednas package (score, evaluate); the split hash is
the one deliberate copy (checked: the benchmark's report half is what the reduced run holds).
"""
import csv, os, sys
import numpy as np
import sednas

bench, reduced = sys.argv[1], sys.argv[2]
data = sys.argv[3] if len(sys.argv) > 3 else os.environ.get("SEDNAS_DATA", "../shared/data")


def read(p):
    with open(p) as f:
        return {r["arch_str"]: float(r["neg_zero_mean"]) for r in csv.DictReader(l for l in f if not l.startswith("#"))}


b, r = read(bench), read(reduced)
truth = {row["arch_str"]: row for row in csv.DictReader(open(os.path.join(data, "nb201_test_acc_200ep.csv")))}
def is_design(s):  # deliberate copy of the protocol's split hash (FNV-1a 64, top bit 0)
    h = 0xcbf29ce484222325
    for x in s.encode():
        h = ((h ^ x) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h >> 63 == 0


cells = [a for a in b if a in r and not is_design(a) and np.isfinite(b[a]) and np.isfinite(r[a])]
ledp = np.array(sednas.score(cells, space="nb201", proxy="ledp"), float)
vb, vr = np.array([b[a] for a in cells]), np.array([r[a] for a in cells])
print(f"{len(cells)} NB201 report-split cells measured at both scales")
print(f"rho(benchmark-scale, reduced-scale neg_zero_mean) = {sednas.evaluate(vb, vr)['spearman']:.3f}")
print("| task | LEDp | neg_zero_mean reduced | benchmark | led-m reduced | led-m benchmark |")
print("|---|---|---|---|---|---|")
for col in ["cifar10_test", "cifar100_test", "imagenet16_120_test"]:
    acc = np.array([float(truth[a][col]) for a in cells])
    rho = lambda s: sednas.evaluate(s, acc)["spearman"]
    print(f"| {col} | {rho(ledp):.3f} | {rho(vr):.3f} | {rho(vb):.3f} | {rho(ledp + 32 * vr):.3f} | {rho(ledp + 32 * vb):.3f} |")
