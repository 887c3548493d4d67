"""Stability of the measured summaries across init seeds: Spearman ρ between the seeds'
values on the same cells, and each seed's ρ with CIFAR-10 accuracy (seeds are replicates of
one configuration: the spread between them is the measurement noise, not extra samples).

usage: python experiments/nb201_measure/seeds.py RESULTS_DIR [SEDNAS_DATA]
"""
import csv
import itertools
import os
import sys
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

R = Path(sys.argv[1])
data = Path(sys.argv[2] if len(sys.argv) > 2 else os.environ.get("SEDNAS_DATA", "../shared/data"))
runs = {}
for seed in range(3):
    lines = (R / f"seeds500_s{seed}.csv").read_text().splitlines()
    runs[seed] = {r["arch_str"]: r for r in csv.DictReader(lines[1:])}
with open(data / "nb201_test_acc_200ep.csv") as f:
    acc = {r["arch_str"]: float(r["cifar10_test"]) for r in csv.DictReader(f)}
cells = sorted(runs[0])
a = np.array([acc[c] for c in cells])
print(f"{len(cells)} cells, seeds 0, 1, 2 (init and noise input), reduced scale C = 8, N = 1")
print(f"{'summary':<20} {'rho s0-s1':>9} {'rho s0-s2':>9} {'rho s1-s2':>9}   rho with C10 acc per seed")
for s in ["h1_last_minus_stem", "h1_neg_max_drop", "h1_min", "h2_last_minus_stem", "neg_zero_last", "neg_zero_mean"]:
    v = {k: np.array([float(runs[k][c][s]) for c in cells]) for k in runs}
    ok = np.all([np.isfinite(v[k]) for k in v], axis=0)
    pairs = [spearmanr(v[i][ok], v[j][ok]).correlation for i, j in itertools.combinations(range(3), 2)]
    accs = [spearmanr(v[k][ok], a[ok]).correlation for k in range(3)]
    print(f"{s:<20} " + " ".join(f"{p:>9.3f}" for p in pairs) + "   " + " / ".join(f"{x:.3f}" for x in accs))
