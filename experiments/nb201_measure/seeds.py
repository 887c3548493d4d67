"""Stability of the measured summaries across init seeds: Spearman ρ between the seeds'
values on the same cells, and each seed's ρ with accuracy (seeds are replicates of one
configuration: the spread between them is the measurement noise, not extra samples).

usage: python experiments/nb201_measure/seeds.py RESULTS_DIR [SEDNAS_DATA] [--space nb201|nb101|darts]
  reads RESULTS_DIR/seeds{N}_s{0,1,2}.csv (N = 500 for NB201 and NB101, 725 for DARTS)
"""
import argparse
import csv
import itertools
import os
from pathlib import Path

import numpy as np

from spaces import SPACES, keyed, spearman

p = argparse.ArgumentParser()
p.add_argument("results")
p.add_argument("data", nargs="?", default=os.environ.get("SEDNAS_DATA", "../shared/data"))
p.add_argument("--space", default="nb201", choices=["nb201", "nb101", "darts"])
a = p.parse_args()
R, data = Path(a.results), Path(a.data)
sp = SPACES[a.space]
prefix, truth, acc_col, acc_name, scale = sp["seeds"], sp["truth"], sp["accs"][0], sp["acc_name"], sp["scale"]
runs = {}
for seed in range(3):
    lines = (R / f"{prefix}_s{seed}.csv").read_text().splitlines()
    runs[seed] = keyed(a.space, list(csv.DictReader(lines[1:])))
with open(data / truth) as f:
    acc = {k: float(r[acc_col]) for k, r in keyed(a.space, list(csv.DictReader(f))).items()}
cells = sorted(set(runs[0]) & set(runs[1]) & set(runs[2]))
a_ = np.array([acc[c] for c in cells])
print(f"{len(cells)} architectures, seeds 0, 1, 2 (init and noise input), {scale}")
print(f"{'summary':<20} {'rho s0-s1':>9} {'rho s0-s2':>9} {'rho s1-s2':>9}   rho with {acc_name} per seed")
for s in ["h1_last_minus_stem", "h1_neg_max_drop", "h1_min", "h2_last_minus_stem", "neg_zero_last", "neg_zero_mean"]:
    v = {k: np.array([float(runs[k][c][s]) for c in cells]) for k in runs}
    ok = np.all([np.isfinite(v[k]) for k in v], axis=0)
    pairs = [spearman(v[i][ok], v[j][ok]) for i, j in itertools.combinations(range(3), 2)]
    accs = [spearman(v[k][ok], a_[ok]) for k in range(3)]
    print(f"{s:<20} " + " ".join(f"{p:>9.3f}" for p in pairs) + "   " + " / ".join(f"{x:.3f}" for x in accs))
