"""Reduced vs benchmark scale on the same networks: for each summary, Spearman ρ with
accuracy at each scale, and ρ between the two scales' values (how far the cheap scale
stands in for the benchmark's own network).

usage: python experiments/nb201_measure/scales.py REDUCED.csv BENCHMARK.csv [SEDNAS_DATA] [--space nb201|nb101|darts]
"""
import argparse
import csv
import os
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from spaces import SPACES, key_of

ap = argparse.ArgumentParser()
ap.add_argument("reduced")
ap.add_argument("benchmark")
ap.add_argument("data", nargs="?", default=os.environ.get("SEDNAS_DATA", "../shared/data"))
ap.add_argument("--space", default="nb201", choices=["nb201", "nb101", "darts"])
a = ap.parse_args()
sp = SPACES[a.space]
truth, acc_col = sp["truth"], sp["accs"][0]
key = key_of(a.space)
def load(p):
    lines = Path(p).read_text().splitlines()
    return {key(r): r for r in csv.DictReader(lines[1:])}
red, ben = load(a.reduced), load(a.benchmark)
with open(Path(a.data) / truth) as f:
    acc = {key(r): float(r[acc_col]) for r in csv.DictReader(f)}
nets = sorted(set(red) & set(ben))
r0, b0 = next(iter(red.values())), next(iter(ben.values()))
print(f"{a.space}: {len(nets)} networks measured at both scales: reduced (width {r0['width']}, cells {r0['cells']}) "
      f"and benchmark (width {b0['width']}, cells {b0['cells']}); accuracy column {acc_col}")
print(f"{'summary':<20} {'rho reduced':>11} {'rho benchmark':>13} {'rho between scales':>18}")
y = np.array([acc[n] for n in nets])
for s in ["h1_last_minus_stem", "h1_neg_max_drop", "h1_min", "h2_last_minus_stem", "neg_zero_last", "neg_zero_mean"]:
    u = np.array([float(red[n][s]) for n in nets])
    v = np.array([float(ben[n][s]) for n in nets])
    ok = np.isfinite(u) & np.isfinite(v)
    print(f"{s:<20} {spearmanr(u[ok], y[ok]).correlation:>11.3f} {spearmanr(v[ok], y[ok]).correlation:>13.3f} "
          f"{spearmanr(u[ok], v[ok]).correlation:>18.3f}")
